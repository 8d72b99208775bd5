"""Writes and workflows of the satisfaction app: surveys and versions, waves and their
invitations, the customer's answers, opt-out, and follow-up cases.

Scanners (`waves_process_due`, `invitations_process_due`, `follow_ups_escalate_due`) read
`next_action_at <= now` in bounded batches, lock with `select_for_update(skip_locked=…)`
and advance state in the same transaction (ARCHITECTURE.md section 4). Every e-mail is a
`qms.Message` row with a unique key, so a scanner run twice sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import tempfile
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, CharField, Count, Exists, F, Max, OuterRef, Q, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.contact_cap import annotate_contact_capped
from customers.models import Consent, ContactLog, Customer
from qms.exceptions import ApplicationError
from qms.models import Message, User
from qms.services import enqueue_on_commit, message_queue

from . import alerting, answering, exports, selectors
from .models import (
    AlertRule,
    Answer,
    Choice,
    FollowUpCase,
    Invitation,
    InvitationLink,
    Question,
    Response,
    ResponseExport,
    Survey,
    SurveyVersion,
    Wave,
)

logger = logging.getLogger(__name__)


def _locked(queryset):
    return queryset.select_for_update(skip_locked=settings.IS_POSTGRES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def base_url() -> str:
    return getattr(settings, "QMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


# --- Surveys and versions --------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    title: str,
    code: str,
    purpose: str = Survey.Purpose.RELATIONSHIP,
    identity_mode: str = Survey.IdentityMode.IDENTIFIED,
    description: str = "",
    created_by: User | None = None,
) -> Survey:
    """A new survey with an empty draft version 1."""
    survey = Survey(
        title=title,
        code=code,
        purpose=purpose,
        identity_mode=identity_mode,
        description=description,
        created_by=created_by,
    )
    survey.full_clean()
    survey.save()
    SurveyVersion.objects.create(survey=survey, number=1)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, **fields) -> Survey:
    allowed = {"title", "description", "purpose", "identity_mode"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    if (
        "identity_mode" in fields
        and fields["identity_mode"] != survey.identity_mode
        and survey.versions.filter(status=SurveyVersion.Status.PUBLISHED).exists()
    ):
        # Customers were told how their answers are handled when they were invited.
        raise ApplicationError(
            _(
                "The identity mode cannot change once a version is published: customers "
                "were told how their answers would be used. Create a new survey instead."
            )
        )
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean()
    survey.save()
    transaction.on_commit(
        lambda: _forget_public_waves(
            Wave.objects.filter(survey_version__survey=survey).values_list("pk", flat=True)
        )
    )
    return survey


def _require_draft(version: SurveyVersion) -> None:
    if not version.is_draft:
        raise ApplicationError(
            _("Version %(number)s is published and cannot change. Start a new draft to edit.")
            % {"number": version.number}
        )


@transaction.atomic
def version_draft_get_or_create(*, survey: Survey) -> SurveyVersion:
    """The survey's draft version; if there is none, a copy of the latest published
    version (questions, choices and show-if conditions, with the same codes)."""
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    draft = survey.versions.filter(status=SurveyVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    latest = survey.versions.order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    draft = SurveyVersion.objects.create(
        survey=survey,
        number=number,
        intro_en=latest.intro_en if latest else "",
        intro_zh_hans=latest.intro_zh_hans if latest else "",
    )
    if latest is None:
        return draft
    mapping: dict[int, Question] = {}
    old_questions = list(latest.questions.prefetch_related("choices").order_by("position", "id"))
    for old in old_questions:
        new = Question.objects.create(
            version=draft,
            **{name: getattr(old, name) for name in _QUESTION_COPY_FIELDS},
        )
        mapping[old.pk] = new
        Choice.objects.bulk_create(
            Choice(
                question=new,
                code=c.code,
                position=c.position,
                text_en=c.text_en,
                text_zh_hans=c.text_zh_hans,
                topic_id=c.topic_id,
            )
            for c in old.choices.all()
        )
    for old in old_questions:
        if old.show_if_question_id and old.show_if_question_id in mapping:
            new = mapping[old.pk]
            new.show_if_question = mapping[old.show_if_question_id]
            new.save(update_fields=["show_if_question", "updated_at"])
    return draft


_QUESTION_COPY_FIELDS = (
    "code",
    "position",
    "kind",
    "text_en",
    "text_zh_hans",
    "help_en",
    "help_zh_hans",
    "required",
    "scale_max",
    "low_label_en",
    "low_label_zh_hans",
    "high_label_en",
    "high_label_zh_hans",
    "show_if_values",
)

QUESTION_FIELDS = set(_QUESTION_COPY_FIELDS) - {"position"} | {"show_if_question"}


def _check_show_if(question: Question) -> None:
    source = question.show_if_question
    if source is None:
        question.show_if_values = []
        return
    if source.version_id != question.version_id or (
        question.pk and source.position >= question.position
    ):
        raise ApplicationError(_("A question can only depend on an earlier question."))
    if not question.show_if_values:
        raise ApplicationError(_("List the answers that make this question appear."))


def _set_choices(question: Question, choices: list[dict] | None) -> None:
    if choices is None:
        return
    if not question.has_choices:
        question.choices.all().delete()
        return
    codes = [c["code"] for c in choices]
    if len(codes) != len(set(codes)):
        raise ApplicationError(_("Each choice needs its own code."))
    question.choices.all().delete()
    objs = []
    for position, data in enumerate(choices, start=1):
        choice = Choice(
            question=question,
            code=data["code"],
            position=position,
            text_en=data["text_en"],
            text_zh_hans=data.get("text_zh_hans", ""),
            topic=data.get("topic"),
        )
        choice.full_clean(exclude=["question"], validate_constraints=False)
        objs.append(choice)
    Choice.objects.bulk_create(objs)


@transaction.atomic
def question_create(
    *, version: SurveyVersion, choices: list[dict] | None = None, **fields
) -> Question:
    _require_draft(version)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if version.questions.filter(code=fields.get("code")).exists():
        raise ApplicationError(_("This version already has a question with that code."))
    position = (version.questions.aggregate(top=Max("position"))["top"] or 0) + 1
    question = Question(version=version, position=position, **fields)
    _check_show_if(question)
    question.full_clean(validate_constraints=False)
    question.save()
    _set_choices(question, choices)
    return question


@transaction.atomic
def question_update(*, question: Question, choices: list[dict] | None = None, **fields) -> Question:
    _require_draft(question.version)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    if (
        "code" in fields
        and question.version.questions.filter(code=fields["code"]).exclude(pk=question.pk).exists()
    ):
        raise ApplicationError(_("This version already has a question with that code."))
    for name, value in fields.items():
        setattr(question, name, value)
    _check_show_if(question)
    question.full_clean(validate_constraints=False)
    question.save()
    _set_choices(question, choices)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    _require_draft(question.version)
    if question.dependants.exists():
        raise ApplicationError(
            _("Other questions depend on this one. Remove their show-if condition first.")
        )
    question.delete()


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Swap the question with its neighbour. A question never moves above the question
    its show-if condition reads."""
    _require_draft(question.version)
    siblings = list(question.version.questions.order_by("position", "id"))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(siblings):
        return
    siblings[index], siblings[other_index] = siblings[other_index], siblings[index]
    seen = set()
    for q in siblings:
        if q.show_if_question_id and q.show_if_question_id not in seen:
            raise ApplicationError(
                _("A question must stay below the question its show-if condition reads.")
            )
        seen.add(q.pk)
    for position, q in enumerate(siblings, start=1):
        if q.position != position:
            q.position = position
            q.save(update_fields=["position", "updated_at"])


