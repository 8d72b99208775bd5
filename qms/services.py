"""Writes and workflows for the organisation core, and the outbox every app sends through."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import queue
import re
import smtplib
import threading
import time
import uuid
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import IntegrityError, connection, transaction
from django.db.models import F, ProtectedError
from django.template.defaultfilters import linebreaks, urlize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .models import (
    DashboardSettings,
    Department,
    ImpactAssessment,
    InterestedParty,
    ManagementReview,
    Membership,
    Message,
    PartyConflict,
    ReviewDecision,
    TileTarget,
    User,
)
from .services_kit import model_update
from .workflow import due_rows, lock, locked

logger = logging.getLogger(__name__)

MESSAGE_MAX_ATTEMPTS = 5


def _seconds(name: str, default: float) -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, name, default)))


# A batch's lease on its rows: extended every MESSAGE_LEASE / 4 while the batch runs, so
# rows lost with a worker or a broker are taken up again about a minute later.
MESSAGE_LEASE = _seconds("MESSAGE_LEASE_SECONDS", 60)
# How many due messages one task sends over one SMTP connection.
MESSAGE_BATCH = int(getattr(settings, "MESSAGE_BATCH", 100))

# E-mails to customers are never sent twice automatically: one left "being sent" by a
# worker that died becomes "uncertain" and waits for a person on the message log.
# Internal alerts (to staff) are sent again instead: a duplicate alert costs little,
# a missing one costs a customer. Apps add their kinds in AppConfig.ready().
CUSTOMER_MESSAGE_KINDS: set[str] = {
    "survey_invitation",
    "survey_reminder",
    "replenishment_reminder",
    "complaint_ack",
    "complaint_decision",
}


def customer_message_kinds(*kinds: str) -> None:
    """Declare message kinds that go to customers (never re-sent automatically)."""
    CUSTOMER_MESSAGE_KINDS.update(kinds)


class _Kicker:
    """Sends "run this task" notes to the broker from one background thread, so no
    request ever waits for the broker (a dead Redis, or one that accepts connections
    and never answers). The queue is bounded; a note that does not fit is dropped: the
    database rows are the guarantee and the scanners pick them up."""

    def __init__(self, maxsize: int = 10_000):
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.maxsize = maxsize
        self.size = 0
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def submit(self, task_name: str, args: list) -> None:
        with self.lock:
            if self.size >= self.maxsize:
                logger.warning("Kick queue full; %s%r left to the scanner.", task_name, args)
                return
            self.size += 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="qms-kicker", daemon=True)
                self.thread.start()
        # The caller's context goes with the note, so what it carries (the request id
        # that follows the work into the task, qms/observability.py) reaches the broker.
        self.queue.put((contextvars.copy_context(), task_name, args))

    def _run(self) -> None:
        while True:
            context, task_name, args = self.queue.get()
            try:
                context.run(_send_kick, task_name, args)
            finally:
                with self.lock:
                    self.size -= 1

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every note submitted so far was handed over (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.size == 0:
                    return True
            time.sleep(0.01)
        return False


kicker = _Kicker()


def _send_kick(task_name: str, args: list) -> None:
    from qms.celery import app

    try:
        app.send_task(task_name, args=list(args), retry=False)
    except Exception:  # noqa: BLE001 - the broker being down must not fail anything
        logger.warning("Could not enqueue %s%r; the scanner will pick it up.", task_name, args)


def enqueue_on_commit(task_name: str, *args, once: bool = False) -> None:
    """Ask a worker to run `task_name` once the current transaction commits.

    Best effort only, and never waiting for the broker: the note is handed to a
    background thread (`ENQUEUE_IN_BACKGROUND`, on outside the test suite), whose broker
    calls have short timeouts. The database row that describes the work is the
    guarantee, and a scanner task picks it up (docs/architecture.md section 4).
    `once=True` asks for one such note per transaction (e.g. "send due messages").
    """
    key = (task_name, args)
    if once:
        for item in connection.run_on_commit:
            if getattr(item[1], "qms_kick", None) == key and not item[1].done:
                return

    def kick():
        kick.done = True
        kick_now(task_name, *args)

    kick.done = False
    kick.qms_kick = key
    transaction.on_commit(kick)


def kick_now(task_name: str, *args) -> None:
    """Ask for `task_name` now (outside any transaction), the same way."""
    if getattr(settings, "ENQUEUE_IN_BACKGROUND", True):
        kicker.submit(task_name, list(args))
    else:
        _send_kick(task_name, list(args))


# --- Departments -----------------------------------------------------------------------


def _check_parent(department: Department, parent: Department | None) -> None:
    node = parent
    while node is not None:
        if department.pk and node.pk == department.pk:
            raise ApplicationError(
                _("A department cannot sit under itself or its own sub-department.")
            )
        node = node.parent


@transaction.atomic
def department_create(
    *,
    name: str,
    code: str,
    parent: Department | None = None,
    head: User | None = None,
    description: str = "",
) -> Department:
    department = Department(name=name, code=code, parent=parent, head=head, description=description)
    department.full_clean()
    department.save()
    return department


@transaction.atomic
def department_update(*, department: Department, **fields) -> Department:
    allowed = {"name", "code", "parent", "head", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    if "parent" in fields:
        _check_parent(department, fields["parent"])
    department, _changed = model_update(instance=department, fields=allowed, data=fields)
    return department


@transaction.atomic
def department_delete(*, department: Department) -> None:
    try:
        department.delete()
    except ProtectedError:
        raise ApplicationError(
            _(
                "%(department)s still has sub-departments or records that refer to it. "
                "Move or remove them first."
            )
            % {"department": department}
        ) from None


# --- People ----------------------------------------------------------------------------


@transaction.atomic
def membership_add(*, department: Department, user: User) -> Membership:
    """Make `user` a staff member of `department` and tell them by e-mail."""
    if Membership.objects.filter(department=department, user=user).exists():
        raise ApplicationError(
            _("%(user)s is already a member of %(department)s.")
            % {"user": user, "department": department}
        )
    membership = Membership(department=department, user=user)
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise ApplicationError(_("This person is already a member of that department.")) from None
    if user.email:
        message_queue(
            key=f"membership-added:{membership.pk}",
            kind="membership_added",
            recipient=user.email,
            subject=_("You have joined %(department)s on the QMS portal")
            % {"department": department.name},
            body=_(
                "Hello %(name)s,\n\nYou are now a staff member of %(department)s. The "
                "portal shows you your department's customer needs and objectives.\n"
            )
            % {"name": user, "department": department.name},
        )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership.delete()


PERSON_FIELDS = {"username", "first_name", "last_name", "email", "role", "is_active"}


@transaction.atomic
def person_create(*, username: str, password: str, **fields) -> User:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    person = User(username=username, **fields)
    person.set_password(password)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_update(*, person: User, actor: User, **fields) -> User:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if person.pk == actor.pk and (
        fields.get("role", person.role) != person.role or fields.get("is_active") is False
    ):
        raise ApplicationError(_("You cannot change your own role or deactivate yourself."))
    person, _changed = model_update(instance=person, fields=PERSON_FIELDS, data=fields)
    return person


# --- Messages (outbox) -----------------------------------------------------------------


def message_queue(*, key: str, kind: str, recipient: str, subject: str, body: str) -> Message:
    """Record a message to send, once per `key`. Calling it again with the same key
    returns the existing row and sends nothing new."""
    message, created = Message.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "subject": subject,
            "body": body,
            "next_action_at": timezone.now(),
        },
    )
    if created:
        enqueue_on_commit(SEND_TASK, once=True)
    return message


_FAILURE_HANDLERS: list[tuple[str, Callable[[Message], None]]] = []


def on_message_failed(prefix: str):
    """Register `handler(message)` for messages whose key starts with `prefix`, called
    once when such a message is given up on (in the same transaction). Apps use it to
    record the failure where people look, e.g. a survey invitation that never arrived.
    Apps register in their AppConfig.ready(), so qms imports no app to its right."""

    def decorator(handler):
        _FAILURE_HANDLERS.append((prefix, handler))
        return handler

    return decorator


def _report_failure(message: Message) -> None:
    for prefix, handler in _FAILURE_HANDLERS:
        if message.key.startswith(prefix):
            try:
                with transaction.atomic():
                    handler(message)
            except Exception:  # a failing handler must not undo the message's own record
                logger.exception("Failure handler for message %s raised", message.pk)


def _is_permanent(exc: Exception) -> bool:
    """A refused recipient address will not become valid in two minutes."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused)


