"""A department head checks in on an objective from "My objectives", on a phone."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from objectives.models import CheckIn, KeyResult
from tests.browser.conftest import login, nav
from tests.objectives.factories import (
    DepartmentObjectiveFactory,
    KeyResultFactory,
    ObjectiveFactory,
    RequirementFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def checkout_key_result(front_desk, front_desk_head):
    need = RequirementFactory(title="Fast checkout, a clean store and friendly service")
    objective = DepartmentObjectiveFactory(
        department=front_desk,
        owner=front_desk_head,
        title="Checkout waiting time within 5 minutes",
        parent=ObjectiveFactory(title="Raise customer satisfaction to 95%", requirements=[need]),
    )
    return KeyResultFactory(
        objective=objective,
        title="Average checkout waiting time",
        unit="minutes",
        direction=KeyResult.Direction.DECREASE,
        baseline=Decimal("9"),
        target=Decimal("5"),
    )


def check_in(page, kr):
    login(page, "fd-head")
    nav(page, "my-objectives")
    card = page.get_by_test_id(f"my-objective-{kr.objective_id}")
    expect(card).to_contain_text(
        "Fast checkout, a clean store and friendly service", use_inner_text=True
    )
    form = page.get_by_test_id(f"checkin-form-{kr.pk}")
    form.get_by_label("Value (minutes)").fill("7")
    form.get_by_label("Confidence (0-10)").select_option("6")
    form.get_by_label("Comment").fill("Extra lane on Saturdays")
    form.get_by_role("button", name="Check in").click()
    page.wait_for_url("**/objectives/mine/")
    expect(page.get_by_role("status")).to_contain_text("Check-in recorded", use_inner_text=True)
    expect(page.get_by_test_id(f"kr-current-{kr.pk}")).to_have_text("7", use_inner_text=True)
    checkin = CheckIn.objects.get()
    assert (checkin.value, checkin.confidence, checkin.by.username) == (Decimal("7"), 6, "fd-head")


def test_department_head_checks_in_from_my_objectives(page, checkout_key_result):
    check_in(page, checkout_key_result)


def test_department_head_checks_in_on_a_phone(phone_page, checkout_key_result):
    login(phone_page, "fd-head")
    phone_page.goto("/objectives/mine/")
    kr = checkout_key_result
    form = phone_page.get_by_test_id(f"checkin-form-{kr.pk}")
    form.get_by_label("Value (minutes)").fill("6.5")
    form.get_by_role("button", name="Check in").click()
    phone_page.wait_for_url("**/objectives/mine/")
    expect(phone_page.get_by_test_id(f"kr-current-{kr.pk}")).to_have_text(
        "6.5", use_inner_text=True
    )
