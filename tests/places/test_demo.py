"""The places demo: the restaurant's table QR codes, where "excessively long queuing
time" is named by 40 % of the unhappy; the hotel front desk's kiosk; a held burst; a
receipt batch. Loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from places.metrics import place_driver_shares
from places.models import Collector, KioskDevice, Place, PlaceResponse, ReceiptCode

pytestmark = pytest.mark.django_db


def test_the_restaurant_tables_and_the_front_desk_kiosk():
    call_command("load_demo", "--force", stdout=io.StringIO())
    tables = Place.objects.get(name="Restaurant tables 1-20")
    base, drivers = place_driver_shares(place=tables.pk)
    assert base == 10
    assert drivers[0]["label"] == "Excessively long queuing time"
    assert drivers[0]["share"] == 40.0
    assert PlaceResponse.objects.filter(place=tables, state="held").exists()
    desk = Place.objects.get(name="Hotel front desk")
    assert desk.department.code == "FD"
    assert KioskDevice.objects.filter(collector__place=desk, revoked_at__isnull=True).exists()
    assert ReceiptCode.objects.filter(collector__receipt_required=True).count() == 20
    counts = (Place.objects.count(), Collector.objects.count(), PlaceResponse.objects.count())
    call_command("load_demo", "--force", stdout=io.StringIO())
    assert (
        Place.objects.count(),
        Collector.objects.count(),
        PlaceResponse.objects.count(),
    ) == counts
