"""Reads of corrective actions, scoped to the user.

Scope: quality managers and viewers read every action; anyone else reads the actions of
their departments (head or staff), the actions they own, and the actions with a measure
they own or that their department carries out. Anything else is "not found" (404).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.exceptions import ApplicationError
from qms.models import Department
from qms.selectors import department_ids_for_user

from .models import (
    ActionSource,
    ActionTransition,
    CorrectiveAction,
    EffectivenessCriterion,
    Measure,
    SourceKind,
)

S = CorrectiveAction.Status
OPEN_STATES = [s for s in S.values if s not in CorrectiveAction.TERMINAL]


def scope_actions(queryset: QuerySet, user) -> QuerySet:
    if getattr(user, "can_view_all", False):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    ids = department_ids_for_user(user)
    # A semi-join on the user's measures (hashed once), not a correlated EXISTS per row.
    involved = Measure.objects.filter(Q(owner=user) | Q(department_id__in=ids)).values("action_id")
    return queryset.filter(Q(department_id__in=ids) | Q(owner=user) | Q(pk__in=involved))


def _measure_count(**filters):
    """A per-row count subquery: evaluated only for the rows of the page, unlike a JOIN
    with GROUP BY over the whole table."""
    return Coalesce(
        Subquery(
            Measure.objects.filter(action=OuterRef("pk"), **filters)
            .order_by()
            .values("action")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
        0,
    )


def action_list(
    *,
    user,
    status: str = "",
    source: str = "",
    department_id: int | None = None,
    owner_id: int | None = None,
    overdue: bool = False,
    search: str = "",
    topic_id: int | None = None,
) -> QuerySet[CorrectiveAction]:
    qs = CorrectiveAction.objects.select_related("department", "owner", "topic").annotate(
        measure_count=_measure_count(),
        measures_done=_measure_count(status=Measure.Status.DONE),
    )
    qs = scope_actions(qs, user)
    if status == "active":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source_kind=source)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if topic_id:
        qs = qs.filter(topic_id=topic_id)
    if overdue:
        qs = qs.filter(status__in=CorrectiveAction.ESCALATING, due_date__lt=timezone.localdate())
    if search:
        qs = qs.filter(
            Q(reference__icontains=search)
            | Q(title__icontains=search)
            | Q(description__icontains=search)
        )
    return qs.order_by("-created_at", "-id")


def action_get_for_user(*, user, pk) -> CorrectiveAction:
    qs = scope_actions(
        CorrectiveAction.objects.select_related(
            "department__head",
            "owner",
            "topic",
            "implemented_by",
            "verified_by",
            "duplicate_of",
        ),
        user,
    )
    try:
        return qs.get(pk=pk)
    except (CorrectiveAction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def action_detail(*, action: CorrectiveAction) -> dict:
    """Everything the action page and the 8D report show, in a fixed number of queries."""
    return {
        "measures": list(action.measures.select_related("owner", "department")),
        "timeline": list(action.transitions.select_related("actor")),
        "criteria": list(action.criteria.all()),
        "extensions": list(action.extensions.select_related("by")),
        "sources": list(
            action.sources.select_related(
                "wave",
                "topic",
                "followup_case__customer",
                "objective",
                "objective_analysis",
                "complaint",
            )
        ),
        "duplicates": list(action.duplicates.only("id", "reference", "title")),
    }


def similar_actions(*, user, topic_id, exclude_pk=None) -> dict:
    """Open and past actions and complaints on the same topic, so a duplicate is merged,
    not opened."""
    if not topic_id:
        return {"open": [], "past": [], "complaints": []}
    qs = scope_actions(
        CorrectiveAction.objects.filter(topic_id=topic_id, duplicate_of__isnull=True)
        .select_related("owner", "department")
        .order_by("-created_at", "-id"),
        user,
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return {
        "open": list(qs.filter(status__in=OPEN_STATES)[:10]),
        "past": list(qs.exclude(status__in=OPEN_STATES)[:10]),
        "complaints": complaints_on_topic(topic_id=topic_id),
    }


def complaints_on_topic(*, topic_id) -> list:
    """Complaints on the same topic (newest first, 10 at most), shown before an action
    is opened so a duplicate is merged rather than multiplied."""
    from crm.models import Complaint

    return list(
        Complaint.objects.filter(topic_id=topic_id)
        .select_related("customer")
        .order_by("-received_at", "-id")[:10]
    )


def complaints_from_refs(text: str) -> list:
    """The complaints named by their references (“CMP-2026-00001, CMP-2026-00007”);
    an unknown reference is an error the user can read."""
    from crm.models import Complaint

    refs = [ref.strip().upper() for ref in text.replace(";", ",").split(",") if ref.strip()]
    found = {c.reference: c for c in Complaint.objects.filter(reference__in=refs)}
    missing = [ref for ref in refs if ref not in found]
    if missing:
        raise ApplicationError(
            _("No complaint has the reference %(refs)s.") % {"refs": ", ".join(missing)}
        )
    return [found[ref] for ref in dict.fromkeys(refs)]


def my_actions(*, user) -> QuerySet[CorrectiveAction]:
    return (
        CorrectiveAction.objects.filter(owner=user, status__in=OPEN_STATES)
        .select_related("department", "topic")
        .order_by("due_date", "id")
    )


def my_measures(*, user) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(owner=user)
        .exclude(status=Measure.Status.DONE)
        .exclude(action__status__in=CorrectiveAction.TERMINAL)
        .select_related("action", "department")
        .order_by("due_date", "id")
    )


def measure_list(*, user, action_id: int | None = None) -> QuerySet[Measure]:
    qs = Measure.objects.select_related("action", "owner", "department")
    if not getattr(user, "can_view_all", False):
        qs = qs.filter(action__in=scope_actions(CorrectiveAction.objects.all(), user))
    if action_id:
        qs = qs.filter(action_id=action_id)
    return qs.order_by("action_id", "due_date", "id")


def measure_get_for_user(*, user, pk) -> Measure:
    try:
        return measure_list(user=user).get(pk=pk)
    except (Measure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def actions_for_source(obj, *, user=None) -> list[CorrectiveAction]:
    """The actions opened from `obj` (a wave, a follow-up case, an objective, an
    objective analysis or a topic), for `{% actions_for obj %}` on the source's page."""
    field = {
        "wave": "wave",
        "followupcase": "followup_case",
        "objective": "objective",
        "objectiveanalysis": "objective_analysis",
        "complaint": "complaint",
        "topic": "topic",
    }.get(obj._meta.model_name)
    if field is None:
        return []
    if field == "topic":
        qs = CorrectiveAction.objects.filter(topic=obj).select_related("owner")
    else:
        sources = ActionSource.objects.filter(**{field: obj}).values("action_id")
        qs = CorrectiveAction.objects.filter(pk__in=sources).select_related("owner")
    if user is not None:
        qs = scope_actions(qs, user)
    return list(qs.order_by("-created_at", "-id")[:50])


