"""API: customers, topics, tickets (bulk), purchases (bulk), interviews; role scoping."""

import pytest
from rest_framework.test import APIClient

from customers.models import Consent, Customer, Topic
from research.models import InterviewFinding, Purchase, Ticket
from tests.customers.factories import ConsentFactory, CustomerFactory, SegmentFactory, TopicFactory
from tests.research.factories import (
    FindingFactory,
    InterviewFactory,
    PurchaseFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/customers/",
    "/api/topics/",
    "/api/segments/",
    "/api/tickets/",
    "/api/purchases/",
    "/api/interviews/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_gets_403(url):
    assert APIClient().get(url).status_code == 403


@pytest.mark.parametrize("url", ENDPOINTS)
def test_readers_read_and_outsiders_do_not(api_client_for, url, readers, outsider):
    for user in readers:
        assert api_client_for(user).get(url).status_code == 200
    assert api_client_for(outsider).get(url).status_code == 403


def test_quality_manager_creates_updates_and_deletes_a_customer(api_client_for, quality_manager):
    api = api_client_for(quality_manager)
    segment = SegmentFactory()
    response = api.post(
        "/api/customers/",
        {"name": "Mei Chen", "external_ref": "C-1", "segment": segment.pk, "language": "zh-hans"},
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    response = api.patch(f"/api/customers/{pk}/", {"name": "Mei Chen-Li"}, format="json")
    assert response.status_code == 200
    assert Customer.objects.get(pk=pk).name == "Mei Chen-Li"
    assert api.delete(f"/api/customers/{pk}/").status_code == 204


def test_duplicate_external_ref_is_a_readable_400(api_client_for, quality_manager):
    CustomerFactory(external_ref="C-1")
    response = api_client_for(quality_manager).post(
        "/api/customers/", {"name": "X", "external_ref": "C-1"}, format="json"
    )
    assert response.status_code == 400
    assert "C-1" in response.data["detail"]


def test_customer_with_tickets_cannot_be_deleted(api_client_for, quality_manager):
    ticket = TicketFactory()
    response = api_client_for(quality_manager).delete(f"/api/customers/{ticket.customer_id}/")
    assert response.status_code == 400
    assert Customer.objects.filter(pk=ticket.customer_id).exists()


def test_readers_cannot_write(api_client_for, viewer, front_desk_head, front_desk_staff):
    customer = CustomerFactory(name="Keep")
    for user in (viewer, front_desk_head, front_desk_staff):
        api = api_client_for(user)
        assert api.post("/api/customers/", {"name": "X"}, format="json").status_code == 403
        response = api.patch(f"/api/customers/{customer.pk}/", {"name": "Y"}, format="json")
        assert response.status_code == 403
        assert api.post("/api/tickets/bulk/", [], format="json").status_code == 403
        assert (
            api.post("/api/topics/", {"name": "T", "slug": "t"}, format="json").status_code == 403
        )
    customer.refresh_from_db()
    assert customer.name == "Keep"


def test_consent_is_recorded_through_the_api(api_client_for, quality_manager):
    customer = CustomerFactory()
    response = api_client_for(quality_manager).post(
        f"/api/customers/{customer.pk}/consent/",
        {
            "channel": "surveys",
            "granted": True,
            "method": "email",
            "recorded_at": "2026-01-05T10:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Consent.objects.get(customer=customer).granted


def test_customer_list_filters(api_client_for, viewer):
    families = SegmentFactory()
    CustomerFactory(name="A", segment=families)
    CustomerFactory(name="B")
    response = api_client_for(viewer).get("/api/customers/", {"segment": families.pk})
    assert [c["name"] for c in response.data["results"]] == ["A"]


def test_topic_create_and_duplicate_code(api_client_for, quality_manager):
    api = api_client_for(quality_manager)
    response = api.post(
        "/api/topics/", {"name": "Battery life", "slug": "battery-life"}, format="json"
    )
    assert response.status_code == 201
    response = api.post("/api/topics/", {"name": "Battery", "slug": "battery-life"}, format="json")
    assert response.status_code == 400
    assert Topic.objects.count() == 1


# --- Bulk endpoints: the CSV import's rule and report ---------------------------------


@pytest.fixture
def known():
    CustomerFactory(external_ref="C-1")
    TopicFactory(slug="battery-life")


ITEMS = [
    {"external_id": "WO-1", "customer": "C-1", "topic": "battery-life", "opened_at": "2026-03-01"},
    {
        "external_id": "WO-2",
        "customer": "C-1",
        "topic": "battery-life",
        "opened_at": "2026-03-02T10:00:00Z",
        "closed_at": "2026-03-03T10:00:00Z",
        "resolution": "Fixed",
    },
]


def test_ticket_bulk_creates_then_reimport_creates_nothing(api_client_for, quality_manager, known):
    api = api_client_for(quality_manager)
    response = api.post("/api/tickets/bulk/", ITEMS, format="json")
    assert response.status_code == 200
    assert response.data["ok"] is True
    assert response.data["created"] == 2
    again = api.post("/api/tickets/bulk/", ITEMS, format="json")
    assert again.status_code == 200
    assert (again.data["created"], again.data["unchanged"]) == (0, 2)
    assert Ticket.objects.count() == 2


def test_ticket_bulk_with_a_bad_item_imports_nothing(api_client_for, quality_manager, known):
    items = [*ITEMS, {"external_id": "WO-3", "customer": "C-404", "topic": "battery-life"}]
    response = api_client_for(quality_manager).post("/api/tickets/bulk/", items, format="json")
    assert response.status_code == 400
    assert response.data["ok"] is False
    assert [e["line"] for e in response.data["errors"]] == [3]
    assert "C-404" in response.data["errors"][0]["reason"]
    assert "opened_at" in response.data["errors"][0]["reason"]
    assert Ticket.objects.count() == 0


def test_ticket_bulk_needs_a_list(api_client_for, quality_manager):
    response = api_client_for(quality_manager).post(
        "/api/tickets/bulk/", {"external_id": "WO-1"}, format="json"
    )
    assert response.status_code == 400
    assert response.data["ok"] is False
    assert "list" in response.data["file_error"]


def test_ticket_bulk_has_a_size_limit(api_client_for, quality_manager, known, monkeypatch):
    from customers import imports

    monkeypatch.setattr(imports, "API_MAX_ITEMS", 1)
    response = api_client_for(quality_manager).post("/api/tickets/bulk/", ITEMS, format="json")
    assert response.status_code == 400
    assert "at most 1" in response.data["file_error"]
    assert Ticket.objects.count() == 0


def test_purchase_bulk(api_client_for, quality_manager, known):
    items = [
        {
            "external_id": "ORD-1",
            "customer": "C-1",
            "product": "Eggs",
            "quantity": 2,
            "amount": "6.40",
            "purchased_at": "2026-03-01",
        }
    ]
    response = api_client_for(quality_manager).post("/api/purchases/bulk/", items, format="json")
    assert response.status_code == 200
    assert Purchase.objects.get().quantity == 2


def test_customer_bulk(api_client_for, quality_manager):
    items = [{"external_ref": "C-7", "name": "Tom Smith", "language": "en"}]
    response = api_client_for(quality_manager).post("/api/customers/bulk/", items, format="json")
    assert response.status_code == 200
    assert Customer.objects.get(external_ref="C-7").name == "Tom Smith"


# --- Interviews -----------------------------------------------------------------------


def test_interview_create_and_add_a_finding(api_client_for, quality_manager):
    api = api_client_for(quality_manager)
    segment = SegmentFactory()
    TopicFactory(slug="diaper-breathability")
    response = api.post(
        "/api/interviews/",
        {
            "title": "Mom group",
            "held_on": "2026-03-01",
            "segment": segment.pk,
            "interviewer": quality_manager.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    response = api.post(
        f"/api/interviews/{pk}/findings/",
        {"topic": "diaper-breathability", "note": "Skin stays dry"},
        format="json",
    )
    assert response.status_code == 201
    assert InterviewFinding.objects.get().topic.slug == "diaper-breathability"
    detail = api.get(f"/api/interviews/{pk}/")
    assert detail.data["findings"][0]["topic"] == "diaper-breathability"


def test_interview_without_customer_or_segment_is_400(api_client_for, quality_manager):
    response = api_client_for(quality_manager).post(
        "/api/interviews/",
        {"title": "?", "held_on": "2026-03-01", "interviewer": quality_manager.pk},
        format="json",
    )
    assert response.status_code == 400


# --- Flat query counts on list endpoints ----------------------------------------------


def _fill(n):
    segment = SegmentFactory()
    topic = TopicFactory()
    for _ in range(n):
        customer = CustomerFactory(segment=segment)
        ConsentFactory(customer=customer)
        TicketFactory(customer=customer, topic=topic)
        PurchaseFactory(customer=customer)
        FindingFactory(interview=InterviewFactory(segment=segment), topic=topic)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_list_endpoint_query_count_does_not_grow(
    api_client_for, quality_manager, url, django_assert_max_num_queries
):
    api = api_client_for(quality_manager)
    _fill(2)
    with django_assert_max_num_queries(10) as few:
        assert api.get(url).status_code == 200
    _fill(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(url).status_code == 200


def test_schema_lists_the_endpoints(api_client_for, quality_manager):
    response = api_client_for(quality_manager).get("/api/schema/")
    text = response.content.decode()
    for path in (
        "/api/customers/",
        "/api/tickets/bulk/",
        "/api/purchases/bulk/",
        "/api/interviews/",
    ):
        assert path in text


def test_ticket_bulk_too_big_for_the_server_answers_with_the_report(
    api_client_for, quality_manager, known, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    response = api_client_for(quality_manager).post("/api/tickets/bulk/", ITEMS * 5, format="json")
    assert response.status_code == 400
    assert response.data["ok"] is False
    assert "several smaller requests" in response.data["file_error"]
    assert Ticket.objects.count() == 0
