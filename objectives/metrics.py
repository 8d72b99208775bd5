"""Metrics of the objectives app, registered in `ObjectivesConfig.ready()`."""

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.registry import (
    NOTHING_SKIPPED,
    SEGMENT_NONE,
    Definition,
    Direction,
    MetricValue,
    Period,
    registry,
)

from . import progress as maths
from .models import CheckIn, Objective
from .selectors import health_counts


def objectives_on_track(*, period: Period, department: str = "") -> MetricValue:
    """Share of active objectives overlapping the period that are on track now, counted
    in SQL from the stored health columns (one query whatever the number of objectives;
    `selectors.health_counts`)."""
    qs = Objective.objects.filter(
        status=Objective.Status.ACTIVE,
        period_start__lte=period.end,
        period_end__gte=period.start,
    )
    if department:
        qs = qs.filter(department__code=department)
    counts = health_counts(qs)
    if not counts["total"]:
        return MetricValue(value=None, n=0)
    on_track = counts[maths.ON_TRACK]
    labels = {
        maths.ON_TRACK: _("On track"),
        maths.AT_RISK: _("At risk"),
        maths.OFF_TRACK: _("Off track"),
        maths.NO_DATA: _("No data"),
    }
    return MetricValue(
        value=round(100 * on_track / counts["total"], 1),
        n=counts["total"],
        # Objectives by health, for the dashboard: [[label, count], ...] in a fixed order.
        detail={
            "on_track": on_track,
            "by_health": [[str(label), counts[key]] for key, label in labels.items()],
        },
    )


def checkins_on_time(*, period: Period) -> MetricValue:
    """Share of the check-ins due in the period that were made by their due date.

    A due is counted once: either by the check-in that answered it (`due_on`, late or on
    time), or, if still unanswered, by the objective whose `checkin_due_on` has passed."""
    made = CheckIn.objects.filter(
        source=CheckIn.Source.MANUAL, due_on__gte=period.start, due_on__lte=period.end
    ).aggregate(
        total=Count("id"),
        # A check-in is on time when made on or before its due date (end of that day).
        late=Count("id", filter=Q(at__date__gt=F("due_on"))),
    )
    today = timezone.localdate()
    overdue = (
        Objective.objects.filter(
            status=Objective.Status.ACTIVE,
            checkin_due_on__gte=period.start,
            checkin_due_on__lte=min(period.end, today - dt.timedelta(days=1)),
            key_results__mode="manual",
        )
        .distinct()
        .count()
    )
    total = made["total"] + overdue
    if not total:
        return MetricValue(value=None, n=0)
    on_time = made["total"] - made["late"]
    return MetricValue(
        value=round(100 * on_time / total, 1),
        n=total,
        detail={"on_time": on_time, "late": made["late"], "missing": overdue},
    )


def key_result_targets(period: Period) -> dict:
    """Targets for dashboard numbers from the computed key results of the active
    objectives overlapping the period (organisation objectives first), in one query:
    `{(metric_key, params as sorted items): (target, words)}` (qms.dashboard.targets)."""
    from qms.dashboard import targets

    from .models import KeyResult

    found: dict = {}
    key_results = (
        KeyResult.objects.filter(
            mode=KeyResult.Mode.COMPUTED,
            objective__status=Objective.Status.ACTIVE,
            objective__period_start__lte=period.end,
            objective__period_end__gte=period.start,
        )
        .exclude(metric_key="")
        .select_related("objective")
        .order_by(F("objective__department").asc(nulls_first=True), "id")[:500]
    )
    for key_result in key_results:
        key = targets.key(key_result.metric_key, key_result.metric_params or {})
        found.setdefault(
            key,
            (
                key_result.target,
                _("objective “%(title)s”") % {"title": key_result.objective.title},
            ),
        )
    return found


def register():
    from qms.dashboard import targets

    targets.add("objectives", key_result_targets)
    registry.register(
        key="objectives_on_track",
        definition=Definition(
            counted=_("Active objectives whose health is “on track” now."),
            base=_("Active objectives whose own period overlaps the period."),
            period=_("Objectives overlapping the period; their health as it is today."),
            segment=SEGMENT_NONE,
            skipped=_("Objectives without check-ins stay in the base as “no data”."),
        ),
        label=_("Objectives on track"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=objectives_on_track,
        description=_("Share of active objectives of the period whose health is “on track”."),
        parameters=("department",),
        app_label="objectives",
    )
    registry.register(
        key="checkins_on_time",
        definition=Definition(
            counted=_("Check-ins made by their due date."),
            base=_(
                "Check-ins due in the period: those made (on time or late) and those still missing"
                " whose due date has passed."
            ),
            period=_("By the due date of the check-in."),
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Check-ins on time"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=checkins_on_time,
        description=_("Share of the objective check-ins due in the period made by their due date."),
        app_label="objectives",
    )
