"""Scheduled work: overdue acknowledgement reminders, escalation, the weekly digest.
Each message goes out exactly once, whatever retries happen."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.models import Message
from requirements import services
from requirements.tasks import remind_overdue_acknowledgements_task, send_weekly_digest_task

pytestmark = pytest.mark.django_db


def _make_due(*deployments):
    for deployment in deployments:
        deployment.refresh_from_db()
        deployment.next_action_at = timezone.now() - dt.timedelta(minutes=1)
        deployment.save()


def test_nothing_before_the_deadline(deployed, fd_deployment):
    assert remind_overdue_acknowledgements_task() == 0
    assert not Message.objects.filter(kind="ack_reminder").exists()


def test_exactly_one_reminder_when_the_task_runs_twice(
    deployed, fd_deployment, hk_deployment, front_desk_head
):
    _make_due(fd_deployment)
    remind_overdue_acknowledgements_task()
    remind_overdue_acknowledgements_task()  # a retry, or a second beat
    reminders = Message.objects.filter(kind="ack_reminder")
    assert [m.key for m in reminders] == [f"ack-reminder:{fd_deployment.pk}:1:1"]
    assert reminders.get().recipient == front_desk_head.email
    fd_deployment.refresh_from_db()
    assert fd_deployment.reminder_step == 1
    assert fd_deployment.next_action_at > timezone.now()


def test_a_replayed_step_sends_nothing_new(deployed, fd_deployment):
    """Even if the state were not advanced (a crash after the message row was written),
    the step's key makes the replay harmless."""
    _make_due(fd_deployment)
    services.acknowledgements_remind_overdue()
    fd_deployment.refresh_from_db()
    fd_deployment.reminder_step = 0
    fd_deployment.next_action_at = timezone.now() - dt.timedelta(minutes=1)
    fd_deployment.save()
    services.acknowledgements_remind_overdue()
    assert Message.objects.filter(kind="ack_reminder").count() == 1


def test_escalation_after_the_second_reminder(
    deployed, fd_deployment, front_desk_head, quality_manager
):
    for _ in range(3):
        _make_due(fd_deployment)
        remind_overdue_acknowledgements_task()
    keys = sorted(Message.objects.filter(kind="ack_reminder").values_list("key", flat=True))
    assert keys == [f"ack-reminder:{fd_deployment.pk}:1:1", f"ack-reminder:{fd_deployment.pk}:1:2"]
    escalation = Message.objects.get(kind="ack_escalation")
    assert escalation.recipient == quality_manager.email
    fd_deployment.refresh_from_db()
    assert (fd_deployment.reminder_step, fd_deployment.next_action_at) == (3, None)
    # Nothing more, however often the scanner runs.
    _make_due(fd_deployment)
    fd_deployment.refresh_from_db()
    remind_overdue_acknowledgements_task()
    assert Message.objects.filter(kind__in=["ack_reminder", "ack_escalation"]).count() == 3


def test_nothing_for_acknowledged_deployments(deployed, fd_deployment, front_desk_head):
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    fd_deployment.refresh_from_db()
    fd_deployment.next_action_at = timezone.now() - dt.timedelta(days=1)
    fd_deployment.save()
    assert remind_overdue_acknowledgements_task() == 0
    assert not Message.objects.filter(kind__in=["ack_reminder", "ack_escalation"]).exists()


def test_a_department_without_a_head_is_escalated_at_once(quality_manager, db):
    from tests.factories import DepartmentFactory
    from tests.requirements.conftest import make_deployed

    kitchen = DepartmentFactory(code="KT", name="Kitchen")
    requirement = make_deployed(quality_manager=quality_manager, departments=[kitchen])
    deployment = requirement.deployments.get()
    _make_due(deployment)
    remind_overdue_acknowledgements_task()
    assert not Message.objects.filter(kind="ack_reminder").exists()
    assert Message.objects.filter(kind="ack_escalation").count() == 1


def test_a_new_revision_restarts_the_reminders(deployed, fd_deployment, quality_manager):
    _make_due(fd_deployment)
    remind_overdue_acknowledgements_task()
    services.requirement_update(
        requirement=deployed, actor=quality_manager, title="Faster check-in"
    )
    _make_due(fd_deployment)
    remind_overdue_acknowledgements_task()
    keys = set(Message.objects.filter(kind="ack_reminder").values_list("key", flat=True))
    assert f"ack-reminder:{fd_deployment.pk}:2:1" in keys


def test_weekly_digest_once_per_department_and_week(
    deployed, fd_deployment, front_desk_head, front_desk_staff, housekeeping_head
):
    assert send_weekly_digest_task() == 3  # FD head + FD staff + HK head
    assert send_weekly_digest_task() == 0  # same ISO week: nothing more
    digests = Message.objects.filter(kind="need_digest")
    assert digests.count() == 3
    year, week, _ = timezone.localtime().isocalendar()
    fd_keys = {
        f"need-digest:{fd_deployment.department_id}:{year}-W{week:02d}:{front_desk_head.pk}",
        f"need-digest:{fd_deployment.department_id}:{year}-W{week:02d}:{front_desk_staff.pk}",
    }
    assert fd_keys <= set(digests.values_list("key", flat=True))
    assert "Zero-wait check-in" in digests.first().body


def test_next_weeks_digest_only_with_news(deployed, fd_deployment, quality_manager):
    first = services.digest_send_weekly()
    assert first > 0
    next_week = timezone.now() + dt.timedelta(days=8)
    # Nothing new or changed in the 7 days before `next_week`: nothing is sent.
    assert services.digest_send_weekly(now=next_week) == 0
    # A change during that week is in next week's digest (a new key, a new message).
    deployed.refresh_from_db()
    deployed.revision = 2
    deployed.revised_at = next_week - dt.timedelta(days=1)
    deployed.save()
    assert services.digest_send_weekly(now=next_week) == first
    assert "[changed]" in Message.objects.filter(kind="need_digest").first().body


def test_no_digest_without_news(quality_manager, front_desk, front_desk_head):
    assert send_weekly_digest_task() == 0


def test_tasks_and_beat_entries_are_registered(settings):
    from qms.celery import app

    app.loader.import_default_modules()
    assert "customers.remind_overdue_acknowledgements" in app.tasks
    assert "customers.send_weekly_digest" in app.tasks
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"customers.remind_overdue_acknowledgements", "customers.send_weekly_digest"} <= tasks
