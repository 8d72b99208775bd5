"""Reads of objectives, scoped to the user, with progress and health attached.

Scope (docs/architecture.md section 7.5):
- quality managers and viewers read every objective;
- anyone in a department (head or staff) reads the organisation objectives (they are the
  goals every department inherits, guide point 2) and the objectives of their own
  departments; another department's objective is "not found" (404);
- a person in no department reads nothing.
Editing is narrower: see `can_edit_objective` and `can_check_in`.

Progress, health and roll-up are computed in Python from prefetched key results (two
queries for any number of objectives), with the pure functions of `progress.py`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from qms.models import Department, User
from qms.registry import Period
from qms.selectors import department_ids_for_user, headed_department_ids
from requirements.models import Requirement

from . import progress as maths
from .models import CheckIn, KeyResult, Objective

# --- Scope ----------------------------------------------------------------------------


def objective_scope(queryset: QuerySet[Objective], user) -> QuerySet[Objective]:
    if getattr(user, "can_view_all", False):
        return queryset
    ids = department_ids_for_user(user)
    if not ids:
        return queryset.none()
    return queryset.filter(Q(level=Objective.Level.ORGANISATION) | Q(department_id__in=ids))


def can_edit_objective(user, objective: Objective) -> bool:
    """Quality managers edit every objective; a department head edits their own
    department's objectives."""
    if user.is_quality_manager:
        return True
    return bool(objective.department_id) and objective.department_id in headed_department_ids(user)


def can_create_for_department(user, department: Department | None) -> bool:
    if user.is_quality_manager:
        return True
    return department is not None and department.pk in headed_department_ids(user)


def can_check_in(user, objective: Objective) -> bool:
    """The head of the objective's department, or a quality manager (organisation
    objectives: quality managers only)."""
    return can_edit_objective(user, objective)


def _key_results_prefetch() -> Prefetch:
    return Prefetch("key_results", queryset=KeyResult.objects.order_by("id"))


def objective_queryset() -> QuerySet[Objective]:
    return Objective.objects.select_related("department", "owner", "parent").prefetch_related(
        _key_results_prefetch()
    )


