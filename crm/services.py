"""Writes of the CRM: interactions (by hand, bulk, mirrored), preferences, bookings and
their preparation checklists, complaints (ISO 10002), replenishment reminders, and the
privacy rights (export, erasure). Keyword-only, atomic, validated; a broken rule raises
ApplicationError with a message a person can read."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers import contact_cap, imports
from customers.models import Consent, Customer
from qms.exceptions import ApplicationError
from qms.models import Department, User
from qms.selectors import department_ids_for_user
from qms.services import message_queue
from qms.services_kit import model_update
from qms.workflow import Ladder, Step, Transition, Workflow, due_rows, lock, locked
from research.models import Interview, Purchase, Ticket

from . import signals
from .models import (
    COMPLAINT_ESCALATE_AFTER_DAYS,
    COMPLAINT_TARGET_DAYS,
    Booking,
    ChecklistItem,
    Complaint,
    ComplaintCounter,
    ComplaintEvent,
    ErasureRecord,
    Interaction,
    Preference,
)


def base_url() -> str:
    return getattr(settings, "QMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


# --- Who may write ---------------------------------------------------------------------


def _check_department(*, actor, department: Department | None) -> None:
    """Staff log for their own departments; quality managers for any."""
    if actor is None or actor.is_quality_manager:
        return
    if department is None or department.pk not in department_ids_for_user(actor):
        raise ApplicationError(_("Choose one of your own departments."))


def _check_can_log(actor) -> None:
    if actor is None or actor.is_quality_manager:
        return
    if not department_ids_for_user(actor):
        raise ApplicationError(_("Only quality managers and department members log this."))


# --- Interactions ----------------------------------------------------------------------

LOGGABLE_KINDS = (
    Interaction.Kind.ORDER,
    Interaction.Kind.PURCHASE,
    Interaction.Kind.VISIT,
    Interaction.Kind.CALL,
    Interaction.Kind.EMAIL,
    Interaction.Kind.INTERVIEW,
    Interaction.Kind.SURVEY_RESPONSE,
)


@transaction.atomic
def interaction_log(
    *,
    customer: Customer,
    kind: str,
    channel: str,
    occurred_at: dt.datetime,
    department: Department | None,
    summary: str,
    actor=None,
    link: str = "",
    external_id: str = "",
) -> Interaction:
    """Log one interaction by hand (a call, an e-mail, a visit…)."""
    _check_department(actor=actor, department=department)
    if kind not in LOGGABLE_KINDS:
        raise ApplicationError(
            _("Complaints and bookings have their own forms; log a call, e-mail, visit or order.")
        )
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise ApplicationError(
            _("An interaction is logged after it happened; use a booking for a future visit.")
        )
    interaction = Interaction(
        customer=customer,
        kind=kind,
        channel=channel,
        occurred_at=occurred_at,
        department=department,
        summary=summary,
        logged_by=actor,
        link=link,
        external_id=external_id,
    )
    interaction.full_clean()
    interaction.save()
    return interaction


class InteractionSchema(imports.RowSchema):
    """Bulk interactions (CSV upload or API list), matched on `external_id`: columns
    external_id, customer (external reference), kind, occurred_at; optional channel,
    department (code), summary."""

    columns = ("external_id", "customer", "kind", "occurred_at")
    optional_columns = ("channel", "department", "summary")
    fields = ("customer_id", "kind", "channel", "occurred_at", "department_id", "summary")
    label = gettext_lazy("interactions")

    @property
    def model(self):
        return Interaction

    def load_lookups(self) -> dict:
        departments = {}
        for pk, code in Department.objects.values_list("id", "code"):
            departments[code] = pk
            departments[code.lower()] = pk
        return {"customers": imports._customer_refs(), "departments": departments}

    def parse(self, row, lookups):
        check = imports.Collect()
        values = {
            "external_id": check(imports.text, row, "external_id", required=True, max_length=60),
            "customer_id": check(
                imports.lookup, row, "customer", lookups["customers"], _("customer")
            ),
            "kind": check(
                imports.choice,
                row,
                "kind",
                [(k, k.label) for k in LOGGABLE_KINDS],
                default="",
            ),
            "channel": check(
                imports.choice,
                row,
                "channel",
                Interaction.Channel.choices,
                default=Interaction.Channel.SYSTEM,
            ),
            "occurred_at": check(imports.moment, row, "occurred_at", required=True),
            "department_id": check(
                imports.lookup,
                row,
                "department",
                lookups["departments"],
                _("department"),
                required=False,
            ),
            "summary": check(imports.text, row, "summary"),
        }
        if values["kind"] == "":
            check.fail(_("“kind” is empty."))
        check.done()
        return values


def interactions_import(*, open_rows: Callable[[], Iterator[tuple[int, dict]]]):
    """All-or-nothing bulk import through the shared engine (same report format)."""
    return imports.run_import(InteractionSchema(), open_rows)


MIRROR_BATCH = 5000


def interactions_mirror_sources(*, customer: Customer | None = None, limit: int = MIRROR_BATCH):
    """Write the missing timeline rows of purchases, tickets and customer interviews
    (imported through the import engine, which does not know the timeline). Idempotent:
    each source row has at most one mirror (unique one-to-one); bounded per call.
    Returns the number of rows written."""
    written = 0
    purchases = Purchase.objects.filter(interaction__isnull=True)
    tickets = Ticket.objects.filter(interaction__isnull=True).select_related("topic")
    interviews = Interview.objects.filter(customer__isnull=False).exclude(
        Exists(Interaction.objects.filter(interview=OuterRef("pk"), customer=OuterRef("customer")))
    )
    if customer is not None:
        purchases = purchases.filter(customer=customer)
        tickets = tickets.filter(customer=customer)
        interviews = interviews.filter(customer=customer)
    rows = [
        Interaction(
            customer_id=p.customer_id,
            kind=Interaction.Kind.PURCHASE,
            channel=Interaction.Channel.SYSTEM,
            occurred_at=p.purchased_at,
            purchase=p,
        )
        for p in purchases.order_by("id")[:limit]
    ]
    rows += [
        Interaction(
            customer_id=t.customer_id,
            kind=Interaction.Kind.TICKET,
            channel=Interaction.Channel.SYSTEM,
            occurred_at=t.opened_at,
            ticket=t,
        )
        for t in tickets.order_by("id")[:limit]
    ]
    rows += [
        Interaction(
            customer_id=i.customer_id,
            kind=Interaction.Kind.INTERVIEW,
            channel=Interaction.Channel.IN_PERSON,
            occurred_at=timezone.make_aware(dt.datetime.combine(i.held_on, dt.time(12))),
            interview=i,
        )
        for i in interviews.order_by("id")[:limit]
    ]
    if rows:
        Interaction.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        written = len(rows)
    return written


# --- Preferences -----------------------------------------------------------------------

PREFERENCE_FIELDS = ("category", "value", "note", "source", "last_confirmed_on", "department")


def _preference_clash(customer, category, value, exclude_pk=None) -> None:
    clash = Preference.objects.filter(customer=customer, category=category, value__iexact=value)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ApplicationError(_("This customer already has this preference."))


@transaction.atomic
def preference_create(*, customer: Customer, actor=None, **fields) -> Preference:
    _check_can_log(actor)
    unknown = set(fields) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown preference fields: {sorted(unknown)}")
    _preference_clash(customer, fields.get("category"), fields.get("value", ""))
    preference = Preference(customer=customer, **fields)
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def preference_update(*, preference: Preference, actor=None, **fields) -> Preference:
    _check_can_log(actor)
    preference = lock(preference)
    for name in fields:
        if name not in PREFERENCE_FIELDS:
            raise TypeError(f"Unknown preference field: {name}")

    def no_clash(preference: Preference) -> None:
        _preference_clash(
            preference.customer_id, preference.category, preference.value, exclude_pk=preference.pk
        )

    preference, _changed = model_update(
        instance=preference, fields=PREFERENCE_FIELDS, data=fields, prepare=no_clash
    )
    return preference


@transaction.atomic
def preference_delete(*, preference: Preference, actor=None) -> None:
    _check_can_log(actor)
    preference.delete()


# --- Bookings and personalised service -------------------------------------------------


@transaction.atomic
def booking_create(
    *,
    customer: Customer,
    kind: str,
    starts_at: dt.datetime,
    department: Department,
    note: str = "",
    actor=None,
) -> Booking:
    """Log an upcoming booking, visit or order: the customer's preferences become a
    preparation checklist, one item per preference, for the department that prepares
    it (the preference's department, else the one logging the booking)."""
    _check_department(actor=actor, department=department)
    if starts_at < timezone.now() - dt.timedelta(days=1):
        raise ApplicationError(
            _("A booking is for the future; log a past visit as an interaction.")
        )
    booking = Booking(
        customer=customer,
        kind=kind,
        starts_at=starts_at,
        department=department,
        note=note,
        created_by=actor,
    )
    booking.full_clean()
    booking.save()
    items = [
        ChecklistItem(
            booking=booking,
            preference=preference,
            department_id=preference.department_id or department.pk,
            text=f"{preference.get_category_display()}: {preference.value}"
            + (f" ({preference.note})" if preference.note else ""),
        )
        for preference in customer.preferences.order_by("category", "value")
    ]
    ChecklistItem.objects.bulk_create(items)
    Interaction.objects.create(
        customer=customer,
        kind=kind,
        channel=Interaction.Channel.IN_PERSON,
        occurred_at=starts_at,
        department=department,
        summary=note,
        logged_by=actor,
        booking=booking,
    )
    return booking


@transaction.atomic
def checklist_item_set(*, item: ChecklistItem, actor, prepared: bool = True) -> ChecklistItem:
    """Tick (or untick) a checklist item: who prepared it and when."""
    item = lock(item)
    if not actor.is_quality_manager and item.department_id not in department_ids_for_user(actor):
        raise ApplicationError(_("Only the department concerned ticks this item."))
    if prepared:
        if item.prepared_at is None:
            item.prepared_by = actor
            item.prepared_at = timezone.now()
    else:
        item.prepared_by = None
        item.prepared_at = None
    item.save(update_fields=["prepared_by", "prepared_at", "updated_at"])
    return item


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
        WORKFLOW.transition(complaint, "acknowledge", note=_("Acknowledgement e-mailed."))
    return complaint


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


Status = Complaint.Status

WORKFLOW = Workflow(
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
# these; `WORKFLOW.allowed(complaint)` gives the same, with the labels, in order.
TRANSITIONS = {t.name: (t.sources, t.target) for t in WORKFLOW.transitions}
ACTION_LABELS = {t.name: t.label for t in WORKFLOW.transitions}


def complaint_actions(complaint: Complaint) -> list[str]:
    return [t.name for t in WORKFLOW.allowed(complaint)]


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
    WORKFLOW.transition(
        complaint, action, actor=actor, note=note, decision=decision or "", reason=note
    )
    if action == "accept":
        signals.complaint_closed.send(sender=Complaint, complaint=complaint)
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


# --- Replenishment reminders -----------------------------------------------------------

# Rule: a customer's repurchase interval for a product is the MEDIAN gap (in days)
# between consecutive purchases of it, predicted only from at least
# REPLENISH_MIN_PURCHASES purchases (two gaps); the median keeps one irregular gap from
# moving the prediction. Run-out = last purchase + median gap. The reminder goes
# REPLENISH_LEAD_DAYS before the run-out (and until the run-out day, if a scan was
# missed), once per product and predicted cycle (the message key holds the date).
REPLENISH_MIN_PURCHASES = 3
REPLENISH_LEAD_DAYS = 2
REPLENISH_BATCH = 500
OPT_OUT_SALT = "customers.replenishment-opt-out"


def replenishment_predict(dates: list[dt.date]) -> dt.date | None:
    """The predicted run-out date from a product's purchase dates, or None."""
    days = sorted(set(dates))
    if len(days) < REPLENISH_MIN_PURCHASES:
        return None
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    median = statistics.median(gaps)
    if median < 1:
        return None
    return days[-1] + dt.timedelta(days=round(median))


def opt_out_token(customer: Customer) -> str:
    return signing.dumps({"c": customer.pk}, salt=OPT_OUT_SALT)


def opt_out_customer(token: str) -> Customer | None:
    """The customer a signed opt-out token names, or None if tampered."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
        return Customer.objects.get(pk=data["c"])
    except (signing.BadSignature, KeyError, TypeError, Customer.DoesNotExist):
        return None


@transaction.atomic
def replenishment_opt_out(*, customer: Customer) -> Consent:
    """The customer's opt-out link: reminders consent withdrawn (history kept)."""
    consent = locked(
        Consent.objects.filter(customer=customer, channel=Consent.Channel.REMINDERS),
        skip_locked=False,
    ).first()
    now = timezone.now()
    if consent is None:
        consent = Consent(customer=customer, channel=Consent.Channel.REMINDERS)
    elif not consent.granted:
        return consent
    consent.granted = False
    consent.recorded_at = now
    consent.method = Consent.Method.OPT_OUT_LINK
    consent.note = ""
    consent.full_clean()
    consent.save()
    return consent


def _reminder_text(customer: Customer, product: str, predicted: dt.date) -> tuple[str, str]:
    link = base_url() + reverse("crm:replenishment-opt-out", args=[opt_out_token(customer)])
    with translation.override(customer.language):
        subject = str(_("Your %(product)s are almost used up") % {"product": product})
        body = str(
            _(
                "Dear %(name)s,\n\nYou usually buy %(product)s about now: by our count they "
                "run out around %(date)s. We thought a reminder might help.\n\n"
                "No more reminders? Open this link: %(link)s"
            )
            % {
                "name": customer.name,
                "product": product,
                "date": predicted.isoformat(),
                "link": link,
            }
        )
    return subject, body


def replenishment_send_due(*, now: dt.datetime | None = None, batch_size: int = REPLENISH_BATCH):
    """Scanner: for every customer who granted the reminders consent (in batches of
    `batch_size` customers, one purchase query per batch, each batch one transaction),
    predict each product's run-out and queue a reminder in the lead window, once per
    product and cycle, within the shared contact cap. Returns reminders queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    consenting = (
        Customer.objects.filter(
            is_active=True,
            consents__channel=Consent.Channel.REMINDERS,
            consents__granted=True,
        )
        .exclude(email="")
        .order_by("pk")
    )
    sent = 0
    last_pk = 0
    while True:
        batch = list(consenting.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        by_id = {c.pk: c for c in batch}
        dates: dict[tuple[int, str], list[dt.date]] = {}
        for customer_id, product, moment in (
            Purchase.objects.filter(customer_id__in=by_id)
            .order_by()
            .values_list("customer_id", "product", "purchased_at")
            .iterator(chunk_size=5000)
        ):
            dates.setdefault((customer_id, product), []).append(timezone.localdate(moment))
        with transaction.atomic():
            for (customer_id, product), days in sorted(dates.items()):
                predicted = replenishment_predict(days)
                if predicted is None:
                    continue
                if not (predicted - dt.timedelta(days=REPLENISH_LEAD_DAYS) <= today <= predicted):
                    continue
                customer = by_id[customer_id]
                key = f"replenish:{customer.pk}:{product}:{predicted.isoformat()}"
                from qms.models import Message

                if Message.objects.filter(key=key).exists():
                    continue
                if not contact_cap.contact_allowed(customer=customer, channel="email", now=now):
                    continue
                subject, body = _reminder_text(customer, product, predicted)
                message_queue(
                    key=key,
                    kind="replenishment_reminder",
                    recipient=customer.email,
                    subject=subject,
                    body=body,
                )
                contact_cap.contact_record(
                    customer=customer, kind="replenishment_reminder", now=now, key=key
                )
                sent += 1
    return sent


# --- Privacy: export and erasure -------------------------------------------------------


def _rows(qs, fields):
    return [
        {
            f: (v.isoformat() if hasattr(v, "isoformat") else v)
            for f, v in zip(fields, row, strict=True)
        }
        for row in qs.values_list(*fields)
    ]


def customer_export(*, customer: Customer) -> dict:
    """Everything the portal holds about one customer, as plain JSON-ready data."""
    from decimal import Decimal

    def clean(value):
        if isinstance(value, Decimal):
            return str(value)
        return value

    data = {
        "customer": _rows(
            Customer.objects.filter(pk=customer.pk),
            (
                "id",
                "kind",
                "name",
                "external_ref",
                "language",
                "email",
                "phone",
                "address",
                "segment__code",
                "is_active",
                "created_at",
            ),
        )[0],
        "contacts": _rows(customer.contacts.all(), ("name", "job_title", "email", "phone")),
        "consents": _rows(
            customer.consents.all(), ("channel", "granted", "recorded_at", "method", "note")
        ),
        "preferences": _rows(
            customer.preferences.all(),
            ("category", "value", "note", "source", "last_confirmed_on"),
        ),
        "interactions": _rows(
            customer.interactions.all(),
            ("kind", "channel", "occurred_at", "department__code", "summary", "external_id"),
        ),
        "purchases": _rows(
            customer.purchases.all(),
            ("external_id", "product", "quantity", "amount", "purchased_at"),
        ),
        "tickets": _rows(
            customer.tickets.all(),
            ("external_id", "product", "topic__slug", "opened_at", "closed_at", "resolution"),
        ),
        "complaints": _rows(
            customer.complaints.all(),
            (
                "reference",
                "description",
                "remedy_sought",
                "topic__slug",
                "severity",
                "status",
                "received_at",
                "decision",
                "closed_at",
            ),
        ),
        "bookings": _rows(customer.bookings.all(), ("kind", "starts_at", "note")),
        "interviews": _rows(customer.interviews.all(), ("title", "held_on", "notes")),
        "contact_log": _rows(customer.contact_log.all(), ("channel", "kind", "contacted_at")),
    }
    for section in data.values():
        for row in section if isinstance(section, list) else [section]:
            for name, value in row.items():
                row[name] = clean(value)
    return data


@transaction.atomic
def customer_erase(*, customer: Customer, actor, reason: str) -> ErasureRecord:
    """Erase a customer on request. Personal data goes (name → "Erased customer #id",
    contacts, preferences and consents deleted, e-mail/phone/address and free texts
    blanked, the customer's history rows scrubbed); purchases, tickets and complaints
    stay as anonymous records so aggregates and other customers are untouched. The
    erasure itself is recorded."""
    if not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager erases a customer."))
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Record why the customer is erased (e.g. their request)."))
    customer = lock(customer)
    if customer.name == f"Erased customer #{customer.pk}":
        raise ApplicationError(_("This customer is already erased."))
    placeholder = f"Erased customer #{customer.pk}"
    customer.contacts.all().delete()
    customer.preferences.all().delete()
    customer.consents.all().delete()
    customer.contact_log.all().delete()
    Consent.history.filter(customer_id=customer.pk).delete()
    customer.interactions.update(summary="", link="")
    ChecklistItem.objects.filter(booking__customer=customer).update(text="—")
    customer.bookings.update(note="")
    customer.complaints.update(description="", remedy_sought="", decision="")
    Complaint.history.filter(customer_id=customer.pk).update(
        description="", remedy_sought="", decision=""
    )
    ComplaintEvent.objects.filter(complaint__customer=customer).update(note="")
    customer.tickets.update(resolution="")
    customer.interviews.update(notes="")
    # Old values live on in the customer's history rows: scrub them, keep the skeleton.
    Customer.history.filter(id=customer.pk).update(
        name=placeholder, external_ref="", email="", phone="", address=""
    )
    Customer.objects.filter(pk=customer.pk).update(
        name=placeholder,
        external_ref="",
        email="",
        phone="",
        address="",
        account_owner=None,
        is_active=False,
        updated_at=timezone.now(),
    )
    return ErasureRecord.objects.create(
        customer_id_erased=customer.pk, erased_by=actor, reason=reason
    )
