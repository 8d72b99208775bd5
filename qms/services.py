"""Writes and workflows for the organisation core, and the outbox every app sends through."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
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
from .workflow import due_rows, locked

logger = logging.getLogger(__name__)

MESSAGE_MAX_ATTEMPTS = 5
# How long a handed-out message waits before the scanner hands it out again (its worker
# may have died); MESSAGE_LEASE_SECONDS, 10 minutes by default.
MESSAGE_LEASE = dt.timedelta(seconds=int(os.environ.get("MESSAGE_LEASE_SECONDS", "600")))


def enqueue_on_commit(task_name: str, *args) -> None:
    """Ask a worker to run `task_name` once the current transaction commits.

    Best effort only: if the broker is down, the failure is logged and the request goes
    on. The database row that describes the work is the guarantee, and a scanner task
    picks it up (docs/architecture.md section 4).
    """

    def kick():
        from qms.celery import app

        try:
            app.send_task(task_name, args=list(args), retry=False)
        except Exception:  # noqa: BLE001 - the broker being down must not fail a request
            logger.warning("Could not enqueue %s%r; the scanner will pick it up.", task_name, args)

    transaction.on_commit(kick)


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
        enqueue_on_commit("qms.send_message", message.pk)
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


@transaction.atomic
def message_send(*, message_id: int) -> bool:
    """Send one pending message. Returns True if this call sent it.

    The row is locked while sending, so two workers given the same id send it once.
    """
    message = locked(Message.objects.filter(pk=message_id)).first()
    if message is None or message.status != Message.Status.PENDING:
        return False
    message.attempts += 1
    try:
        send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.recipient],
            fail_silently=False,
            html_message=email_html(message),
        )
    except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
        message.last_error = f"{type(exc).__name__}: {exc}"
        failed = message.attempts >= MESSAGE_MAX_ATTEMPTS or _is_permanent(exc)
        if failed:
            message.status = Message.Status.FAILED
            message.next_action_at = None
        else:
            message.next_action_at = timezone.now() + dt.timedelta(minutes=2**message.attempts)
        message.save(
            update_fields=["attempts", "last_error", "status", "next_action_at", "updated_at"]
        )
        logger.warning("Message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
        if failed:
            _report_failure(message)
        return False
    message.status = Message.Status.SENT
    message.sent_at = timezone.now()
    message.next_action_at = None
    message.last_error = ""
    message.save(
        update_fields=[
            "attempts",
            "status",
            "sent_at",
            "next_action_at",
            "last_error",
            "updated_at",
        ]
    )
    return True


@transaction.atomic
def messages_dispatch_due(*, limit: int = 200) -> int:
    """Scanner: hand every due pending message to a worker, in a bounded batch.

    Each row's `next_action_at` moves forward by a lease, so the next scan does not hand
    it out again while a worker is on it; `message_send` makes a second hand-out harmless.
    """
    now = timezone.now()
    due = due_rows(
        Message.objects.filter(status=Message.Status.PENDING).only("id"), now=now, limit=limit
    )
    if not due:
        return 0
    ids = [m.pk for m in due]
    Message.objects.filter(pk__in=ids).update(next_action_at=now + MESSAGE_LEASE, updated_at=now)
    for pk in ids:
        enqueue_on_commit("qms.send_message", pk)
    return len(ids)


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
    enqueue_on_commit("qms.send_message", message.pk)
    return message