def transitions_prefetch():
    return Prefetch("transitions", queryset=ActionTransition.objects.select_related("actor"))


def criteria_chart_data(criteria: list[EffectivenessCriterion]) -> dict:
    from qms.registry import registry

    labels, baseline, followup, targets = [], [], [], []
    for c in criteria:
        try:
            label = str(registry.get(c.metric_key).label)
        except Exception:  # noqa: BLE001 - a metric unregistered later still shows its key
            label = c.metric_key
        labels.append(
            registry.describe(c.metric_key, c.metric_params) if c.metric_params else label
        )
        baseline.append(float(c.baseline_value) if c.baseline_value is not None else None)
        followup.append(float(c.followup_value) if c.followup_value is not None else None)
        targets.append(float(c.target_change_pct))
    return {"labels": labels, "baseline": baseline, "followup": followup, "targets": targets}


# --- An action opened from its source, and its proposed criterion ---------------------

# How a source reads in an action's title: “Check-in wait: detractor follow-up, Hotel stay
# pulse”.
SOURCE_WORDS = {
    SourceKind.SURVEY_FINDING: gettext_lazy("survey finding"),
    SourceKind.FOLLOWUP_CASE: gettext_lazy("detractor follow-up"),
    SourceKind.COMPLAINT: gettext_lazy("complaint"),
    SourceKind.MISSED_OBJECTIVE: gettext_lazy("missed objective"),
}


def source_title(*, kind: str, topic=None, where: str = "") -> str:
    """A readable title: the topic, what the action comes from, and where."""
    text = str(SOURCE_WORDS.get(kind, ""))
    if where:
        text = f"{text}, {where}" if text else where
    if topic is not None:
        text = f"{topic.name}: {text}" if text else topic.name
    return (text[:1].upper() + text[1:])[:200] if text else ""


def department_for_topic(topic) -> Department | None:
    """The department a topic is deployed to most (its customer needs are committed
    there): the natural owner of an action on that topic."""
    if topic is None:
        return None
    return (
        Department.objects.filter(requirement_deployments__requirement__topics=topic)
        .annotate(needs=Count("requirement_deployments"))
        .order_by("-needs", "name")
        .first()
    )


def _case_answers(case) -> tuple[object, str]:
    """The topic the customer named (their first driver answer with a topic) and what
    they wrote in their own words."""
    from satisfaction.models import Answer
    from surveys.models import Question

    answers = list(
        Answer.objects.filter(response_id=case.response_id)
        .select_related("topic", "question")
        .order_by("question__position", "id")
    )
    topic = next(
        (a.topic for a in answers if a.kind == Question.Kind.DRIVER and a.topic_id), None
    ) or next((a.topic for a in answers if a.topic_id), None)
    words = [a.value_text.strip() for a in answers if (a.value_text or "").strip()]
    return topic, "\n".join(words)


