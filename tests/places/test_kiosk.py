"""Kiosks: issued by a quality manager (the URL once), answers stored once per
idempotency key, a revoked device takes nothing, the page keeps nothing in the browser."""

import pytest
from django.test import Client
from django.urls import reverse

from places import services
from places.models import KioskDevice, PlaceResponse
from satisfaction.models import Response
from tests.places.factories import make_collector

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


def test_a_quality_manager_issues_a_kiosk_and_sees_its_url_once(
    client_for, quality_manager, front_desk
):
    collector = make_collector(department=front_desk)
    client = client_for(quality_manager)
    page = client.post(reverse("places:kiosk-issue", args=[collector.pk]), {"name": "Exit"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="kiosk-url"' in html and "/p/kiosk/" in html
    device = KioskDevice.objects.get()
    token = html.split("/p/kiosk/", 1)[1].split("/", 1)[0]
    assert token not in device.token_hash
    kiosk = Client().get(reverse("place:kiosk", args=[token]))
    assert kiosk.status_code == 200
    assert kiosk["Cache-Control"] == "no-store"
    assert 'data-kiosk="1"' in kiosk.content.decode()


def test_each_answer_is_stored_once_per_key_and_kiosks_skip_the_device_limit(front_desk):
    collector = make_collector(department=front_desk)
    device, token = services.kiosk_issue(collector=collector, name="Exit")
    url = reverse("place:kiosk", args=[token])
    tablet = Client()
    first = tablet.post(url, {"q_nps": "9", "idem": "key-1"}, **FETCH)
    assert first.json() == {"ok": True, "stored": True}
    retry = tablet.post(url, {"q_nps": "9", "idem": "key-1"}, **FETCH)
    assert retry.json() == {"ok": True, "stored": False}
    second = tablet.post(url, {"q_nps": "4", "idem": "key-2"}, **FETCH)
    assert second.json()["stored"] is True
    assert Response.objects.count() == 2
    assert set(PlaceResponse.objects.values_list("kiosk", flat=True)) == {device.pk}
    invalid = tablet.post(url, {"idem": "key-3"}, **FETCH)
    assert invalid.status_code == 400 and "nps" in invalid.json()["errors"]


def test_a_revoked_kiosk_takes_no_answers(client_for, quality_manager, front_desk):
    collector = make_collector(department=front_desk)
    device, token = services.kiosk_issue(collector=collector, name="Exit")
    client = client_for(quality_manager)
    assert client.post(reverse("places:kiosk-revoke", args=[device.pk])).status_code == 302
    url = reverse("place:kiosk", args=[token])
    assert Client().get(url).status_code == 410
    refused = Client().post(url, {"q_nps": "9", "idem": "k"}, **FETCH)
    assert refused.status_code == 410 and refused.json()["revoked"] is True
    assert not Response.objects.exists()


def test_heads_cannot_issue_or_revoke_kiosks(client_for, front_desk, front_desk_head):
    collector = make_collector(department=front_desk)
    device, _token = services.kiosk_issue(collector=collector, name="Exit")
    client = client_for(front_desk_head)
    assert (
        client.post(reverse("places:kiosk-issue", args=[collector.pk]), {"name": "x"}).status_code
        == 403
    )
    assert client.post(reverse("places:kiosk-revoke", args=[device.pk])).status_code == 403
    device.refresh_from_db()
    assert device.revoked_at is None and KioskDevice.objects.count() == 1
