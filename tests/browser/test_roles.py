"""A person of each role signs in with a real browser and sees what the role allows."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, nav

pytestmark = pytest.mark.django_db(transaction=True)


def nav_keys(page):
    return page.locator("[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)")


def test_quality_manager_sees_the_whole_organisation(page, quality_manager, front_desk):
    login(page, "qm")
    expect(page.get_by_test_id("role-quality-manager")).to_be_visible()
    assert {"departments", "people", "metrics", "messages"} <= set(nav_keys(page))
    nav(page, "departments")
    page.get_by_role("link", name="Front desk").click()
    expect(page.get_by_role("heading", name="Front desk")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_be_visible()


def test_department_head_sees_only_own_department(
    page, front_desk, front_desk_head, housekeeping, housekeeping_head
):
    login(page, "fd-head")
    expect(page.get_by_test_id("role-department-head")).to_be_visible()
    keys = set(nav_keys(page))
    assert "departments" in keys
    assert not keys & {"people", "messages", "metrics"}
    my_departments = page.get_by_test_id("my-departments")
    expect(my_departments).to_contain_text("Front desk", use_inner_text=True)
    assert my_departments.inner_text().count("Front desk") == 1
    # Another department's page is "not found", not a glimpse of its data.
    response = page.goto(f"/departments/{housekeeping.pk}/")
    assert response.status == 404
    assert "Housekeeping" not in page.content()
    # Editing is for the quality manager only.
    response = page.goto(f"/departments/{front_desk.pk}/edit/")
    assert response.status == 403


def test_staff_member_reads_own_department(page, front_desk, front_desk_staff, housekeeping):
    login(page, "fd-staff")
    expect(page.get_by_test_id("role-staff")).to_be_visible()
    page.goto(f"/departments/{front_desk.pk}/")
    expect(page.get_by_role("heading", name="Front desk")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    assert page.goto("/people/").status == 403


def test_viewer_reads_everything_changes_nothing(page, viewer, front_desk):
    login(page, "viewer")
    expect(page.get_by_test_id("role-viewer")).to_be_visible()
    assert {"departments", "people", "metrics"} <= set(nav_keys(page))
    page.goto(f"/departments/{front_desk.pk}/")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    assert page.goto("/departments/new/").status == 403


def test_sign_out_returns_to_login(page, quality_manager):
    login(page, "qm")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape("/accounts/login/?next=/") + "$"))


def test_the_main_menus_open_one_at_a_time_and_close_with_escape(page, quality_manager):
    login(page, "qm")
    bar = page.get_by_test_id("nav")
    # One row of areas, not a wall of two dozen links
    expect(bar).to_be_visible()
    assert bar.locator(":scope > li").count() <= 8
    customers = page.locator("details[data-nav-group=customers]")
    organisation = page.locator("details[data-nav-group=organisation]")
    expect(page.locator("[data-nav=research]")).not_to_be_visible()
    customers.locator("summary").click()
    expect(page.locator("[data-nav=research]")).to_be_visible()
    organisation.locator("summary").click()  # opening another menu closes the first
    expect(customers).to_have_js_property("open", False)
    expect(organisation).to_have_js_property("open", True)
    page.keyboard.press("Escape")
    expect(organisation).to_have_js_property("open", False)
    # Keyboard: the menu is a focusable summary that opens with Enter
    organisation.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-nav=people]")).to_be_visible()
    page.locator("[data-nav=people]").click()
    # The area of the current page is marked in the bar
    expect(organisation.locator("summary")).to_contain_class("active")
