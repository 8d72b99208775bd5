"""The main navigation groups each area's pages into one menu, per role."""

import pytest

from qms.navigation import nav_registry

pytestmark = pytest.mark.django_db


def bar(user):
    return {
        entry.key: [key for _label, _url, key in entry.items]
        for entry in nav_registry.menus_for_user(user)
    }


def test_a_quality_manager_gets_one_menu_per_area(quality_manager):
    menus = bar(quality_manager)
    assert list(menus) == [
        "home",
        "customers",
        "needs",
        "satisfaction",
        "objectives",
        "actions",
        "organisation",
    ]
    assert menus["customers"][:3] == ["customers", "topics", "research"]
    assert {"departments", "people", "parties", "reviews", "metrics", "messages"} <= set(
        menus["organisation"]
    )
    # Every page the flat list offers is still reachable from the bar
    flat = {key for _label, _url, key in nav_registry.for_user(quality_manager)}
    in_menus = {key for key, items in menus.items() if not items} | {
        key for items in menus.values() for key in items
    }
    assert flat == in_menus


def test_a_menu_of_one_entry_is_a_plain_link(front_desk_staff):
    entries = nav_registry.menus_for_user(front_desk_staff)
    for entry in entries:
        assert entry.url or len(entry.items) >= 2
    assert "organisation" not in bar(front_desk_staff)


def test_the_menu_of_the_current_page_is_marked_active(client_for, quality_manager):
    html = client_for(quality_manager).get("/people/").content.decode()
    start = html.index('data-nav-group="organisation"')
    assert 'class="nav-link active"' in html[start : start + 300]
