"""On a phone, lists stay usable: each row of a data table reads as a card, every value
under its column's name, and nothing is wider than the screen (static/js/tables.js and
app.css). On a desktop the same table is an ordinary table with its header row."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.actions.factories import ActionFactory, make_complaint
from tests.browser.conftest import login
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

FITS = """() => {
  const width = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll("main table.table")];
  return {
    page: document.documentElement.scrollWidth <= width,
    tables: tables.every((t) => t.getBoundingClientRect().right <= width + 1),
    count: tables.length,
  };
}"""
LABEL = """(cell) => getComputedStyle(cell, "::before").content"""


def test_lists_read_as_cards_on_a_phone(
    browser, live_server, quality_manager, front_desk, front_desk_head
):
    CustomerFactory(name="Wang Fang, a customer with a rather long name for a phone")
    ActionFactory(department=front_desk, owner=front_desk_head, title="Queue at the door")
    make_complaint(department=front_desk)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    login(page, "qm")
    for path, column in (
        (reverse("customers:customer-list"), "Status"),
        (reverse("actions:board"), "Status"),
        (reverse("crm:complaint-list"), "Customer"),
    ):
        page.goto(path)
        expect(page.locator("main table.table-stack").first).to_be_visible()
        # The header row is there for screen readers only; each cell says its column.
        header = page.locator("main table.table-stack > thead").first
        assert header.bounding_box()["height"] <= 1, path
        cell = page.locator(f"main table.table-stack td[data-label='{column}']").first
        assert column in cell.evaluate(LABEL), path
        fits = page.evaluate(FITS)
        assert fits["page"] and fits["tables"], f"{path} is wider than the phone: {fits}"
    context.close()


def test_the_same_list_is_a_table_on_a_desktop(page, quality_manager):
    CustomerFactory(name="Wang Fang")
    login(page, "qm")
    page.goto(reverse("customers:customer-list"))
    header = page.locator("main table.table > thead").first
    expect(header).to_be_visible()
    assert header.bounding_box()["height"] > 10
    cell = page.locator("main table.table td[data-label]").first
    assert cell.evaluate(LABEL) in ("none", "normal")
