"""Overdue complaints remind their owner, then the quality managers: each step once."""

import datetime as dt

import pytest
from django.utils import timezone

from crm import services as crm_services
from crm.models import COMPLAINT_ESCALATE_AFTER_DAYS
from crm.tasks import remind_overdue_complaints_task
from qms.models import Message

pytestmark = pytest.mark.django_db


def test_owner_then_quality_manager_once_each(make_complaint, front_desk_head, quality_manager):
    complaint = make_complaint(severity="critical")
    now = timezone.now()
    # Not due yet: nothing.
    assert crm_services.complaints_remind_overdue(now=now) == 0
    # Past the target: the owner, once.
    late = complaint.due_at + dt.timedelta(minutes=1)
    assert crm_services.complaints_remind_overdue(now=late) == 1
    assert crm_services.complaints_remind_overdue(now=late) == 0
    owner = Message.objects.get(kind="complaint_overdue")
    assert owner.recipient == front_desk_head.email
    assert owner.key == f"complaint-overdue:{complaint.pk}:1:owner"
    # Still undecided later: the quality managers, once.
    later = late + dt.timedelta(days=COMPLAINT_ESCALATE_AFTER_DAYS)
    assert crm_services.complaints_remind_overdue(now=later) == 1
    assert crm_services.complaints_remind_overdue(now=later + dt.timedelta(days=9)) == 0
    assert list(
        Message.objects.filter(kind="complaint_escalated").values_list("recipient", flat=True)
    ) == [quality_manager.email]
    complaint.refresh_from_db()
    assert complaint.reminder_step == 2 and complaint.next_action_at is None


def test_a_decided_complaint_reminds_nobody(make_complaint, front_desk_head):
    complaint = make_complaint(severity="critical")
    for step, extra in (("assess", {}), ("decide", {"decision": "Refund"})):
        complaint = crm_services.complaint_transition(
            complaint=complaint, action=step, actor=front_desk_head, **extra
        )
    assert crm_services.complaints_remind_overdue(now=timezone.now() + dt.timedelta(days=30)) == 0
    assert not Message.objects.filter(kind__startswith="complaint_overdue").exists()


def test_the_task_runs_the_scanner(make_complaint):
    make_complaint(received_at=timezone.now() - dt.timedelta(days=10))
    assert remind_overdue_complaints_task() == 1
    assert remind_overdue_complaints_task() == 0
