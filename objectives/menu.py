"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.navigation import nav_registry
    from qms.selectors import department_ids_for_user

    nav_registry.add_group(key="objectives", label=_("Objectives"), order=40)
    nav_registry.add(
        key="objectives",
        group="objectives",
        label=_("Objectives"),
        url_name="objectives:cascade",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=40,
    )
    nav_registry.add(
        key="my-objectives",
        group="objectives",
        label=_("My objectives"),
        url_name="objectives:mine",
        visible=lambda user: bool(department_ids_for_user(user)),
        order=41,
    )
    nav_registry.add(
        key="alignment",
        group="objectives",
        label=_("Alignment"),
        url_name="objectives:alignment",
        visible=lambda user: user.can_view_all,
        order=42,
    )
