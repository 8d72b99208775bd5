"""Metrics of corrective actions, registered in `ActionsConfig.ready()`; aggregated in
the database."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.registry import (
    NOTHING_SKIPPED,
    PERIOD_EVENT_DAY,
    SEGMENT_NONE,
    Definition,
    Direction,
    MetricValue,
    Param,
    Period,
    registry,
)

from .models import CorrectiveAction

S = CorrectiveAction.Status
V = CorrectiveAction.Verdict


def _bounds(period: Period):
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _dept(qs, department):
    return qs.filter(department__code=department) if department else qs


def actions_closed_on_time(*, period: Period, department: str = "") -> MetricValue:
    """Share of the actions closed in the period that closed by their ORIGINAL due date."""
    start, end = _bounds(period)
    qs = _dept(
        CorrectiveAction.objects.filter(status=S.CLOSED, closed_at__gte=start, closed_at__lt=end),
        department,
    )
    row = qs.aggregate(
        total=Count("id"), on_time=Count("id", filter=Q(closed_at__date__lte=F("due_date")))
    )
    if not row["total"]:
        return MetricValue(value=None, n=0)
    return MetricValue(
        value=round(100 * row["on_time"] / row["total"], 1),
        n=row["total"],
        detail={"on_time": row["on_time"]},
    )


def actions_verified_effective(*, period: Period, department: str = "") -> MetricValue:
    """Share of the actions whose effectiveness was measured in the period (pass or fail)
    that passed. Insufficient data is left out of the base."""
    start, end = _bounds(period)
    qs = _dept(
        CorrectiveAction.objects.filter(
            measured_at__gte=start, measured_at__lt=end, verdict__in=[V.PASS, V.FAIL]
        ),
        department,
    )
    # A failed check reopens the action and clears nothing: its verdict stays "fail".
    row = qs.aggregate(total=Count("id"), passed=Count("id", filter=Q(verdict=V.PASS)))
    if not row["total"]:
        return MetricValue(value=None, n=0)
    return MetricValue(
        value=round(100 * row["passed"] / row["total"], 1),
        n=row["total"],
        detail={"passed": row["passed"], "failed": row["total"] - row["passed"]},
    )


def actions_mean_days_to_close(*, period: Period, department: str = "") -> MetricValue:
    start, end = _bounds(period)
    qs = _dept(
        CorrectiveAction.objects.filter(status=S.CLOSED, closed_at__gte=start, closed_at__lt=end),
        department,
    )
    row = qs.aggregate(total=Count("id"), mean=Avg(F("closed_at") - F("created_at")))
    if not row["total"] or row["mean"] is None:
        return MetricValue(value=None, n=0)
    mean = row["mean"]
    days = mean.total_seconds() / 86400 if isinstance(mean, dt.timedelta) else float(mean) / 86400e6
    return MetricValue(value=round(days, 1), n=row["total"])


AGE_BUCKETS = ((0, 30), (30, 60), (60, 90), (90, None))


def actions_open_by_age(*, period: Period, department: str = "", days: str = "30") -> MetricValue:
    """Open actions older than `days` days at the end of the period; detail counts the
    open actions per age bucket (0-30, 30-60, 60-90, 90+ days)."""
    try:
        threshold = int(days)
    except (TypeError, ValueError):
        threshold = 30
    _start, end = _bounds(period)
    end = min(end, timezone.now())
    qs = _dept(
        CorrectiveAction.objects.exclude(status__in=CorrectiveAction.TERMINAL).filter(
            created_at__lt=end
        ),
        department,
    )
    aggregates = {
        "total": Count("id"),
        "older": Count("id", filter=Q(created_at__lt=end - dt.timedelta(days=threshold))),
    }
    for low, high in AGE_BUCKETS:
        cond = Q(created_at__lte=end - dt.timedelta(days=low))
        if high is not None:
            cond &= Q(created_at__gt=end - dt.timedelta(days=high))
        aggregates[f"b{low}"] = Count("id", filter=cond)
    row = qs.aggregate(**aggregates)
    detail = {(f"{low}-{high}" if high else f"{low}+"): row[f"b{low}"] for low, high in AGE_BUCKETS}
    detail["days"] = threshold
    return MetricValue(value=row["older"], n=row["total"], detail=detail)


def actions_overdue(*, period: Period, department: str = "") -> MetricValue:
    """Open actions past their ORIGINAL due date (extensions do not hide them), at the end
    of the period or today, whichever is earlier."""
    day = min(period.end, timezone.localdate())
    qs = _dept(CorrectiveAction.objects.filter(status__in=CorrectiveAction.ESCALATING), department)
    row = qs.aggregate(total=Count("id"), overdue=Count("id", filter=Q(due_date__lt=day)))
    return MetricValue(value=row["overdue"], n=row["total"])


def register():
    common = {"app_label": "actions"}
    registry.register(
        key="actions_closed_on_time",
        definition=Definition(
            counted=_("Actions closed by their original due date (extensions do not count)."),
            base=_("Corrective actions closed in the period."),
            period=PERIOD_EVENT_DAY,
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Corrective actions closed on time"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=actions_closed_on_time,
        description=_("Share of the actions closed in the period by their original due date."),
        parameters=("department",),
        **common,
    )
    registry.register(
        key="actions_verified_effective",
        definition=Definition(
            counted=_("Effectiveness checks that passed."),
            base=_(
                "Actions whose effectiveness was measured in the period with a verdict of pass or "
                "fail."
            ),
            period=PERIOD_EVENT_DAY,
            segment=SEGMENT_NONE,
            skipped=_("Checks with too little data for a verdict are left out of the base."),
        ),
        label=_("Corrective actions verified effective"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=actions_verified_effective,
        description=_("Share of the effectiveness checks of the period that passed."),
        parameters=("department",),
        **common,
    )
    registry.register(
        key="actions_mean_days_to_close",
        definition=Definition(
            counted=_("Days from opening to closing, averaged."),
            base=_("Corrective actions closed in the period."),
            period=PERIOD_EVENT_DAY,
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Mean days to close a corrective action"),
        unit=_("days"),
        direction=Direction.LOWER_IS_BETTER,
        compute=actions_mean_days_to_close,
        description=_("From opening to closing, for the actions closed in the period."),
        parameters=("department",),
        **common,
    )
    registry.register(
        key="actions_open_by_age",
        definition=Definition(
            counted=_("Open actions older than the chosen number of days (30 unless chosen)."),
            base=_("Every action open at that moment."),
            period=_("As at the end of the period, or now if that is earlier."),
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Open corrective actions older than N days"),
        unit=_("actions"),
        direction=Direction.LOWER_IS_BETTER,
        compute=actions_open_by_age,
        description=_("Count of open actions older than a number of days (30 unless chosen)."),
        parameters=("department", Param("days", _("Older than (days)"), "number")),
        **common,
    )
    registry.register(
        key="actions_overdue",
        definition=Definition(
            counted=_("Open actions past their original due date (extensions do not hide them)."),
            base=_("Open actions that are not yet closed or cancelled."),
            period=_("As at the end of the period, or today if that is earlier."),
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Overdue corrective actions"),
        unit=_("actions"),
        direction=Direction.LOWER_IS_BETTER,
        compute=actions_overdue,
        description=_("Open actions past their original due date."),
        parameters=("department",),
        **common,
    )
