"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.navigation import nav_registry
    from qms.selectors import department_ids_for_user

    nav_registry.add_group(key="actions", label=_("Improvement"), order=50)
    nav_registry.add(
        key="actions",
        group="actions",
        label=_("Corrective actions"),
        url_name="actions:board",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=50,
    )
    nav_registry.add(
        key="my-actions",
        group="actions",
        label=_("My actions"),
        url_name="actions:mine",
        visible=lambda user: not user.can_view_all or user.is_quality_manager,
        order=51,
    )