CJK = re.compile("[\u4e00-\u9fff]")


def email_html(message: Message) -> str:
    """The HTML alternative of a message's e-mail (the plain text stays the main part): the
    same text wrapped in the organisation's branding (name, logo, main colour, contact).
    Links in the text become links; everything else is escaped."""
    from . import branding

    brand = branding.current()
    base = getattr(settings, "QMS_BASE_URL", "").rstrip("/")
    logo_url = f"{base}{reverse('qms:branding-logo')}?v={brand.version}" if brand.has_logo else ""
    body_html = linebreaks(urlize(message.body, autoescape=True), autoescape=False)
    return render_to_string(
        "qms/email/message.html",
        {
            "brand": brand,
            "subject": message.subject,
            "body_html": mark_safe(body_html),  # noqa: S308 - escaped by urlize above
            "logo_url": logo_url,
            # The portal writes e-mails in English or Simplified Chinese.
            "language": "zh-hans" if CJK.search(message.subject + message.body) else "en",
        },
    )


SEND_TASK = "qms.send_due_messages"
_clock = time.monotonic


def _message_id_header() -> str:
    domain = getattr(settings, "QMS_MAIL_DOMAIN", "") or DNS_NAME_FALLBACK
    return make_msgid(idstring="qms", domain=domain)


