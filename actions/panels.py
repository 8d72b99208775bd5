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

    register_record_panels()
    panel_registry.add(
        key="department-actions",
        template="actions/partials/panel_department.html",
        context=department_actions_panel,
        order=40,
    )


def register_record_panels():
    """The actions opened from a wave, a follow-up case or an objective appear on that
    record's page (the source apps render `{% record_panels obj %}`)."""
    from qms.dashboard import record_panels

    from .templatetags.actions_tags import actions_panel_context

    record_panels.add(
        key="corrective-actions",
        template="actions/partials/actions_for.html",
        context=actions_panel_context,
    )
