"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from customers.selectors import user_can_read_customers
    from qms.navigation import nav_registry

    nav_registry.add(
        key="research",
        group="customers",
        label=_("Research"),
        url_name="research:pareto",
        visible=user_can_read_customers,
        order=12,
    )
