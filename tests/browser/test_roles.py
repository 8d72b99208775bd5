"""A person of each role signs in with a real browser and sees what the role allows."""

import pytest

from tests.browser.conftest import login, nav

pytestmark = pytest.mark.django_db(transaction=True)


def nav_keys(page):
    return page.locator("[data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)")


def test_quality_manager_sees_the_whole_organisation(page, quality_manager, front_desk):
    login(page, "qm")
    assert page.get_by_test_id("role-quality-manager").is_visible()
    assert {"departments", "people", "metrics", "messages"} <= set(nav_keys(page))
    nav(page, "departments")
    page.get_by_role("link", name="Front desk").click()
    assert page.get_by_role("heading", name="Front desk").is_visible()
    assert page.get_by_role("link", name="Edit").is_visible()


def test_department_head_sees_only_own_department(
    page, front_desk, front_desk_head, housekeeping, housekeeping_head
):
    login(page, "fd-head")
    assert page.get_by_test_id("role-department-head").is_visible()
    keys = set(nav_keys(page))
    assert "departments" in keys
    assert not keys & {"people", "messages", "metrics"}
    assert page.get_by_test_id("my-departments").inner_text().count("Front desk") == 1
    # Another department's page is "not found", not a glimpse of its data.
    response = page.goto(f"/departments/{housekeeping.pk}/")
    assert response.status == 404
    assert "Housekeeping" not in page.content()
    # Editing is for the quality manager only.
    response = page.goto(f"/departments/{front_desk.pk}/edit/")
    assert response.status == 403


def test_staff_member_reads_own_department(page, front_desk, front_desk_staff, housekeeping):
    login(page, "fd-staff")
    assert page.get_by_test_id("role-staff").is_visible()
    page.goto(f"/departments/{front_desk.pk}/")
    assert page.get_by_role("heading", name="Front desk").is_visible()
    assert page.get_by_role("link", name="Edit").count() == 0
    assert page.goto("/people/").status == 403


def test_viewer_reads_everything_changes_nothing(page, viewer, front_desk):
    login(page, "viewer")
    assert page.get_by_test_id("role-viewer").is_visible()
    assert {"departments", "people", "metrics"} <= set(nav_keys(page))
    page.goto(f"/departments/{front_desk.pk}/")
    assert page.get_by_role("link", name="Edit").count() == 0
    assert page.goto("/departments/new/").status == 403


def test_sign_out_returns_to_login(page, quality_manager):
    login(page, "qm")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.goto("/").url.endswith("/accounts/login/?next=/")


def test_the_main_menus_open_one_at_a_time_and_close_with_escape(page, quality_manager):
    login(page, "qm")
    bar = page.get_by_test_id("nav")
    # One row of areas, not a wall of two dozen links
    assert bar.locator(":scope > li").count() <= 8
    customers = page.locator("details[data-nav-group=customers]")
    organisation = page.locator("details[data-nav-group=organisation]")
    assert not page.locator("[data-nav=research]").is_visible()
    customers.locator("summary").click()
    assert page.locator("[data-nav=research]").is_visible()
    organisation.locator("summary").click()  # opening another menu closes the first
    assert not customers.evaluate("d => d.open")
    assert organisation.evaluate("d => d.open")
    page.keyboard.press("Escape")
    assert not organisation.evaluate("d => d.open")
    # Keyboard: the menu is a focusable summary that opens with Enter
    organisation.locator("summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("[data-nav=people]").is_visible()
    page.locator("[data-nav=people]").click()
    # The area of the current page is marked in the bar
    assert "active" in organisation.locator("summary").get_attribute("class")
