"""Alert rules: which answers open a follow-up case, and how soon it is due."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from qms.exceptions import ApplicationError
from qms.services_kit import model_update

from .. import alerting, selectors
from ..models import AlertRule, Question, Survey

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
                    "“%(question)s” has no score (it is a question of type “%(kind)s”): a "
                    "score rule needs an NPS, CSAT, CES or rating question."
                )
                % {"question": question.text(), "kind": kind}
            )
        low, high = question.scale_range
        if rule.value is not None and not low <= rule.value <= high:
            raise ApplicationError(
                _(
                    "Scores of “%(question)s” run from %(low)s to %(high)s: %(value)s is "
                    "outside the scale."
                )
                % {"question": question.text(), "low": low, "high": high, "value": rule.value}
            )
        return
    rule.value = None
    if rule.condition == AlertRule.Condition.CHOSEN:
        rule.choice_code = ""
    if not question.has_choices:
        raise ApplicationError(
            _(
                "“%(question)s” has no choices (it is a question of type “%(kind)s”): a "
                "choice rule needs a single-choice, multiple-choice or driver question."
            )
            % {"question": question.text(), "kind": kind}
        )
    choices = list(question.choices.all())
    if rule.condition == AlertRule.Condition.CHOICE_IS and rule.choice_code not in {
        c.code for c in choices
    }:
        raise ApplicationError(
            _("“%(question)s” has no such choice. Its choices: %(choices)s.")
            % {"question": question.text(), "choices": ", ".join(c.text() for c in choices)}
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

    def check(rule):  # on a valid rule, as before
        rule.full_clean()
        _check_rule(rule)

    rule, _changed = model_update(
        instance=rule, fields=ALERT_RULE_FIELDS, data=fields, prepare=check if changed else None
    )
    _forget_alert_rules(rule.survey_id)
    return rule


@transaction.atomic
def alert_rule_delete(*, rule: AlertRule) -> None:
    survey_id = rule.survey_id
    rule.delete()
    _forget_alert_rules(survey_id)
