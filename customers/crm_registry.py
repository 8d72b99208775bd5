"""Navigation entries and audit-trail pages of the CRM; called from
CustomersConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def register_navigation():
    from qms.navigation import nav_registry
    from qms.selectors import department_ids_for_user

    nav_registry.add(
        key="complaints",
        label=_("Complaints"),
        url_name="customers:complaint-list",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=13,
    )
    nav_registry.add(
        key="bookings",
        label=_("Bookings and checklists"),
        url_name="customers:booking-list",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=14,
    )


def register_history():
    from qms import history

    from .crm_selectors import complaint_get_for_user
    from .models import Complaint

    history.register(
        "complaint",
        model=Complaint,
        get_for_user=lambda user, pk: complaint_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("customers:complaint-detail", args=[obj.pk]),
    )


# The API schema names these choice sets explicitly (other apps use the same field names
# for other choices). The lasting home of this is SPECTACULAR_SETTINGS in
# qms/settings/base.py; until the lead moves it there, it is merged in at start-up.
ENUM_NAME_OVERRIDES = {
    "InteractionKindEnum": "customers.models.Interaction.Kind",
    "InteractionChannelEnum": "customers.models.Interaction.Channel",
    "BookingKindEnum": "customers.models.Booking.Kind",
    "ComplaintStatusEnum": "customers.models.Complaint.Status",
    "ComplaintSeverityEnum": "customers.models.Complaint.Severity",
    "PreferenceCategoryEnum": "customers.models.Preference.Category",
    "PreferenceSourceEnum": "customers.models.Preference.Source",
    "CustomerKindEnum": "customers.models.Customer.Kind",
    "RequirementStatusEnum": "customers.models.Requirement.Status",
    # Two choice sets of apps to the right collide with the ones above by field name;
    # naming them too keeps `check --deploy` free of drf-spectacular warnings. (Strings
    # only: nothing is imported from those apps.)
    "QuestionKindEnum": "satisfaction.models.Question.Kind",
    "ObjectiveStatusEnum": "objectives.models.Objective.Status",
}


def register_schema_enums():
    from django.conf import settings

    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    for name, path in ENUM_NAME_OVERRIDES.items():
        overrides.setdefault(name, path)
