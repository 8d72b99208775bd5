"""The kiosk page on a tablet: the network drops, the customer answers and sees the
thank-you screen, the page starts over; when the network returns the queued answers
are sent, each stored once; nothing is kept in the browser's storage."""

import pytest
from playwright.sync_api import expect

from places import services
from places.models import PlaceResponse
from tests.factories import DepartmentFactory
from tests.places.factories import make_collector

pytestmark = pytest.mark.django_db(transaction=True)


def test_answers_queued_offline_are_sent_once_when_the_network_returns(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 800, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        desk = DepartmentFactory(name="Front desk", code="FD")
        collector = make_collector(department=desk, name="Front desk")
        _device, token = services.kiosk_issue(collector=collector, name="Exit")
        page.goto(f"/p/kiosk/{token}/")
        expect(page.get_by_role("heading", name="Dining experience")).to_be_visible()
        # A required question left out: the page says so and queues nothing.
        page.locator("#survey-form button[type=submit]").click()
        expect(page.get_by_test_id("kiosk-missing")).to_be_visible()
        context.set_offline(True)
        for score in ("9", "3"):
            page.locator(f"label[for=id_q_nps_{score}]").click()
            page.locator("#survey-form button[type=submit]").click()
            expect(page.get_by_test_id("kiosk-thanks")).to_be_visible()
            # It starts over, the answer gone from the form.
            expect(page.locator("#survey-form")).to_be_visible(timeout=8000)
            expect(page.locator(f"#id_q_nps_{score}")).not_to_be_checked()
        expect(page.get_by_test_id("kiosk-pending")).to_contain_text("2")
        assert PlaceResponse.objects.count() == 0
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.get_by_test_id("kiosk-pending")).to_have_text("", timeout=15000)
        page.wait_for_timeout(6000)  # another timer round: nothing is sent twice
        rows = PlaceResponse.objects.order_by("id")
        assert [r.response.answers.get(question_code="nps").value_int for r in rows] == [9, 3]
        assert len({r.idempotency_key for r in rows}) == 2
    finally:
        context.close()
