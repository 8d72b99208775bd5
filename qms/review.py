"""The management review pack (ISO 9001 clause 9.3): the inputs top management must
consider, compiled for a period from the metrics registry and the registers.

The result is plain data (lists and dicts of strings and numbers), so it can be shown,
printed, exported as PDF, returned by the API and frozen as a snapshot when the review
is held.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exceptions import ApplicationError
from .models import InterestedParty, ManagementReview, PartyConflict, ReviewDecision
from .registry import Period, registry
from .selectors import review_decisions

# Section key, ISO 9001 clause, title, metric keys shown in the section.
METRIC_SECTIONS = [
    (
        "satisfaction",
        "9.3.2 c 1",
        gettext_lazy("Customer satisfaction and feedback from relevant interested parties"),
        ["nps", "csat", "ces", "response_rate", "driver_share"],
    ),
    (
        "objectives",
        "9.3.2 c 2",
        gettext_lazy("Extent to which quality objectives have been met"),
        ["objectives_on_track", "checkins_on_time"],
    ),
    (
        "complaints",
        "9.3.2 c 1",
        gettext_lazy("Complaints"),
        ["complaint_rate", "complaint_response_compliance", "customer_retention"],
    ),
    (
        "actions",
        "9.3.2 c 4",
        gettext_lazy("Nonconformities and corrective actions"),
        ["actions_overdue", "actions_closed_on_time", "actions_mean_days_to_close"],
    ),
    (
        "effectiveness",
        "9.3.2 e",
        gettext_lazy("Effectiveness of actions taken"),
        ["actions_verified_effective"],
    ),
    (
        "deployment",
        "9.3.2 c 1",
        gettext_lazy("Customer requirements communicated to the departments"),
        ["requirements_deployed_share", "acknowledgement_coverage"],
    ),
]


def _url(name, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _metric_item(key: str, period: Period) -> dict:
    try:
        metric = registry.get(key)
    except ApplicationError:
        return {"key": key, "label": key, "available": False}
    value = registry.compute(key, period=period)
    number = None if value.value is None else float(value.value)
    detail = {k: v for k, v in dict(value.detail).items() if isinstance(v, str | int | float)}
    return {
        "key": key,
        "label": str(metric.label),
        "available": True,
        "value": number,
        "unit": str(metric.unit),
        "n": value.n,
        "direction": metric.direction.value,
        "detail": detail,
    }


def compile_inputs(*, review: ManagementReview) -> dict:
    period = Period(review.period_start, review.period_end)
    earlier = ReviewDecision.objects.filter(
        review__meeting_date__lt=review.meeting_date
    ).select_related("owner", "review")
    previous = [
        {
            "title": d.title,
            "owner": str(d.owner),
            "due_date": d.due_date.isoformat(),
            "status": d.get_status_display(),
            "overdue": d.status == ReviewDecision.Status.OPEN and d.due_date < review.meeting_date,
            "review": d.review.title,
        }
        for d in earlier.filter(status=ReviewDecision.Status.OPEN)
        | earlier.filter(closed_at__date__gte=period.start, closed_at__date__lte=period.end)
    ]
    changed_parties = (
        InterestedParty.history.filter(
            history_date__date__gte=period.start,
            history_date__date__lte=period.end,
        )
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )
    decided = PartyConflict.objects.filter(
        decided_at__date__gte=period.start, decided_at__date__lte=period.end
    ).order_by("decided_at")
    due_for_review = InterestedParty.objects.filter(review_date__lte=period.end).order_by(
        "review_date"
    )
    sections = [
        {
            "key": "previous",
            "clause": "9.3.2 a",
            "title": _("Status of actions from previous management reviews"),
            "decisions": previous,
        },
        {
            "key": "context",
            "clause": "9.3.2 b",
            "title": _("Changes in interested parties and their needs"),
            "changed_parties": list(changed_parties),
            "conflicts": [
                {"title": c.title, "decision": c.decision, "outcomes": c.outcomes} for c in decided
            ],
            "parties_due": [
                {"name": p.name, "review_date": p.review_date.isoformat()} for p in due_for_review
            ],
        },
    ]
    for key, clause, title, metric_keys in METRIC_SECTIONS:
        sections.append(
            {
                "key": key,
                "clause": clause,
                "title": str(title),
                "metrics": [_metric_item(k, period) for k in metric_keys],
            }
        )
    sections.append(
        {
            "key": "resources",
            "clause": "9.3.2 d",
            "title": _("Adequacy of resources"),
            "note": review.resources_note,
        }
    )
    sections.append(
        {
            "key": "improvement",
            "clause": "9.3.2 f",
            "title": _("Opportunities for improvement"),
            "note": review.improvement_note,
        }
    )
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "sections": sections,
    }


def review_pack(*, review: ManagementReview) -> dict:
    """What the review page and its PDF show: the review, its inputs (the snapshot frozen
    when it was held, else compiled now) and its decisions."""
    return {
        "review": review,
        "inputs": review.inputs_snapshot or compile_inputs(review=review),
        "decisions": review_decisions(review=review),
    }
