"""Check-in reminders: owner, owner again, then the quality manager; each exactly once."""

import datetime as dt

import pytest
from django.utils import timezone

from objectives import services, tasks
from objectives.models import KeyResult, Objective
from qms import services as qms_services
from qms.models import Message
from tests.objectives.factories import (
    DepartmentObjectiveFactory,
    KeyResultFactory,
    ObjectiveFactory,
)

pytestmark = pytest.mark.django_db


def deliver():
    """Send every pending message now (what the outbox worker does)."""
    for pk in Message.objects.filter(status=Message.Status.PENDING).values_list("pk", flat=True):
        qms_services.message_send(message_id=pk)


def scan(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        steps = tasks.remind_due_checkins_task()
    deliver()
    return steps


def make_due(objective, *, days_overdue=0):
    due = timezone.localdate() - dt.timedelta(days=days_overdue)
    Objective.objects.filter(pk=objective.pk).update(
        checkin_due_on=due, reminder_step=0, next_action_at=timezone.now() - dt.timedelta(minutes=1)
    )
    objective.refresh_from_db()
    return due


def come_back_later(objective):
    """The scanner's next time for this objective has come."""
    Objective.objects.filter(pk=objective.pk).update(
        next_action_at=timezone.now() - dt.timedelta(seconds=1)
    )


@pytest.fixture
def objective(front_desk, front_desk_head, quality_manager):
    objective = DepartmentObjectiveFactory(
        department=front_desk,
        owner=front_desk_head,
        parent=ObjectiveFactory(owner=quality_manager),
    )
    KeyResultFactory(objective=objective)
    return objective


def test_a_due_check_in_reminds_the_owner_once(
    objective, mailoutbox, django_capture_on_commit_callbacks
):
    due = make_due(objective)
    assert scan(django_capture_on_commit_callbacks) == 1
    assert scan(django_capture_on_commit_callbacks) == 0  # not yet time for step 2
    assert [m.to for m in mailoutbox] == [["fd-head@example.com"]]
    assert Message.objects.get().key == f"checkin-reminder:{objective.pk}:{due.isoformat()}:1"


def test_second_reminder_then_escalation_to_the_quality_manager(
    objective, mailoutbox, django_capture_on_commit_callbacks
):
    make_due(objective, days_overdue=10)
    scan(django_capture_on_commit_callbacks)
    come_back_later(objective)
    scan(django_capture_on_commit_callbacks)
    come_back_later(objective)
    scan(django_capture_on_commit_callbacks)
    come_back_later(objective)
    scan(django_capture_on_commit_callbacks)  # nothing after the escalation
    assert [m.to for m in mailoutbox] == [
        ["fd-head@example.com"],
        ["fd-head@example.com"],
        ["qm@example.com"],
    ]
    assert "reminded twice" in mailoutbox[2].body
    objective.refresh_from_db()
    assert objective.reminder_step == 3
    assert objective.next_action_at is None


def test_each_step_is_sent_once_even_if_the_state_is_replayed(
    objective, mailoutbox, django_capture_on_commit_callbacks
):
    make_due(objective)
    scan(django_capture_on_commit_callbacks)
    # A crashed worker's transaction replayed: the same step is taken again.
    Objective.objects.filter(pk=objective.pk).update(
        reminder_step=0, next_action_at=timezone.now() - dt.timedelta(seconds=1)
    )
    scan(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_no_reminder_once_a_check_in_is_recorded(
    objective, front_desk_head, mailoutbox, django_capture_on_commit_callbacks
):
    make_due(objective)
    services.checkin_create(actor=front_desk_head, key_result=objective.key_results.get(), value=50)
    assert scan(django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_objectives_measured_only_by_metrics_get_no_reminder(
    quality_manager, mailoutbox, django_capture_on_commit_callbacks, fake_metric
):
    objective = DepartmentObjectiveFactory()
    KeyResultFactory(objective=objective, mode=KeyResult.Mode.COMPUTED, metric_key="fake_csat")
    make_due(objective)
    assert scan(django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_closed_objectives_get_no_reminder(
    objective, mailoutbox, django_capture_on_commit_callbacks
):
    make_due(objective)
    Objective.objects.filter(pk=objective.pk).update(status=Objective.Status.CLOSED)
    assert scan(django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def _start_of(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def test_a_late_scanner_takes_one_step_per_run_each_timed_from_the_due_date(
    objective, mailoutbox, django_capture_on_commit_callbacks
):
    due = make_due(objective, days_overdue=10)
    updated_at = Objective.objects.get(pk=objective.pk).updated_at
    assert scan(django_capture_on_commit_callbacks) == 1
    objective.refresh_from_db()
    assert (objective.reminder_step, objective.next_action_at) == (
        1,
        _start_of(due + dt.timedelta(days=services.SECOND_REMINDER_AFTER)),
    )
    assert scan(django_capture_on_commit_callbacks) == 1  # its next time has passed too
    objective.refresh_from_db()
    assert (objective.reminder_step, objective.next_action_at) == (
        2,
        _start_of(due + dt.timedelta(days=services.ESCALATE_AFTER)),
    )
    assert scan(django_capture_on_commit_callbacks) == 1
    assert scan(django_capture_on_commit_callbacks) == 0
    objective.refresh_from_db()
    assert (objective.reminder_step, objective.next_action_at) == (3, None)
    assert [m.key for m in Message.objects.order_by("pk")] == [
        f"checkin-reminder:{objective.pk}:{due.isoformat()}:1",
        f"checkin-reminder:{objective.pk}:{due.isoformat()}:2",
        f"checkin-reminder:{objective.pk}:{due.isoformat()}:3:{objective.parent.owner_id}",
    ]
    # Bookkeeping, not a change of the objective: updated_at stays.
    assert objective.updated_at == updated_at


def test_a_check_in_starts_the_steps_again_on_the_next_due_date(
    objective, front_desk_head, django_capture_on_commit_callbacks
):
    make_due(objective, days_overdue=10)
    scan(django_capture_on_commit_callbacks)
    services.checkin_create(actor=front_desk_head, key_result=objective.key_results.get(), value=5)
    objective.refresh_from_db()
    next_due = objective.checkin_due_on  # None on the period's last day: no more check-ins
    assert next_due is None or next_due > timezone.localdate()
    assert (objective.reminder_step, objective.next_action_at) == (
        0,
        _start_of(next_due) if next_due else None,
    )
