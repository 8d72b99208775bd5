"""Browser tests of the survey builder: a quality manager builds a survey from a
template, edits choices and a show-if condition without typing any syntax, reorders
questions by drag and drop and with the keyboard, previews the survey in Chinese on a
phone, and sends a test invitation whose link stores nothing."""

import re

import pytest
from playwright.sync_api import expect

from qms.models import Message
from satisfaction.models import Response
from surveys.models import Question, Survey
from tests.browser.conftest import login, nav

pytestmark = pytest.mark.django_db(transaction=True)


def _builder_from_template(page):
    login(page, "qm")
    nav(page, "surveys")
    page.get_by_role("link", name="New survey").click()
    page.get_by_role("radio", name=re.compile("^Hotel stay")).check()
    expect(page.get_by_label("Purpose")).to_have_value("transactional")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("question-row")).to_have_count(5)
    return Survey.objects.get()


def test_quality_manager_builds_a_survey_from_a_template_without_typing_syntax(
    page, quality_manager
):
    survey = _builder_from_template(page)
    assert survey.title_zh_hans == "您的入住体验"
    # Edit the driver question: its page shows choices, not scale fields
    driver_row = page.get_by_test_id("question-row").filter(has_text="What disappointed you most?")
    driver_row.get_by_role("link", name="Edit").click()
    expect(page.get_by_test_id("choice-fields")).to_be_visible()
    expect(page.get_by_test_id("scale-fields")).to_be_hidden()
    rows = page.get_by_test_id("choice-row")
    expect(rows).to_have_count(5)
    # Relabel the first choice, add one with a topic picked by name, remove the price
    rows.nth(0).get_by_label("Label (English)").fill("Waiting at the front desk")
    page.get_by_role("button", name="Add a choice").click()
    expect(rows).to_have_count(6)
    new = rows.nth(5)
    new.get_by_label("Label (English)").fill("Breakfast")
    new.get_by_label("Label (Simplified Chinese)").fill("早餐")
    new.get_by_label("Topic").select_option(label="Cleanliness")
    rows.filter(has=page.locator("input[value=Price]")).get_by_role(
        "button", name="Remove this choice"
    ).click()
    expect(rows).to_have_count(5)
    # Move "Breakfast" one place up
    rows.nth(4).get_by_role("button", name="Move this choice up").click()
    expect(rows.nth(3).get_by_label("Label (English)")).to_have_value("Breakfast")
    # The show-if condition is picked: untick 6 so only 0 to 5 show the question
    show_if = page.get_by_test_id("show-if-fields")
    expect(show_if.get_by_label("Show this question only if the answer to")).to_have_value(
        str(survey.versions.get().questions.get(kind="nps").pk)
    )
    nps_answers = show_if.get_by_role(
        "group", name="How likely are you to recommend us to a friend or colleague?"
    )
    expect(nps_answers).to_be_visible()
    expect(show_if.get_by_role("group", name="Checking in and out was easy.")).to_be_hidden()
    nps_answers.get_by_label("6", exact=True).uncheck()
    # Changing the type shows the fields of that type only
    page.get_by_label("Type").select_option("rating")
    expect(page.get_by_test_id("scale-fields")).to_be_visible()
    expect(page.get_by_test_id("choice-fields")).to_be_hidden()
    page.get_by_label("Type").select_option("driver")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()
    expect(
        page.get_by_test_id("question-row").filter(has_text="What disappointed you most?")
    ).to_contain_text("colleague?” is 0 — Not at all likely, 1, 2, 3, 4, 5")
    driver = Question.objects.get(kind="driver")
    assert driver.show_if_values == [0, 1, 2, 3, 4, 5]
    assert list(driver.choices.values_list("text_en", "topic__name")) == [
        ("Waiting at the front desk", "Check-in waiting time"),
        ("Noise in the room", "Room noise"),
        ("Room cleanliness", "Cleanliness"),
        ("Breakfast", "Cleanliness"),
        ("Staff attitude", "Staff attitude"),
    ]
    # Keyboard alternative to dragging: move the comment question above the consent
    page.get_by_role("button", name="Move question 5 up").click()
    expect(page.get_by_test_id("question-row").nth(3)).to_contain_text(
        "Is there anything else you would like to tell us?"
    )
    # Drag and drop: the CES question (2nd) by its handle onto the last question
    rows = page.get_by_test_id("question-row")
    handle = rows.nth(1).locator(".drag-handle").bounding_box()
    target = rows.nth(4).bounding_box()
    page.mouse.move(handle["x"] + 2, handle["y"] + 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + target["height"] / 2, steps=20)
    with page.expect_response("**/reorder/") as saved:
        page.mouse.up()
    assert saved.value.ok
    page.wait_for_load_state()
    expect(page.get_by_test_id("question-row").nth(3)).to_contain_text(
        "Checking in and out was easy."
    )
    assert list(Question.objects.order_by("position").values_list("kind", flat=True)) == [
        "nps",
        "driver",
        "text",
        "ces",
        "consent",
    ]


def test_quality_manager_previews_in_chinese_on_a_phone_and_sends_a_test_invitation(
    phone_page, quality_manager
):
    quality_manager.email = "quinn@example.com"
    quality_manager.save()
    page = phone_page
    _builder_from_template(page)
    # The live preview, phone width, in Chinese
    page.get_by_role("link", name="中文").click()
    frame = page.frame_locator("#preview-frame")
    expect(frame.get_by_role("heading", name="您的入住体验")).to_be_visible()
    expect(frame.get_by_text("您向朋友或同事推荐我们的可能性有多大？")).to_be_visible()
    width = page.locator("#preview-frame").evaluate("f => f.getBoundingClientRect().width")
    assert width <= 375
    # Send me a test invitation (in Chinese, the language picked for the preview)
    expect(page.get_by_label("Language of the test e-mail")).to_have_value("zh-hans")
    page.get_by_role("button", name="Send me a test invitation").click()
    expect(page.get_by_text("Test invitation sent to quinn@example.com")).to_be_visible()
    message = Message.objects.get(kind="survey_test_invitation")
    assert message.recipient == "quinn@example.com"
    assert "您的入住体验" in message.subject
    link = next(line for line in message.body.splitlines() if "/s/test/" in line)
    page.goto(link[link.index("/s/test/") :])
    expect(page.get_by_test_id("trial-banner")).to_be_visible()
    expect(page.get_by_role("heading", name="您的入住体验")).to_be_visible()
    page.get_by_role("group", name="您向朋友或同事推荐我们的可能性有多大？").get_by_text(
        "9", exact=True
    ).click()
    page.get_by_role("button", name="提交我的答案").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    assert not Response.objects.exists()
