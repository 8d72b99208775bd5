"""Navigation entries of this app (found by qms.discovery, docs/architecture.md section 2)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.navigation import nav_registry

    nav_registry.add(
        key="places",
        group="satisfaction",
        label=_("Places"),
        url_name="places:place-list",
        visible=lambda user: user.is_authenticated,
        order=42,
    )
