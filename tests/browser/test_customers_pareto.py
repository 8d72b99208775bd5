"""A department head opens the Pareto analysis in a real browser: the chart draws (no
CSP error from our script), and clicking a bar opens that topic's evidence."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, nav
from tests.customers.factories import CustomerFactory, TopicFactory
from tests.research.factories import TicketFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_head_clicks_the_top_bar_and_sees_its_tickets(page, front_desk_head):
    battery = TopicFactory(slug="battery-life", name="Battery life")
    noise = TopicFactory(slug="noise", name="Noise")
    owner = CustomerFactory()
    for _ in range(5):
        TicketFactory(customer=owner, topic=battery)
    TicketFactory(customer=owner, topic=noise)
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "pareto" in (message.location or {}).get("url", "")
            else None
        ),
    )
    login(page, "fd-head")
    nav(page, "research")
    page.locator("#pareto-chart[data-ready=true]").wait_for()
    assert not errors
    box = page.locator("#pareto-chart").bounding_box()
    # The first bar stands in the left part of the plot, near its bottom.
    chart = page.evaluate(
        """() => {
          const chart = document.getElementById('pareto-chart').chart;
          const bar = chart.getDatasetMeta(0).data[0];
          return {x: bar.x, y: (bar.y + bar.base) / 2};
        }"""
    )
    page.mouse.click(box["x"] + chart["x"], box["y"] + chart["y"])
    page.wait_for_url("**/customers/tickets/?*topic=battery-life*")
    expect(page.get_by_test_id("result-count")).to_have_text("5 tickets", use_inner_text=True)
