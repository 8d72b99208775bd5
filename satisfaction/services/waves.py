"""Waves: creating, scheduling, starting (freezing the audience), closing, and single
invitations for transactional triggers."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.contact_cap import annotate_contact_capped
from customers.models import Consent, Customer
from qms.exceptions import ApplicationError
from qms.models import User
from qms.services import enqueue_on_commit
from qms.workflow import due_rows, lock
from surveys.models import SurveyVersion

from ..models import Invitation, Wave

logger = logging.getLogger(__name__)


WAVE_FIELDS = {
    "name",
    "recurrence_days",
    "trigger",
    "trigger_delay_hours",
    "kind",
    "segment",
    "language",
    "starts_at",
    "send_window_start",
    "send_window_end",
    "expires_after_days",
    "max_reminders",
    "reminder_interval_days",
    "contact_cap_days",
}


@transaction.atomic
def wave_create(*, survey_version: SurveyVersion, created_by: User | None = None, **fields) -> Wave:
    unknown = set(fields) - WAVE_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if survey_version.is_draft:
        raise ApplicationError(_("Publish the survey version before sending it."))
    wave = Wave(survey_version=survey_version, created_by=created_by, **fields)
    if wave.max_reminders > 5:
        raise ApplicationError(_("At most five reminders: more would annoy customers."))
    wave.full_clean()
    wave.save()
    return wave


@transaction.atomic
def wave_schedule(*, wave: Wave) -> Wave:
    """Confirm a draft wave: the scanner starts it at `starts_at`."""
    wave = lock(wave)
    if wave.status != Wave.Status.DRAFT:
        raise ApplicationError(_("Only a draft wave can be scheduled."))
    wave.status = Wave.Status.SCHEDULED
    wave.next_action_at = wave.starts_at
    wave.save(update_fields=["status", "next_action_at", "updated_at"])
    enqueue_on_commit("satisfaction.start_due_waves")
    return wave


@transaction.atomic
def wave_cancel(*, wave: Wave) -> Wave:
    wave = lock(wave)
    if wave.status not in (Wave.Status.DRAFT, Wave.Status.SCHEDULED):
        raise ApplicationError(_("A wave that has started cannot be cancelled; close it."))
    wave.status = Wave.Status.CANCELLED
    wave.next_action_at = None
    wave.save(update_fields=["status", "next_action_at", "updated_at"])
    return wave


@transaction.atomic
def wave_close(*, wave: Wave, now: dt.datetime | None = None) -> Wave:
    """Stop a running wave: unsent invitations are dropped, open links expire."""
    now = now or timezone.now()
    wave = lock(wave)
    if wave.status != Wave.Status.RUNNING:
        raise ApplicationError(_("Only a running wave can be closed."))
    wave.invitations.filter(state=Invitation.State.SCHEDULED).update(
        state=Invitation.State.SUPPRESSED, suppressed_at=now, next_action_at=None, updated_at=now
    )
    wave.invitations.filter(state__in=Invitation.OPEN_STATES).update(
        state=Invitation.State.EXPIRED, expired_at=now, next_action_at=None, updated_at=now
    )
    wave.status = Wave.Status.CLOSED
    wave.closed_at = now
    wave.next_action_at = None
    wave.save(update_fields=["status", "closed_at", "next_action_at", "updated_at"])
    return wave


def _audience(wave: Wave):
    qs = Customer.objects.filter(is_active=True)
    if wave.segment_id:
        qs = qs.filter(segment_id=wave.segment_id)
    if wave.language:
        qs = qs.filter(language=wave.language)
    return qs


def _eligibility(queryset, *, cap_days: int, now: dt.datetime, exclude_wave_id=None):
    """Annotate customers with what decides whether they may be surveyed now."""
    consents = Consent.objects.filter(customer=OuterRef("pk"), channel=Consent.Channel.SURVEYS)
    recent = Invitation.objects.filter(
        customer=OuterRef("pk"),
        state__in=Invitation.CONTACT_STATES,
        scheduled_at__gt=now - dt.timedelta(days=cap_days),
    )
    if exclude_wave_id:
        recent = recent.exclude(wave_id=exclude_wave_id)
    # The organisation-wide cap shared with the CRM's reminders (customers.contact_cap):
    # `contact_capped` counts every unprompted contact, not only surveys.
    queryset = annotate_contact_capped(queryset, now=now)
    return queryset.annotate(
        consent_granted=Exists(consents.filter(granted=True)),
        opted_out=Exists(consents.filter(granted=False)),
        capped=Exists(recent) if cap_days else Exists(Invitation.objects.none()),
    )


def _suppression_reason(customer) -> str:
    if not customer.is_active:
        return Invitation.Reason.INACTIVE
    if customer.opted_out:
        return Invitation.Reason.OPTED_OUT
    if not customer.consent_granted:
        return Invitation.Reason.NO_CONSENT
    if not customer.email:
        return Invitation.Reason.NO_EMAIL
    if customer.capped or customer.contact_capped:
        return Invitation.Reason.CAPPED
    return ""


def _new_invitation(*, wave, customer, now, send_at, trigger_ref="") -> Invitation:
    reason = _suppression_reason(customer)
    if reason:
        return Invitation(
            wave=wave,
            customer_id=customer.pk,
            segment_id=customer.segment_id,
            trigger_ref=trigger_ref,
            language=customer.language,
            state=Invitation.State.SUPPRESSED,
            reason=reason,
            scheduled_at=send_at,
            suppressed_at=now,
            created_at=now,
        )
    return Invitation(
        wave=wave,
        customer_id=customer.pk,
        segment_id=customer.segment_id,
        trigger_ref=trigger_ref,
        language=customer.language,
        state=Invitation.State.SCHEDULED,
        scheduled_at=send_at,
        next_action_at=send_at,
        created_at=now,
    )


def _freeze_audience(*, wave: Wave, now: dt.datetime, trigger_ref: str = "") -> int:
    """One invitation row per audience customer, written by the database in one
    INSERT … SELECT: consent, opt-out, e-mail and the contact-frequency cap are decided by
    the same query (`_eligibility`), so no customer passes through Python. (Streaming
    100,000 customers through bulk_create took minutes on this machine.)"""
    reason = Case(
        When(is_active=False, then=Value(Invitation.Reason.INACTIVE.value)),
        When(opted_out=True, then=Value(Invitation.Reason.OPTED_OUT.value)),
        When(consent_granted=False, then=Value(Invitation.Reason.NO_CONSENT.value)),
        When(email="", then=Value(Invitation.Reason.NO_EMAIL.value)),
        When(capped=True, then=Value(Invitation.Reason.CAPPED.value)),
        When(contact_capped=True, then=Value(Invitation.Reason.CAPPED.value)),
        default=Value(""),
        output_field=CharField(),
    )
    customers = _audience(wave)
    if wave.kind == Wave.Kind.RECURRING:
        # Each customer again `recurrence_days` after their last invitation of this wave.
        customers = customers.exclude(
            Exists(
                Invitation.objects.filter(
                    wave=wave,
                    customer=OuterRef("pk"),
                    scheduled_at__gt=now - dt.timedelta(days=wave.recurrence_days or 1),
                )
            )
        )
    audience = (
        _eligibility(customers, cap_days=wave.cap_days(), now=now)
        .annotate(
            freeze_reason=reason,
            freeze_id=F("pk"),
            freeze_language=F("language"),
            freeze_segment=F("segment_id"),
        )
        .order_by()
        .values_list("freeze_id", "freeze_language", "freeze_reason", "freeze_segment")
    )
    inner_sql, inner_params = audience.query.sql_with_params()
    qn = connection.ops.quote_name
    meta = Invitation._meta
    columns = ", ".join(
        qn(meta.get_field(name).column)
        for name in (
            "created_at",
            "updated_at",
            "wave",
            "customer",
            "segment",
            "trigger_ref",
            "language",
            "state",
            "reason",
            "scheduled_at",
            "suppressed_at",
            "next_action_at",
            "reminders_sent",
            "draft_answers",
        )
    )
    when_ok = "a.freeze_reason = ''"
    json_empty = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        # Identifiers come from the model's metadata; every value is a parameter.
        f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT %s, %s, %s, a.freeze_id, a.freeze_segment, %s, a.freeze_language, "
        f"CASE WHEN {when_ok} THEN %s ELSE %s END, a.freeze_reason, %s, "
        f"CASE WHEN {when_ok} THEN NULL ELSE %s END, "
        f"CASE WHEN {when_ok} THEN %s ELSE NULL END, 0, {json_empty} "
        f"FROM ({inner_sql}) a"
    )
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [
        stamp,
        stamp,
        wave.pk,
        trigger_ref,
        Invitation.State.SCHEDULED.value,
        Invitation.State.SUPPRESSED.value,
        stamp,
        stamp,
        stamp,
        "{}",
    ]
    # Parameters in the order they appear in the SQL text; the audience query's last.
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *inner_params))
        return cursor.rowcount


def wave_start(*, wave_id: int, now: dt.datetime | None = None) -> int:
    """Freeze the audience: one invitation row per customer (suppressed ones with the
    reason). Returns the number of invitations created. Runs in the caller's
    transaction."""
    now = now or timezone.now()
    wave = Wave.objects.select_related("survey_version").get(pk=wave_id)
    wave.status = Wave.Status.RUNNING
    wave.started_at = now
    if wave.kind == Wave.Kind.TRANSACTIONAL:
        wave.next_action_at = None
        wave.save(update_fields=["status", "started_at", "next_action_at", "updated_at"])
        return 0
    if wave.kind == Wave.Kind.RECURRING:
        return _recurring_cycle(wave=wave, now=now)
    created = _freeze_audience(wave=wave, now=now)
    # The wave closes when the last possible link has expired.
    wave.next_action_at = now + dt.timedelta(
        days=wave.expires_after_days + wave.max_reminders * wave.reminder_interval_days + 1
    )
    wave.save(update_fields=["status", "started_at", "next_action_at", "updated_at"])
    if created:
        enqueue_on_commit("satisfaction.send_due_invitations")
    return created


def _recurring_cycle(*, wave: Wave, now: dt.datetime) -> int:
    """A recurring wave's daily tick: invite the customers whose last invitation of this
    wave is older than the interval (or who have none). Runs until the wave is closed."""
    created = _freeze_audience(wave=wave, now=now, trigger_ref=f"cycle:{now:%Y%m%d%H%M%S}")
    wave.status = Wave.Status.RUNNING
    wave.started_at = wave.started_at or now
    wave.next_action_at = now + dt.timedelta(days=1)
    wave.save(update_fields=["status", "started_at", "next_action_at", "updated_at"])
    if created:
        enqueue_on_commit("satisfaction.send_due_invitations")
    return created


@transaction.atomic
def waves_process_due(*, limit: int = 5, now: dt.datetime | None = None) -> int:
    """Scanner: start scheduled waves whose time has come; close running waves whose
    links have all expired."""
    now = now or timezone.now()
    due = due_rows(
        Wave.objects.filter(status__in=[Wave.Status.SCHEDULED, Wave.Status.RUNNING]),
        now=now,
        limit=limit,
    )
    for wave in due:
        if wave.status == Wave.Status.SCHEDULED:
            wave_start(wave_id=wave.pk, now=now)
        elif wave.kind == Wave.Kind.RECURRING:
            _recurring_cycle(wave=wave, now=now)
        else:
            if wave.invitations.filter(
                state__in=(Invitation.State.SCHEDULED, *Invitation.OPEN_STATES)
            ).exists():
                wave.next_action_at = now + dt.timedelta(days=1)
                wave.save(update_fields=["next_action_at", "updated_at"])
            else:
                wave.status = Wave.Status.CLOSED
                wave.closed_at = now
                wave.next_action_at = None
                wave.save(update_fields=["status", "closed_at", "next_action_at", "updated_at"])
    return len(due)


@transaction.atomic
def invitation_request(
    *,
    wave: Wave,
    customer: Customer,
    trigger_ref: str = "",
    send_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[Invitation, bool]:
    """Transactional trigger: one invitation for one customer (e.g. a day after a stay,
    or after a complaint is closed), respecting consent and the contact-frequency cap.
    Idempotent per (wave, customer, trigger_ref). Returns (invitation, created)."""
    now = now or timezone.now()
    wave = Wave.objects.select_related("survey_version").get(pk=wave.pk)
    if wave.kind != Wave.Kind.TRANSACTIONAL:
        raise ApplicationError(_("Only a transactional wave takes single invitations."))
    if wave.status != Wave.Status.RUNNING:
        raise ApplicationError(_("The wave is not running; schedule it first."))
    existing = Invitation.objects.filter(
        wave=wave, customer=customer, trigger_ref=trigger_ref
    ).first()
    if existing is not None:
        return existing, False
    annotated = (
        _eligibility(Customer.objects.filter(pk=customer.pk), cap_days=wave.cap_days(), now=now)
        .only("id", "email", "language", "is_active")
        .get()
    )
    invitation = _new_invitation(
        wave=wave,
        customer=annotated,
        now=now,
        send_at=max(send_at or now, now),
        trigger_ref=trigger_ref,
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        return Invitation.objects.get(wave=wave, customer=customer, trigger_ref=trigger_ref), False
    if invitation.state == Invitation.State.SCHEDULED and invitation.scheduled_at <= now:
        enqueue_on_commit("satisfaction.send_due_invitations")
    return invitation, True


def invitations_for_closed_complaint(*, complaint, now: dt.datetime | None = None) -> list:
    """`crm.signals.complaint_closed` receiver: every running transactional wave
    set to invite "when a complaint is closed" asks for one invitation for the
    complainant, `trigger_delay_hours` later (consent and the contact cap apply as for
    any invitation; customers outside the wave's segment or language are left out).
    Keyed by the complaint, so closing it again sends nothing more. A problem here is
    logged and never stops the complaint from closing."""
    now = now or timezone.now()
    customer = complaint.customer
    invitations = []
    waves = Wave.objects.filter(
        kind=Wave.Kind.TRANSACTIONAL,
        status=Wave.Status.RUNNING,
        trigger=Wave.Trigger.COMPLAINT_CLOSED,
    ).order_by("pk")
    for wave in waves:
        if wave.segment_id and wave.segment_id != customer.segment_id:
            continue
        if wave.language and wave.language != customer.language:
            continue
        try:
            with transaction.atomic():
                invitation, _created = invitation_request(
                    wave=wave,
                    customer=customer,
                    trigger_ref=f"complaint:{complaint.pk}",
                    send_at=now + dt.timedelta(hours=wave.trigger_delay_hours),
                    now=now,
                )
        except Exception:  # noqa: BLE001 - a survey problem must not block the complaint
            logger.exception(
                "No survey invitation for complaint %s (wave %s)", complaint.pk, wave.pk
            )
            continue
        invitations.append(invitation)
    return invitations
