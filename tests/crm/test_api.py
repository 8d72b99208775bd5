"""The CRM API: same rules and scoping as the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Booking, Complaint, Interaction
from qms.models import Message
from tests.crm.factories import InteractionFactory, PreferenceFactory
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_interaction_list_query_count_does_not_grow(
    api_client_for, viewer, customer, django_assert_max_num_queries
):
    api = api_client_for(viewer)
    InteractionFactory(customer=customer)
    api.get("/api/interactions/")
    with django_assert_max_num_queries(10) as few:
        assert api.get("/api/interactions/").status_code == 200
    limit = len(few.captured_queries)
    InteractionFactory.create_batch(20, customer=CustomerFactory())
    with django_assert_max_num_queries(limit):
        response = api.get("/api/interactions/")
    assert response.status_code == 200
    assert response.data["count"] == 21
    mine = api.get("/api/interactions/", {"customer": customer.pk})
    assert mine.data["count"] == 1


def test_staff_log_an_interaction(api_client_for, front_desk_staff, front_desk, customer):
    response = api_client_for(front_desk_staff).post(
        "/api/interactions/",
        {
            "customer": customer.pk,
            "kind": "call",
            "channel": "phone",
            "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "department": front_desk.pk,
            "summary": "Called",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert Interaction.objects.get().logged_by == front_desk_staff


def test_bulk_interactions_all_or_nothing(
    api_client_for, quality_manager, front_desk_staff, customer
):
    items = [
        {
            "external_id": "A1",
            "customer": customer.external_ref,
            "kind": "call",
            "occurred_at": "2026-03-01",
        },
        {
            "external_id": "A2",
            "customer": customer.external_ref,
            "kind": "email",
            "occurred_at": "2026-03-02",
        },
    ]
    api = api_client_for(quality_manager)
    bad = api.post("/api/interactions/bulk/", [*items, {"external_id": "A3"}], format="json")
    assert bad.status_code == 400 and bad.data["errors"][0]["line"] == 3
    assert not Interaction.objects.exists()
    good = api.post("/api/interactions/bulk/", items, format="json")
    assert good.status_code == 200 and good.data["created"] == 2
    assert (
        api_client_for(front_desk_staff)
        .post("/api/interactions/bulk/", items, format="json")
        .status_code
        == 403
    )


def test_viewer_reads_but_does_not_write(api_client_for, viewer, customer):
    api = api_client_for(viewer)
    assert api.get("/api/preferences/").status_code == 200
    response = api.post(
        "/api/preferences/",
        {"customer": customer.pk, "category": "meal", "value": "Veg"},
        format="json",
    )
    assert response.status_code == 403


def test_preferences_and_booking_checklist(
    api_client_for, front_desk_staff, front_desk, housekeeping, housekeeping_head, customer
):
    api = api_client_for(front_desk_staff)
    created = api.post(
        "/api/preferences/",
        {
            "customer": customer.pk,
            "category": "food_drink",
            "value": "Sugar-free coffee",
            "department": housekeeping.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    duplicate = api.post(
        "/api/preferences/",
        {"customer": customer.pk, "category": "food_drink", "value": "Sugar-free coffee"},
        format="json",
    )
    assert duplicate.status_code == 400
    booking = api.post(
        "/api/bookings/",
        {
            "customer": customer.pk,
            "kind": "booking",
            "starts_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
            "department": front_desk.pk,
        },
        format="json",
    )
    assert booking.status_code == 201, booking.data
    item = booking.data["checklist"][0]
    assert item["department"] == "HK"
    # Front desk cannot tick housekeeping's item; housekeeping can.
    url = f"/api/bookings/{booking.data['id']}/tick/"
    assert api.post(url, {"item": item["id"]}, format="json").status_code == 404
    ticked = api_client_for(housekeeping_head).post(url, {"item": item["id"]}, format="json")
    assert ticked.status_code == 200
    assert ticked.data["checklist"][0]["prepared_by"] == housekeeping_head.username


def test_booking_list_query_count(
    api_client_for, quality_manager, front_desk, django_assert_max_num_queries
):
    from crm import services as crm_services

    api = api_client_for(quality_manager)

    def book():
        customer = CustomerFactory()
        PreferenceFactory(customer=customer)
        crm_services.booking_create(
            customer=customer,
            kind=Booking.Kind.VISIT,
            starts_at=timezone.now() + dt.timedelta(days=1),
            department=front_desk,
            actor=quality_manager,
        )

    book()
    api.get("/api/bookings/")
    with django_assert_max_num_queries(12) as few:
        assert api.get("/api/bookings/").status_code == 200
    limit = len(few.captured_queries)
    for _ in range(8):
        book()
    with django_assert_max_num_queries(limit):
        response = api.get("/api/bookings/")
    assert response.status_code == 200
    assert response.data["count"] == 9


def test_complaint_intake_steps_and_scoping(
    api_client_for, front_desk_staff, front_desk, housekeeping_head, topic, customer
):
    api = api_client_for(front_desk_staff)
    response = api.post(
        "/api/complaints/",
        {
            "customer": customer.pk,
            "description": "Cold breakfast",
            "remedy_sought": "Apology",
            "topic": topic.slug,
            "severity": "medium",
            "department": front_desk.code,
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["reference"].startswith("CMP-")
    assert response.data["status"] == "acknowledged"
    assert Message.objects.filter(key=f"complaint-ack:{pk}").count() == 1
    assert (
        api.post(f"/api/complaints/{pk}/assess/", {}, format="json").data["status"] == "assessing"
    )
    refused = api.post(f"/api/complaints/{pk}/decide/", {}, format="json")
    assert refused.status_code == 400
    decided = api.post(f"/api/complaints/{pk}/decide/", {"decision": "Free dinner"}, format="json")
    assert decided.data["status"] == "decided"
    rejected = api.post(f"/api/complaints/{pk}/reject/", {"note": "Not enough"}, format="json")
    assert rejected.data["status"] == "investigating"
    assert [e["to_status"] for e in rejected.data["events"]][-1] == "investigating"
    # Another department's head: 404 on read and on steps, and an empty list.
    other = api_client_for(housekeeping_head)
    assert other.get(f"/api/complaints/{pk}/").status_code == 404
    assert other.post(f"/api/complaints/{pk}/assess/", {}, format="json").status_code == 404
    assert other.get("/api/complaints/").data["count"] == 0
    assert Complaint.objects.get().status == "investigating"


def test_complaint_list_query_count(
    api_client_for, quality_manager, make_complaint, django_assert_max_num_queries
):
    api = api_client_for(quality_manager)
    make_complaint()
    api.get("/api/complaints/")
    with django_assert_max_num_queries(10) as few:
        assert api.get("/api/complaints/").status_code == 200
    limit = len(few.captured_queries)
    for _ in range(10):
        make_complaint(customer=CustomerFactory())
    with django_assert_max_num_queries(limit):
        response = api.get("/api/complaints/")
    assert response.status_code == 200
    assert response.data["count"] == 11