def initial_from_source(
    *, case=None, complaint=None, wave=None, topic=None, objective=None, analysis=None
) -> dict:
    """What the new-action form arrives filled in with, from its source: topic,
    department, the customer's words, a readable title and the source itself."""
    initial: dict = {}
    if case is not None:
        named, words = _case_answers(case)
        topic = topic or named
        survey = case.response.survey
        reason = _("Why: %(reason)s") % {"reason": case.reason}
        said = _("The customer wrote: “%(words)s”") % {"words": words} if words else ""
        initial.update(
            source_kind=SourceKind.FOLLOWUP_CASE,
            followup_case=case,
            title=source_title(kind=SourceKind.FOLLOWUP_CASE, topic=topic, where=survey.title),
            description="\n".join(
                t for t in (f"{case.customer.name} · {survey.title}", reason, said) if t
            ),
        )
    elif complaint is not None:
        topic = topic or complaint.topic
        text = complaint.description
        if complaint.remedy_sought:
            text += "\n" + _("Remedy sought: %(remedy)s") % {"remedy": complaint.remedy_sought}
        initial.update(
            source_kind=SourceKind.COMPLAINT,
            complaints=[complaint],
            title=source_title(kind=SourceKind.COMPLAINT, topic=topic, where=complaint.reference),
            description=f"{complaint.customer.name} · {complaint.reference}\n{text}",
        )
        if complaint.department_id:
            initial["department"] = complaint.department
    elif wave is not None:
        survey = wave.survey_version.survey
        initial.update(
            source_kind=SourceKind.SURVEY_FINDING,
            wave=wave,
            title=source_title(kind=SourceKind.SURVEY_FINDING, topic=topic, where=survey.title),
        )
    elif objective is not None:
        initial.update(
            source_kind=SourceKind.MISSED_OBJECTIVE,
            objective=objective,
            objective_analysis=analysis,
            title=source_title(kind=SourceKind.MISSED_OBJECTIVE, where=objective.title),
            description=analysis.text if analysis else "",
        )
        if objective.department_id:
            initial["department"] = objective.department
    if topic is not None:
        initial["topic"] = topic
        if "department" not in initial:
            department = department_for_topic(topic)
            if department is not None:
                initial["department"] = department
    if initial.get("department") is not None and initial["department"].head_id:
        initial.setdefault("owner", initial["department"].head)
    return initial


# Proposed target changes: halve a driver's share or the complaints, lift a score.
DRIVER_TARGET = Decimal("-50")
LOWER_TARGET = Decimal("-50")
HIGHER_TARGET = Decimal("10")


def criterion_proposal(action: CorrectiveAction) -> dict | None:
    """A criterion proposed from the action's source, for the quality manager to accept
    or change: a driver finding or a follow-up case proposes that driver's share on that
    survey, halved; a complaint the complaint rate on its topic, halved; a missed
    objective the metric of its computed key result. None when nothing fits."""
    from qms.registry import Direction, registry

    sources = list(
        action.sources.select_related(
            "wave__survey_version__survey",
            "topic",
            "followup_case__response__survey",
            "complaint__topic",
            "objective",
        )
    )
    topic = action.topic
    for source in sources:
        survey = None
        if source.wave_id:
            survey = source.wave.survey_version.survey
        elif source.followup_case_id:
            survey = source.followup_case.response.survey
        if survey is not None:
            driver = source.topic or topic
            if driver is not None:
                return _proposal(
                    "driver_share", {"survey": survey.code, "topic": driver.slug}, DRIVER_TARGET
                )
            return _proposal("nps", {"survey": survey.code}, HIGHER_TARGET)
        if source.complaint_id:
            return _proposal(
                "complaint_rate", {"topic": (source.complaint.topic or topic).slug}, LOWER_TARGET
            )
        if source.objective_id:
            key_result = source.objective.key_results.exclude(metric_key="").order_by("id").first()
            if key_result is not None:
                try:
                    metric = registry.get(key_result.metric_key)
                except ApplicationError:
                    continue
                target = (
                    LOWER_TARGET if metric.direction == Direction.LOWER_IS_BETTER else HIGHER_TARGET
                )
                return _proposal(metric.key, dict(key_result.metric_params or {}), target)
    if topic is not None:
        return _proposal("driver_share", {"topic": topic.slug}, DRIVER_TARGET)
    return None


def _proposal(metric_key: str, params: dict, target: Decimal) -> dict | None:
    from qms.registry import registry

    try:
        registry.get(metric_key)
    except ApplicationError:
        return None
    return {
        "metric_key": metric_key,
        "metric_params": params,
        "target_change_pct": target,
        "words": registry.describe(metric_key, params, target),
    }


PREVIEW_DAYS = 90


def criterion_preview(*, metric_key: str, params: dict, today=None) -> dict:
    """The metric's value now (the last 90 days) with its n, to see what a criterion
    would measure before choosing it. Never raises: a wrong choice reads as a message."""
    from qms.registry import Period, registry

    today = today or timezone.localdate()
    period = Period(today - dt.timedelta(days=PREVIEW_DAYS - 1), today)
    try:
        metric = registry.get(metric_key)
        value = registry.compute(metric_key, period=period, **params)
    except ApplicationError as exc:
        return {"error": str(exc)}
    return {
        "metric": metric,
        "value": value.value,
        "n": value.n,
        "unit": metric.unit,
        "period": period,
        "words": registry.describe(metric_key, params),
    }