DNS_NAME_FALLBACK = "qms.localhost"


def _email(message: Message, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        message.subject,
        message.body,
        settings.DEFAULT_FROM_EMAIL,
        [message.recipient],
        connection=connection,
        headers={"Message-ID": message.message_id},
    )
    email.attach_alternative(email_html(message), "text/html")
    return email


def deliver(email: EmailMultiAlternatives) -> None:
    """Hand one e-mail to the mail server (tests replace this to inject faults)."""
    email.send(fail_silently=False)


def _claim(*, owner: str, limit: int, now: dt.datetime, ids=None) -> list[int]:
    """Lease up to `limit` due pending rows (or the pending rows of `ids`, due or not)
    to `owner` for MESSAGE_LEASE. Committed at once: the lease is what other batches see."""
    with transaction.atomic():
        pending = Message.objects.filter(status=Message.Status.PENDING).only("id")
        if ids is not None:
            rows = list(locked(pending.filter(pk__in=ids)))
        else:
            rows = due_rows(pending, now=now, limit=limit)
        claimed = [m.pk for m in rows]
        if claimed:
            Message.objects.filter(pk__in=claimed).update(
                lease_owner=owner, next_action_at=now + MESSAGE_LEASE, updated_at=now
            )
    return claimed


def _lease_extend(owner: str) -> int:
    """The batch is alive: push its lease on (its pending rows and the one being sent)."""
    now = timezone.now()
    return Message.objects.filter(
        lease_owner=owner, status__in=[Message.Status.PENDING, Message.Status.SENDING]
    ).update(next_action_at=now + MESSAGE_LEASE)


def _send_one(message: Message | None, owner: str, connection) -> str:
    """Send one leased message: "sent", "failed", "retry" or "skipped".

    The order is the guarantee. 1) Commit "sending" with a new attempt id (only if this
    batch still holds the lease). 2) Hand the e-mail to the server, with the message's
    stable Message-ID header. 3) Commit "sent". A crash between 1 and 3 leaves the row
    "sending", which the recovery scan turns into "uncertain" (customer e-mails) or
    pending again (internal alerts) once the lease runs out: never silently re-sent.
    """
    if message is None or message.status != Message.Status.PENDING:
        return "skipped"
    pk = message.pk
    attempt = uuid.uuid4().hex
    message.message_id = message.message_id or _message_id_header()
    now = timezone.now()
    started = Message.objects.filter(
        pk=pk, status=Message.Status.PENDING, lease_owner=owner
    ).update(
        status=Message.Status.SENDING,
        attempt_id=attempt,
        attempts=F("attempts") + 1,
        message_id=message.message_id,
        next_action_at=now + MESSAGE_LEASE,
        updated_at=now,
    )
    if not started:
        return "skipped"  # another batch took it over
    message.attempts += 1
    try:
        deliver(_email(message, connection))
    except SoftTimeLimitExceeded:
        # Stopped in the middle of the hand-over: it may have left. The row stays
        # "sending" and the recovery scan decides (uncertain, or sent again if internal).
        raise
    except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
        # The server refused or the connection broke before it accepted the e-mail.
        return _record_failure(message, attempt, exc)
    now = timezone.now()
    done = Message.objects.filter(pk=pk, attempt_id=attempt, status=Message.Status.SENDING).update(
        status=Message.Status.SENT,
        sent_at=now,
        next_action_at=None,
        last_error="",
        lease_owner="",
        updated_at=now,
    )
    if not done:
        logger.warning("Message %s was sent after its lease ran out (attempt %s)", pk, attempt)
    return "sent"


