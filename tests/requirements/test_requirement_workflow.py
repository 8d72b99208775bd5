"""The requirement life cycle and the acknowledgement ladder, pinned word for word and to
the minute (issue 17 moved them onto the workflow kernel without changing them)."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.exceptions import ApplicationError
from qms.models import Message
from requirements import services
from requirements.models import Requirement, RequirementTransition

pytestmark = pytest.mark.django_db

Status = Requirement.Status


def _message(excinfo) -> str:
    return str(excinfo.value.args[0] if excinfo.value.args else excinfo.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda r, qm: services.requirement_submit_for_review(requirement=r, actor=qm),
            "Only a proposed requirement can be submitted for review.",
        ),
        (
            lambda r, qm: services.requirement_accept(requirement=r, actor=qm),
            "Only a requirement under review can be accepted.",
        ),
        (
            lambda r, qm: services.requirement_deploy(requirement=r, actor=qm),
            "Only an accepted requirement can be deployed.",
        ),
    ],
)
def test_a_step_from_the_wrong_status_says_so(deployed, quality_manager, call, message):
    with pytest.raises(ApplicationError) as excinfo:
        call(deployed, quality_manager)
    assert _message(excinfo) == message
    deployed.refresh_from_db()
    assert deployed.status == Status.DEPLOYED


def test_retiring_twice_says_already_retired_before_asking_for_a_reason(deployed, quality_manager):
    services.requirement_retire(requirement=deployed, actor=quality_manager, reason="Gone")
    with pytest.raises(ApplicationError) as excinfo:
        services.requirement_retire(requirement=deployed, actor=quality_manager, reason="")
    assert _message(excinfo) == "This requirement is already retired."
    with pytest.raises(ApplicationError) as excinfo:
        services.requirement_retire(requirement=deployed, actor=quality_manager, reason="again")
    assert _message(excinfo) == "This requirement is already retired."
    assert deployed.transitions.filter(to_status=Status.RETIRED).count() == 1


def test_deploy_without_deployments_and_accept_without_review_messages(
    accepted, under_review, quality_manager
):
    with pytest.raises(ApplicationError) as excinfo:
        services.requirement_deploy(requirement=accepted, actor=quality_manager)
    assert _message(excinfo) == "Add at least one department and its commitment before deploying."
    other = services.requirement_create(actor=quality_manager, title="Other", kind="stated")
    services.requirement_submit_for_review(requirement=other, actor=quality_manager)
    with pytest.raises(ApplicationError) as excinfo:
        services.requirement_accept(requirement=other, actor=quality_manager)
    assert _message(excinfo) == (
        "Record a review that says the organisation can meet this revision of the "
        "requirement before accepting it."
    )


def test_the_log_rows_of_the_whole_life_cycle(deployed, quality_manager):
    services.requirement_retire(requirement=deployed, actor=quality_manager, reason="Gone")
    rows = list(
        RequirementTransition.objects.filter(requirement=deployed)
        .order_by("created_at", "id")
        .values_list("from_status", "to_status", "revision", "actor", "note")
    )
    qm = quality_manager.pk
    assert rows == [
        ("", Status.PROPOSED, 1, qm, ""),
        (Status.PROPOSED, Status.UNDER_REVIEW, 1, qm, ""),
        (Status.UNDER_REVIEW, Status.ACCEPTED, 1, qm, ""),
        (Status.ACCEPTED, Status.DEPLOYED, 1, qm, ""),
        (Status.DEPLOYED, Status.RETIRED, 1, qm, "Gone"),
    ]
    assert str(deployed.transitions.first()) == f"{deployed.title}: deployed → retired"


def test_a_no_review_is_logged_and_is_the_history_reason(under_review, quality_manager):
    services.requirement_review(
        requirement=under_review, actor=quality_manager, can_meet=False, note="No budget"
    )
    row = under_review.transitions.first()
    assert (row.from_status, row.to_status, row.note) == (
        Status.UNDER_REVIEW,
        Status.PROPOSED,
        "Review: cannot meet it. No budget",
    )
    latest = under_review.history.order_by("-history_id").first()
    assert latest.status == Status.PROPOSED
    assert latest.history_change_reason == "Review: cannot meet it. No budget"
    services.requirement_submit_for_review(requirement=under_review, actor=quality_manager)
    latest = under_review.history.order_by("-history_id").first()
    assert latest.history_change_reason == Status.UNDER_REVIEW


def _only(deployment):
    """Only this deployment on the ladder (the other one's clock stopped)."""
    deployment.requirement.deployments.exclude(pk=deployment.pk).update(next_action_at=None)


def _due(deployment, now):
    deployment.refresh_from_db()
    deployment.next_action_at = now
    deployment.save()


def test_the_acknowledgement_ladder_timing_and_counts(deployed, fd_deployment, quality_manager):
    now = timezone.now() + dt.timedelta(days=30)
    _only(fd_deployment)
    _due(fd_deployment, now - dt.timedelta(minutes=1))
    assert services.acknowledgements_remind_overdue(now=now) == 1
    fd_deployment.refresh_from_db()
    assert fd_deployment.reminder_step == 1
    assert fd_deployment.next_action_at == now + dt.timedelta(days=3)
    assert services.acknowledgements_remind_overdue(now=now + dt.timedelta(days=2)) == 0
    later = now + dt.timedelta(days=3)
    assert services.acknowledgements_remind_overdue(now=later) == 1
    fd_deployment.refresh_from_db()
    assert (fd_deployment.reminder_step, fd_deployment.next_action_at) == (
        2,
        later + dt.timedelta(days=3),
    )
    last = later + dt.timedelta(days=3)
    assert services.acknowledgements_remind_overdue(now=last) == 1
    fd_deployment.refresh_from_db()
    assert (fd_deployment.reminder_step, fd_deployment.next_action_at) == (3, None)
    keys = set(
        Message.objects.filter(kind__in=["ack_reminder", "ack_escalation"]).values_list(
            "key", flat=True
        )
    )
    assert keys == {
        f"ack-reminder:{fd_deployment.pk}:1:1",
        f"ack-reminder:{fd_deployment.pk}:1:2",
        f"ack-escalation:{fd_deployment.pk}:1:{quality_manager.pk}",
    }


def test_a_head_who_leaves_mid_ladder_means_escalation_at_once(
    deployed, fd_deployment, front_desk_head, quality_manager
):
    now = timezone.now() + dt.timedelta(days=30)
    _only(fd_deployment)
    _due(fd_deployment, now)
    services.acknowledgements_remind_overdue(now=now)
    front_desk_head.email = ""
    front_desk_head.save()
    _due(fd_deployment, now)
    assert services.acknowledgements_remind_overdue(now=now) == 1
    fd_deployment.refresh_from_db()
    assert (fd_deployment.reminder_step, fd_deployment.next_action_at) == (3, None)
    assert Message.objects.filter(kind="ack_reminder").count() == 1
    assert Message.objects.filter(kind="ack_escalation").count() == 1


def test_acknowledging_stops_and_a_new_commitment_restarts_the_ladder(
    deployed, fd_deployment, front_desk_head, quality_manager
):
    now = timezone.now() + dt.timedelta(days=30)
    _only(fd_deployment)
    _due(fd_deployment, now)
    services.acknowledgements_remind_overdue(now=now)
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    fd_deployment.refresh_from_db()
    assert (fd_deployment.reminder_step, fd_deployment.next_action_at) == (1, None)
    services.deployment_update(
        deployment=fd_deployment, actor=quality_manager, commitment="New words", ack_days=5
    )
    fd_deployment.refresh_from_db()
    assert fd_deployment.reminder_step == 0
    assert fd_deployment.next_action_at == fd_deployment.ack_due_at
    assert fd_deployment.acknowledged_revision is None