@transaction.atomic
def version_update_intro(*, version: SurveyVersion, intro_en: str, intro_zh_hans: str):
    _require_draft(version)
    version.intro_en = intro_en
    version.intro_zh_hans = intro_zh_hans
    version.save(update_fields=["intro_en", "intro_zh_hans", "updated_at"])
    return version


@transaction.atomic
def version_publish(*, version: SurveyVersion, user: User | None = None) -> SurveyVersion:
    version = SurveyVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    questions = list(version.questions.prefetch_related("choices"))
    if not questions:
        raise ApplicationError(_("Add at least one question before publishing."))
    for question in questions:
        if question.has_choices and len(question.choices.all()) < 2:
            raise ApplicationError(
                _("Question “%(code)s” needs at least two choices.") % {"code": question.code}
            )
    version.status = SurveyVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = user
    version.full_clean(validate_constraints=False)
    version.save()
    alert_rules_seed_defaults(survey=version.survey, questions=questions)
    return version


# --- Alert rules -----------------------------------------------------------------------

ALERT_RULE_FIELDS = {
    "question_code",
    "condition",
    "value",
    "choice_code",
    "deadline_hours",
    "is_active",
}
_RULE_MATCH_FIELDS = ("question_code", "condition", "value", "choice_code")


def default_follow_up_hours() -> int:
    """The deadline of a default rule and the form's first suggestion."""
    return int(getattr(settings, "SATISFACTION_FOLLOW_UP_HOURS", 48))


