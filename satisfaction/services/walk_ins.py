"""Answers that come through no invitation: a walk-in at a place (a table's QR code, a
kiosk at the front desk; the `places` app, which sits to the right of this one, owns the
places and calls this). The response is stored exactly like a personal link's (the same
answer rows, the same denormalised columns, so analysis, drivers, tallies and metrics
count it with no change), on the place collector's wave, with no invitation.

Identity: a walk-in is anonymous unless they left contact details and agreed to be
contacted; then the caller passes the customer it found or created for them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coding import services as coding_services
from coding.models import Text
from qms.exceptions import ApplicationError
from surveys import alerting
from surveys.models import Question
from surveys.selectors import survey_alert_rules

from .. import answering
from ..models import Answer, FollowUpCase, Response, Wave
from .follow_ups import _open_case
from .responding import _is_dissatisfied

# A low score left with contact consent is followed up within this many hours when no
# alert rule of the survey says otherwise.
WALK_IN_CASE_HOURS = 48


@transaction.atomic
def walk_in_response_store(
    *,
    wave: Wave,
    questions: list[Question],
    draft: dict,
    language: str,
    segment_id: int | None = None,
    department_id: int | None = None,
    customer=None,
    may_contact: bool = False,
    submitted_at: dt.datetime | None = None,
    case_owner=None,
    place_name: str = "",
) -> tuple[Response, FollowUpCase | None]:
    """Store a walk-in's answers on `wave`. Returns (response, follow-up case or None).

    A case is opened when the customer agreed to be contacted (`customer` given) and
    either an alert rule of the survey fires or the score is low (NPS 0-6, CSAT 1-3); it
    belongs to `case_owner` (the head of the place's department)."""
    errors = answering.validate(questions, draft)
    if errors:
        raise ApplicationError(_("Some questions still need an answer."), extra=errors)
    draft = answering.visible_draft(questions, draft)
    now = submitted_at or timezone.now()
    survey = wave.survey_version.survey
    may_contact = bool(may_contact and customer is not None)
    dissatisfied = _is_dissatisfied(questions, draft)
    response = Response.objects.create(
        invitation=None,
        wave=wave,
        survey=survey,
        version=wave.survey_version,
        customer=customer if may_contact else None,
        segment_id=segment_id,
        language=language,
        submitted_at=now,
        dissatisfied=dissatisfied,
        may_contact=may_contact,
    )
    common = {
        "response": response,
        "survey": survey,
        "wave": wave,
        "segment_id": segment_id,
        "submitted_at": now,
        "dissatisfied": dissatisfied,
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
    comments = [a for a in answers if a.kind == Question.Kind.TEXT and a.value_text]
    if comments:
        coding_services.record_texts(
            model=Answer,
            kind=Text.Kind.SURVEY_COMMENT,
            rows=[
                {
                    "object_id": a.pk,
                    "body": a.value_text,
                    "customer_id": customer.pk if may_contact else None,
                    "department_id": department_id,
                    "written_at": now,
                    "topic_id": None,
                }
                for a in comments
            ],
        )
    case = None
    if may_contact:
        with translation.override(settings.LANGUAGE_CODE):
            rules = survey_alert_rules(survey_id=survey.pk)
            fired = alerting.evaluate(rules, questions, draft, language=settings.LANGUAGE_CODE)
            if fired or dissatisfied:
                where = place_name or wave.name
                if fired:
                    reason = _("At %(place)s: %(reason)s") % {
                        "place": where,
                        "reason": alerting.case_reason(fired),
                    }
                else:
                    reason = _("Low score at %(place)s") % {"place": where}
                case = _open_case(
                    response=response,
                    customer=customer,
                    survey=survey,
                    fired=fired,
                    owner=case_owner,
                    reason=reason,
                    deadline_hours=(
                        alerting.case_deadline_hours(fired) if fired else WALK_IN_CASE_HOURS
                    ),
                )
    return response, case
