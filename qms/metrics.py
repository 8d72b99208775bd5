"""Metrics of the organisation core, registered in `QmsConfig.ready()`."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .models import Department
from .registry import (
    NOTHING_SKIPPED,
    PERIOD_SNAPSHOT,
    SEGMENT_NONE,
    Definition,
    Direction,
    MetricValue,
    Period,
    param_kinds,
    registry,
)


def department_head_coverage(*, period: Period) -> MetricValue:
    """Share of departments that have a named head (a department without one has nobody
    to acknowledge customer needs or own objectives)."""
    totals = Department.objects.aggregate(
        total=Count("id"), headed=Count("id", filter=Q(head__isnull=False))
    )
    if not totals["total"]:
        return MetricValue(value=None, n=0)
    return MetricValue(
        value=round(100 * totals["headed"] / totals["total"], 1),
        n=totals["total"],
        detail={"headed": totals["headed"]},
    )


def _departments():
    return list(Department.objects.order_by("name").values_list("code", "name"))


def register():
    param_kinds.add("department", choices=_departments)
    registry.register(
        key="department_head_coverage",
        definition=Definition(
            counted=_("Departments that have a named head."),
            base=_("All departments."),
            period=PERIOD_SNAPSHOT,
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Departments with a head"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=department_head_coverage,
        description=_("Share of departments that have a named department head."),
        app_label="qms",
    )
