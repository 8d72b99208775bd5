"""Role-aware navigation. `qms` cannot import the apps to its right, so each app adds its
menu and entries in its `AppConfig.ready()`:

    from qms.navigation import nav_registry
    nav_registry.add_group(key="needs", label=_("Requirements"), order=20)
    nav_registry.add(key="requirements", group="needs", label=_("Requirements"),
                     url_name="requirements:requirement-list", visible=lambda user: True, order=20)

The bar shows one menu per group (a plain link when a person sees only one entry of it).
`visible(user)` must not query the database beyond the cached scoping helpers.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    visible: Callable
    order: int
    group: str = ""


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str
    order: int


@dataclass
class NavEntry:
    """One place on the bar: a link (`url` set) or a menu of links (`items`)."""

    key: str
    label: str
    url: str = ""
    items: list[tuple[str, str, str]] = field(default_factory=list)
    order: int = 0

    def is_active(self, path: str) -> bool:
        if self.url:
            return path == self.url
        return any(path == url for _label, url, _key in self.items)


class NavRegistry:
    def __init__(self):
        self._items: dict[str, NavItem] = {}
        self._groups: dict[str, NavGroup] = {}

    def add_group(self, *, key, label, order=50) -> None:
        self._groups[key] = NavGroup(key, label, order)

    def add(self, *, key, label, url_name, visible, order=50, group="") -> None:
        self._items[key] = NavItem(key, label, url_name, visible, order, group)

    def _visible(self, user) -> list[NavItem]:
        items = sorted(self._items.values(), key=lambda item: (item.order, item.key))
        return [item for item in items if item.visible(user)]

    def for_user(self, user) -> list[tuple[str, str, str]]:
        """Every entry a person may use, as (label, url, key), in menu order."""
        return [(item.label, reverse(item.url_name), item.key) for item in self._visible(user)]

    def menus_for_user(self, user) -> list[NavEntry]:
        """The bar: ungrouped links and one menu per group, by order."""
        entries: dict[str, NavEntry] = {}
        for item in self._visible(user):
            link = (item.label, reverse(item.url_name), item.key)
            group = self._groups.get(item.group)
            if group is None:
                entries[item.key] = NavEntry(item.key, item.label, url=link[1], order=item.order)
                continue
            entry = entries.setdefault(
                group.key, NavEntry(group.key, group.label, order=group.order)
            )
            entry.items.append(link)
        bar = sorted(entries.values(), key=lambda entry: (entry.order, entry.key))
        for entry in bar:
            if len(entry.items) == 1:  # a menu of one is just a link
                entry.label, entry.url, entry.key = entry.items[0]
                entry.items = []
        return bar


nav_registry = NavRegistry()
