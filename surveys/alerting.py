"""Alert rules: which answers open a follow-up case (closing the loop with the customer).

Pure functions over rules, questions and a draft (the answers by question code), so the
submit path evaluates the rules without a query (the rules and questions come from the
cache). The default rules are built here for all three places that give a survey its
first rules: `services.version_publish` (a survey's first published version), the data
migration satisfaction 0007 (surveys that existed before rules were configurable) and the demo.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

# The rules that were hard-coded before they became configurable, by question kind:
# NPS at most 6, CSAT at most 2, any driver chosen.
DEFAULT_RULES = {
    "nps": ("at_most", 6),
    "csat": ("at_most", 2),
    "driver": ("chosen", None),
}
DEFAULT_CHANGE_REASON = "Default rules on upgrade"

_KIND_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def default_rules(questions) -> list[dict]:
    """The default rules for a version's questions (anything with `code` and `kind`):
    one per NPS, CSAT and driver question, in question order."""
    rules = []
    for question in questions:
        spec = DEFAULT_RULES.get(question.kind)
        if spec is not None:
            rules.append({"question_code": question.code, "condition": spec[0], "value": spec[1]})
    return rules


def seed_existing_surveys(apps, *, hours: int, app_label: str = "surveys") -> int:
    """Migration satisfaction 0007: every survey with no rule gets the default rules for
    the question codes of its latest published version, each due after `hours` (the old
    SATISFACTION_FOLLOW_UP_HOURS), so follow-ups open exactly as before the upgrade.
    Each creation is recorded in the rule's history (no user; reason "Default rules on
    upgrade"). Returns the number of rules created.

    Reads models only through `apps.get_model`, so it runs on the migration's historical
    models (where the models were still in the app `satisfaction`: `app_label`); tests
    call it with the live registry (`django.apps.apps`)."""
    survey_version = apps.get_model(app_label, "SurveyVersion")
    question_model = apps.get_model(app_label, "Question")
    rule_model = apps.get_model(app_label, "AlertRule")
    history_model = apps.get_model(app_label, "HistoricalAlertRule")

    has_rules = set(rule_model.objects.values_list("survey_id", flat=True))
    latest: dict[int, int] = {}  # survey id -> its latest published version id
    for survey_id, version_id in (
        survey_version.objects.filter(status="published")
        .order_by("survey_id", "number")
        .values_list("survey_id", "pk")
    ):
        if survey_id not in has_rules:
            latest[survey_id] = version_id
    questions: dict[int, list] = {}
    for row in (
        question_model.objects.filter(version_id__in=latest.values())
        .order_by("version_id", "position", "id")
        .only("version_id", "code", "kind")
    ):
        questions.setdefault(row.version_id, []).append(row)
    now = timezone.now()
    rules = [
        rule_model(
            survey_id=survey_id,
            deadline_hours=hours,
            is_active=True,
            created_at=now,
            updated_at=now,
            **spec,
        )
        for survey_id, version_id in latest.items()
        for spec in default_rules(questions.get(version_id, []))
    ]
    rules = rule_model.objects.bulk_create(rules)
    history_model.objects.bulk_create(
        history_model(
            id=rule.pk,
            survey_id=rule.survey_id,
            question_code=rule.question_code,
            condition=rule.condition,
            value=rule.value,
            choice_code=rule.choice_code,
            deadline_hours=rule.deadline_hours,
            is_active=rule.is_active,
            created_at=now,
            updated_at=now,
            history_date=now,
            history_type="+",
            history_change_reason=DEFAULT_CHANGE_REASON,
            history_user=None,
        )
        for rule in rules
    )
    return len(rules)


class Fired(NamedTuple):
    rule: object  # AlertRule
    reason: str


def question_label(question) -> str:
    """How a reason names a question: NPS, CSAT or CES for the question whose code is
    the kind itself, else the question's code."""
    label = _KIND_LABELS.get(question.kind)
    return label if label and question.code == question.kind else question.code


def evaluate(rules, questions, draft: dict, *, language: str | None = None) -> list[Fired]:
    """The rules the answers fire, each with its reason in words, e.g. "NPS 3 (rule: at
    most 6)" or "Disappointed by: Long queue". Inactive rules, rules whose question is
    not in this version (or not answered), and rules whose condition does not fit the
    question's type in this version are ignored."""
    by_code = {q.code: q for q in questions}
    fired = []
    for rule in rules:
        if not rule.is_active:
            continue
        question = by_code.get(rule.question_code)
        if question is None:
            continue
        value = draft.get(question.code)
        if value in (None, "", []):
            continue
        reason = _reason(rule, question, value, language)
        if reason:
            fired.append(Fired(rule, reason))
    return fired


def _reason(rule, question, value, language) -> str:
    if rule.condition in ("at_most", "at_least"):
        if not question.is_scale or not isinstance(value, int) or isinstance(value, bool):
            return ""
        if rule.condition == "at_most" and value <= rule.value:
            limit = _("at most %(value)s") % {"value": rule.value}
        elif rule.condition == "at_least" and value >= rule.value:
            limit = _("at least %(value)s") % {"value": rule.value}
        else:
            return ""
        return _("%(question)s %(value)s (rule: %(limit)s)") % {
            "question": question_label(question),
            "value": value,
            "limit": limit,
        }
    if not question.has_choices:
        return ""
    codes = value if isinstance(value, list) else [value]
    if rule.condition == "choice_is":
        if rule.choice_code not in codes:
            return ""
        codes = [rule.choice_code]
    elif rule.condition != "chosen":
        return ""
    texts = {c.code: c.text(language) for c in question.choices.all()}
    names = ", ".join(texts.get(code, code) for code in codes)
    if question.kind == "driver":
        return _("Disappointed by: %(names)s") % {"names": names}
    return _("%(question)s: %(names)s") % {"question": question_label(question), "names": names}


def case_reason(fired: list[Fired]) -> str:
    """The case's "why": each fired rule once, in rule order, at most 300 characters."""
    reasons = list(dict.fromkeys(f.reason for f in fired))
    return "; ".join(reasons)[:300]


def case_deadline_hours(fired: list[Fired]) -> int:
    """The shortest deadline among the rules that fired."""
    return min(f.rule.deadline_hours for f in fired)
