"""Complaints (ISO 10002): intake with its reference and acknowledgement, the declared
states (`COMPLAINT_WORKFLOW`), the owner's changes, escalation to a corrective action, and
the overdue reminders (`OVERDUE_LADDER`)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coding import services as coding_services
from coding.models import Text
from customers.models import Customer
from qms import webhooks
from qms.exceptions import ApplicationError
from qms.models import Department, User
from qms.selectors import department_ids_for_user
from qms.services import message_queue
from qms.workflow import Ladder, Step, Transition, Workflow, due_rows, lock, locked

from .. import signals
from ..models import (
    COMPLAINT_ESCALATE_AFTER_DAYS,
    COMPLAINT_TARGET_DAYS,
    Complaint,
    ComplaintCounter,
    ComplaintEvent,
    Interaction,
)
from ._common import _check_can_log, base_url

Status = Complaint.Status

# --- Complaints ------------------------------------------------------------------------


def complaint_next_reference(*, year: int) -> str:
    """CMP-<year>-<5 digits>, issued under a row lock on the year's counter, so two
    intakes at once never get the same number (the unique constraint is the backstop)."""
    try:
        with transaction.atomic():
            ComplaintCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another intake created the year's row first
    counter = ComplaintCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CMP-{year}-{counter.last:05d}"


def complaint_record_text(*, complaint: Complaint) -> None:
    """What the customer complained about is a text to code; the topic chosen at intake
    comes with it, and the department's head codes it in the queue."""
    coding_services.record_text(
        source=complaint,
        kind=Text.Kind.COMPLAINT,
        body=complaint.description,
        customer=complaint.customer,
        department=complaint.department,
        written_at=complaint.received_at,
        imported_topic=complaint.topic,
    )


def complaint_due_at(*, severity: str, start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(days=COMPLAINT_TARGET_DAYS[severity])


def _customer_mail(*, complaint: Complaint, key: str, subject: str, body: str, kind: str):
    customer = complaint.customer
    if not customer.email:
        return None
    return message_queue(key=key, kind=kind, recipient=customer.email, subject=subject, body=body)


def _ack_text(complaint: Complaint) -> tuple[str, str]:
    with translation.override(complaint.customer.language):
        subject = _("We received your complaint %(ref)s") % {"ref": complaint.reference}
        body = _(
            "Dear %(name)s,\n\nThank you for telling us. We registered your complaint under "
            "the reference %(ref)s and will answer by %(due)s.\n\nWhat you told us:\n"
            "%(what)s\n\nPlease quote the reference when you contact us."
        ) % {
            "name": complaint.customer.name,
            "ref": complaint.reference,
            "due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d"),
            "what": complaint.description,
        }
    return str(subject), str(body)


@transaction.atomic
def complaint_intake(
    *,
    customer: Customer,
    description: str,
    topic,
    severity: str,
    department: Department,
    remedy_sought: str = "",
    owner: User | None = None,
    channel: str = Interaction.Channel.IN_PERSON,
    received_at: dt.datetime | None = None,
    actor=None,
) -> Complaint:
    """Register a complaint on the customer's behalf. The acknowledgement e-mail is
    queued in the customer's language (once: key complaint-ack:<pk>); with no e-mail
    address the complaint stays *received* until staff acknowledge it another way."""
    _check_can_log(actor)
    if severity not in COMPLAINT_TARGET_DAYS:
        raise ApplicationError(_("Choose a severity."))
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise ApplicationError(_("A complaint cannot be received in the future."))
    if owner is None:
        owner = department.head
    due_at = complaint_due_at(severity=severity, start=received_at)
    complaint = Complaint(
        reference=complaint_next_reference(year=timezone.localtime(received_at).year),
        customer=customer,
        description=description,
        remedy_sought=remedy_sought,
        topic=topic,
        severity=severity,
        department=department,
        owner=owner,
        channel=channel,
        received_at=received_at,
        due_at=due_at,
    )
    OVERDUE_LADDER.restart(complaint, at=due_at)
    complaint.full_clean()
    complaint.save()
    ComplaintEvent.record(
        complaint, from_status="", to_status=Complaint.Status.RECEIVED, actor=actor
    )
    complaint_record_text(complaint=complaint)
    Interaction.objects.create(
        customer=customer,
        kind=Interaction.Kind.COMPLAINT,
        channel=channel,
        occurred_at=received_at,
        department=department,
        summary=complaint.reference,
        logged_by=actor,
        complaint=complaint,
    )
    if customer.email:
        subject, body = _ack_text(complaint)
        _customer_mail(
            complaint=complaint,
            key=f"complaint-ack:{complaint.pk}",
            subject=subject,
            body=body,
            kind="complaint_ack",
        )
        COMPLAINT_WORKFLOW.transition(complaint, "acknowledge", note=_("Acknowledgement e-mailed."))
    webhooks.emit("complaint.opened", complaint_webhook_data(complaint))
    return complaint


