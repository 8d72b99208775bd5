"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.navigation import nav_registry

    nav_registry.add_group(key="satisfaction", label=_("Satisfaction"), order=30)
    nav_registry.add(
        key="surveys",
        group="satisfaction",
        label=_("Surveys"),
        url_name="satisfaction:survey-list",
        visible=lambda user: user.can_view_all,
        order=40,
    )
    nav_registry.add(
        key="follow-ups",
        group="satisfaction",
        label=_("Follow-ups"),
        url_name="satisfaction:followup-list",
        visible=lambda user: user.can_view_all,
        order=41,
    )
