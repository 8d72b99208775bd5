"""Customer needs awaiting the department head's acknowledgement, on the head's home page."""

from qms.selectors import headed_department_ids

from .models import Deployment, Requirement
from .selectors import deployment_list, requirement_decisions

PANEL_LIMIT = 10


def pending_acknowledgements_panel(user):
    headed = headed_department_ids(user)
    if not headed:
        return None
    deployments = list(
        deployment_list(user=user, pending=True).filter(
            department_id__in=headed, requirement__status=Requirement.Status.DEPLOYED
        )[:PANEL_LIMIT]
    )
    if not deployments:
        return None
    return {"deployments": deployments}


def requirement_decisions_panel(obj, user):
    """On a requirement's page and trace: the management review decisions citing it."""
    if not isinstance(obj, Requirement):
        return None
    return {"requirement": obj, "citations": requirement_decisions(requirement=obj)}


def review_needs_panel(obj, user):
    """On a management review's page: the customer needs each decision concerns, and (for
    quality managers) a form to cite one. Three queries whatever the size."""
    from qms.models import ManagementReview

    from .models import DecisionCitation
    from .selectors import citable_requirements

    if not isinstance(obj, ManagementReview):
        return None
    decisions = list(obj.decisions.order_by("status", "due_date", "id"))
    cited: dict[int, list] = {}
    for citation in (
        DecisionCitation.objects.filter(decision__review=obj)
        .select_related("requirement")
        .order_by("requirement__title", "id")
    ):
        cited.setdefault(citation.decision_id, []).append(citation)
    can_cite = bool(getattr(user, "is_quality_manager", False))
    return {
        "review": obj,
        "rows": [(decision, cited.get(decision.pk, [])) for decision in decisions],
        "can_cite": can_cite,
        "cite_choices": list(citable_requirements().values_list("pk", "title"))
        if can_cite and decisions
        else [],
        "user": user,
    }


def register():
    from qms.dashboard import panel_registry, record_panels

    register_evidence()
    record_panels.add(
        key="requirement-decisions",
        template="requirements/partials/decisions_citing.html",
        context=requirement_decisions_panel,
        order=90,
    )
    record_panels.add(
        key="review-needs",
        template="requirements/partials/review_needs.html",
        context=review_needs_panel,
        order=20,
    )

    panel_registry.add(
        key="needs-awaiting-acknowledgement",
        template="requirements/partials/panel_pending.html",
        context=pending_acknowledgements_panel,
        order=10,
    )


# --- Evidence by clause (qms.evidence) ---------------------------------------------------


def _requirement_url(pk) -> str:
    from django.urls import reverse

    return reverse("requirements:requirement-detail", args=[pk])


def statutory_evidence(period, limit):
    """5.1.2 a: statutory, regulatory and contractual requirements determined (the
    register as it stands, with the regulation or contract named)."""
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, page

    qs = (
        Requirement.objects.filter(
            kind__in=[Requirement.Kind.STATUTORY, Requirement.Kind.CONTRACTUAL]
        )
        .exclude(status=Requirement.Status.RETIRED)
        .select_related("owner")
        .order_by("title", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                r.title,
                r.get_kind_display(),
                r.reference,
                r.get_status_display(),
                str(r.owner or ""),
            ],
            url=_requirement_url(r.pk),
        )
        for r in page(qs, limit)
    ]
    return EvidenceTable(
        key="statutory-requirements",
        clause="5.1.2",
        title=_("Statutory, regulatory and contractual requirements determined"),
        columns=[_("Requirement"), _("Kind"), _("Reference"), _("Status"), _("Owner")],
        rows=rows,
        count=qs.count(),
    )


