"""The customer's side: personal links, opening, saving, submitting and opting out."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from coding import services as coding_services
from coding.models import Text
from customers.models import Consent, ContactLog
from qms import webhooks
from qms.exceptions import ApplicationError
from qms.models import Message
from qms.workflow import locked
from surveys.models import Question, Survey

from .. import answering
from ..models import Answer, Invitation, InvitationLink, Response, Wave
from ._common import hash_token
from .follow_ups import _alert_rules

logger = logging.getLogger(__name__)


TOKEN_MAX = 100


def link_resolve(*, token: str) -> InvitationLink | None:
    """The link for `token`, or None for an unknown or malformed token."""
    if not token or len(token) > TOKEN_MAX:
        return None
    try:
        # order_by(): the model's default ordering would join the invitation table once
        # more for nothing; the hash is unique.
        link = (
            InvitationLink.objects.select_related("invitation__customer")
            .order_by()
            .get(token_hash=hash_token(token))
        )
    except InvitationLink.DoesNotExist:
        return None
    link.invitation.wave = public_wave(wave_id=link.invitation.wave_id)
    return link


PUBLIC_WAVE_TTL = 60


def _public_wave_key(wave_id: int) -> str:
    return f"satisfaction:public-wave:{wave_id}"


def public_wave(*, wave_id: int) -> Wave:
    """The wave with its survey version and survey, as the customer's pages use them,
    kept in the cache for a minute: every survey page and submit reads them, and a
    six-table join per request was the largest single cost of a submission. What the
    customer's side reads of them does not change under a running wave (a published
    version is frozen, the identity mode is locked once published, and the wave's own
    state is not read here: expiry and completion live on the invitation). `survey_update`
    drops the key of every wave of the survey, so a new title shows at once."""
    key = _public_wave_key(wave_id)
    wave = cache.get(key)
    if wave is None:
        wave = Wave.objects.select_related("survey_version__survey").get(pk=wave_id)
        cache.set(key, wave, timeout=PUBLIC_WAVE_TTL)
    return wave


def _forget_public_waves(wave_ids) -> None:
    cache.delete_many([_public_wave_key(pk) for pk in wave_ids])


def invitation_is_expired(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if invitation.state == Invitation.State.EXPIRED:
        return True
    if invitation.state in (Invitation.State.SUPPRESSED, Invitation.State.FAILED):
        return True
    return (
        invitation.state != Invitation.State.COMPLETED
        and invitation.expires_at is not None
        and invitation.expires_at <= now
    )


def invitation_mark_failed(message: Message) -> None:
    """The invitation e-mail was given up on (qms outbox failure handler for keys
    `invitation:<id>`): the invitation shows as failed with the time and the error, it
    gets no reminders, and it no longer counts against the customer's contact cap."""
    try:
        invitation_id = int(message.key.split(":", 1)[1])
    except (IndexError, ValueError):
        return
    now = timezone.now()
    updated = Invitation.objects.filter(pk=invitation_id, state=Invitation.State.SENT).update(
        state=Invitation.State.FAILED, failed_at=now, next_action_at=None, updated_at=now
    )
    if updated:
        # No longer sent: the wave's count (the response rate reads it) drops it.
        Wave.objects.filter(
            pk__in=Invitation.objects.filter(pk=invitation_id).values("wave_id")
        ).update(sent_count=F("sent_count") - 1)
        ContactLog.objects.filter(key=f"survey-invite:{invitation_id}").delete()
        logger.warning("Survey invitation %s failed: %s", invitation_id, message.last_error)


def invitation_mark_opened(*, invitation: Invitation) -> None:
    """Record the first opening (one conditional UPDATE; nothing on later openings)."""
    if invitation.opened_at is not None:
        return
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=now, updated_at=now
    )
    Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENT).update(
        state=Invitation.State.OPENED
    )
    invitation.opened_at = now


def response_save_draft(*, invitation: Invitation, draft: dict) -> None:
    """ "Save and finish later": keep the answers so far on the invitation."""
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk, state__in=[*Invitation.OPEN_STATES]).update(
        draft_answers=draft,
        state=Invitation.State.STARTED,
        started_at=invitation.started_at or now,
        updated_at=now,
    )
    invitation.draft_answers = draft
    invitation.started_at = invitation.started_at or now


def _is_dissatisfied(questions, draft) -> bool:
    for q in questions:
        value = draft.get(q.code)
        if value is None:
            continue
        if q.kind == Question.Kind.NPS and value <= 6:
            return True
        if q.kind == Question.Kind.CSAT and value <= 3:
            return True
    return False


def response_submit(*, invitation: Invitation, questions: list[Question], draft: dict):
    """Store the answers once. Returns (response, created). A second submit of the same
    invitation (double click, second tab, retry) finds the response the database already
    holds and stores nothing (the unique constraint decides, not a check in Python).

    Writes only to the database: the follow-up alert is an outbox row."""
    errors = answering.validate(questions, draft)
    if errors:
        raise ApplicationError(_("Some questions still need an answer."), extra=errors)
    draft = answering.visible_draft(questions, draft)
    try:
        with transaction.atomic():
            return _response_store(invitation=invitation, questions=questions, draft=draft), True
    except IntegrityError:
        existing = Response.objects.filter(invitation=invitation).first()
        if existing is None:
            raise
        return existing, False


