"""The guide's CRM examples come out of the demo; loading twice changes nothing."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm import metrics as crm_metrics
from crm.models import Booking, ChecklistItem, Complaint, Interaction, Preference
from customers.models import ContactLog
from qms.models import Message
from qms.registry import Period
from research.models import Purchase

pytestmark = pytest.mark.django_db

MODELS = [Booking, ChecklistItem, Complaint, ContactLog, Interaction, Preference, Purchase, Message]


def test_demo_plays_out_the_guides_examples_and_is_idempotent():
    call_command("load_demo", force=True, stdout=io.StringIO())
    # The high-end hotel: sea view for FD, sugar-free coffee for HK, prepared by 'housekeeping'.
    booking = Booking.objects.get(customer__external_ref="C-HG-001", starts_at__gt=timezone.now())
    items = {
        i.department.code: i for i in booking.checklist.select_related("department", "prepared_by")
    }
    assert "facing the sea" in items["FD"].text and items["FD"].prepared_at is None
    assert "Sugar-free coffee" in items["HK"].text
    assert items["HK"].prepared_by.username == "housekeeping"
    # The supermarket: the long-standing egg buyer gets "your eggs are almost used up".
    reminder = Message.objects.get(kind="replenishment_reminder", recipient="c-rs-egg@example.com")
    assert "Eggs" in reminder.subject and "almost used up" in reminder.subject
    # Loyalty: about 65% of retail shoppers bought again in the past year.
    today = timezone.localdate()
    rate = crm_metrics.repeat_purchase_rate(
        period=Period(today - dt.timedelta(days=364), today), segment="retail-shoppers"
    )
    assert 60 <= rate.value <= 70
    assert Complaint.objects.filter(status="investigating").exists()
    assert Complaint.objects.filter(status="closed").exists()
    # Every demo purchase is on its customer's timeline.
    assert not Purchase.objects.filter(interaction__isnull=True).exists()

    counts = {model: model.objects.count() for model in MODELS}
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert {model: model.objects.count() for model in MODELS} == counts
