"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
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
