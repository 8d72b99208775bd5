"""Navigation entries and audit-trail pages of the requirements register; called from
RequirementsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def register_navigation():
    from qms.navigation import nav_registry
    from qms.selectors import department_ids_for_user, headed_department_ids

    nav_registry.add_group(key="needs", label=_("Requirements"), order=20)
    nav_registry.add(
        key="requirements",
        group="needs",
        label=_("Requirements"),
        url_name="requirements:requirement-list",
        visible=lambda user: user.can_view_all,
        order=20,
    )
    nav_registry.add(
        key="needs",
        group="needs",
        label=_("Our customers' needs"),
        url_name="requirements:brief-list",
        visible=lambda user: bool(department_ids_for_user(user)),
        order=21,
    )
    nav_registry.add(
        key="coverage",
        group="needs",
        label=_("Coverage"),
        url_name="requirements:coverage-list",
        visible=lambda user: user.can_view_all or bool(headed_department_ids(user)),
        order=22,
    )


def register_history():
    from qms import history

    from .models import Deployment, Requirement
    from .selectors import deployment_get_for_user, requirement_get_for_user

    history.register(
        "requirement",
        model=Requirement,
        get_for_user=lambda user, pk: requirement_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("requirements:requirement-detail", args=[obj.pk]),
    )
    history.register(
        "deployment",
        model=Deployment,
        get_for_user=lambda user, pk: deployment_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("requirements:deployment-detail", args=[obj.pk]),
    )
