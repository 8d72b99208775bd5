"""The department's open corrective actions and measures, on its head's home page."""

from qms.selectors import headed_department_ids

from .models import CorrectiveAction, Measure
from .selectors import OPEN_STATES

PANEL_LIMIT = 10


def department_actions_panel(user):
    headed = headed_department_ids(user)
    if not headed:
        return None
    actions = list(
        CorrectiveAction.objects.filter(department_id__in=headed, status__in=OPEN_STATES)
        .select_related("owner", "department")
        .order_by("due_date", "id")[:PANEL_LIMIT]
    )
    measures = list(
        Measure.objects.filter(department_id__in=headed)
        .exclude(status=Measure.Status.DONE)
        .exclude(action__status__in=CorrectiveAction.TERMINAL)
        .select_related("action", "owner")
        .order_by("due_date", "id")[:PANEL_LIMIT]
    )
    if not actions and not measures:
        return None
    return {"actions": actions, "measures": measures}


def register():
    from qms.dashboard import panel_registry

    panel_registry.add(
        key="department-actions",
        template="actions/partials/panel_department.html",
        context=department_actions_panel,
        order=40,
    )
