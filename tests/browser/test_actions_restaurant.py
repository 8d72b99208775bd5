"""The restaurant example through the pages: a quality manager opens a corrective action
from the survey finding (queue time), records containment and the 5-whys root cause,
plans the three measures with an effectiveness criterion, the owner finishes the
measures, the scanner measures queuing complaints down 80 %, and the quality manager
(who did not implement the plan) verifies and closes it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import CorrectiveAction
from actions.tasks import check_effectiveness_task
from customers.models import Customer, Topic
from research.models import Ticket
from research.services import ticket_record_text
from satisfaction.models import Wave
from surveys.models import Survey, SurveyVersion
from tests.browser.conftest import login, nav

pytestmark = pytest.mark.django_db(transaction=True)


def _finding():
    topic = Topic.objects.create(name="Queue time", slug="queue-time")
    survey = Survey.objects.create(title="Restaurant dining experience", code="restaurant-dining")
    version = SurveyVersion.objects.create(
        survey=survey, number=1, status="published", published_at=timezone.now()
    )
    wave = Wave.objects.create(survey_version=version, name="Restaurant diners — October")
    return wave, topic


def _complaints(topic, day, count, prefix):
    customer, _ = Customer.objects.get_or_create(name="Diner", external_ref="diner-1")
    tz = timezone.get_current_timezone()
    for n in range(count):
        # As the import records them: the ticket, and its text with the imported topic.
        ticket = Ticket.objects.create(
            external_id=f"{prefix}-{n}",
            customer=customer,
            topic=topic,
            opened_at=dt.datetime.combine(day, dt.time(12), tzinfo=tz),
        )
        ticket_record_text(ticket=ticket)


def test_restaurant_action_from_finding_to_verified_closure(
    page, quality_manager, front_desk, front_desk_head
):
    wave, topic = _finding()
    today = timezone.localdate()
    baseline = (today - dt.timedelta(days=60), today - dt.timedelta(days=31))
    followup = (today - dt.timedelta(days=30), today - dt.timedelta(days=1))
    _complaints(topic, baseline[0] + dt.timedelta(days=3), 10, "before")
    _complaints(topic, followup[0] + dt.timedelta(days=3), 2, "after")

    login(page, "qm")
    page.goto(f"/actions/new/?wave={wave.pk}&topic={topic.pk}")
    expect(page.locator("#id_source_kind")).to_have_value("survey_finding")
    expect(page.get_by_test_id("similar-actions")).to_contain_text(
        "No other action on this topic", use_inner_text=True
    )
    page.locator("#id_title").fill("Excessively long queuing time")
    page.locator("#id_department").select_option(str(front_desk.pk))
    page.locator("#id_owner").select_option(str(front_desk_head.pk))
    page.locator("#id_due_date").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Open the action").click()
    page.wait_for_url("**/actions/*/")
    action = CorrectiveAction.objects.get()
    expect(page.get_by_test_id("reference")).to_have_text(action.reference, use_inner_text=True)
    expect(page.get_by_test_id("sources")).to_contain_text(
        "Restaurant diners — October", use_inner_text=True
    )

    page.get_by_test_id("go-containment").click()
    # The guard speaks first: no containment yet.
    page.get_by_test_id("go-root_cause").click()
    expect(page.get_by_text("Record the containment (or mark it not needed)")).to_be_visible()
    page.locator("summary", has_text="Record the containment").click()
    page.locator("#id_containment").fill("Waiting numbers and a free drink after 20 minutes")
    page.get_by_role("button", name="Save containment").click()
    page.get_by_test_id("go-root_cause").click()

    page.locator("summary", has_text="Record the root cause").click()
    page.locator("#id_method_0").check()
    page.locator("#id_why1").fill("Tables turn over slowly")
    page.locator("#id_why2").fill("Dishes take 20 minutes")
    page.locator("#id_statement").fill("The kitchen delivery process is too slow at peak times")
    page.get_by_role("button", name="Save root cause").click()
    page.get_by_test_id("go-planned").click()

    measures = [
        "Online queue-number system (app, 30 minutes ahead)",
        "Temporary dining area with free snacks",
        "Faster kitchen delivery: 20 → 12 minutes",
    ]
    for title in measures:
        page.locator("summary", has_text="Add a measure").click()
        page.locator("#id_measure_title").fill(title)
        page.locator("#id_measure_owner").select_option(str(front_desk_head.pk))
        page.locator("#id_measure_due_date").fill((today + dt.timedelta(days=14)).isoformat())
        page.get_by_role("button", name="Add measure").click()
    for title in measures:
        expect(page.get_by_test_id("measures")).to_contain_text(title, use_inner_text=True)

    page.locator("summary", has_text="Set the windows").click()
    page.locator("#id_baseline_start").fill(baseline[0].isoformat())
    page.locator("#id_baseline_end").fill(baseline[1].isoformat())
    page.locator("#id_followup_start").fill(followup[0].isoformat())
    page.locator("#id_followup_end").fill(followup[1].isoformat())
    page.locator("#id_min_n").fill("2")
    page.get_by_role("button", name="Save windows").click()
    # The criterion is chosen in words: the metric by its name, the topic from a list.
    page.get_by_test_id("choose-criterion").click()
    page.get_by_role("radio", name="After-sales ticket volume").check()
    form = page.get_by_test_id("criterion-form")
    form.get_by_label("Topic").select_option(label="Queue time")
    form.get_by_label("Target change (%)").fill("-80")
    form.get_by_role("button", name="Add this criterion").click()
    expect(page.get_by_test_id("criterion-1")).to_contain_text("Queue time", use_inner_text=True)
    page.get_by_test_id("go-implementing").click()
    expect(page.get_by_test_id(f"status-{action.pk}")).to_contain_text(
        "Implementing", use_inner_text=True
    )

    # The owner finishes the measures from "My actions".
    page.get_by_role("button", name="Sign out").click()
    login(page, "fd-head")
    nav(page, "my-actions")
    for _ in measures:
        page.get_by_test_id("my-measures").locator("select").first.select_option("done")
        page.get_by_test_id("my-measures").get_by_role("button", name="Update").first.click()
    expect(page.get_by_text("You own no open measure")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    login(page, "qm")
    page.goto(f"/actions/{action.pk}/")
    page.locator("summary", has_text="Implemented: check the effect").click()
    page.locator("#id_effectiveness_check_implemented_by").select_option(str(front_desk_head.pk))
    page.get_by_test_id("confirm-effectiveness_check").click()

    # The follow-up window has ended: the scanner measures the effect.
    assert check_effectiveness_task() == 1
    page.reload()
    expect(page.get_by_test_id("change-1")).to_have_text("-80 %", use_inner_text=True)
    expect(page.get_by_test_id("verdict")).to_contain_text("Effective", use_inner_text=True)
    expect(page.locator("#effect-chart")).to_have_count(1)
    page.get_by_test_id("go-closed").click()
    expect(page.get_by_test_id(f"status-{action.pk}")).to_contain_text(
        "Closed", use_inner_text=True
    )
    action.refresh_from_db()
    assert action.status == "closed" and action.verdict == "pass"
    assert action.verified_by == quality_manager and action.implemented_by == front_desk_head

    page.get_by_role("link", name="8D report").click()
    report = page.get_by_test_id("report-8d")
    expect(report).to_contain_text("D8 Closure", use_inner_text=True)
    expect(report).to_contain_text("Faster kitchen delivery", use_inner_text=True)
