"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.navigation import nav_registry
    from qms.selectors import department_ids_for_user

    nav_registry.add(
        key="complaints",
        group="customers",
        label=_("Complaints"),
        url_name="crm:complaint-list",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=13,
    )
    nav_registry.add(
        key="bookings",
        group="customers",
        label=_("Bookings and checklists"),
        url_name="crm:booking-list",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=14,
    )