def complaint_webhook_data(complaint: Complaint) -> dict:
    """What a webhook receiver is told of a complaint (no free text about the customer)."""
    return {
        "id": complaint.pk,
        "reference": complaint.reference,
        "status": complaint.status,
        "severity": complaint.severity,
        "customer": complaint.customer_id,
        "department": complaint.department_id,
        "received_at": complaint.received_at,
        "closed_at": complaint.closed_at,
    }


# --- The complaint's states, declared (qms.workflow) ---


def _acknowledged_at(complaint: Complaint, transition: Transition, *, now, **_context) -> None:
    if transition.target == Complaint.Status.ACKNOWLEDGED and complaint.acknowledged_at is None:
        complaint.acknowledged_at = now


def _decision_written(complaint: Complaint, *, decision: str = "", **_context) -> str | None:
    if not (decision or "").strip():
        return _("Write the decision the customer will receive.")
    return None


def _rejection_reason(complaint: Complaint, *, reason: str = "", **_context) -> str | None:
    if not (reason or "").strip():
        return _("Write why the customer rejects the outcome.")
    return None


def _decide(complaint: Complaint, *, now, decision: str, **_context) -> None:
    """Record the decision, stop the overdue clock and e-mail the customer (once per
    response round: key complaint-decision:<pk>:<round>)."""
    decision = decision.strip()
    complaint.decision = decision
    if complaint.first_decided_at is None:
        complaint.first_decided_at = now
    OVERDUE_LADDER.stop(complaint)
    with translation.override(complaint.customer.language):
        subject = str(_("Our answer to your complaint %(ref)s") % {"ref": complaint.reference})
        body = str(
            _(
                "Dear %(name)s,\n\nWe looked into your complaint %(ref)s. Our decision:\n\n"
                "%(decision)s\n\nPlease tell us whether you accept this outcome."
            )
            % {
                "name": complaint.customer.name,
                "ref": complaint.reference,
                "decision": decision,
            }
        )
    _customer_mail(
        complaint=complaint,
        key=f"complaint-decision:{complaint.pk}:{complaint.response_round}",
        subject=subject,
        body=body,
        kind="complaint_decision",
    )


def _new_round(complaint: Complaint, *, now, **_context) -> None:
    """The customer rejects the outcome: a new response round with a new clock."""
    complaint.response_round += 1
    complaint.due_at = complaint_due_at(severity=complaint.severity, start=now)
    OVERDUE_LADDER.restart(complaint, at=complaint.due_at)


def _close(complaint: Complaint, *, now, **_context) -> None:
    complaint.closed_at = now
    OVERDUE_LADDER.stop(complaint)


