"""The optional `order_ref` of a purchase line (CSV import and API) and the segment a
purchase keeps from the moment it was imported."""

import io

import pytest

from research import services as research_services
from research.models import Purchase
from tests.customers.factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper():
    return CustomerFactory(external_ref="C-1", segment=SegmentFactory(code="retail"))


def _csv(text):
    return research_services.import_csv(kind="purchases", upload=io.BytesIO(text.encode()))


def test_the_csv_import_reads_an_optional_order_ref_and_stamps_the_segment(shopper):
    report = _csv(
        "external_id,customer,product,amount,purchased_at,order_ref\n"
        "L1,C-1,Eggs,3.20,2026-03-01T10:00:00+00:00,ORD-9\n"
        "L2,C-1,Milk,1.10,2026-03-01T10:00:00+00:00,ORD-9\n"
        "L3,C-1,Bread,2.40,2026-03-02T10:00:00+00:00,\n"
    )
    assert report.ok, report.as_dict()
    assert dict(Purchase.objects.values_list("external_id", "order_ref")) == {
        "L1": "ORD-9",
        "L2": "ORD-9",
        "L3": "",
    }
    assert set(Purchase.objects.values_list("segment__code", flat=True)) == {"retail"}
    # The customer moves; a re-import keeps the segment each line was bought in.
    shopper.segment = SegmentFactory(code="business")
    shopper.save()
    _csv("external_id,customer,product,amount,purchased_at\nL3,C-1,Bread,2.50,2026-03-02\n")
    assert Purchase.objects.get(external_id="L3").segment.code == "retail"


def test_a_file_without_the_column_still_imports(shopper):
    report = _csv("external_id,customer,product,amount,purchased_at\nL1,C-1,Eggs,3.20,2026-03-01\n")
    assert report.ok and Purchase.objects.get().order_ref == ""


def test_an_over_long_order_ref_is_a_bad_row(shopper):
    report = _csv(
        "external_id,customer,product,amount,purchased_at,order_ref\n"
        f"L1,C-1,Eggs,3.20,2026-03-01,{'x' * 61}\n"
    )
    assert not report.ok
    assert "order_ref" in str(report.as_dict())
    assert not Purchase.objects.exists()


def test_the_api_takes_and_returns_the_order_ref(shopper, api_client_for, quality_manager):
    api = api_client_for(quality_manager)
    items = [
        {
            "external_id": "L1",
            "customer": "C-1",
            "product": "Eggs",
            "amount": "3.20",
            "purchased_at": "2026-03-01",
            "order_ref": "ORD-1",
        }
    ]
    assert api.post("/api/purchases/bulk/", items, format="json").status_code == 200
    row = api.get("/api/purchases/").json()["results"][0]
    assert row["order_ref"] == "ORD-1"
    assert row["segment"] == shopper.segment_id
