"""Metrics of the requirements register, registered in RequirementsConfig.ready().

Both are snapshots of the register as it stands now (requirements and deployments are
state, not events): the `period` argument is accepted, as the registry requires, and does
not change the result.
"""

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from qms.registry import (
    NOTHING_SKIPPED,
    PERIOD_SNAPSHOT,
    SEGMENT_NONE,
    Definition,
    Direction,
    MetricValue,
    Period,
    registry,
)

from .models import Deployment, Requirement


def requirements_deployed_share(*, period: Period, segment: str | None = None) -> MetricValue:
    """Of the requirements the organisation committed to (status accepted or deployed;
    proposed, under review and retired ones do not count), the share already deployed to
    departments, in %. Filter: `segment` (segment code)."""
    qs = Requirement.objects.filter(
        status__in=[Requirement.Status.ACCEPTED, Requirement.Status.DEPLOYED]
    )
    if segment:
        qs = qs.filter(segment__code=segment)
    totals = qs.aggregate(
        total=Count("id"), deployed=Count("id", filter=Q(status=Requirement.Status.DEPLOYED))
    )
    if not totals["total"]:
        return MetricValue(value=None, n=0)
    return MetricValue(
        value=round(100 * totals["deployed"] / totals["total"], 1),
        n=totals["total"],
        detail={"deployed": totals["deployed"], "accepted": totals["total"] - totals["deployed"]},
    )


def acknowledgement_coverage(*, period: Period, department: str | None = None) -> MetricValue:
    """Of the deployments of deployed requirements, the share whose head acknowledged the
    requirement's current revision, in %. Filter: `department` (department code)."""
    qs = Deployment.objects.filter(requirement__status=Requirement.Status.DEPLOYED)
    if department:
        qs = qs.filter(department__code=department)
    totals = qs.aggregate(
        total=Count("id"),
        acknowledged=Count("id", filter=Q(acknowledged_revision=F("requirement__revision"))),
    )
    if not totals["total"]:
        return MetricValue(value=None, n=0)
    return MetricValue(
        value=round(100 * totals["acknowledged"] / totals["total"], 1),
        n=totals["total"],
        detail={"acknowledged": totals["acknowledged"]},
    )


def register():
    registry.register(
        key="requirements_deployed_share",
        definition=Definition(
            counted=_("Requirements deployed to departments."),
            base=_(
                "Requirements accepted or deployed (proposed, under review and retired ones are "
                "left out)."
            ),
            period=PERIOD_SNAPSHOT,
            segment=_("The segment the requirement was written for."),
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Requirements deployed"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=requirements_deployed_share,
        description=_(
            "Share of accepted and deployed requirements that are deployed to departments "
            "(proposed, under review and retired ones are left out)."
        ),
        parameters=("segment",),
        app_label="customers",
    )
    registry.register(
        key="acknowledgement_coverage",
        definition=Definition(
            counted=_(
                "Deployments whose department head acknowledged the requirement's current revision."
            ),
            base=_("Deployments of deployed requirements (with a department: that department's)."),
            period=PERIOD_SNAPSHOT,
            segment=SEGMENT_NONE,
            skipped=NOTHING_SKIPPED,
        ),
        label=_("Acknowledgement coverage"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=acknowledgement_coverage,
        description=_(
            "Share of deployments of deployed requirements whose department head has "
            "acknowledged the current revision."
        ),
        parameters=("department",),
        app_label="customers",
    )