COMPLAINT_WORKFLOW = Workflow(
    states=Status,
    log_model=ComplaintEvent,
    full_clean=False,
    illegal=gettext_lazy("A complaint that is “%(from)s” cannot take the step “%(step)s”."),
    on_enter=_acknowledged_at,
    transitions=[
        Transition(
            name="acknowledge",
            source=Status.RECEIVED,
            target=Status.ACKNOWLEDGED,
            label=gettext_lazy("Record acknowledgement"),
        ),
        Transition(
            name="assess",
            source=(Status.RECEIVED, Status.ACKNOWLEDGED),
            target=Status.ASSESSING,
            label=gettext_lazy("Start assessment"),
        ),
        Transition(
            name="investigate",
            source=Status.ASSESSING,
            target=Status.INVESTIGATING,
            label=gettext_lazy("Start investigation"),
        ),
        Transition(
            name="decide",
            source=(Status.ASSESSING, Status.INVESTIGATING),
            target=Status.DECIDED,
            label=gettext_lazy("Decide and tell the customer"),
            guard=_decision_written,
            effect=_decide,
        ),
        Transition(
            name="accept",
            source=Status.DECIDED,
            target=Status.CLOSED,
            label=gettext_lazy("Customer accepts the outcome"),
            effect=_close,
        ),
        Transition(
            name="reject",
            source=Status.DECIDED,
            target=Status.INVESTIGATING,
            label=gettext_lazy("Customer rejects the outcome"),
            guard=_rejection_reason,
            effect=_new_round,
        ),
    ],
)

# The steps by name: (allowed from, to) and the button label. The complaint pages read
# these; `COMPLAINT_WORKFLOW.allowed(complaint)` gives the same, with the labels, in order.
TRANSITIONS = {t.name: (t.sources, t.target) for t in COMPLAINT_WORKFLOW.transitions}
ACTION_LABELS = {t.name: t.label for t in COMPLAINT_WORKFLOW.transitions}


def complaint_actions(complaint: Complaint) -> list[str]:
    return [t.name for t in COMPLAINT_WORKFLOW.allowed(complaint)]


def _check_complaint_actor(complaint: Complaint, actor) -> None:
    if actor is None or actor.is_quality_manager:
        return
    if complaint.department_id not in department_ids_for_user(actor):
        raise ApplicationError(_("Only the department concerned handles this complaint."))


@transaction.atomic
def complaint_transition(
    *, complaint: Complaint, action: str, actor, note: str = "", decision: str = ""
) -> Complaint:
    """Take one step. `decide` needs the decision text, which is e-mailed to the
    customer; `reject` (the customer rejects the outcome) needs the reason and sends
    the complaint back to investigation with a new response clock."""
    complaint = locked(
        Complaint.objects.select_related("customer").filter(pk=complaint.pk), skip_locked=False
    ).get()
    _check_complaint_actor(complaint, actor)
    if action not in TRANSITIONS:
        raise ApplicationError(_("Unknown step “%s”.") % action)
    if action == "decide":
        note = note or (decision or "").strip()
    COMPLAINT_WORKFLOW.transition(
        complaint, action, actor=actor, note=note, decision=decision or "", reason=note
    )
    if action == "accept":
        signals.complaint_closed.send(sender=Complaint, complaint=complaint)
        webhooks.emit("complaint.closed", complaint_webhook_data(complaint))
    return complaint


@transaction.atomic
def complaint_update(
    *, complaint: Complaint, actor, owner=None, severity=None, department=None
) -> Complaint:
    """Change the owner, severity or department (a new severity moves the clock)."""
    complaint = lock(complaint)
    _check_complaint_actor(complaint, actor)
    if owner is not None:
        complaint.owner = owner
    if department is not None:
        complaint.department = department
    if severity and severity != complaint.severity:
        complaint.severity = severity
        if complaint.clock_running:
            start = complaint.received_at if complaint.response_round == 1 else timezone.now()
            complaint.due_at = complaint_due_at(severity=severity, start=start)
            OVERDUE_LADDER.restart(complaint, at=complaint.due_at)
    complaint.full_clean()
    complaint.save()
    if department is not None:
        complaint_record_text(complaint=complaint)
    return complaint


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, actor, note: str) -> Complaint:
    """Mark the complaint for a corrective action (the actions app picks it up)."""
    complaint = lock(complaint)
    _check_complaint_actor(complaint, actor)
    if complaint.escalated:
        raise ApplicationError(_("This complaint is already escalated."))
    if not (note or "").strip():
        raise ApplicationError(_("Say why a corrective action is needed."))
    complaint.escalated = True
    complaint.escalation_note = note
    complaint.escalated_at = timezone.now()
    complaint.save()
    ComplaintEvent.record(
        complaint,
        from_status=complaint.status,
        to_status=complaint.status,
        actor=actor,
        note=_("Escalated: %s") % note,
    )
    return complaint