def _forget_alert_rules(survey_id: int) -> None:
    """Drop the survey's cached rules once the change is committed (a submit running
    meanwhile reads the old ones, as it would have a moment earlier)."""
    transaction.on_commit(lambda: cache.delete(selectors.alert_rules_cache_key(survey_id)))


def alert_rules_seed_defaults(
    *, survey: Survey, questions, hours: int | None = None
) -> list[AlertRule]:
    """Give a survey that has never had an alert rule the default rules for `questions`
    (NPS at most 6, CSAT at most 2, any driver chosen; deadline SATISFACTION_FOLLOW_UP_HOURS).
    A survey whose rules were all deleted on purpose is left without: its history
    shows it had rules. Returns the rules created."""
    if (
        AlertRule.objects.filter(survey=survey).exists()
        or AlertRule.history.filter(survey_id=survey.pk).exists()
    ):
        return []
    if hours is None:
        hours = default_follow_up_hours()
    rules = []
    for spec in alerting.default_rules(questions):
        rule = AlertRule(survey=survey, deadline_hours=hours, **spec)
        rule.full_clean()
        rule.save()
        rules.append(rule)
    if rules:
        _forget_alert_rules(survey.pk)
    return rules


def _rule_question(*, survey: Survey, code: str) -> Question:
    version = selectors.latest_version(survey=survey)
    questions = selectors.version_questions(version=version) if version else []
    for question in questions:
        if question.code == code:
            return question
    if not questions:
        raise ApplicationError(_("The survey has no questions yet: add them first."))
    raise ApplicationError(
        _("Version %(number)s of the survey has no question “%(code)s”. Choose one of: %(codes)s.")
        % {"number": version.number, "code": code, "codes": ", ".join(q.code for q in questions)}
    )


def _check_rule(rule: AlertRule) -> None:
    """The rule fits its question in the survey's latest version, and fields the
    condition does not use are emptied."""
    question = _rule_question(survey=rule.survey, code=rule.question_code)
    kind = question.get_kind_display()
    if rule.condition in AlertRule.SCORE_CONDITIONS:
        rule.choice_code = ""
        if not question.is_scale:
            raise ApplicationError(
                _(
                    "“%(code)s” has no score (it is a question of type “%(kind)s”): a score "
                    "rule needs an NPS, CSAT, CES or rating question."
                )
                % {"code": question.code, "kind": kind}
            )
        low, high = question.scale_range
        if rule.value is not None and not low <= rule.value <= high:
            raise ApplicationError(
                _(
                    "Scores of “%(code)s” run from %(low)s to %(high)s: %(value)s is outside "
                    "the scale."
                )
                % {"code": question.code, "low": low, "high": high, "value": rule.value}
            )
        return
    rule.value = None
    if rule.condition == AlertRule.Condition.CHOSEN:
        rule.choice_code = ""
    if not question.has_choices:
        raise ApplicationError(
            _(
                "“%(code)s” has no choices (it is a question of type “%(kind)s”): a choice "
                "rule needs a single-choice, multiple-choice or driver question."
            )
            % {"code": question.code, "kind": kind}
        )
    codes = [c.code for c in question.choices.all()]
    if rule.condition == AlertRule.Condition.CHOICE_IS and rule.choice_code not in codes:
        raise ApplicationError(
            _("“%(code)s” has no choice “%(choice)s”. Its choices: %(choices)s.")
            % {"code": question.code, "choice": rule.choice_code, "choices": ", ".join(codes)}
        )


