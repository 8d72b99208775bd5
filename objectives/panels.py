"""The objectives panel on department members' home pages (qms.dashboard.panel_registry)."""

from django.utils import timezone

from qms.selectors import department_ids_for_user

from .selectors import decorate_my_objectives, my_objectives

PANEL_LIMIT = 8


def my_objectives_panel(user):
    """The department's objectives with health and check-ins due; hidden for people
    without a department (quality managers see the dashboard instead)."""
    if not department_ids_for_user(user):
        return None
    objectives = decorate_my_objectives(my_objectives(user=user)[:PANEL_LIMIT], user=user)
    if not objectives:
        return None
    today = timezone.localdate()
    for objective in objectives:
        objective.checkin_due = bool(objective.checkin_due_on and objective.checkin_due_on <= today)
    return {"objectives": objectives, "due_count": sum(o.checkin_due for o in objectives)}


def register():
    from qms.dashboard import panel_registry

    panel_registry.add(
        key="objectives",
        template="objectives/partials/panel_my_objectives.html",
        context=my_objectives_panel,
        order=20,
    )
