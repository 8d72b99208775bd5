"""Navigation by role: each person sees the links they may use, nothing more."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .selectors import department_ids_for_user


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("qms:home"), "home")]
    if user.can_view_all:
        items.append((_("Departments"), reverse("qms:department-list"), "departments"))
        items.append((_("People"), reverse("qms:person-list"), "people"))
        items.append((_("Metrics"), reverse("qms:metric-list"), "metrics"))
    elif department_ids_for_user(user):
        items.append((_("My departments"), reverse("qms:department-list"), "departments"))
    if user.is_quality_manager:
        items.append((_("Messages"), reverse("qms:message-list"), "messages"))
    if user.is_staff:
        items.append((_("Admin"), reverse("admin:index"), "admin"))
    return {"nav_items": items}
