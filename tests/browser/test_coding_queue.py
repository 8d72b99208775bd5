"""A quality manager works through the coding queue in a real browser: the keyboard
confirms a suggestion, a ticked group is coded to one topic, and the queue empties."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coding import services
from coding.models import Coding, Text
from tests.browser.conftest import login, nav
from tests.customers.factories import CustomerFactory, TopicFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _text(body, suggested=None):
    source = CustomerFactory()
    text = services.record_text(
        source=source,
        kind=Text.Kind.TICKET,
        body=body,
        customer=source,
        written_at=timezone.now(),
    )
    services.code_pending()
    if suggested is not None:
        Text.objects.filter(pk=text.pk).update(
            suggested_topic=suggested, suggested_confidence=0.5, suggestions=[[suggested.pk, 0.5]]
        )
    return text


def test_quality_manager_works_through_the_queue(page, quality_manager):
    battery = TopicFactory(slug="battery-life", name="Battery life")
    TopicFactory(slug="screen", name="Screen durability")
    _text("phone dies by noon", suggested=battery)
    _text("power gone by lunch", suggested=battery)
    _text("the glass broke")
    _text("display shattered")

    login(page, "qm")
    nav(page, "coding")
    expect(page.get_by_test_id("keyboard-help")).to_be_visible()
    groups = page.get_by_test_id("queue-groups").locator("a")
    expect(groups).to_have_count(2)
    expect(groups.first).to_contain_text("Battery life")
    expect(groups.first).to_contain_text("2")

    # The keyboard: the first text has focus; "1" codes it to its first suggestion.
    expect(page.locator(".coding-item").first).to_be_focused()
    page.keyboard.press("1")
    expect(page.get_by_text("1 text coded.")).to_be_visible()
    expect(page.locator(".coding-item")).to_have_count(1)
    assert Coding.objects.filter(topic=battery, origin=Coding.Origin.PERSON).count() == 1

    page.keyboard.press("1")
    expect(page.get_by_text("1 text coded.")).to_be_visible()
    expect(groups).to_have_count(1)

    # The group with no suggestion: tick both and code them to one topic.
    expect(page.locator(".coding-item")).to_have_count(2)
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.get_by_label("Code the ticked texts to").select_option(label="Screen durability")
    page.get_by_test_id("code-ticked").click()
    expect(page.get_by_text("2 texts coded.")).to_be_visible()
    expect(page.get_by_test_id("queue-empty")).to_be_visible()
    assert Coding.objects.filter(topic__slug="screen", origin="person").count() == 2
