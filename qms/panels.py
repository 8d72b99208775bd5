"""Home-page panels of the organisation core, and its evidence for clause 9.3 (found by
qms.discovery)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def management_reviews_evidence(period, limit):
    """9.3: the management reviews held (or planned) in the period, with their decisions."""
    from django.db.models import Count, Q

    from .evidence import EvidenceRow, EvidenceTable, date, page
    from .models import ManagementReview, ReviewDecision

    qs = (
        ManagementReview.objects.filter(meeting_date__range=(period.start, period.end))
        .select_related("chair")
        .annotate(
            decision_count=Count("decisions"),
            open_count=Count("decisions", filter=Q(decisions__status=ReviewDecision.Status.OPEN)),
        )
        .order_by("meeting_date", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                r.title,
                date(r.meeting_date),
                str(r.chair),
                r.get_status_display(),
                r.decision_count,
                r.open_count,
            ],
            url=reverse("qms:review-detail", args=[r.pk]),
        )
        for r in page(qs, limit)
    ]
    return EvidenceTable(
        key="management-reviews",
        clause="9.3",
        title=_("Management reviews in the period"),
        columns=[
            _("Review"),
            _("Meeting"),
            _("Chair"),
            _("Status"),
            _("Decisions"),
            _("Still open"),
        ],
        rows=rows,
        count=qs.count(),
        list_url=reverse("qms:review-list"),
    )


def overdue_decisions_evidence(period, limit):
    """9.3 gap: review decisions still open after their due date (at the period's end)."""
    from .evidence import EvidenceRow, EvidenceTable, date, page
    from .models import ReviewDecision

    qs = (
        ReviewDecision.objects.filter(
            status=ReviewDecision.Status.OPEN,
            due_date__lt=period.end,
            review__meeting_date__lte=period.end,
        )
        .select_related("review", "owner")
        .order_by("due_date", "id")
    )
    rows = [
        EvidenceRow(
            cells=[d.title, d.review.title, str(d.owner), date(d.due_date)],
            url=reverse("qms:review-detail", args=[d.review_id]),
        )
        for d in page(qs, limit)
    ]
    return EvidenceTable(
        key="overdue-decisions",
        clause="9.3",
        title=_("Gap: review decisions open past their due date"),
        columns=[_("Decision"), _("Review"), _("Owner"), _("Due")],
        rows=rows,
        count=qs.count(),
        gap=True,
    )


def register():
    from .dashboard import panel_registry
    from .evidence import evidence
    from .selectors import decisions_open_for_owner

    def my_decisions(user):
        decisions = list(decisions_open_for_owner(user=user)[:10])
        return {"decisions": decisions} if decisions else None

    panel_registry.add(
        key="review-decisions",
        template="qms/partials/panel_decisions.html",
        context=my_decisions,
        order=90,
    )
    evidence.add(
        key="management-reviews", clause="9.3", compute=management_reviews_evidence, order=10
    )
    evidence.add(
        key="overdue-decisions", clause="9.3", compute=overdue_decisions_evidence, order=90
    )
