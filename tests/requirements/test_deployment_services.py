"""Deployment to departments: notifications, the head's acknowledgement, staff reads."""

import pytest

from qms.exceptions import ApplicationError
from qms.models import Message
from qms.services import message_send
from requirements import services
from requirements.models import Requirement

pytestmark = pytest.mark.django_db


def test_deploying_notifies_head_and_staff_once(
    accepted,
    fd_deployment,
    front_desk_head,
    front_desk_staff,
    quality_manager,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.requirement_deploy(requirement=accepted, actor=quality_manager)
    keys = set(Message.objects.filter(kind="need_deployed").values_list("key", flat=True))
    assert keys == {
        f"need-deployed:{fd_deployment.pk}:1:{front_desk_head.pk}",
        f"need-deployed:{fd_deployment.pk}:1:{front_desk_staff.pk}",
    }
    # A repeated notification writes nothing new.
    services._notify_department(fd_deployment, accepted, changed=False)
    assert Message.objects.filter(kind="need_deployed").count() == 2
    # The outbox sender delivers each once, however often it is asked.
    for message in Message.objects.filter(kind="need_deployed"):
        assert message_send(message_id=message.pk) is True
        assert message_send(message_id=message.pk) is False
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [front_desk_head.email, front_desk_staff.email]
    )
    assert "ID scan from 30 s to 10 s" in mailoutbox[0].body


def test_deploying_works_with_the_broker_down(
    client_for,
    accepted,
    fd_deployment,
    quality_manager,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from django.urls import reverse

    from qms.celery import app

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(app, "send_task", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(quality_manager).post(
            reverse("requirements:requirement-deploy", args=[accepted.pk])
        )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == Requirement.Status.DEPLOYED
    # The work is in the outbox; the send_due_messages scanner delivers it later.
    assert Message.objects.filter(kind="need_deployed", status="pending").count() == 2


def test_adding_a_department_to_a_deployed_need_notifies_it(
    deployed, quality_manager, hk_staff, housekeeping_head
):
    from tests.factories import DepartmentFactory, UserFactory

    it = DepartmentFactory(code="IT", name="IT", head=UserFactory(username="it-head"))
    deployment = services.deployment_create(
        requirement=deployed,
        department=it,
        commitment="Face recognition kiosk",
        actor=quality_manager,
    )
    assert deployment.next_action_at is not None
    assert Message.objects.filter(key=f"need-deployed:{deployment.pk}:1:{it.head.pk}").exists()


def test_head_acknowledges_with_a_comment(deployed, fd_deployment, front_desk_head):
    services.deployment_acknowledge(
        deployment=fd_deployment, actor=front_desk_head, comment="Scanners ordered"
    )
    fd_deployment.refresh_from_db()
    assert fd_deployment.is_acknowledged
    assert fd_deployment.acknowledged_by == front_desk_head
    assert fd_deployment.ack_comment == "Scanners ordered"
    assert fd_deployment.next_action_at is None
    with pytest.raises(ApplicationError, match="already acknowledged"):
        services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)


def test_only_the_departments_head_acknowledges(
    deployed, fd_deployment, housekeeping_head, front_desk_staff, quality_manager
):
    for person in (housekeeping_head, front_desk_staff, quality_manager):
        with pytest.raises(ApplicationError, match="Only the head"):
            services.deployment_acknowledge(deployment=fd_deployment, actor=person)


def test_nothing_to_acknowledge_before_deployment(fd_deployment, front_desk_head):
    with pytest.raises(ApplicationError, match="deployed"):
        services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)


def test_staff_mark_read_once_per_revision(deployed, fd_deployment, front_desk_staff):
    first = services.brief_mark_read(deployment=fd_deployment, actor=front_desk_staff)
    again = services.brief_mark_read(deployment=fd_deployment, actor=front_desk_staff)
    assert first.pk == again.pk
    assert first.revision == 1


def test_staff_of_another_department_cannot_mark_read(deployed, fd_deployment, hk_staff):
    with pytest.raises(ApplicationError, match="Only staff"):
        services.brief_mark_read(deployment=fd_deployment, actor=hk_staff)


def test_changed_commitment_asks_for_a_new_acknowledgement(
    deployed, fd_deployment, front_desk_head, quality_manager
):
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    services.deployment_update(
        deployment=fd_deployment, actor=quality_manager, commitment="ID scan in 5 s", ack_days=3
    )
    fd_deployment.refresh_from_db()
    assert not fd_deployment.is_acknowledged
    assert fd_deployment.ack_days == 3
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    assert fd_deployment.acknowledgements.count() == 2
    # The department is told about the new commitment (once per change and person).
    told = Message.objects.filter(key__startswith=f"need-changed:{fd_deployment.pk}:1-commitment-")
    assert told.count() == 2  # the head and the staff member
    assert all("ID scan in 5 s" in m.body for m in told)


def test_remove_a_deployment_only_before_deploying(fd_deployment, quality_manager, deployed):
    fd_deployment.refresh_from_db()
    assert fd_deployment.requirement.status == Requirement.Status.DEPLOYED
    with pytest.raises(ApplicationError):
        services.deployment_delete(deployment=fd_deployment, actor=quality_manager)
