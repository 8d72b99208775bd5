"""A department head opens the bookings page, finds the regular guest's upcoming stay
and ticks the personalised-service item of their department; the page then says who
prepared it. The other department's item has no button for them."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm import services as crm_services
from crm.models import ChecklistItem, Preference
from tests.browser.conftest import login, nav
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_head_ticks_a_personalised_service_item(
    page, front_desk, front_desk_head, housekeeping, housekeeping_head
):
    guest = CustomerFactory(name="Regular Guest")
    Preference.objects.create(
        customer=guest, category="room", value="Room facing the sea", department=front_desk
    )
    Preference.objects.create(
        customer=guest, category="food_drink", value="Sugar-free coffee", department=housekeeping
    )
    booking = crm_services.booking_create(
        customer=guest,
        kind="booking",
        starts_at=timezone.now() + dt.timedelta(days=2),
        department=front_desk,
        actor=front_desk_head,
    )
    coffee = booking.checklist.get(department=housekeeping)
    sea = booking.checklist.get(department=front_desk)

    login(page, "hk-head")
    nav(page, "bookings")
    row = page.get_by_role("row").filter(has_text="Regular Guest")
    expect(row).to_contain_text("0 / 2", use_inner_text=True)
    row.get_by_role("link").click()
    item = page.locator(f"[data-item='{coffee.pk}']")
    expect(item).to_contain_text("Sugar-free coffee", use_inner_text=True)
    expect(page.locator(f"[data-item='{sea.pk}'] button")).to_have_count(0)
    item.get_by_role("button", name="Mark prepared").click()
    prepared = page.locator(f"[data-item='{coffee.pk}'] [data-testid=prepared-by]")
    expect(prepared).to_contain_text("Hugo Head", use_inner_text=True)
    assert ChecklistItem.objects.get(pk=coffee.pk).prepared_by == housekeeping_head