def objective_get_for_user(*, user, pk) -> Objective:
    try:
        objective = objective_scope(objective_queryset(), user).get(pk=pk)
    except (Objective.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    attach_progress([objective])
    return objective


def objective_list(
    *, user, period_label: str = "", department_id: int | None = None, level: str = ""
) -> QuerySet[Objective]:
    qs = objective_scope(objective_queryset(), user)
    if period_label:
        qs = qs.filter(period_label=period_label)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("period_start", "level", "title", "id")


def key_result_list(*, user, objective_id: int | None = None) -> QuerySet[KeyResult]:
    qs = KeyResult.objects.select_related("objective", "objective__department")
    if not getattr(user, "can_view_all", False):
        ids = department_ids_for_user(user)
        if not ids:
            return qs.none()
        qs = qs.filter(
            Q(objective__level=Objective.Level.ORGANISATION) | Q(objective__department_id__in=ids)
        )
    if objective_id:
        qs = qs.filter(objective_id=objective_id)
    return qs.order_by("objective_id", "id")


def key_result_get_for_user(*, user, pk) -> KeyResult:
    try:
        return key_result_list(user=user).get(pk=pk)
    except (KeyResult.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def checkin_list(*, user, key_result_id: int | None = None) -> QuerySet[CheckIn]:
    qs = CheckIn.objects.select_related("key_result", "by")
    if not getattr(user, "can_view_all", False):
        ids = department_ids_for_user(user)
        if not ids:
            return qs.none()
        qs = qs.filter(
            Q(key_result__objective__level=Objective.Level.ORGANISATION)
            | Q(key_result__objective__department_id__in=ids)
        )
    if key_result_id:
        qs = qs.filter(key_result_id=key_result_id)
    return qs.order_by("-at", "-id")


# --- Progress -------------------------------------------------------------------------


def attach_progress(objectives, *, now: dt.datetime | None = None) -> None:
    """Set `progress`, `health`, `stale`, `elapsed` on each objective and `progress` on
    each of its (prefetched) key results. No queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    for objective in objectives:
        krs = list(objective.key_results.all())
        for kr in krs:
            kr.progress = maths.key_result_progress(
                direction=kr.direction,
                baseline=kr.baseline,
                target=kr.target,
                current=kr.current_value,
            )
        objective.kr_list = krs
        objective.progress = maths.objective_progress((kr.weight, kr.progress) for kr in krs)
        objective.elapsed = maths.elapsed_percent(
            start=objective.period_start, end=objective.period_end, today=today
        )
        started_on = max(objective.period_start, timezone.localdate(objective.created_at))
        objective.stale = objective.status == Objective.Status.ACTIVE and maths.is_stale(
            last_checkin_at=objective.last_checkin_at,
            started_on=started_on,
            interval_days=objective.interval_days,
            now=now,
        )
        if objective.status == Objective.Status.CLOSED:
            objective.stale = False
        objective.health = maths.health(
            progress=objective.progress, elapsed=objective.elapsed, stale=objective.stale
        )


def health_columns(objective: Objective, key_results) -> dict:
    """The stored health columns of an objective from its key results (no queries)."""
    return maths.stored_health(
        key_results=[
            maths.KeyResultInput(
                weight=kr.weight,
                direction=kr.direction,
                baseline=kr.baseline,
                target=kr.target,
                current=kr.current_value,
            )
            for kr in key_results
        ],
        period_start=objective.period_start,
        period_end=objective.period_end,
        started_on=max(objective.period_start, timezone.localdate(objective.created_at)),
        last_checkin_at=objective.last_checkin_at,
        interval_days=objective.interval_days,
        active=objective.status == Objective.Status.ACTIVE,
    )


def health_counts(queryset: QuerySet[Objective], *, now: dt.datetime | None = None) -> dict:
    """Objectives of `queryset` by health, counted in SQL from the stored columns (one
    query whatever the number): {on_track, at_risk, off_track, no_data, total}."""
    from django.db.models import Count

    now = now or timezone.now()
    today = timezone.localdate(now)
    measured = Q(health_progress__isnull=False)
    keeps_pace = Q(on_track_until__isnull=True) | Q(on_track_until__gte=today)
    fresh = Q(stale_after__isnull=True) | Q(stale_after__gte=now)
    within_risk = Q(at_risk_until__isnull=True) | Q(at_risk_until__gte=today)
    counts = queryset.order_by().aggregate(
        total=Count("id"),
        no_data=Count("id", filter=~measured),
        on_track=Count("id", filter=measured & keeps_pace & fresh),
        at_risk=Count(
            "id", filter=measured & ((keeps_pace & ~fresh) | (~keeps_pace & within_risk))
        ),
    )
    counts["off_track"] = (
        counts["total"] - counts["no_data"] - counts["on_track"] - counts["at_risk"]
    )
    return counts


def attach_rollup(parent: Objective, children: list[Objective]) -> None:
    """The roll-up of aligned objectives, kept apart from the parent's own progress."""
    parent.children_list = children
    parent.rollup = maths.rollup((child.weight, child.progress) for child in children)


def weaker_targets(objective: Objective) -> list[tuple[KeyResult, KeyResult]]:
    """(department key result, parent key result) pairs where the department asks for
    less than its parent on the same metric. Needs `objective.parent` key results: one
    query."""
    if objective.parent_id is None:
        return []
    parent_krs = list(objective.parent.key_results.filter(mode=KeyResult.Mode.COMPUTED))
    flagged = []
    for kr in objective.key_results.all():
        for parent_kr in parent_krs:
            if maths.is_weaker_target(parent=_spec(parent_kr), child=_spec(kr)):
                flagged.append((kr, parent_kr))
    return flagged


def _spec(kr: KeyResult) -> maths.TargetSpec:
    return maths.TargetSpec(
        metric_key=kr.metric_key,
        metric_params=kr.metric_params or {},
        direction=kr.direction,
        target=kr.target,
    )


# --- Pages ----------------------------------------------------------------------------


def period_labels() -> list[str]:
    """Periods that have objectives, newest first, plus the current year and quarter."""
    today = timezone.localdate()
    current = {str(today.year), f"{today.year}-Q{(today.month - 1) // 3 + 1}"}
    found = set(Objective.objects.values_list("period_label", flat=True).distinct())
    return sorted(found | current, reverse=True)


def default_period_label() -> str:
    return str(timezone.localdate().year)


# Columns the cascade needs of each department objective and key result (thousands of
# rows on one page: loading less is most of its speed).
CASCADE_FIELDS = (
    "id",
    "title",
    "level",
    "status",
    "weight",
    "parent_id",
    "period_start",
    "period_end",
    "checkin_interval",
    "last_checkin_at",
    "created_at",
    "department__id",
    "department__code",
    "department__name",
)
PROGRESS_KR_FIELDS = (
    "id",
    "objective_id",
    "mode",
    "direction",
    "baseline",
    "target",
    "current_value",
    "weight",
)


@dataclass
class Cascade:
    roots: list[Objective]
    page_obj: object
    is_paginated: bool


def cascade(
    *, user, period_label: str, department_id: int | None = None, page_number=1, per_page=10
) -> Cascade:
    """Organisation objectives of a period (one page of them) with their department
    objectives beneath. Constant queries: roots (count + page + key results) and children
    (rows + key results), whatever the number of objectives."""
    from django.core.paginator import Paginator

    roots_qs = objective_list(
        user=user, period_label=period_label, level=Objective.Level.ORGANISATION
    )
    visible_department_ids = None
    if not getattr(user, "can_view_all", False):
        visible_department_ids = department_ids_for_user(user)
    if department_id:
        roots_qs = roots_qs.filter(
            id__in=Objective.objects.filter(department_id=department_id).values("parent_id")
        )
    paginator = Paginator(roots_qs, per_page)
    page = paginator.get_page(page_number)
    roots = list(page.object_list)
    children = list(
        Objective.objects.filter(parent_id__in=[root.pk for root in roots])
        .select_related("department")
        .only(*CASCADE_FIELDS)
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.only(*PROGRESS_KR_FIELDS).order_by("id"),
            )
        )
        .order_by("department__name", "title", "id")
    )
    attach_progress(roots + children)
    by_parent: dict[int, list[Objective]] = defaultdict(list)
    for child in children:
        by_parent[child.parent_id].append(child)
    for root in roots:
        all_children = by_parent.get(root.pk, [])
        attach_rollup(root, all_children)  # the roll-up counts every aligned objective
        shown = all_children
        if visible_department_ids is not None:
            shown = [c for c in shown if c.department_id in visible_department_ids]
        if department_id:
            shown = [c for c in shown if c.department_id == department_id]
        root.children_list = shown
    return Cascade(roots=roots, page_obj=page, is_paginated=paginator.num_pages > 1)