@transaction.atomic
def _record_failure(message: Message, attempt: str, exc: Exception) -> str:
    message.last_error = f"{type(exc).__name__}: {exc}"
    failed = message.attempts >= MESSAGE_MAX_ATTEMPTS or _is_permanent(exc)
    now = timezone.now()
    if failed:
        status, next_at = Message.Status.FAILED, None
    else:
        status, next_at = Message.Status.PENDING, now + dt.timedelta(minutes=2**message.attempts)
    changed = Message.objects.filter(
        pk=message.pk, attempt_id=attempt, status=Message.Status.SENDING
    ).update(
        status=status,
        next_action_at=next_at,
        last_error=message.last_error,
        lease_owner="",
        updated_at=now,
    )
    logger.warning("Message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
    if changed and failed:
        message.status = status
        _report_failure(message)
    return "failed" if failed else "retry"


def messages_send_batch(
    *, limit: int | None = None, ids=None, deadline: float | None = None
) -> dict:
    """Send one batch of due messages (up to `limit`, default MESSAGE_BATCH) over one
    mail-server connection. Returns counts by outcome; {} when nothing was due.

    Not one transaction: each step commits (see `_send_one`). The batch leases its rows
    first and extends the lease while it runs; a batch that dies stops extending it.
    Past `deadline` (a `_clock()` value: the task's time budget) it stops, and the rows
    it did not reach go back to the queue at once."""
    owner = uuid.uuid4().hex
    claimed = _claim(owner=owner, limit=limit or MESSAGE_BATCH, now=timezone.now(), ids=ids)
    counts: dict[str, int] = {}
    if not claimed:
        return counts
    beat_every = MESSAGE_LEASE.total_seconds() / 4
    last_beat = _clock()
    messages = Message.objects.in_bulk(claimed)
    mail = get_connection(fail_silently=False)
    _open_quietly(mail)
    try:
        for pk in claimed:
            if deadline is not None and _clock() > deadline:
                break
            if _clock() - last_beat > beat_every:
                _lease_extend(owner)
                last_beat = _clock()
            outcome = _send_one(messages.get(pk), owner, mail)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome in ("retry", "failed"):
                # The connection may be the problem: open a fresh one for the next.
                _close_quietly(mail)
                _open_quietly(mail)
    finally:
        _close_quietly(mail)
        # Rows not reached (an exception above) are released for the next batch.
        Message.objects.filter(lease_owner=owner, status=Message.Status.PENDING).update(
            lease_owner="", next_action_at=timezone.now()
        )
    return counts


def _open_quietly(mail) -> None:
    """One connection for the whole batch. If the server cannot be reached, each send
    tries again by itself and its error is recorded on its message."""
    try:
        mail.open()
    except Exception:  # noqa: BLE001
        logger.warning("Could not connect to the mail server", exc_info=True)


def _close_quietly(mail) -> None:
    try:
        mail.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too
        logger.debug("Closing the mail connection failed", exc_info=True)


def message_send(*, message_id: int) -> bool:
    """Send one pending message now, due or not. Returns True if this call sent it.
    Two calls for the same id send it once (the lease and the "sending" state)."""
    return messages_send_batch(ids=[message_id]).get("sent", 0) == 1


@transaction.atomic
def messages_recover(*, limit: int = 500, now: dt.datetime | None = None) -> dict:
    """Recovery scan: messages left "being sent" whose lease ran out (the worker died
    between handing the e-mail over and recording it). Nobody knows whether it left, so
    a customer e-mail becomes "uncertain" (a person decides on the message log) and an
    internal alert is made pending again (a duplicate alert is the lesser harm)."""
    now = now or timezone.now()
    rows = due_rows(
        Message.objects.filter(status=Message.Status.SENDING).only("id", "kind"),
        now=now,
        limit=limit,
    )
    customer = [m.pk for m in rows if m.kind in CUSTOMER_MESSAGE_KINDS]
    internal = [m.pk for m in rows if m.kind not in CUSTOMER_MESSAGE_KINDS]
    note = _(
        "The worker stopped while this e-mail was being handed to the mail server: it may "
        "or may not have been sent."
    )
    if customer:
        Message.objects.filter(pk__in=customer).update(
            status=Message.Status.UNCERTAIN,
            next_action_at=None,
            lease_owner="",
            last_error=note,
            updated_at=now,
        )
    if internal:
        Message.objects.filter(pk__in=internal).update(
            status=Message.Status.PENDING,
            next_action_at=now,
            lease_owner="",
            last_error=note,
            updated_at=now,
        )
    return {"uncertain": len(customer), "resent": len(internal)}


def messages_pending_due(*, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return Message.objects.filter(status=Message.Status.PENDING, next_action_at__lte=now).exists()


@transaction.atomic
def message_resolve_uncertain(*, message: Message, actor: User, resend: bool) -> Message:
    """A person's decision on an uncertain message: send it again (they checked it did
    not arrive, or a duplicate is acceptable), or record it as sent."""
    if actor is None or not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager decides about an uncertain message."))
    message = lock(message)
    if message.status != Message.Status.UNCERTAIN:
        raise ApplicationError(_("This message is no longer uncertain."))
    now = timezone.now()
    if resend:
        message.status = Message.Status.PENDING
        message.next_action_at = now
        message.last_error = _("Sent again by %(person)s.") % {"person": actor}
        enqueue_on_commit(SEND_TASK, once=True)
    else:
        message.status = Message.Status.SENT
        message.sent_at = now
        message.next_action_at = None
        message.last_error = _("Recorded as sent by %(person)s.") % {"person": actor}
    message.save(update_fields=["status", "next_action_at", "sent_at", "last_error", "updated_at"])
    return message


# --- Interested parties and balance ----------------------------------------------------

PARTY_FIELDS = {"name", "category", "needs", "influence", "interest", "review_date", "owner"}


@transaction.atomic
def party_create(**fields) -> InterestedParty:
    unknown = set(fields) - PARTY_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    party = InterestedParty(**fields)
    party.full_clean()
    party.save()
    return party


@transaction.atomic
def party_update(*, party: InterestedParty, **fields) -> InterestedParty:
    unknown = set(fields) - PARTY_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    party, _changed = model_update(instance=party, fields=PARTY_FIELDS, data=fields)
    return party


@transaction.atomic
def impact_record(
    *, target, party: InterestedParty, impact: str, note: str = "", mitigation: str = ""
) -> ImpactAssessment:
    """Record (or revise) a plan's expected impact on one party. Revising an approved
    negative assessment withdraws the approval: it was given for what was written then."""
    target_type = ContentType.objects.get_for_model(target)
    assessment = (
        ImpactAssessment.objects.select_for_update()
        .filter(target_type=target_type, target_id=target.pk, party=party)
        .first()
    ) or ImpactAssessment(target_type=target_type, target_id=target.pk, party=party)
    changed = (assessment.impact, assessment.note, assessment.mitigation) != (
        impact,
        note,
        mitigation,
    )
    assessment.impact, assessment.note, assessment.mitigation = impact, note, mitigation
    if changed and assessment.approved_at:
        assessment.approved_by = None
        assessment.approved_at = None
        assessment.approval_reason = ""
    assessment.full_clean(validate_constraints=False)
    assessment.save()
    return assessment


@transaction.atomic
def impact_approve(*, assessment: ImpactAssessment, actor: User, reason: str) -> ImpactAssessment:
    """A quality manager accepts a negative impact explicitly, with a written reason."""
    if not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager can approve a negative impact."))
    if assessment.impact != ImpactAssessment.Impact.NEGATIVE:
        raise ApplicationError(_("Only a negative impact needs an approval."))
    if not reason.strip():
        raise ApplicationError(_("Write why the negative impact is accepted."))
    assessment.approved_by = actor
    assessment.approved_at = timezone.now()
    assessment.approval_reason = reason.strip()
    assessment.save()
    return assessment


def impacts_check_plan_may_proceed(*, target) -> None:
    """Raise ApplicationError if a negative impact on an interested party has neither a
    mitigation nor a quality manager's approval. Plans (objectives, corrective-action
    plans) call this before they go ahead."""
    from .selectors import impacts_blocking

    blocking = impacts_blocking(target=target)
    if blocking:
        raise ApplicationError(
            _(
                "This plan harms %(parties)s. Record a mitigation, or have a quality manager "
                "approve the impact, before it goes ahead."
            )
            % {"parties": ", ".join(str(a.party) for a in blocking)}
        )


@transaction.atomic
def conflict_create(
    *, title: str, description: str, parties: list[InterestedParty]
) -> PartyConflict:
    if len(set(parties)) < 2:
        raise ApplicationError(_("A conflict needs at least two interested parties."))
    conflict = PartyConflict(title=title, description=description)
    conflict.full_clean()
    conflict.save()
    conflict.parties.set(parties)
    return conflict


@transaction.atomic
def conflict_decide(
    *, conflict: PartyConflict, decision: str, rationale: str, outcomes: str, actor: User
) -> PartyConflict:
    if not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager records the decision."))
    if not decision.strip() or not rationale.strip():
        raise ApplicationError(_("Write both the decision and its rationale."))
    conflict.decision = decision.strip()
    conflict.rationale = rationale.strip()
    conflict.outcomes = outcomes.strip()
    conflict.status = PartyConflict.Status.DECIDED
    conflict.decided_by = actor
    conflict.decided_at = timezone.now()
    conflict.full_clean()
    conflict.save()
    return conflict


# --- Management review -----------------------------------------------------------------


@transaction.atomic
def review_create(
    *, title: str, period_label: str, meeting_date, chair: User, attendees: str = ""
) -> ManagementReview:
    from .registry import Period

    period = Period.parse(period_label)
    review = ManagementReview(
        title=title,
        period_label=period_label.strip(),
        period_start=period.start,
        period_end=period.end,
        meeting_date=meeting_date,
        chair=chair,
        attendees=attendees,
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def review_update(*, review: ManagementReview, **fields) -> ManagementReview:
    allowed = {"title", "attendees", "resources_note", "improvement_note", "meeting_date"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if review.status == ManagementReview.Status.HELD:
        raise ApplicationError(_("A review that has been held cannot be changed."))
    review, _changed = model_update(instance=review, fields=allowed, data=fields)
    return review


@transaction.atomic
def review_hold(*, review: ManagementReview, actor: User) -> ManagementReview:
    """Record that the review took place and freeze the inputs as they were presented."""
    from .review import compile_inputs

    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    if review.status == ManagementReview.Status.HELD:
        raise ApplicationError(_("This review has already been held."))
    if not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager records a review as held."))
    review.inputs_snapshot = compile_inputs(review=review)
    review.status = ManagementReview.Status.HELD
    review.held_at = timezone.now()
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def decision_add(
    *, review: ManagementReview, kind: str, title: str, owner: User, due_date
) -> ReviewDecision:
    decision = ReviewDecision(review=review, kind=kind, title=title, owner=owner, due_date=due_date)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_close(
    *, decision: ReviewDecision, status: str, note: str, actor: User
) -> ReviewDecision:
    if not (actor.is_quality_manager or actor.pk == decision.owner_id):
        raise ApplicationError(_("Only the owner or a quality manager closes a decision."))
    if decision.status != ReviewDecision.Status.OPEN:
        raise ApplicationError(_("This decision is already closed."))
    if status not in (ReviewDecision.Status.DONE, ReviewDecision.Status.CANCELLED):
        raise ApplicationError(_("Close a decision as done or cancelled."))
    if status == ReviewDecision.Status.CANCELLED and not note.strip():
        raise ApplicationError(_("Say why the decision is cancelled."))
    decision.status = status
    decision.closing_note = note.strip()
    decision.closed_at = timezone.now()
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def dashboard_settings_update(
    *, actor, min_n: int, at_risk_margin_pct: int, targets: dict
) -> DashboardSettings:
    """The quality manager's dashboard settings: the minimum n, the at-risk margin and a
    target per tile (None clears a tile's target)."""
    if actor is None or not actor.is_quality_manager:
        raise ApplicationError(_("Only a quality manager changes the dashboard settings."))
    if min_n < 1:
        raise ApplicationError(_("The minimum number of answers is at least 1."))
    row = DashboardSettings.objects.select_for_update().order_by("pk").first()
    if row is None:
        row = DashboardSettings()
    row.min_n = min_n
    row.at_risk_margin_pct = at_risk_margin_pct
    row.full_clean()
    row.save()
    for tile, target in targets.items():
        if target is None:
            TileTarget.objects.filter(tile=tile).delete()
        else:
            TileTarget.objects.update_or_create(tile=tile, defaults={"target": target})
    return row


# --- System page: e-mails given up on ---------------------------------------------------


@transaction.atomic
def message_retry(*, message: Message) -> Message:
    """Send a failed e-mail again, from a fresh count of attempts (the quality manager
    fixed the address or the mail server). Its last error stays until it is sent."""
    message = locked(Message.objects.filter(pk=message.pk)).get()
    if message.status != Message.Status.FAILED:
        raise ApplicationError(_("Only an e-mail that failed can be sent again."))
    message.status = Message.Status.PENDING
    message.attempts = 0
    message.next_action_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_action_at", "updated_at"])
    enqueue_on_commit(SEND_TASK, once=True)
    return message