@transaction.atomic
def complaint_action_opened(*, complaint: Complaint, reference: str, actor=None) -> Complaint:
    """A corrective action was opened from the complaint: its steps say so (the action
    itself is listed on the complaint's page by the actions app's record panel)."""
    complaint = lock(complaint)
    if not complaint.escalated:
        complaint.escalated = True
        complaint.escalated_at = timezone.now()
        complaint.save(update_fields=["escalated", "escalated_at", "updated_at"])
    ComplaintEvent.record(
        complaint,
        from_status=complaint.status,
        to_status=complaint.status,
        actor=actor,
        note=_("Corrective action %(ref)s opened.") % {"ref": reference},
    )
    return complaint


OVERDUE_BATCH = 200


def _overdue_body(complaint: Complaint) -> tuple[str, str]:
    subject = _("Complaint %(ref)s is overdue") % {"ref": complaint.reference}
    body = _(
        "The complaint %(ref)s of %(customer)s (%(severity)s, %(department)s) should have "
        "been answered by %(due)s and is still “%(status)s”.\n\n%(url)s"
    ) % {
        "ref": complaint.reference,
        "customer": complaint.customer.name,
        "severity": complaint.get_severity_display(),
        "department": complaint.department.name,
        "due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M"),
        "status": complaint.get_status_display(),
        "url": base_url() + reverse("crm:complaint-detail", args=[complaint.pk]),
    }
    return subject, body


# The owner (or the department head) at the target, the quality managers
# COMPLAINT_ESCALATE_AFTER_DAYS later; each once per response round.
OVERDUE_LADDER = Ladder(
    steps=[
        Step("owner"),
        Step("quality_managers", after=dt.timedelta(days=COMPLAINT_ESCALATE_AFTER_DAYS)),
    ],
    level_field="reminder_step",
    next_field="next_action_at",
)


def _overdue_step(complaint: Complaint, step: Step) -> None:
    subject, body = _overdue_body(complaint)
    base = f"complaint-overdue:{complaint.pk}:{complaint.response_round}"
    if step.name == "owner":
        person = complaint.owner or complaint.department.head
        if person is not None and person.email:
            message_queue(
                key=f"{base}:owner",
                kind="complaint_overdue",
                recipient=person.email,
                subject=subject,
                body=body,
            )
        return
    managers = User.objects.filter(role=User.Role.QUALITY_MANAGER, is_active=True).exclude(email="")
    for manager in managers:
        message_queue(
            key=f"{base}:qm:{manager.pk}",
            kind="complaint_escalated",
            recipient=manager.email,
            subject=subject,
            body=body,
        )


@transaction.atomic
def complaints_remind_overdue(*, now: dt.datetime | None = None, limit: int = OVERDUE_BATCH):
    """Scanner: an undecided complaint past its target reminds its owner (or the
    department head) once, then — `COMPLAINT_ESCALATE_AFTER_DAYS` later — every quality
    manager once. Rows are locked (skip_locked on PostgreSQL) and `next_action_at`
    advances in the same transaction; message keys carry the complaint, the response
    round and the step, so a re-run sends nothing twice. Returns steps taken."""
    now = now or timezone.now()
    due = due_rows(
        Complaint.objects.select_related("customer", "department__head", "owner"),
        now=now,
        limit=limit,
    )
    steps = 0
    for complaint in due:
        if not complaint.clock_running:
            OVERDUE_LADDER.stop(complaint)
            complaint.save(update_fields=["next_action_at", "updated_at"])
            continue
        OVERDUE_LADDER.advance(complaint, now=now, run=_overdue_step)
        steps += 1
    return steps
