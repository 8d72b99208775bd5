"""A quality manager opens a corrective action from complaints by finding them in a
searchable list, in words (customer, topic, what happened), never by typing a number."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from actions.models import CorrectiveAction
from tests.actions.factories import make_complaint
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_complaints_are_picked_by_their_words(page, quality_manager, front_desk, front_desk_head):
    wanted = make_complaint(department=front_desk, description="Waited 40 minutes for a table")
    make_complaint(department=front_desk, description="The soup was cold")
    page.set_default_timeout(30_000)
    login(page, "qm")
    page.goto("/actions/new/")
    page.locator("#id_title").fill("Table waits")
    page.locator("#id_department").select_option(str(front_desk.pk))
    page.locator("#id_owner").select_option(str(front_desk_head.pk))
    page.locator("#id_due_date").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.locator("#id_source_kind").select_option("complaint")
    # The label leads to the search box; typing words narrows the list.
    search = page.get_by_role("combobox", name="Complaints")
    search.click()
    search.fill("40 minutes")
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text(wanted.customer.name)
    options.first.click()
    expect(page.locator(".ts-control .item")).to_contain_text(wanted.reference)
    search.press("Escape")
    expect(page.locator(".ts-dropdown")).to_be_hidden()
    page.get_by_role("button", name="Open the action").click()
    expect(page.get_by_test_id("reference")).to_be_visible(timeout=30_000)
    action = CorrectiveAction.objects.get()
    assert [s.complaint_id for s in action.sources.all()] == [wanted.pk]
