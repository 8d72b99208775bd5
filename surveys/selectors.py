"""Reads of survey authoring. Surveys are organisation-wide records: quality managers
and viewers read them; department heads and staff do not (the views answer 403)."""

from __future__ import annotations

import threading
from collections import OrderedDict

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from .models import AlertRule, Question, Survey, SurveyVersion


def _can_read(user) -> bool:
    return bool(getattr(user, "can_view_all", False))


def survey_get_for_user(*, user, pk) -> Survey:
    if not _can_read(user):
        raise Http404
    try:
        return Survey.objects.get(pk=pk)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def version_get_for_user(*, user, pk) -> SurveyVersion:
    if not _can_read(user):
        raise Http404
    try:
        return SurveyVersion.objects.select_related("survey").get(pk=pk)
    except (SurveyVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# Published versions' questions kept in this process's memory, in front of the shared
# cache: the customer's page and submit read them on every request, and unpickling them
# from the cache cost more than the rest of the lookup. A published version never
# changes, and the key carries its publication time, so an entry is never stale;
# `published_questions_forget` drops a version's entry when it is (re)published here.
LOCAL_QUESTIONS_MAX = 64
_local_questions: OrderedDict[str, list[Question]] = OrderedDict()
_local_lock = threading.Lock()


def _questions_key(version: SurveyVersion) -> str:
    return f"satisfaction:questions:{version.pk}:{version.published_at.timestamp()}"


def published_questions_forget(*, version_id: int) -> None:
    prefix = f"satisfaction:questions:{version_id}:"
    with _local_lock:
        for key in [k for k in _local_questions if k.startswith(prefix)]:
            del _local_questions[key]


def version_questions(*, version: SurveyVersion) -> list[Question]:
    """The version's questions with their choices. A published version never changes,
    so its questions are kept in process memory and in the cache (the customer's page and
    submit read them on every request); a draft is always read fresh. The list is shared
    between requests: read it, never change its objects."""
    if version.is_draft:
        return _load_questions(version)
    key = _questions_key(version)
    questions = _local_questions.get(key)
    if questions is not None:
        return questions
    questions = cache.get(key)
    if questions is None:
        questions = _load_questions(version)
        cache.set(key, questions, timeout=3600)
    with _local_lock:
        _local_questions[key] = questions
        while len(_local_questions) > LOCAL_QUESTIONS_MAX:
            _local_questions.popitem(last=False)
    return questions


def _load_questions(version: SurveyVersion) -> list[Question]:
    return list(
        version.questions.select_related("show_if_question")
        .prefetch_related("choices__topic")
        .order_by("position", "id")
    )


ALERT_RULES_TTL = 60


def alert_rules_cache_key(survey_id: int) -> str:
    return f"satisfaction:alert-rules:{survey_id}"


def survey_alert_rules(*, survey_id: int) -> list[AlertRule]:
    """The survey's active alert rules, as the submit path evaluates them. Kept in the
    cache (every submit of an identified or consenting response reads them, and the
    submit must not cost a query more); the rule services drop the key when their
    transaction commits. The minute's timeout bounds how stale a per-process cache
    (CACHE_URL unset, several web processes) can be; a shared cache sees a change at
    once."""
    key = alert_rules_cache_key(survey_id)
    rules = cache.get(key)
    if rules is None:
        rules = list(AlertRule.objects.filter(survey_id=survey_id, is_active=True).order_by("id"))
        cache.set(key, rules, timeout=ALERT_RULES_TTL)
    return rules


def latest_version(*, survey: Survey) -> SurveyVersion | None:
    """The survey's newest version, draft or published: alert rules are written against
    its questions."""
    return survey.versions.order_by("-number").first()


def alert_rule_list(*, survey: Survey) -> QuerySet[AlertRule]:
    return AlertRule.objects.filter(survey=survey).order_by("question_code", "id")


def alert_rule_get_for_user(*, user, pk, survey: Survey | None = None) -> AlertRule:
    """One alert rule; a rule of another survey, or a guessed id, is a 404."""
    if not _can_read(user):
        raise Http404
    qs = AlertRule.objects.select_related("survey")
    if survey is not None:
        qs = qs.filter(survey=survey)
    try:
        return qs.get(pk=pk)
    except (AlertRule.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def alert_rule_history(*, survey: Survey) -> QuerySet:
    """The history of every alert rule of the survey, deleted ones included, newest
    first, with who made each change."""
    return (
        AlertRule.history.filter(survey_id=survey.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def question_get_for_user(*, user, pk) -> Question:
    if not _can_read(user):
        raise Http404
    try:
        return Question.objects.select_related("version__survey").get(pk=pk)
    except (Question.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def alert_rule_rows(*, survey: Survey, version: SurveyVersion | None) -> list[dict]:
    """The survey's rules in words, with their question in `version` (the latest; None
    where the question is not in it)."""
    questions = {q.code: q for q in (version_questions(version=version) if version else [])}
    rows = []
    for rule in alert_rule_list(survey=survey):
        question = questions.get(rule.question_code)
        choice_text = ""
        if question is not None and rule.choice_code:
            choice_text = next(
                (c.text() for c in question.choices.all() if c.code == rule.choice_code), ""
            )
        rows.append(
            {"rule": rule, "question": question, "condition": rule.condition_text(choice_text)}
        )
    return rows
