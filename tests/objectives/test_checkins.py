"""Check-ins: who may check in, what a check-in changes, and that none is ever edited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from objectives import services
from objectives.models import CheckIn, KeyResult
from qms.exceptions import ApplicationError
from tests.objectives.factories import CheckInFactory, DepartmentObjectiveFactory, KeyResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fd_key_result(front_desk, front_desk_head):
    objective = DepartmentObjectiveFactory(department=front_desk, owner=front_desk_head)
    return KeyResultFactory(
        objective=objective,
        direction=KeyResult.Direction.DECREASE,
        baseline=Decimal("9"),
        target=Decimal("5"),
    )


def test_the_department_head_checks_in(fd_key_result, front_desk_head):
    objective = fd_key_result.objective
    objective.checkin_due_on = timezone.localdate() + dt.timedelta(days=2)
    objective.reminder_step = 2
    objective.save()
    checkin = services.checkin_create(
        actor=front_desk_head, key_result=fd_key_result, value="7", confidence=6, comment="ok"
    )
    fd_key_result.refresh_from_db()
    objective.refresh_from_db()
    assert checkin.by == front_desk_head
    assert checkin.on_time is True
    assert fd_key_result.current_value == Decimal("7")
    assert objective.last_checkin_at == checkin.at
    assert objective.reminder_step == 0
    assert objective.checkin_due_on > timezone.localdate()


def test_a_head_of_another_department_cannot_check_in(fd_key_result, housekeeping_head):
    with pytest.raises(ApplicationError, match="head of the objective's department"):
        services.checkin_create(actor=housekeeping_head, key_result=fd_key_result, value=7)


def test_staff_cannot_check_in(fd_key_result, front_desk_staff):
    with pytest.raises(ApplicationError):
        services.checkin_create(actor=front_desk_staff, key_result=fd_key_result, value=7)


def test_the_quality_manager_can_check_in(fd_key_result, quality_manager):
    assert services.checkin_create(actor=quality_manager, key_result=fd_key_result, value=6)


def test_a_computed_key_result_takes_no_manual_check_in(quality_manager, fake_metric):
    kr = KeyResultFactory(mode=KeyResult.Mode.COMPUTED, metric_key="fake_csat")
    with pytest.raises(ApplicationError, match="computed"):
        services.checkin_create(actor=quality_manager, key_result=kr, value=90)


def test_confidence_is_from_0_to_10(fd_key_result, front_desk_head):
    with pytest.raises(ApplicationError, match="0 to 10"):
        services.checkin_create(
            actor=front_desk_head, key_result=fd_key_result, value=7, confidence=11
        )


def test_a_correction_is_a_new_check_in(fd_key_result, front_desk_head):
    services.checkin_create(actor=front_desk_head, key_result=fd_key_result, value=7)
    services.checkin_create(actor=front_desk_head, key_result=fd_key_result, value=6.5)
    assert CheckIn.objects.filter(key_result=fd_key_result).count() == 2
    fd_key_result.refresh_from_db()
    assert fd_key_result.current_value == Decimal("6.5")


def test_services_offer_no_way_to_change_or_remove_a_check_in():
    names = {name for name in dir(services) if name.startswith("checkin")}
    assert names == {"checkin_create", "checkin_reminders_send_due"}


def test_the_database_refuses_to_update_a_check_in():
    checkin = CheckInFactory(value=Decimal("5"))
    with pytest.raises(DatabaseError), transaction.atomic():
        CheckIn.objects.filter(pk=checkin.pk).update(value=Decimal("6"))
    checkin.refresh_from_db()
    assert checkin.value == Decimal("5")


def test_the_admin_is_read_only(admin_client):
    checkin = CheckInFactory()
    assert admin_client.get(f"/admin/objectives/checkin/{checkin.pk}/delete/").status_code == 403
    response = admin_client.post(f"/admin/objectives/checkin/{checkin.pk}/change/", {"value": "99"})
    assert response.status_code == 403
    checkin.refresh_from_db()
    assert checkin.value != Decimal("99")


def test_on_postgresql_the_database_also_refuses_to_delete_a_check_in():
    from django.db import connection

    checkin = CheckInFactory()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            CheckIn.objects.filter(pk=checkin.pk).delete()
    # Everywhere: the key result protects its check-ins from a cascading delete.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError), transaction.atomic():
        checkin.key_result.delete()
    assert CheckIn.objects.filter(pk=checkin.pk).exists()


def test_a_plan_that_harms_a_party_takes_no_check_in_until_mitigated(quality_manager):
    """Guide point 6: "996" overtime for employees stops the plan until it has a
    mitigation or a quality manager's approval."""
    from qms import services as qms_services
    from qms.models import InterestedParty

    kr = KeyResultFactory()
    employees = InterestedParty.objects.create(
        name="Employees", category="employees", needs="Hours", review_date=dt.date(2027, 1, 1)
    )
    assessment = qms_services.impact_record(
        target=kr.objective, party=employees, impact="negative", note="996 overtime"
    )
    with pytest.raises(ApplicationError, match="harms Employees"):
        services.checkin_create(actor=quality_manager, key_result=kr, value=5)
    qms_services.impact_approve(
        assessment=assessment, actor=quality_manager, reason="Two weeks of stock-taking only"
    )
    assert services.checkin_create(actor=quality_manager, key_result=kr, value=5).value == 5