def my_objectives(*, user, period_label: str = "") -> QuerySet[Objective]:
    """Active objectives of the departments the user heads or belongs to, and those the
    user owns, with key results and the customer requirements behind each (via the
    parent for department objectives) prefetched. Call `decorate_my_objectives` on the
    page of rows shown."""
    ids = department_ids_for_user(user)
    qs = (
        Objective.objects.filter(
            Q(department_id__in=ids) | Q(owner=user), status=Objective.Status.ACTIVE
        )
        .select_related("department", "owner", "parent")
        .prefetch_related(
            _key_results_prefetch(),
            Prefetch("requirements", queryset=Requirement.objects.order_by("title")),
            Prefetch("parent__requirements", queryset=Requirement.objects.order_by("title")),
        )
        .order_by("period_start", "level", "title", "id")
    )
    if period_label:
        qs = qs.filter(period_label=period_label)
    return qs


def decorate_my_objectives(objectives, *, user) -> list[Objective]:
    """Progress, health, customer needs and the check-in right, without queries."""
    objectives = list(objectives)
    attach_progress(objectives)
    for objective in objectives:
        source = objective.parent if objective.parent_id else objective
        objective.customer_needs = list(source.requirements.all())
        objective.can_check_in = can_check_in(user, objective)
    return objectives


def objective_checkins(*, objective: Objective, limit: int = 50) -> list[CheckIn]:
    return list(
        CheckIn.objects.filter(key_result__objective=objective)
        .select_related("key_result", "by")
        .order_by("-at", "-id")[:limit]
    )


def objective_children(*, user, objective: Objective) -> list[Objective]:
    children = list(objective_queryset().filter(parent=objective).order_by("department__name"))
    attach_progress(children)
    attach_rollup(objective, children)
    visible = {c.pk for c in objective_scope(Objective.objects.filter(parent=objective), user)}
    return [c for c in children if c.pk in visible]


@dataclass
class Alignment:
    objectives: list[Objective]
    rows: list[tuple[Requirement, list[bool], bool]]
    unserved: list[Requirement]
    retired_links: list[tuple[Objective, list[Requirement]]]


def alignment(*, period_label: str) -> Alignment:
    """Accepted and deployed requirements against the period's organisation objectives.
    Four queries whatever the size."""
    objectives = list(
        Objective.objects.filter(period_label=period_label, level=Objective.Level.ORGANISATION)
        .prefetch_related(Prefetch("requirements", queryset=Requirement.objects.order_by("id")))
        .order_by("title", "id")
    )
    requirements = list(
        Requirement.objects.filter(
            status__in=[Requirement.Status.ACCEPTED, Requirement.Status.DEPLOYED]
        )
        .select_related("segment")
        .order_by("-importance", "title", "id")
    )
    served_by = {o.pk: {r.pk for r in o.requirements.all()} for o in objectives}
    rows, unserved = [], []
    for requirement in requirements:
        cells = [requirement.pk in served_by[o.pk] for o in objectives]
        served = any(cells)
        rows.append((requirement, cells, served))
        if not served and requirement.status == Requirement.Status.ACCEPTED:
            unserved.append(requirement)
    retired_links = []
    for objective in objectives:
        retired = [
            r for r in objective.requirements.all() if r.status == Requirement.Status.RETIRED
        ]
        if retired:
            retired_links.append((objective, retired))
    return Alignment(
        objectives=objectives, rows=rows, unserved=unserved, retired_links=retired_links
    )


def review(*, user, period_label: str) -> list[Objective]:
    """Objectives of a period for the end-of-period review, with `missed` and the
    recorded analysis (if any)."""
    objectives = list(
        objective_list(user=user, period_label=period_label).select_related("analysis")
    )
    attach_progress(objectives)
    today = timezone.localdate()
    for objective in objectives:
        objective.period_over = today > objective.period_end
        final = objective.final_progress
        value = float(final) if final is not None else objective.progress
        objective.missed = value is None or value < 100
        objective.has_analysis = hasattr(objective, "analysis")
    return objectives


def period_from_label(label: str) -> Period:
    return Period.parse(label)


def quality_managers():
    return User.objects.filter(
        Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True), is_active=True
    ).exclude(email="")
