"""An auditor traces a customer need of the demo (issue 21): signed in as the read-only
viewer, from the requirement "Zero-wait check-in" each of its objectives, the survey
figures measuring it, a corrective action on its topic with its effectiveness verdict
and the management review decision citing it are at most three clicks away; the trace
prints, and the clause evidence pack downloads as a PDF and a ZIP of CSVs."""

import io
import os
import re
import zipfile

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from qms.management.commands.load_demo import DEMO_PASSWORD
from requirements.models import Requirement
from tests.browser.conftest import login, nav

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    with override_settings(DEBUG=True), open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


def _start(page, need):
    page.goto(f"/customers/requirements/{need.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(need.title)


def test_the_auditor_traces_a_need_in_three_clicks_and_takes_the_evidence(page, demo):
    need = Requirement.objects.get(title="Zero-wait check-in")
    objectives = list(need.objectives.order_by("title").values_list("pk", "title"))
    assert objectives, "the demo need is served by an objective"
    login(page, "auditor", DEMO_PASSWORD)

    # Each objective serving it: one click.
    for pk, title in objectives:
        _start(page, need)
        block = page.get_by_test_id("trace-objectives")
        block.locator(f"a[href='/objectives/{pk}/']").click()
        expect(page).to_have_url(f"/objectives/{pk}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)

    # The survey figures measuring it: on the page (no click), the analysis one click away.
    _start(page, need)
    measurements = page.get_by_test_id("trace-measurements")
    expect(measurements.get_by_test_id("measuring-survey")).to_have_count(2)  # hotel, restaurant
    survey = measurements.get_by_test_id("measuring-survey").first
    expect(survey).to_contain_text("Check-in wait")
    expect(survey.get_by_test_id("survey-figures")).to_contain_text("Dissatisfied naming")
    expect(survey.get_by_test_id("survey-figures")).to_contain_text("%")
    survey.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/analysis/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Analysis")

    # A corrective action on its topic with its effectiveness verdict: one click.
    _start(page, need)
    row = page.get_by_test_id("trace-action").filter(has_text="Effective").first
    expect(row.get_by_test_id("verdict")).to_contain_text("Effective")
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/actions/\d+/$"))
    expect(page.get_by_test_id("verdict")).to_contain_text("Effective")
    expect(page.get_by_test_id("needs-concerned")).to_contain_text(need.title)

    # The management review decision citing it: one click.
    _start(page, need)
    decisions = page.get_by_test_id("trace-decisions")
    expect(decisions).to_contain_text("online queue number")
    decisions.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/reviews/\d+/"))
    expect(page.get_by_test_id("review-needs")).to_contain_text(need.title)

    # The trace prints: one click to it; print hides the navigation and the buttons.
    _start(page, need)
    page.get_by_test_id("trace-link").click()
    trace = page.get_by_test_id("requirement-trace")
    expect(trace).to_contain_text(need.title)
    for block in ("trace-objectives", "trace-measurements", "trace-actions", "trace-decisions"):
        expect(page.get_by_test_id(block)).to_be_visible()
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="Print").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.emulate_media(media="print")
    expect(page.locator("nav").first).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.emulate_media(media="screen")

    # The clause evidence page and its pack: from the menu, then download.
    nav(page, "evidence")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evidence by ISO 9001 clause")
    expect(page.get_by_test_id("clause")).to_have_count(6)
    # Rendering the PDF takes seconds on a busy machine: the download may take longer
    # than a click.
    with page.expect_download(timeout=90_000) as pdf_download:
        page.get_by_test_id("evidence-pdf").click(timeout=90_000)
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    with page.expect_download(timeout=90_000) as zip_download:
        page.get_by_test_id("evidence-zip").click(timeout=90_000)
    archive = zip_download.value
    assert archive.suggested_filename.endswith(".zip")
    with open(archive.path(), "rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert any(name.startswith("10.2_") for name in names)
    assert any(name.startswith("6.2_") for name in names)
