"""The department's open complaints, on its head's home page."""

from qms.selectors import headed_department_ids

from .models import Complaint

PANEL_LIMIT = 10


def department_complaints_panel(user):
    headed = headed_department_ids(user)
    if not headed:
        return None
    complaints = list(
        Complaint.objects.filter(department_id__in=headed)
        .exclude(status=Complaint.Status.CLOSED)
        .select_related("customer", "department")
        .order_by("due_at", "id")[:PANEL_LIMIT]
    )
    if not complaints:
        return None
    return {"complaints": complaints}


def requirement_findings_panel(obj, user):
    """On a requirement's page and trace: what customers said on its topics (tickets,
    survey comments, complaints, interview findings), counted per topic and linked to the
    filtered lists. Four queries whatever the size. Counts are organisation-wide; the
    links are offered to people who may open the lists (quality managers, viewers)."""
    from django.db.models import Count, Q

    from coding import selectors as coding_selectors
    from coding.models import Text
    from requirements.models import Requirement
    from research.models import InterviewFinding

    if not isinstance(obj, Requirement):
        return None
    topics = list(obj.topics.all())
    ids = [t.pk for t in topics]
    coded = coding_selectors.topic_evidence(topics=ids) if ids else {}
    findings = {
        row["topic"]: row["n"]
        for row in InterviewFinding.objects.filter(topic_id__in=ids)
        .values("topic")
        .annotate(n=Count("id"))
        .order_by()
    }
    complaints = {
        row["topic"]: row
        for row in Complaint.objects.filter(topic_id__in=ids)
        .values("topic")
        .annotate(n=Count("id"), open=Count("id", filter=~Q(status=Complaint.Status.CLOSED)))
        .order_by()
    }
    rows = []
    for topic in topics:
        by_kind = coded.get(topic.pk, {})
        rows.append(
            {
                "topic": topic,
                "tickets": by_kind.get(Text.Kind.TICKET, 0),
                "comments": by_kind.get(Text.Kind.SURVEY_COMMENT, 0),
                "notes": by_kind.get(Text.Kind.INTERVIEW_NOTE, 0),
                "findings": findings.get(topic.pk, 0),
                "complaints": complaints.get(topic.pk, {}).get("n", 0),
                "complaints_open": complaints.get(topic.pk, {}).get("open", 0),
            }
        )
    return {
        "requirement": obj,
        "rows": rows,
        "linked_findings": list(
            obj.findings.select_related("interview", "topic").order_by("-interview__held_on")[:20]
        ),
        "can_open_lists": bool(getattr(user, "can_view_all", False)),
        "user": user,
    }


def register():
    from qms.dashboard import panel_registry, record_panels

    register_evidence()
    record_panels.add(
        key="requirement-findings",
        template="crm/partials/requirement_findings.html",
        context=requirement_findings_panel,
        order=40,
    )

    panel_registry.add(
        key="department-complaints",
        template="crm/partials/panel_complaints.html",
        context=department_complaints_panel,
        order=30,
    )


# --- Evidence by clause (qms.evidence) ---------------------------------------------------


def complaints_evidence(period, limit):
    """9.1.2: complaints received in the period (customers' feedback), with their state."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from qms.evidence import EvidenceRow, EvidenceTable, date, day_bounds, page

    start, end = day_bounds(period)
    qs = (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        .select_related("topic", "department", "owner")
        .order_by("received_at", "id")
    )
    rows = [
        EvidenceRow(
            cells=[
                c.reference,
                c.topic.name if c.topic_id else "",
                c.department.name if c.department_id else "",
                str(c.owner or ""),
                c.get_status_display(),
                date(c.received_at),
                date(c.closed_at),
            ],
            url=reverse("crm:complaint-detail", args=[c.pk]),
        )
        for c in page(qs, limit)
    ]
    return EvidenceTable(
        key="complaints",
        clause="9.1.2",
        title=_("Complaints received in the period"),
        columns=[
            _("Reference"),
            _("Topic"),
            _("Department"),
            _("Owner"),
            _("Status"),
            _("Received"),
            _("Closed"),
        ],
        rows=rows,
        count=qs.count(),
        list_url=reverse("crm:complaint-list"),
    )


def register_evidence():
    from qms.evidence import evidence

    evidence.add(key="complaints", clause="9.1.2", compute=complaints_evidence, order=30)
