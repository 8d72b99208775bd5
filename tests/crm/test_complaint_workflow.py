"""The complaint states and the overdue ladder, pinned word for word and to the minute
(issue 17 moved them onto the workflow kernel without changing them)."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from crm import services as crm_services
from crm.models import COMPLAINT_ESCALATE_AFTER_DAYS, Complaint, ComplaintEvent
from qms.exceptions import ApplicationError
from qms.models import Message

pytestmark = pytest.mark.django_db

Status = Complaint.Status


def _message(excinfo) -> str:
    return str(excinfo.value.args[0] if excinfo.value.args else excinfo.value)


def _step(complaint, actor, action, **extra):
    return crm_services.complaint_transition(
        complaint=complaint, action=action, actor=actor, **extra
    )


def test_the_refusal_messages_word_for_word(make_complaint, front_desk_head):
    complaint = make_complaint()
    with pytest.raises(ApplicationError) as excinfo:
        _step(complaint, front_desk_head, "accept")
    assert _message(excinfo) == (
        "A complaint that is “Acknowledged” cannot take the step “Customer accepts the outcome”."
    )
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as excinfo:
        _step(complaint, front_desk_head, "accept")
    assert _message(excinfo).startswith("处于“")
    assert "步骤" in _message(excinfo)
    with pytest.raises(ApplicationError) as excinfo:
        _step(complaint, front_desk_head, "acknowledged")
    assert _message(excinfo) == "Unknown step “acknowledged”."
    complaint = _step(complaint, front_desk_head, "assess")
    with pytest.raises(ApplicationError) as excinfo:
        _step(complaint, front_desk_head, "decide", decision="  ")
    assert _message(excinfo) == "Write the decision the customer will receive."
    complaint = _step(complaint, front_desk_head, "decide", decision=" Refund ")
    with pytest.raises(ApplicationError) as excinfo:
        _step(complaint, front_desk_head, "reject", note=" ")
    assert _message(excinfo) == "Write why the customer rejects the outcome."
    complaint.refresh_from_db()
    assert complaint.status == Status.DECIDED


def test_the_steps_open_from_each_state_in_order(make_complaint, front_desk_head):
    complaint = make_complaint()
    assert crm_services.complaint_actions(complaint) == ["assess"]
    complaint.status = Status.RECEIVED
    assert crm_services.complaint_actions(complaint) == ["acknowledge", "assess"]
    complaint.status = Status.INVESTIGATING
    assert crm_services.complaint_actions(complaint) == ["decide"]
    complaint.status = Status.DECIDED
    assert crm_services.complaint_actions(complaint) == ["accept", "reject"]
    complaint.status = Status.CLOSED
    assert crm_services.complaint_actions(complaint) == []
    assert str(crm_services.ACTION_LABELS["decide"]) == "Decide and tell the customer"
    assert set(crm_services.TRANSITIONS) == {
        "acknowledge",
        "assess",
        "investigate",
        "decide",
        "accept",
        "reject",
    }


def test_the_event_rows_and_the_decision(make_complaint, front_desk_head):
    complaint = make_complaint()
    complaint = _step(complaint, front_desk_head, "assess")
    complaint = _step(complaint, front_desk_head, "decide", decision=" Refund ")
    complaint = _step(complaint, front_desk_head, "reject", note="Too little")
    complaint = _step(complaint, front_desk_head, "decide", decision="More", note="Round 2")
    complaint = _step(complaint, front_desk_head, "accept")
    crm_services.complaint_escalate(complaint=complaint, actor=front_desk_head, note="Fix it")
    rows = list(
        ComplaintEvent.objects.filter(complaint=complaint).values_list(
            "from_status", "to_status", "actor", "note"
        )
    )
    fd = front_desk_head.pk
    assert rows == [
        ("", Status.RECEIVED, fd, ""),
        (Status.RECEIVED, Status.ACKNOWLEDGED, None, "Acknowledgement e-mailed."),
        (Status.ACKNOWLEDGED, Status.ASSESSING, fd, ""),
        (Status.ASSESSING, Status.DECIDED, fd, "Refund"),
        (Status.DECIDED, Status.INVESTIGATING, fd, "Too little"),
        (Status.INVESTIGATING, Status.DECIDED, fd, "Round 2"),
        (Status.DECIDED, Status.CLOSED, fd, ""),
        (Status.CLOSED, Status.CLOSED, fd, "Escalated: Fix it"),
    ]
    complaint.refresh_from_db()
    assert complaint.decision == "More"
    assert complaint.response_round == 2
    assert complaint.acknowledged_at is not None and complaint.closed_at is not None
    assert complaint.next_action_at is None
    keys = set(Message.objects.filter(kind="complaint_decision").values_list("key", flat=True))
    assert keys == {f"complaint-decision:{complaint.pk}:1", f"complaint-decision:{complaint.pk}:2"}


def test_the_overdue_ladder_timing_and_counts(make_complaint, front_desk_head, quality_manager):
    complaint = make_complaint(severity="critical")
    assert (complaint.reminder_step, complaint.next_action_at) == (0, complaint.due_at)
    late = complaint.due_at + dt.timedelta(hours=5)
    assert crm_services.complaints_remind_overdue(now=late) == 1
    complaint.refresh_from_db()
    assert complaint.reminder_step == 1
    assert complaint.next_action_at == late + dt.timedelta(days=COMPLAINT_ESCALATE_AFTER_DAYS)
    assert crm_services.complaints_remind_overdue(now=complaint.next_action_at) == 1
    complaint.refresh_from_db()
    assert (complaint.reminder_step, complaint.next_action_at) == (2, None)
    base = f"complaint-overdue:{complaint.pk}:1"
    assert set(
        Message.objects.filter(kind__in=["complaint_overdue", "complaint_escalated"]).values_list(
            "key", flat=True
        )
    ) == {f"{base}:owner", f"{base}:qm:{quality_manager.pk}"}


def test_a_change_of_severity_restarts_and_a_stopped_clock_is_cleared_uncounted(
    make_complaint, front_desk_head
):
    complaint = make_complaint(severity="low")
    late = complaint.due_at + dt.timedelta(minutes=1)
    crm_services.complaints_remind_overdue(now=late)
    complaint = crm_services.complaint_update(
        complaint=complaint, actor=front_desk_head, severity="critical"
    )
    assert (complaint.reminder_step, complaint.next_action_at) == (0, complaint.due_at)
    # A decided complaint whose next action is still set (an old row): cleared, not counted.
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Status.DECIDED, next_action_at=timezone.now() - dt.timedelta(days=1)
    )
    assert crm_services.complaints_remind_overdue(now=timezone.now()) == 0
    complaint.refresh_from_db()
    assert (complaint.reminder_step, complaint.next_action_at) == (0, None)
