"""Navigation entries and audit-trail pages of the CRM; called from
CrmConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def register_navigation():
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


def register_history():
    from qms import history

    from .models import Complaint
    from .selectors import complaint_get_for_user

    history.register(
        "complaint",
        model=Complaint,
        get_for_user=lambda user, pk: complaint_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("crm:complaint-detail", args=[obj.pk]),
    )
