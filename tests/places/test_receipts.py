"""Receipt codes: issued in batches through the API or derived from the order reference by
the till (HMAC); each opens the survey once, until it expires; a known order links the
answers to the purchase's customer."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from places import receipts
from places.models import Collector, ReceiptCode
from research.models import Purchase
from satisfaction.models import Response
from tests.places.factories import make_collector
from tests.satisfaction.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def receipt_collector(department, days=14):
    collector = make_collector(department=department)
    Collector.objects.filter(pk=collector.pk).update(receipt_required=True, receipt_days=days)
    collector.refresh_from_db()
    return collector


def url(collector):
    return reverse("place:answer", args=[collector.code])


def test_a_receipt_survey_asks_for_the_code_first(front_desk):
    collector = receipt_collector(front_desk)
    html = Client().get(url(collector)).content.decode()
    assert "Code printed on your receipt" in html
    assert "How likely are you to recommend us?" not in html


def test_batch_codes_are_issued_by_the_api_and_used_once(quality_manager, front_desk):
    collector = receipt_collector(front_desk)
    api = APIClient()
    api.force_authenticate(quality_manager)
    created = api.post(
        "/api/receipt-batches/",
        {"collector": collector.pk, "size": 3, "expires_after_days": 5},
        format="json",
    )
    assert created.status_code == 201, created.content
    codes = created.json()["codes"]
    assert len(set(codes)) == 3
    code = codes[0]
    # The receipt's QR code carries the code: the survey opens directly.
    page = Client().get(url(collector), {"r": code.lower()})
    assert "How likely are you to recommend us?" in page.content.decode()
    first = Client().post(url(collector), {"receipt_code": code, "q_nps": "9"})
    assert first.status_code == 200 and 'data-testid="thanks"' in first.content.decode()
    assert ReceiptCode.objects.get(code=code).used_at is not None
    # Another phone, the same receipt: refused, nothing stored.
    again = Client().post(url(collector), {"receipt_code": code, "q_nps": "0"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Response.objects.count() == 1
    assert collector.responses.get().receipt.code == code


def test_an_expired_or_unknown_code_is_refused(front_desk):
    collector = receipt_collector(front_desk)
    batch, codes = receipts.receipt_batch_issue(collector=collector, size=1, expires_after_days=1)
    ReceiptCode.objects.filter(batch=batch).update(
        expires_at=timezone.now() - dt.timedelta(hours=1)
    )
    expired = Client().get(url(collector), {"r": codes[0]})
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    unknown = Client().post(url(collector), {"receipt_code": "ZZZZZZZZ", "q_nps": "9"})
    assert unknown.status_code == 404
    assert not Response.objects.exists()


def test_a_derived_code_needs_no_call_and_links_the_purchase(front_desk):
    collector = receipt_collector(front_desk, days=7)
    customer = CustomerFactory()
    Purchase.objects.create(
        external_id="R-1001",
        customer=customer,
        product="Dinner",
        amount=Decimal("80"),
        purchased_at=timezone.now(),
    )
    today = timezone.localdate()
    code = receipts.derive_code(collector, "R-1001", today - dt.timedelta(days=2))
    response = Client().post(
        url(collector), {"receipt_code": code, "receipt_ref": "R-1001", "q_nps": "10"}
    )
    assert response.status_code == 200
    used = ReceiptCode.objects.get(code=code)
    assert used.order_ref == "R-1001" and used.purchase.customer == customer
    assert collector.responses.get().customer == customer
    # Once per code.
    again = Client().post(
        url(collector), {"receipt_code": code, "receipt_ref": "R-1001", "q_nps": "10"}
    )
    assert again.status_code == 410
    # A code derived too long ago has expired; one for another order is unknown.
    old = receipts.derive_code(collector, "R-1002", today - dt.timedelta(days=9))
    assert Client().get(url(collector), {"r": old, "o": "R-1002"}).status_code == 410
    assert Client().get(url(collector), {"r": "ABCDEFGH", "o": "R-1001"}).status_code == 404


def test_heads_cannot_issue_codes(front_desk, front_desk_head):
    collector = receipt_collector(front_desk)
    api = APIClient()
    api.force_authenticate(front_desk_head)
    response = api.post(
        "/api/receipt-batches/", {"collector": collector.pk, "size": 3}, format="json"
    )
    assert response.status_code == 403
    assert not ReceiptCode.objects.exists()


def test_places_and_collectors_api(quality_manager, front_desk, housekeeping_head):
    from tests.satisfaction.factories import published_survey

    api = APIClient()
    api.force_authenticate(quality_manager)
    place = api.post(
        "/api/places/", {"name": "Checkout 3", "department": front_desk.pk}, format="json"
    )
    assert place.status_code == 201, place.content
    version = published_survey()
    collector = api.post(
        "/api/place-collectors/",
        {"place": place.json()["id"], "survey_version": version.pk, "receipt_required": True},
        format="json",
    )
    assert collector.status_code == 201, collector.content
    body = collector.json()
    assert body["url"].endswith(f"/p/{body['code']}/")
    assert body["receipt_required"] and len(body["receipt_key"]) == 64
    stopped = api.post(f"/api/place-collectors/{body['id']}/stop/")
    assert stopped.status_code == 200 and stopped.json()["active"] is False
    other = APIClient()
    other.force_authenticate(housekeeping_head)
    assert other.get(f"/api/places/{place.json()['id']}/").status_code == 404
    assert other.get("/api/place-collectors/").json()["results"] == []
