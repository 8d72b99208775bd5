"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.navigation import nav_registry

    from .selectors import user_can_read_customers

    nav_registry.add_group(key="customers", label=_("Customers"), order=10)
    nav_registry.add(
        key="customers",
        group="customers",
        label=_("Customers"),
        url_name="customers:customer-list",
        visible=user_can_read_customers,
        order=10,
    )
    nav_registry.add(
        key="topics",
        group="customers",
        label=_("Topics"),
        url_name="customers:topic-list",
        visible=user_can_read_customers,
        order=11,
    )
