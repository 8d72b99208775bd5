"""The department head's home page: the department's objectives with health and
check-ins due, and the customer needs deployed to it awaiting acknowledgement."""

import os

import pytest
from django.core.management import call_command

from qms.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_head_sees_objectives_and_needs_awaiting_acknowledgement(client_for, demo):
    head = User.objects.get(username="housekeeping")
    response = client_for(head).get("/")
    body = response.content.decode()
    assert 'data-testid="panel-objectives"' in body
    assert 'data-testid="panel-pending-needs"' in body
    assert "Zero-wait check-in" in body  # deployed to HK, not yet acknowledged in the demo


def test_acknowledged_needs_leave_the_panel(client_for, demo):
    head = User.objects.get(username="frontdesk")  # FD acknowledged the hotel need
    body = client_for(head).get("/").content.decode()
    pending = body.split('data-testid="panel-pending-needs"')
    assert len(pending) == 1 or "Zero-wait check-in" not in pending[1].split("</section>")[0]


def test_staff_see_objectives_but_no_acknowledgement_panel(client_for, demo):
    staff = User.objects.get(username="staff")
    body = client_for(staff).get("/").content.decode()
    assert 'data-testid="panel-objectives"' in body
    assert 'data-testid="panel-pending-needs"' not in body


def test_home_query_count_does_not_grow_with_objectives(
    client_for, front_desk, front_desk_head, django_assert_max_num_queries
):
    from tests.objectives.factories import DepartmentObjectiveFactory, KeyResultFactory

    client = client_for(front_desk_head)
    KeyResultFactory(objective=DepartmentObjectiveFactory(department=front_desk))
    with django_assert_max_num_queries(40) as few:
        assert client.get("/").status_code == 200
    for _ in range(6):
        objective = DepartmentObjectiveFactory(department=front_desk)
        KeyResultFactory.create_batch(2, objective=objective)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count("data-health=") >= 7


def test_head_sees_the_departments_open_actions_measures_and_complaints(
    client_for, quality_manager, front_desk, front_desk_head, housekeeping
):
    from actions.models import Measure
    from tests.actions.factories import make_complaint, open_action

    action = open_action(actor=quality_manager, department=front_desk, owner=front_desk_head)
    Measure.objects.create(
        action=action,
        title="Faster ID scanner",
        owner=front_desk_head,
        department=front_desk,
        due_date=action.due_date,
    )
    ours = make_complaint(department=front_desk)
    theirs = make_complaint(department=housekeeping)
    body = client_for(front_desk_head).get("/").content.decode()
    assert action.reference in body
    assert "Faster ID scanner" in body
    assert ours.reference in body
    assert theirs.reference not in body  # another department's complaint stays out


def test_panels_stay_hidden_when_there_is_nothing_to_show(client_for, front_desk_head):
    body = client_for(front_desk_head).get("/").content.decode()
    assert 'data-testid="panel-actions"' not in body
    assert 'data-testid="panel-complaints"' not in body
