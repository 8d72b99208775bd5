"""Navigation entries of text coding (found by qms.discovery)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.navigation import nav_registry

    from .selectors import user_can_use_queue

    nav_registry.add(
        key="coding",
        group="customers",
        label=_("Coding queue"),
        url_name="coding:queue",
        visible=user_can_use_queue,
        order=13,
    )