@transaction.atomic
def alert_rule_create(*, survey: Survey, **fields) -> AlertRule:
    unknown = set(fields) - ALERT_RULE_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    rule = AlertRule(survey=survey, **fields)
    if "deadline_hours" not in fields:
        rule.deadline_hours = default_follow_up_hours()
    rule.full_clean()
    _check_rule(rule)
    rule.save()
    _forget_alert_rules(survey.pk)
    return rule


@transaction.atomic
def alert_rule_update(*, rule: AlertRule, **fields) -> AlertRule:
    """Change a rule. What it matches (question, condition, score, choice) is checked
    against the survey's latest version only when it changes, so a rule whose question
    was since removed can still be switched off or given another deadline."""
    unknown = set(fields) - ALERT_RULE_FIELDS
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    rule = AlertRule.objects.select_for_update().select_related("survey").get(pk=rule.pk)
    changed = any(
        name in fields and fields[name] != getattr(rule, name) for name in _RULE_MATCH_FIELDS
    )
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.full_clean()
    if changed:
        _check_rule(rule)
    rule.save()
    _forget_alert_rules(rule.survey_id)
    return rule


@transaction.atomic
def alert_rule_delete(*, rule: AlertRule) -> None:
    survey_id = rule.survey_id
    rule.delete()
    _forget_alert_rules(survey_id)


# --- Waves -----------------------------------------------------------------------------

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
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.DRAFT:
        raise ApplicationError(_("Only a draft wave can be scheduled."))
    wave.status = Wave.Status.SCHEDULED
    wave.next_action_at = wave.starts_at
    wave.save(update_fields=["status", "next_action_at", "updated_at"])
    enqueue_on_commit("satisfaction.start_due_waves")
    return wave


@transaction.atomic
def wave_cancel(*, wave: Wave) -> Wave:
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
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
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
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
        .annotate(freeze_reason=reason, freeze_id=F("pk"), freeze_language=F("language"))
        .order_by()
        .values_list("freeze_id", "freeze_language", "freeze_reason")
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
        f"SELECT %s, %s, %s, a.freeze_id, %s, a.freeze_language, "
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
    due = list(
        _locked(
            Wave.objects.filter(
                next_action_at__lte=now,
                status__in=[Wave.Status.SCHEDULED, Wave.Status.RUNNING],
            ).order_by("next_action_at")
        )[:limit]
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


# --- Sending: invitations, reminders, expiry -------------------------------------------


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


def _in_window(wave: Wave, now: dt.datetime) -> bool:
    local = timezone.localtime(now).time()
    start, end = wave.send_window_start, wave.send_window_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # a window across midnight


def _next_window_open(wave: Wave, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    candidate = local.replace(
        hour=wave.send_window_start.hour,
        minute=wave.send_window_start.minute,
        second=0,
        microsecond=0,
    )
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate


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
            survey = wave.survey_version.survey
            with translation.override(language or "en"):
                if reminder:
                    subject = _("Reminder: %(survey)s") % {"survey": survey.title}
                    opening = _("A short reminder: your answers help us improve.")
                else:
                    subject = _("%(survey)s: tell us how we did") % {"survey": survey.title}
                    opening = _("We would value your opinion. The survey takes about two minutes.")
                body = _(
                    "Dear %(name)s,\n\n%(opening)s\n\n%(url)s\n\nThis personal link is valid "
                    "until %(expires)s. You can save your answers and finish later.\n\nNo more "
                    "surveys from us: %(optout)s\n"
                )
            opening = opening.replace("%", "%%")
            self._texts[cache_key] = (subject[:200], body.replace("%(opening)s", opening))
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
        for row in _locked(
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
            "id", "name", "email", "is_active"
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
            elif not _in_window(wave, now):
                updates[("defer", wave.pk)].append(invitation.pk)
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
            elif not _in_window(wave, now):
                updates[("defer", wave.pk)].append(invitation.pk)
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
            Wave.objects.filter(pk=wave.pk).update(sent_count=F("sent_count") + len(ids))
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
            qs.update(next_action_at=_next_window_open(wave, now), updated_at=now)
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


# --- The customer's side ---------------------------------------------------------------

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
    return response


@transaction.atomic
def invitation_opt_out(*, invitation: Invitation) -> None:
    """The customer's opt-out link: record surveys=False and stop every invitation
    not yet sent, and every further reminder."""
    now = timezone.now()
    customer = invitation.customer
    consent = (
        Consent.objects.select_for_update()
        .filter(customer=customer, channel=Consent.Channel.SURVEYS)
        .first()
    )
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


# --- Follow-up cases -------------------------------------------------------------------


def _alert_rules(*, response, questions, draft, customer) -> FollowUpCase | None:
    """The survey's alert rules (selectors.survey_alert_rules, from the cache) open a
    follow-up case where the identity mode and consent allow: never for anonymous
    surveys, for confidential ones only if the customer agreed to be contacted. The case
    is due after the shortest deadline among the rules that fired, and its reason names
    each of them. Reason and alert are written in the organisation's language
    (LANGUAGE_CODE), not the customer's: they are read by staff."""
    survey = response.survey
    if survey.identity_mode == Survey.IdentityMode.ANONYMOUS:
        return None
    if survey.identity_mode == Survey.IdentityMode.CONFIDENTIAL and not response.may_contact:
        return None
    rules = selectors.survey_alert_rules(survey_id=survey.pk)
    if not rules:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        fired = alerting.evaluate(rules, questions, draft, language=settings.LANGUAGE_CODE)
        if not fired:
            return None
        return _open_case(response=response, customer=customer, survey=survey, fired=fired)


def _open_case(*, response, customer, survey, fired) -> FollowUpCase:
    owner = customer.account_owner if customer.account_owner_id else None
    if owner is None or not owner.is_active:
        owner = _default_owner()
    due = timezone.now() + dt.timedelta(hours=alerting.case_deadline_hours(fired))
    case = FollowUpCase.objects.create(
        response=response,
        customer=customer,
        owner=owner,
        reason=alerting.case_reason(fired),
        due_at=due,
        next_action_at=due,
    )
    if owner is not None and owner.email:
        message_queue(
            key=f"followup-alert:{case.pk}",
            kind="survey_follow_up",
            recipient=owner.email,
            subject=_("Follow up with %(customer)s") % {"customer": customer.name},
            body=_(
                "%(customer)s answered “%(survey)s”: %(reason)s.\n\nPlease contact them "
                "before %(due)s and record the outcome:\n%(url)s\n"
            )
            % {
                "customer": customer.name,
                "survey": survey.title,
                "reason": case.reason,
                "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
                "url": base_url() + reverse("satisfaction:followup-detail", args=[case.pk]),
            },
        )
    return case


def _default_owner() -> User | None:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True))
        .order_by("-role", "pk")
        .first()
    )


