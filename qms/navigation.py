"""Role-aware navigation. `qms` cannot import the apps to its right, so each app adds its
entries in its `AppConfig.ready()`:

    from qms.navigation import nav_registry
    nav_registry.add(key="requirements", label=_("Requirements"),
                     url_name="customers:requirement-list", visible=lambda user: True, order=20)

`visible(user)` must not query the database beyond the cached scoping helpers.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    visible: Callable
    order: int


class NavRegistry:
    def __init__(self):
        self._items: dict[str, NavItem] = {}

    def add(self, *, key, label, url_name, visible, order=50) -> None:
        self._items[key] = NavItem(key, label, url_name, visible, order)

    def for_user(self, user) -> list[tuple[str, str, str]]:
        items = sorted(self._items.values(), key=lambda item: (item.order, item.key))
        return [
            (item.label, reverse(item.url_name), item.key) for item in items if item.visible(user)
        ]


nav_registry = NavRegistry()
