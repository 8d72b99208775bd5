"""A quality manager opens a corrective action from a detractor's follow-up case: the
form arrives filled in, the case shows "action opened", and the effectiveness criterion
is chosen from lists, with the current value and the proposal from the source. The
dashboard shows targets, changes and a greyed tile with too few answers. Desktop and
phone sizes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import CorrectiveAction
from qms.models import TileTarget
from satisfaction.models import FollowUpCase
from tests.browser.conftest import login
from tests.requirements.factories import DeploymentFactory
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["desktop", "phone"])
def any_page(request):
    return request.getfixturevalue("page" if request.param == "desktop" else "phone_page")


@pytest.fixture
def detractor_case(front_desk):
    version = published_survey(title="Hotel stay pulse", code="hotel-stay")
    wave = running_wave(version)
    response = answered(
        wave, {"nps": 2, "driver": ["queue"], "comment": "Forty minutes at check-in."}
    )
    deployment = DeploymentFactory(department=front_desk)
    deployment.requirement.topics.add(response.answers.get(kind="driver").topic)
    case, _created = FollowUpCase.objects.update_or_create(
        response=response,
        defaults={"customer": response.customer, "reason": "NPS 0-6", "due_at": timezone.now()},
    )
    return case


def test_a_detractor_case_opens_an_action_filled_in_with_a_criterion_from_lists(
    any_page, quality_manager, front_desk_head, detractor_case
):
    page = any_page
    login(page, "qm")
    page.goto(reverse("satisfaction:followup-detail", args=[detractor_case.pk]))
    page.get_by_role("link", name="Open a corrective action").click()

    # The form arrives filled in from the case.
    expect(page.locator("#id_title")).to_have_value(
        "Queue time: detractor follow-up, Hotel stay pulse"
    )
    expect(page.locator("#id_source_kind")).to_have_value("followup_case")
    expect(page.locator("#id_department option:checked")).to_contain_text("Front desk")
    expect(page.locator("#id_owner")).to_have_value(str(front_desk_head.pk))
    expect(page.locator("#id_description")).to_contain_text("Forty minutes at check-in.")
    page.locator("#id_due_date").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Open the action").click()
    page.wait_for_url("**/actions/*/")
    action = CorrectiveAction.objects.get()

    # The effectiveness criterion: proposed from the source, chosen from lists.
    expect(page.get_by_test_id("criterion-proposal")).to_contain_text(
        "Share of dissatisfied customers naming Queue time, Hotel stay pulse: target −50 %",
        use_inner_text=True,
    )
    page.get_by_test_id("choose-criterion").click()
    expect(page.locator("#metric-driver_share")).to_be_checked()
    form = page.get_by_test_id("criterion-form")
    expect(form.get_by_label("Survey")).to_have_value("hotel-stay")
    expect(form.get_by_label("Topic")).to_have_value("queue-time")
    expect(form.get_by_label("Target change (%)")).to_have_value("-50")
    preview = page.get_by_test_id("criterion-preview")
    expect(preview).to_contain_text("Now (last 90 days)", use_inner_text=True)
    expect(page.get_by_test_id("preview-n")).to_have_text("1")
    # Another topic from the list: the preview follows.
    form.get_by_label("Topic").select_option(label="Food quality")
    expect(preview).to_contain_text("naming Food quality", use_inner_text=True)
    form.get_by_label("Topic").select_option(label="Queue time")
    expect(preview).to_contain_text("naming Queue time", use_inner_text=True)
    page.get_by_role("button", name="Add this criterion").click()
    page.wait_for_url(f"**/actions/{action.pk}/**")
    expect(page.get_by_test_id("criterion-1")).to_have_text(
        "Share of dissatisfied customers naming Queue time, Hotel stay pulse",
        use_inner_text=True,
    )
    assert action.criteria.get().metric_params == {"survey": "hotel-stay", "topic": "queue-time"}

    # The case moved on: it says "action opened" and links to the action.
    page.goto(reverse("satisfaction:followup-detail", args=[detractor_case.pk]))
    page.get_by_test_id("action-opened").click()
    page.get_by_test_id("actions-for").get_by_role("link", name=action.reference).click()
    page.wait_for_url(f"**/actions/{action.pk}/")


def test_the_dashboard_shows_targets_changes_and_a_greyed_low_n_tile(any_page, quality_manager):
    page = any_page
    version = published_survey(title="Hotel stay pulse", code="hotel-stay")
    wave = running_wave(version)
    now = timezone.now()
    last_year = now - dt.timedelta(days=366)
    for n in range(12):
        answered(wave, {"nps": 10 if n % 2 else 9}, submitted_at=now - dt.timedelta(minutes=n))
    for n in range(10):
        answered(wave, {"nps": 9 if n < 5 else 3}, submitted_at=last_year)
    # Two satisfaction answers only: too few to read.
    answered(wave, {"nps": 9, "csat": 1}, submitted_at=now)
    answered(wave, {"nps": 9, "csat": 2}, submitted_at=now)
    TileTarget.objects.create(tile="nps", target=Decimal("60"))

    login(page, "qm")
    nps = page.locator("[data-tile='nps']")
    expect(nps.get_by_test_id("tile-target")).to_contain_text("Target 60", use_inner_text=True)
    expect(nps.get_by_test_id("tile-status")).to_have_text("on target")
    expect(nps.get_by_test_id("tile-change")).to_contain_text(
        "against the previous period", use_inner_text=True
    )
    csat = page.locator("[data-tile='csat']")
    expect(csat).to_have_attribute("data-low-n", "")
    expect(csat.get_by_test_id("too-few")).to_have_text("too few answers")
    expect(page.locator("#trend-chart")).to_be_visible()
