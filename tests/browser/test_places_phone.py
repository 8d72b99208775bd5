"""A walk-in scans a place's QR code (opens its short URL) on a phone and answers, in
English and in Chinese; the page passes axe with no serious or critical finding; a
second answer from the same phone the same day is politely refused."""

import pytest
from playwright.sync_api import expect

from places.models import PlaceResponse
from satisfaction.models import Answer, FollowUpCase
from tests.browser.test_accessibility import AXE, RUN_AXE
from tests.factories import DepartmentFactory, UserFactory
from tests.places.factories import make_collector

pytestmark = pytest.mark.django_db(transaction=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def axe_findings(page) -> list:
    page.add_script_tag(url=AXE)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize(
    "lang,heading,question,send,thanks",
    [
        (
            "en",
            "Dining experience",
            "How likely are you to recommend us?",
            "Send my answers",
            "Thank you!",
        ),
        ("zh-hans", "Dining experience", "您向朋友推荐我们的可能性有多大？", None, None),
    ],
)
def test_a_walk_in_scans_and_answers_on_a_phone(phone_page, lang, heading, question, send, thanks):
    page = phone_page
    head = UserFactory(username="kitchen-head")
    kitchen = DepartmentFactory(name="Kitchen", code="KT", head=head)
    collector = make_collector(department=kitchen, name="Tables 1-20")
    page.goto(f"/p/{collector.code}/?lang={lang}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_test_id("place-name")).to_have_text("Tables 1-20")
    assert no_horizontal_scroll(page)
    assert axe_findings(page) == []
    driver = page.locator("#question-driver")
    expect(driver).to_be_hidden()
    page.get_by_role("group", name=question).get_by_text("3", exact=True).click()
    expect(driver).to_be_visible()
    page.locator("#question-driver input[value=queue]").check()
    page.locator("#id_contact_consent").check()
    page.locator("#id_contact_email").fill("guest@example.com")
    page.locator("#survey-form button[type=submit]").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    if thanks:
        expect(page.get_by_test_id("thanks")).to_have_text(thanks)
    row = PlaceResponse.objects.get()
    assert row.state == "accepted" and row.language == lang
    assert Answer.objects.get(response=row.response, question_code="driver").choice.code == "queue"
    assert FollowUpCase.objects.get().owner == head
    # The same phone, again today: thanked, not counted twice.
    page.goto(f"/p/{collector.code}/?lang={lang}")
    expect(page.get_by_test_id("already-today")).to_be_visible()
    assert PlaceResponse.objects.count() == 1