def decisions_citing_evidence(period, limit):
    """5.1.2 / 9.3: management review decisions in the period that cite customer needs."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, page

    from .models import DecisionCitation

    qs = (
        DecisionCitation.objects.filter(
            decision__review__meeting_date__range=(period.start, period.end)
        )
        .select_related("decision__review", "decision__owner", "requirement")
        .order_by("decision__review__meeting_date", "decision_id", "requirement__title")
    )
    rows = [
        EvidenceRow(
            cells=[
                c.decision.title,
                c.requirement.title,
                c.decision.review.title,
                date(c.decision.review.meeting_date),
                str(c.decision.owner),
                c.decision.get_status_display(),
            ],
            url=reverse("qms:review-detail", args=[c.decision.review_id]),
        )
        for c in page(qs, limit)
    ]
    return EvidenceTable(
        key="decisions-citing-needs",
        clause="5.1.2",
        title=_("Management review decisions about customer needs"),
        columns=[
            _("Decision"),
            _("Customer need"),
            _("Review"),
            _("Meeting"),
            _("Owner"),
            _("Status"),
        ],
        rows=rows,
        count=qs.count(),
    )


def reviews_evidence(period, limit):
    """8.2.3: requirements reviewed in the period (can the organisation meet them)."""
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, day_bounds, page

    from .models import RequirementReview

    start, end = day_bounds(period)
    qs = (
        RequirementReview.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("requirement", "reviewed_by")
        .order_by("created_at", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                r.requirement.title,
                r.revision,
                str(r.reviewed_by),
                date(r.created_at),
                _("yes") if r.can_meet else _("no"),
                r.note,
            ],
            url=_requirement_url(r.requirement_id),
        )
        for r in page(qs, limit)
    ]
    return EvidenceTable(
        key="requirement-reviews",
        clause="8.2.2-8.2.3",
        title=_("Requirements reviewed in the period"),
        columns=[
            _("Requirement"),
            _("Revision"),
            _("Reviewed by"),
            _("Date"),
            _("Can meet it"),
            _("Note"),
        ],
        rows=rows,
        count=qs.count(),
        list_url="",
    )


def deployments_evidence(period, limit):
    """8.2.2: the needs deployed to departments, with each commitment and acknowledgement."""
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, page

    qs = (
        Deployment.objects.filter(requirement__status=Requirement.Status.DEPLOYED)
        .select_related("requirement", "department", "acknowledged_by")
        .order_by("requirement__title", "department__name", "id")
    )
    rows = []
    for d in page(qs, limit):
        acknowledged = d.acknowledged_revision == d.requirement.revision
        rows.append(
            EvidenceRow(
                cells=[
                    d.requirement.title,
                    d.department.name,
                    d.commitment,
                    f"{d.acknowledged_by}, {date(d.acknowledged_at)}" if acknowledged else "—",
                ],
                url=_requirement_url(d.requirement_id),
            )
        )
    return EvidenceTable(
        key="deployments",
        clause="8.2.2-8.2.3",
        title=_("Customer needs deployed to departments, with their commitments"),
        columns=[_("Requirement"), _("Department"), _("Commitment"), _("Acknowledged")],
        rows=rows,
        count=qs.count(),
    )


def unacknowledged_evidence(period, limit):
    """8.2.2 gap: deployed needs a department has not acknowledged (current revision)."""
    from django.db.models import F, Q
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, page

    qs = (
        Deployment.objects.filter(requirement__status=Requirement.Status.DEPLOYED)
        .filter(
            Q(acknowledged_revision__isnull=True)
            | ~Q(acknowledged_revision=F("requirement__revision"))
        )
        .select_related("requirement", "department__head")
        .order_by("ack_due_at", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                d.requirement.title,
                d.department.name,
                str(d.department.head or ""),
                date(d.ack_due_at),
            ],
            url=_requirement_url(d.requirement_id),
        )
        for d in page(qs, limit)
    ]
    return EvidenceTable(
        key="unacknowledged",
        clause="8.2.2-8.2.3",
        title=_("Gap: deployed needs not acknowledged by a department"),
        columns=[_("Requirement"), _("Department"), _("Head"), _("Due")],
        rows=rows,
        count=qs.count(),
        gap=True,
    )


def awaiting_review_evidence(period, limit):
    """8.2.3 gap: requirements proposed or under review (not yet committed to)."""
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, page

    qs = (
        Requirement.objects.filter(
            status__in=[Requirement.Status.PROPOSED, Requirement.Status.UNDER_REVIEW]
        )
        .select_related("owner")
        .order_by("created_at", "id")
    )
    rows = [
        EvidenceRow(
            cells=[r.title, r.get_status_display(), str(r.owner or ""), date(r.created_at)],
            url=_requirement_url(r.pk),
        )
        for r in page(qs, limit)
    ]
    return EvidenceTable(
        key="awaiting-review",
        clause="8.2.2-8.2.3",
        title=_("Gap: requirements not yet reviewed and accepted"),
        columns=[_("Requirement"), _("Status"), _("Owner"), _("Proposed")],
        rows=rows,
        count=qs.count(),
        gap=True,
    )


def register_evidence():
    from qms.evidence import evidence

    evidence.add(key="statutory-requirements", clause="5.1.2", compute=statutory_evidence, order=10)
    evidence.add(
        key="decisions-citing-needs", clause="5.1.2", compute=decisions_citing_evidence, order=30
    )
    evidence.add(
        key="requirement-reviews", clause="8.2.2-8.2.3", compute=reviews_evidence, order=10
    )
    evidence.add(key="deployments", clause="8.2.2-8.2.3", compute=deployments_evidence, order=20)
    evidence.add(
        key="unacknowledged", clause="8.2.2-8.2.3", compute=unacknowledged_evidence, order=80
    )
    evidence.add(
        key="awaiting-review", clause="8.2.2-8.2.3", compute=awaiting_review_evidence, order=90
    )
