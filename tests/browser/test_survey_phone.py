"""Browser tests of the survey: a customer answers on a phone-sized screen (with and
without JavaScript), and a quality manager creates a survey and a wave."""

import pytest
from playwright.sync_api import expect

from satisfaction.models import Answer, Invitation, Response, Wave
from surveys.models import Survey
from tests.browser.conftest import login, nav
from tests.satisfaction.factories import (
    SegmentFactory,
    consenting_customer,
    published_survey,
    running_wave,
    sent_invitation,
)

pytestmark = pytest.mark.django_db(transaction=True)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_customer_answers_on_a_phone(phone_page):
    page = phone_page
    invitation, token = sent_invitation(running_wave(published_survey()))
    page.goto(f"/satisfaction/s/{token}/")
    expect(page.get_by_role("heading", name="Dining experience")).to_be_visible()
    assert no_horizontal_scroll(page)
    # The driver question appears only for a detractor (show-if, with JavaScript)
    driver = page.locator("#question-driver")
    expect(driver).to_be_hidden()
    nps = page.get_by_role("group", name="How likely are you to recommend us?")
    nps.get_by_text("3", exact=True).click()
    expect(driver).to_be_visible()
    page.get_by_label("Long queue").check()
    # Save and finish later, then come back to the same link
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("Your answers are saved")).to_be_visible()
    page.goto(f"/satisfaction/s/{token}/")
    expect(page.locator("#id_q_nps_3")).to_be_checked()
    expect(page.get_by_label("Long queue")).to_be_checked()
    # Keyboard: move to the satisfaction scale and pick 2 with the arrow keys
    page.locator("#id_q_csat_1").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#id_q_csat_2")).to_be_checked()
    page.get_by_label("Anything else?").fill("The queue was long.")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    response = Response.objects.get(invitation=invitation)
    assert {a.question_code: a.value_int for a in Answer.objects.filter(response=response)}[
        "csat"
    ] == 2
    # The link is used now
    assert page.goto(f"/satisfaction/s/{token}/").status == 410


def test_customer_answers_without_javascript(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
    )
    page = context.new_page()
    try:
        invitation, token = sent_invitation(running_wave(published_survey()))
        page.goto(f"/satisfaction/s/{token}/")
        # Without JavaScript every question shows, with a hint on the conditional one
        expect(page.locator("#question-driver")).to_be_visible()
        page.get_by_role("button", name="Submit my answers").click()
        expect(page.locator("#error_q_nps")).to_be_visible()
        expect(page.locator("#error-summary")).to_be_visible()
        page.locator("label[for=id_q_nps_10]").click()
        page.get_by_role("button", name="Submit my answers").click()
        expect(page.get_by_test_id("thanks")).to_be_visible()
        assert Invitation.objects.get(pk=invitation.pk).state == Invitation.State.COMPLETED
    finally:
        context.close()


def test_quality_manager_creates_a_survey_and_a_wave(page, quality_manager):
    SegmentFactory(code="guests", name="Guests")
    consenting_customer()
    login(page, "qm")
    nav(page, "surveys")
    page.get_by_role("link", name="New survey").click()
    page.get_by_label("Title (English)").fill("Spa visit")
    page.get_by_label("Title (Simplified Chinese)").fill("水疗体验")
    page.get_by_label("Purpose").select_option("transactional")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Write your own question").click()
    page.get_by_label("Type").select_option("nps")
    page.get_by_label("Question (English)").fill("Would you recommend our spa?")
    page.get_by_label("Question (Simplified Chinese)").fill("您会推荐我们的水疗吗？")
    page.get_by_label("Required").check()
    page.get_by_role("button", name="Save question").click()
    expect(
        page.get_by_test_id("question-list").get_by_text("Would you recommend our spa?")
    ).to_be_visible()
    page.get_by_role("button", name="Publish this version").click()
    page.get_by_role("link", name="New wave").click()
    page.get_by_label("Name").fill("Spa guests")
    page.get_by_label("Segment").select_option(label="Guests")
    page.get_by_role("button", name="Create wave").click()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_test_id("wave-status")).to_have_text("Scheduled", use_inner_text=True)
    wave = Wave.objects.get(name="Spa guests")
    assert wave.survey_version.survey == Survey.objects.get(code="spa-visit")
    assert wave.status == Wave.Status.SCHEDULED
