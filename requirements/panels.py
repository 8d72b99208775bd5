"""Customer needs awaiting the department head's acknowledgement, on the head's home page."""

from qms.selectors import headed_department_ids

from .models import Requirement
from .selectors import deployment_list

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


def register():
    from qms.dashboard import panel_registry

    panel_registry.add(
        key="needs-awaiting-acknowledgement",
        template="requirements/partials/panel_pending.html",
        context=pending_acknowledgements_panel,
        order=10,
    )