def response_stored_draft(*, invitation: Invitation) -> dict | None:
    """The answers stored for `invitation`, in the shape of a draft (`{code: value}`), or
    None if it has no response. Lets a second submit tell a retry of the same answers
    (a double click) from different ones (a stale second tab), which are not kept."""
    response = Response.objects.filter(invitation=invitation).only("pk").first()
    if response is None:
        return None
    stored: dict = {}
    rows = Answer.objects.filter(response=response).values_list(
        "question_code", "kind", "choice__code", "value_int", "value_text", "question__multi_select"
    )
    for code, kind, choice_code, value_int, value_text, several in rows:
        if kind == Question.Kind.MULTIPLE or (kind == Question.Kind.DRIVER and several):
            stored.setdefault(code, []).append(choice_code)
        elif choice_code is not None:
            stored[code] = choice_code
        elif kind == Question.Kind.TEXT:
            stored[code] = value_text
        else:
            stored[code] = value_int
    for code, value in stored.items():
        if isinstance(value, list):
            stored[code] = sorted(set(value))
    return stored


def response_is_stored(*, invitation: Invitation, questions: list[Question], draft: dict) -> bool:
    """Whether `draft` holds the very answers already stored for `invitation`."""
    return response_stored_draft(invitation=invitation) == answering.visible_draft(questions, draft)


def _response_store(*, invitation, questions, draft) -> Response:
    now = timezone.now()
    wave = invitation.wave
    survey = wave.survey_version.survey
    customer = invitation.customer
    anonymous = survey.identity_mode == Survey.IdentityMode.ANONYMOUS
    consent_q = [q for q in questions if q.kind == Question.Kind.CONSENT]
    may_contact = any(draft.get(q.code) == 1 for q in consent_q)
    response = Response.objects.create(
        invitation=invitation,
        wave=wave,
        survey=survey,
        version=wave.survey_version,
        customer=None if anonymous else customer,
        segment_id=customer.segment_id,
        language=invitation.language,
        submitted_at=now,
        dissatisfied=_is_dissatisfied(questions, draft),
        may_contact=may_contact and not anonymous,
    )
    common = {
        "response": response,
        "survey": survey,
        "wave": wave,
        "segment_id": customer.segment_id,
        "submitted_at": now,
        "dissatisfied": response.dissatisfied,
    }
    answers = []
    for q in questions:
        value = draft.get(q.code)
        if value in (None, "", []):
            continue
        base = dict(common, question=q, question_code=q.code, kind=q.kind)
        if q.has_choices:
            by_code = {c.code: c for c in q.choices.all()}
            for code in value if isinstance(value, list) else [value]:
                choice = by_code.get(code)
                if choice is not None:
                    answers.append(Answer(**base, choice=choice, topic_id=choice.topic_id))
        elif q.kind == Question.Kind.TEXT:
            answers.append(Answer(**base, value_text=value))
        else:
            answers.append(Answer(**base, value_int=value))
    Answer.objects.bulk_create(answers)
    _record_comments(answers, customer=customer if response.customer_id else None, survey=survey)
    updated = (
        Invitation.objects.filter(pk=invitation.pk)
        .exclude(state=Invitation.State.COMPLETED)
        .update(
            state=Invitation.State.COMPLETED,
            completed_at=now,
            started_at=invitation.started_at or now,
            next_action_at=None,
            draft_answers={},
            updated_at=now,
        )
    )
    if not updated:
        # Completed by a concurrent request that has not committed its response yet.
        raise IntegrityError("invitation already completed")
    _alert_rules(response=response, questions=questions, draft=draft, customer=customer)
    webhooks.emit(
        "response.received",
        {
            "id": response.pk,
            "survey": survey.pk,
            "wave": wave.pk,
            "customer": response.customer_id,
            "submitted_at": now,
            "dissatisfied": response.dissatisfied,
        },
    )
    return response


def _record_comments(answers, *, customer, survey) -> None:
    """Free-text answers are survey comments to code (the customer is named only in an
    identified survey, so the queue shows no names of a confidential one)."""
    comments = [a for a in answers if a.kind == Question.Kind.TEXT and a.value_text]
    if not comments:
        return
    identified = survey.identity_mode == Survey.IdentityMode.IDENTIFIED
    coding_services.record_texts(
        model=Answer,
        kind=Text.Kind.SURVEY_COMMENT,
        rows=[
            {
                "object_id": answer.pk,
                "body": answer.value_text,
                "customer_id": customer.pk if (customer and identified) else None,
                "department_id": None,
                "written_at": answer.submitted_at,
                "topic_id": None,
            }
            for answer in comments
        ],
    )


@transaction.atomic
def invitation_opt_out(*, invitation: Invitation) -> None:
    """The customer's opt-out link: record surveys=False and stop every invitation
    not yet sent, and every further reminder."""
    now = timezone.now()
    customer = invitation.customer
    consent = locked(
        Consent.objects.filter(customer=customer, channel=Consent.Channel.SURVEYS),
        skip_locked=False,
    ).first()
    if consent is None:
        consent = Consent(customer=customer, channel=Consent.Channel.SURVEYS)
    consent.granted = False
    consent.recorded_at = now
    consent.method = Consent.Method.OPT_OUT_LINK
    consent.note = _("Opt-out link in a survey e-mail")
    consent.save()
    Invitation.objects.filter(customer=customer, state=Invitation.State.SCHEDULED).update(
        state=Invitation.State.SUPPRESSED,
        reason=Invitation.Reason.OPTED_OUT,
        suppressed_at=now,
        next_action_at=None,
        updated_at=now,
    )
    Invitation.objects.filter(
        customer=customer, state__in=Invitation.OPEN_STATES, expires_at__isnull=False
    ).update(next_action_at=F("expires_at"), updated_at=now)
