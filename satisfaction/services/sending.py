"""Sending: the scanner that e-mails due invitations and reminders and expires old links."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.models import Consent, ContactLog, Customer
from qms.models import Message
from qms.services import enqueue_on_commit
from qms.workflow import locked

from ..models import Invitation, InvitationLink, Wave
from ..send_window import in_window, next_window_open
from ._common import base_url, hash_token


def _insert_rows(model, fields: list[str], rows: list[tuple], *, ignore_conflicts=False) -> None:
    """A multi-row INSERT without building model instances: the scanner writes up to a
    thousand links and messages per batch, and Django's per-object work dominated."""
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(qn(meta.get_field(name).column) for name in fields)
    limit = connection.features.max_query_params or 30000
    per_statement = max(1, min(1000, limit // len(fields)))
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            sql = (
                # Identifiers from the model's metadata; every value is a parameter.
                f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "  # noqa: S608
                + ", ".join([placeholder] * len(chunk))
                + suffix
            )
            params = [
                adapt(value) if isinstance(value, dt.datetime) else value
                for row in chunk
                for value in row
            ]
            cursor.execute(sql, params)


def _public_path(name: str, token: str) -> str:
    """The short /s/<token>/ path when the project mounts satisfaction.public_urls,
    else the app's own /satisfaction/s/<token>/."""
    try:
        return reverse(f"survey:{name}", args=[token])
    except NoReverseMatch:
        return reverse(f"satisfaction:{name}", args=[token])


def survey_url(token: str) -> str:
    return base_url() + _public_path("respond", token)


def optout_url(token: str) -> str:
    return base_url() + _public_path("opt-out", token)


def email_texts(version, language: str | None, *, reminder: bool) -> tuple[str, str]:
    """The subject and the body (with %(name)s, %(url)s, %(expires)s and %(optout)s
    still to fill) of an invitation or reminder of `version` in `language`.

    The subject and the opening paragraph are the survey's own texts in the customer's
    language (SurveyVersion.invitation_subject_zh_hans…), falling back to English; a
    version without them (published before surveys had e-mail texts) gets the standard
    wording. The frame around them (greeting, link, expiry, opt-out) is the portal's.
    """
    language = language or "en"
    survey = version.survey
    kind = "reminder" if reminder else "invitation"
    subject = version.text_in(f"{kind}_subject", language)
    opening = version.text_in(f"{kind}_body", language)
    with translation.override(language):
        title = survey.title_in(language)
        if not subject:
            if reminder:
                subject = _("Reminder: %(survey)s") % {"survey": title}
            else:
                subject = _("%(survey)s: tell us how we did") % {"survey": title}
        if not opening:
            if reminder:
                opening = _("A short reminder: your answers help us improve.")
            else:
                opening = _("We would value your opinion. The survey takes about two minutes.")
        body = _(
            "Dear %(name)s,\n\n%(opening)s\n\n%(url)s\n\nThis personal link is valid "
            "until %(expires)s. You can save your answers and finish later.\n\nNo more "
            "surveys from us: %(optout)s\n"
        )
    opening = opening.replace("%", "%%")
    return subject[:200], body.replace("%(opening)s", opening)


class _Mailer:
    """Builds the invitation and reminder e-mails of one scanner batch. Texts are
    translated once per (wave, language, kind), not once per message."""

    PLACEHOLDER = "LINK-PLACEHOLDER"

    def __init__(self, now):
        self.now = now
        respond = survey_url(self.PLACEHOLDER)
        opt_out = optout_url(self.PLACEHOLDER)
        self.respond = respond.split(self.PLACEHOLDER)
        self.opt_out = opt_out.split(self.PLACEHOLDER)
        self._texts: dict[tuple, tuple[str, str]] = {}

    def _text(self, wave, language, reminder: bool) -> tuple[str, str]:
        cache_key = (wave.pk, language, reminder)
        if cache_key not in self._texts:
            self._texts[cache_key] = email_texts(wave.survey_version, language, reminder=reminder)
        return self._texts[cache_key]

    def message(self, *, invitation_id, language, expires_at, name, email, wave, step, token):
        subject, body = self._text(wave, language, reminder=step > 0)
        if step == 0:
            key, kind = f"invitation:{invitation_id}", "survey_invitation"
        else:
            key, kind = f"reminder:{invitation_id}:{step}", "survey_reminder"
        body = body % {
            "name": name,
            "url": token.join(self.respond),
            "expires": timezone.localtime(expires_at).strftime("%Y-%m-%d"),
            "optout": token.join(self.opt_out),
        }
        # A row for MESSAGE_FIELDS.
        return (self.now, self.now, key, kind, email, subject, body, "pending", self.now, 0, "")


MESSAGE_FIELDS = [
    "created_at",
    "updated_at",
    "key",
    "kind",
    "recipient",
    "subject",
    "body",
    "status",
    "next_action_at",
    "attempts",
    "last_error",
]
LINK_FIELDS = ["invitation", "token_hash", "step", "created_at"]
CONTACT_FIELDS = ["created_at", "updated_at", "customer", "channel", "kind", "key", "contacted_at"]


class _Due(NamedTuple):
    pk: int
    wave_id: int
    customer_id: int
    state: str
    reminders_sent: int
    expires_at: dt.datetime | None
    language: str


@transaction.atomic
def invitations_process_due(*, limit: int = 1000, now: dt.datetime | None = None) -> dict:
    """Scanner: send due invitations (inside the wave's send window), send due reminders
    (only to those who have not completed, never beyond the maximum) and expire old links.

    One bounded batch, locked; each row's state and `next_action_at` advance in this same
    transaction, and every e-mail is a message row with a unique key
    (`invitation:<id>`, `reminder:<id>:<n>`), so two runs never send twice.
    """
    now = now or timezone.now()
    due = [
        _Due(*row)
        for row in locked(
            Invitation.objects.filter(next_action_at__lte=now).order_by("next_action_at")
        ).values_list(*_Due._fields)[:limit]
    ]
    counts = defaultdict(int)
    if not due:
        return dict(counts)
    waves = Wave.objects.select_related("survey_version__survey").in_bulk({i.wave_id for i in due})
    customer_ids = {i.customer_id for i in due}
    customers = {
        row[0]: row
        for row in Customer.objects.filter(pk__in=customer_ids).values_list(
            "id", "name", "email", "is_active", "time_zone"
        )
    }
    consenting = set(
        Consent.objects.filter(
            customer_id__in=customer_ids, channel=Consent.Channel.SURVEYS, granted=True
        ).values_list("customer_id", flat=True)
    )
    mailer = _Mailer(now)
    # Group updates: one UPDATE per (kind of change, wave), not one per row.
    updates: dict[tuple, list[int]] = defaultdict(list)
    links: list[tuple] = []
    messages: list[tuple] = []
    contacts: list[tuple] = []
    for invitation in due:
        wave = waves[invitation.wave_id]
        customer = customers.get(invitation.customer_id)
        allowed = (
            customer is not None
            and customer[3]
            and invitation.customer_id in consenting
            and bool(customer[2])
        )
        if invitation.state == Invitation.State.SCHEDULED:
            if wave.status != Wave.Status.RUNNING:
                updates[("drop", wave.pk)].append(invitation.pk)
            elif not allowed:
                updates[("suppress", wave.pk)].append(invitation.pk)
            elif not in_window(wave, now, customer[4]):
                updates[("defer", wave.pk, customer[4])].append(invitation.pk)
            else:
                token = secrets.token_urlsafe(32)
                links.append((invitation.pk, hash_token(token), 0, now))
                messages.append(
                    mailer.message(
                        invitation_id=invitation.pk,
                        language=invitation.language,
                        expires_at=now + dt.timedelta(days=wave.expires_after_days),
                        name=customer[1],
                        email=customer[2],
                        wave=wave,
                        step=0,
                        token=token,
                    )
                )
                updates[("send", wave.pk)].append(invitation.pk)
                # Counted against the shared contact cap (keyed: a replayed batch
                # records nothing twice).
                contacts.append(
                    (
                        now,
                        now,
                        invitation.customer_id,
                        "email",
                        "survey_invitation",
                        f"survey-invite:{invitation.pk}",
                        now,
                    )
                )
        elif invitation.state in Invitation.OPEN_STATES:
            if invitation.expires_at is None or invitation.expires_at <= now:
                updates[("expire", wave.pk)].append(invitation.pk)
            elif invitation.reminders_sent >= wave.max_reminders or not allowed:
                updates[("wait", wave.pk)].append(invitation.pk)
            elif not in_window(wave, now, customer[4]):
                updates[("defer", wave.pk, customer[4])].append(invitation.pk)
            else:
                step = invitation.reminders_sent + 1
                token = secrets.token_urlsafe(32)
                links.append((invitation.pk, hash_token(token), step, now))
                messages.append(
                    mailer.message(
                        invitation_id=invitation.pk,
                        language=invitation.language,
                        expires_at=invitation.expires_at,
                        name=customer[1],
                        email=customer[2],
                        wave=wave,
                        step=step,
                        token=token,
                    )
                )
                updates[("remind", wave.pk, step)].append(invitation.pk)
        else:
            updates[("stop", wave.pk)].append(invitation.pk)

    for key, ids in updates.items():
        action, wave = key[0], waves[key[1]]
        qs = Invitation.objects.filter(pk__in=ids)
        interval = dt.timedelta(days=wave.reminder_interval_days)
        if action == "send":
            expires = now + dt.timedelta(days=wave.expires_after_days)
            nxt = min(now + interval, expires) if wave.max_reminders else expires
            qs.update(
                state=Invitation.State.SENT,
                sent_at=now,
                expires_at=expires,
                next_action_at=nxt,
                updated_at=now,
            )
            Wave.objects.filter(pk=wave.pk).update(
                sent_count=F("sent_count") + len(ids),
                first_sent_at=Coalesce(F("first_sent_at"), Value(now)),
                last_sent_at=now,
            )
        elif action == "remind":
            step = key[2]
            if step < wave.max_reminders:
                # Next reminder, or expiry if that comes first.
                qs.filter(expires_at__gt=now + interval).update(
                    reminders_sent=step, next_action_at=now + interval, updated_at=now
                )
                qs.filter(expires_at__lte=now + interval).update(
                    reminders_sent=step, next_action_at=F("expires_at"), updated_at=now
                )
            else:
                qs.update(reminders_sent=step, next_action_at=F("expires_at"), updated_at=now)
        elif action == "expire":
            qs.update(
                state=Invitation.State.EXPIRED, expired_at=now, next_action_at=None, updated_at=now
            )
        elif action == "suppress":
            qs.update(
                state=Invitation.State.SUPPRESSED,
                reason=Invitation.Reason.OPTED_OUT,
                suppressed_at=now,
                next_action_at=None,
                updated_at=now,
            )
        elif action == "defer":
            # Held until the window opens in the customer's time zone (key[2]).
            qs.update(next_action_at=next_window_open(wave, now, key[2]), updated_at=now)
        elif action == "wait":
            qs.update(next_action_at=F("expires_at"), updated_at=now)
        else:  # drop / stop
            qs.update(next_action_at=None, updated_at=now)
        counts[action] += len(ids)

    if links:
        _insert_rows(InvitationLink, LINK_FIELDS, links)
    if messages:
        # A message key that exists already (a replayed batch) is skipped: one e-mail.
        _insert_rows(Message, MESSAGE_FIELDS, messages, ignore_conflicts=True)
        # Best-effort kicks; qms.send_due_messages is the guarantee.
        for _batch in range(0, len(messages), 200):
            enqueue_on_commit("qms.send_due_messages")
    if contacts:
        _insert_rows(ContactLog, CONTACT_FIELDS, contacts, ignore_conflicts=True)
    if len(due) >= limit:
        enqueue_on_commit("satisfaction.send_due_invitations")
    return dict(counts)
