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


def register():
    from qms.dashboard import panel_registry

    panel_registry.add(
        key="department-complaints",
        template="crm/partials/panel_complaints.html",
        context=department_complaints_panel,
        order=30,
    )