@transaction.atomic
def followup_update(*, case: FollowUpCase, state: str, note: str = "") -> FollowUpCase:
    case = FollowUpCase.objects.select_for_update().get(pk=case.pk)
    if state not in FollowUpCase.State.values:
        raise ApplicationError(_("Unknown state."))
    case.state = state
    if note:
        case.note = (case.note + "\n" + note).strip() if case.note else note
    if state in FollowUpCase.OPEN_STATES:
        case.closed_at = None
        case.next_action_at = case.due_at if case.escalated_at is None else None
    else:
        case.closed_at = timezone.now()
        case.next_action_at = None
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def follow_ups_escalate_due(*, limit: int = 200, now: dt.datetime | None = None) -> int:
    """Scanner: an open case past its deadline escalates once to the quality managers."""
    now = now or timezone.now()
    due = list(
        _locked(FollowUpCase.objects.filter(next_action_at__lte=now).order_by("next_action_at"))[
            :limit
        ]
    )
    if not due:
        return 0
    managers = list(
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True))
        .exclude(email="")
    )
    customers = Customer.objects.only("id", "name").in_bulk({c.customer_id for c in due})
    escalated = 0
    for case in due:
        case.next_action_at = None
        if case.state in FollowUpCase.OPEN_STATES and case.escalated_at is None:
            case.escalated_at = now
            escalated += 1
            for manager in managers:
                message_queue(
                    key=f"followup-escalation:{case.pk}:{manager.pk}",
                    kind="survey_follow_up_escalation",
                    recipient=manager.email,
                    subject=_("Overdue follow-up: %(customer)s")
                    % {"customer": customers[case.customer_id].name},
                    body=_(
                        "The follow-up with %(customer)s was due %(due)s and is still open.\n"
                        "%(url)s\n"
                    )
                    % {
                        "customer": customers[case.customer_id].name,
                        "due": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M"),
                        "url": base_url() + reverse("satisfaction:followup-detail", args=[case.pk]),
                    },
                )
        case.save(update_fields=["next_action_at", "escalated_at", "updated_at"])
    return escalated


