"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from .navigation import nav_registry
    from .selectors import department_ids_for_user

    nav_registry.add_group(key="organisation", label=_("Organisation"), order=70)
    nav_registry.add(key="home", label=_("Home"), url_name="qms:home", visible=bool, order=0)
    nav_registry.add(
        key="departments",
        group="organisation",
        label=_("Departments"),
        url_name="qms:department-list",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=80,
    )
    nav_registry.add(
        key="people",
        group="organisation",
        label=_("People"),
        url_name="qms:person-list",
        visible=lambda user: user.can_view_all,
        order=81,
    )
    nav_registry.add(
        key="parties",
        group="organisation",
        label=_("Interested parties"),
        url_name="qms:party-list",
        visible=lambda user: user.can_view_all,
        order=70,
    )
    nav_registry.add(
        key="reviews",
        group="organisation",
        label=_("Management review"),
        url_name="qms:review-list",
        visible=lambda user: user.can_view_all,
        order=71,
    )
    nav_registry.add(
        key="evidence",
        group="organisation",
        label=_("Evidence by clause"),
        url_name="qms:evidence",
        visible=lambda user: user.can_view_all,
        order=72,
    )
    nav_registry.add(
        key="metrics",
        group="organisation",
        label=_("Metrics"),
        url_name="qms:metric-list",
        visible=lambda user: user.can_view_all,
        order=82,
    )
    nav_registry.add(
        key="webhooks",
        group="organisation",
        label=_("Webhooks"),
        url_name="qms:webhook-list",
        visible=lambda user: user.is_quality_manager,
        order=85,
    )
    nav_registry.add(
        key="branding",
        group="organisation",
        label=_("Organisation and branding"),
        url_name="qms:branding",
        visible=lambda user: user.is_quality_manager,
        order=84,
    )
    nav_registry.add(
        key="messages",
        group="organisation",
        label=_("Messages"),
        url_name="qms:message-list",
        visible=lambda user: user.is_quality_manager,
        order=83,
    )
    nav_registry.add(
        key="system",
        group="organisation",
        label=_("System"),
        url_name="qms:system",
        visible=lambda user: user.is_quality_manager,
        order=85,
    )
    nav_registry.add(
        key="admin",
        group="organisation",
        label=_("Admin"),
        url_name="admin:index",
        visible=lambda user: user.is_staff,
        order=99,
    )