# --- Tallies (materialised analysis) ---------------------------------------------------

TALLY_LAG = dt.timedelta(seconds=60)
TALLY_KEYS = [
    "survey",
    "wave",
    "segment_key",
    "day",
    "question_code",
    "kind",
    "value_key",
    "choice_key",
    "topic_key",
    "dissatisfied",
    "n",
]


def _tally_insert(source_qs) -> int:
    """INSERT … SELECT the grouped counts of `source_qs` (annotated t_* columns) into the
    tallies, adding to existing rows (upsert on the unique key)."""
    from django.db.models.functions import Coalesce, TruncDate

    from .models import AnswerTally

    grouped = (
        source_qs.annotate(
            t_day=TruncDate("submitted_at"),
            t_segment=Coalesce("segment_id", Value(0)),
        )
        .values(
            "t_survey",
            "t_wave",
            "t_segment",
            "t_day",
            "t_code",
            "t_kind",
            "t_value",
            "t_choice",
            "t_topic",
            "t_dissatisfied",
        )
        .annotate(t_n=Count("id"))
        .order_by()
    )
    inner_sql, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    meta = AnswerTally._meta
    columns = [qn(meta.get_field(name).column) for name in TALLY_KEYS]
    sources = ", ".join(
        f"t.{qn(alias)}"
        for alias in (
            "t_survey",
            "t_wave",
            "t_segment",
            "t_day",
            "t_code",
            "t_kind",
            "t_value",
            "t_choice",
            "t_topic",
            "t_dissatisfied",
            "t_n",
        )
    )
    n_column = qn(meta.get_field("n").column)
    table = qn(meta.db_table)
    sql = (
        # Identifiers from the model's metadata; every value is a parameter.
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {sources} FROM ({inner_sql}) t WHERE 1 = 1 "
        f"ON CONFLICT ({', '.join(columns[:-1])}) "
        f"DO UPDATE SET {n_column} = {table}.{n_column} + EXCLUDED.{n_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def tally_refresh(*, now: dt.datetime | None = None, lag: dt.timedelta = TALLY_LAG) -> dict:
    """Scanner: count the answers and responses submitted since the last run into the
    tallies. Only rows older than `lag` are counted, so a submit still committing with a
    lower id is not skipped; the analysis reads everything above the watermark directly.
    """
    from django.db.models.functions import Coalesce

    from .models import TallyMark

    now = now or timezone.now()
    result = {}
    for name, model in (("answers", Answer), ("responses", Response)):
        mark, _created = TallyMark.objects.get_or_create(name=name)
        mark = TallyMark.objects.select_for_update().get(pk=mark.pk)
        top = model.objects.filter(pk__gt=mark.last_id, submitted_at__lt=now - lag).aggregate(
            top=Max("pk")
        )["top"]
        if top is None:
            result[name] = 0
            continue
        rows = model.objects.filter(pk__gt=mark.last_id, pk__lte=top)
        if model is Answer:
            rows = rows.annotate(
                t_survey=F("survey_id"),
                t_wave=F("wave_id"),
                t_code=F("question_code"),
                t_kind=F("kind"),
                t_value=Coalesce("value_int", Value(-1)),
                t_choice=Coalesce("choice_id", Value(0)),
                t_topic=Coalesce("topic_id", Value(0)),
                t_dissatisfied=F("dissatisfied"),
            )
        else:
            rows = rows.annotate(
                t_survey=F("survey_id"),
                t_wave=F("wave_id"),
                t_code=Value("", output_field=CharField()),
                t_kind=Value("response", output_field=CharField()),
                t_value=Value(-1),
                t_choice=Value(0),
                t_topic=Value(0),
                t_dissatisfied=F("dissatisfied"),
            )
        result[name] = _tally_insert(rows)
        mark.last_id = top
        mark.save(update_fields=["last_id"])
    return result


# --- Response exports ------------------------------------------------------------------

# A queued export the broker never delivered is kicked again after this long.
EXPORT_REKICK_AFTER = dt.timedelta(minutes=2)
# A running export older than this lost its worker (the task's time limit is shorter):
# it is queued again, up to EXPORT_MAX_ATTEMPTS builds.
EXPORT_STUCK_AFTER = dt.timedelta(minutes=30)
EXPORT_MAX_ATTEMPTS = 3
# A built file is deleted this long after it was built.
EXPORT_KEEP_FOR = dt.timedelta(days=7)


@transaction.atomic
def export_request(
    *,
    survey: Survey,
    format: str,
    requested_by: User | None = None,
    wave: Wave | None = None,
    language: str | None = None,
) -> ResponseExport:
    """Queue an export of the survey's answers (or one wave's) for a worker to build,
    in `language` (default: the active one, i.e. the requester's).

    The row is the outbox: if the broker is down the request still succeeds, and the
    `exports_process_due` scanner kicks the task again."""
    if wave is not None and wave.survey_version.survey_id != survey.pk:
        raise ApplicationError(_("That wave belongs to another survey."))
    export = ResponseExport(
        survey=survey,
        wave=wave,
        format=format,
        requested_by=requested_by,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        next_action_at=timezone.now() + EXPORT_REKICK_AFTER,
    )
    export.full_clean()
    export.save()
    enqueue_on_commit("satisfaction.build_export", export.pk)
    return export


def export_build(*, export_id: int) -> bool:
    """Build the file of one queued export. Returns True if this call built it.

    Not one transaction: the build may take minutes. The row is claimed with a single
    UPDATE … WHERE state = 'queued', so a task delivered twice, or kicked again by the
    scanner, builds once. The file is written to a temporary file and saved to storage
    only when complete; the row turns "done" only if it is still this attempt's (the
    scanner may have requeued a build it believed lost). A failure marks the row failed
    with a readable error and leaves no file behind."""
    now = timezone.now()
    claimed = ResponseExport.objects.filter(pk=export_id, state=ResponseExport.State.QUEUED).update(
        state=ResponseExport.State.RUNNING,
        started_at=now,
        attempts=F("attempts") + 1,
        next_action_at=now + EXPORT_STUCK_AFTER,
        error="",
        updated_at=now,
    )
    if not claimed:
        return False
    export = ResponseExport.objects.select_related("survey", "wave", "requested_by").get(
        pk=export_id
    )
    filename = exports.export_filename(
        survey=export.survey, wave=export.wave, format=export.format
    ).replace("-responses.", f"-responses-{export.pk}.")
    try:
        with translation.override(export.language), tempfile.TemporaryFile() as tmp:
            row_count = exports.write_export(
                tmp, format=export.format, survey=export.survey, wave=export.wave
            )
            tmp.seek(0)
            export.file.save(filename, File(tmp), save=False)
        with translation.override(export.language):
            built = _export_finish(export=export, row_count=row_count)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row, readably
        logger.exception("Export %s failed", export.pk)
        if export.file.name:
            _export_delete_files([export.file.name])
        with translation.override(export.language):
            _export_fail(export=export, error=_export_error(exc))
        return False
    if not built:
        _export_delete_files([export.file.name])
    return built


def _export_error(exc: Exception) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        return _("The export took longer than its time limit. Export one wave at a time.")
    if isinstance(exc, ApplicationError):
        return str(exc)
    return _("The file could not be built (%(error)s).") % {
        "error": f"{type(exc).__name__}: {exc}"[:500]
    }


def _export_url(export: ResponseExport) -> str:
    return (
        base_url()
        + reverse("satisfaction:export-list", args=[export.survey_id])
        + f"#export-{export.pk}"
    )


@transaction.atomic
def _export_finish(*, export: ResponseExport, row_count: int) -> bool:
    now = timezone.now()
    done = ResponseExport.objects.filter(
        pk=export.pk, state=ResponseExport.State.RUNNING, attempts=export.attempts
    ).update(
        state=ResponseExport.State.DONE,
        file=export.file.name,
        row_count=row_count,
        completed_at=now,
        next_action_at=now + EXPORT_KEEP_FOR,
        updated_at=now,
    )
    if not done:
        return False
    requester = export.requested_by
    if requester is not None and requester.email:
        message_queue(
            key=f"export-ready:{export.pk}",
            kind="survey_export_ready",
            recipient=requester.email,
            subject=_("Your export of “%(survey)s” is ready") % {"survey": export.survey.title},
            body=_(
                "The %(format)s export of “%(survey)s” (%(scope)s, %(rows)s answers) is "
                "ready. Download it from this page within %(days)s days:\n%(url)s\n"
            )
            % {
                "format": export.get_format_display(),
                "survey": export.survey.title,
                "scope": export.wave.name if export.wave_id else _("all waves"),
                "rows": row_count,
                "days": EXPORT_KEEP_FOR.days,
                "url": _export_url(export),
            },
        )
    return True


@transaction.atomic
def _export_fail(*, export: ResponseExport, error: str) -> None:
    now = timezone.now()
    failed = ResponseExport.objects.filter(
        pk=export.pk, state=ResponseExport.State.RUNNING, attempts=export.attempts
    ).update(
        state=ResponseExport.State.FAILED,
        failed_at=now,
        error=error,
        file="",
        next_action_at=None,
        updated_at=now,
    )
    if failed:
        _export_failure_message(export=export, error=error)


def _export_failure_message(*, export: ResponseExport, error: str) -> None:
    requester = export.requested_by
    if requester is None or not requester.email:
        return
    message_queue(
        key=f"export-failed:{export.pk}",
        kind="survey_export_failed",
        recipient=requester.email,
        subject=_("Your export of “%(survey)s” failed") % {"survey": export.survey.title},
        body=_("The export could not be built: %(error)s\n\nTry again from this page:\n%(url)s\n")
        % {"error": error, "url": _export_url(export)},
    )


def _export_delete_files(names: list[str]) -> None:
    storage = ResponseExport._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - a file left behind must not undo the state change
            logger.warning("Could not delete export file %s", name, exc_info=True)


@transaction.atomic
def exports_process_due(*, limit: int = 100, now: dt.datetime | None = None) -> dict:
    """Scanner over exports whose next action has come (bounded batch, locked rows):
    kick a queued export again (the broker may have been down), requeue a build stuck
    running (its worker died; after EXPORT_MAX_ATTEMPTS builds it fails) and delete the
    file of an export built EXPORT_KEEP_FOR ago (it becomes "expired")."""
    now = now or timezone.now()
    due = list(
        ResponseExport.objects.filter(next_action_at__lte=now)
        .select_related("survey", "requested_by")
        # Lock the exports only: the requester is an outer join PostgreSQL cannot lock.
        .select_for_update(skip_locked=settings.IS_POSTGRES, of=("self",))
        .order_by("next_action_at")[:limit]
    )
    counts = {"rekicked": 0, "requeued": 0, "failed": 0, "expired": 0}
    files = []
    state = ResponseExport.State
    for export in due:
        fields = ["state", "next_action_at", "updated_at"]
        if export.state == state.QUEUED:
            export.next_action_at = now + EXPORT_REKICK_AFTER
            enqueue_on_commit("satisfaction.build_export", export.pk)
            counts["rekicked"] += 1
        elif export.state == state.RUNNING and export.attempts >= EXPORT_MAX_ATTEMPTS:
            export.state = state.FAILED
            export.failed_at = now
            export.next_action_at = None
            with translation.override(export.language):
                export.error = _(
                    "The export was started %(attempts)s times and never finished. Export one "
                    "wave at a time, or tell your administrator."
                ) % {"attempts": export.attempts}
                fields += ["failed_at", "error"]
                _export_failure_message(export=export, error=export.error)
            counts["failed"] += 1
        elif export.state == state.RUNNING:
            export.state = state.QUEUED
            export.next_action_at = now + EXPORT_REKICK_AFTER
            enqueue_on_commit("satisfaction.build_export", export.pk)
            counts["requeued"] += 1
        elif export.state == state.DONE:
            if export.file.name:
                files.append(export.file.name)
            export.state = state.EXPIRED
            export.expired_at = now
            export.file = ""
            export.next_action_at = None
            fields += ["expired_at", "file"]
            counts["expired"] += 1
        else:
            export.next_action_at = None
        export.save(update_fields=fields)
    if files:
        transaction.on_commit(lambda: _export_delete_files(files))
    return counts
