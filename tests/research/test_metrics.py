"""The ticket_volume metric, computed in the database through the registry."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.registry import Period, registry
from tests.customers.factories import CustomerFactory, SegmentFactory, TopicFactory
from tests.research.factories import TicketFactory

pytestmark = pytest.mark.django_db


def at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


@pytest.fixture
def tickets():
    phones = SegmentFactory(code="smartphone-owners")
    battery = TopicFactory(slug="battery-life")
    screen = TopicFactory(slug="screen")
    owner = CustomerFactory(segment=phones)
    TicketFactory(topic=battery, customer=owner, opened_at=at(dt.date(2026, 3, 1)))
    TicketFactory(topic=battery, customer=owner, opened_at=at(dt.date(2026, 3, 31)))
    TicketFactory(topic=screen, customer=owner, opened_at=at(dt.date(2026, 3, 15)))
    TicketFactory(topic=battery, opened_at=at(dt.date(2026, 3, 10)))
    TicketFactory(topic=battery, customer=owner, opened_at=at(dt.date(2026, 4, 1)))


def test_metric_is_registered_with_its_parameters():
    metric = registry.get("ticket_volume")
    assert metric.parameters == ("topic", "segment")
    assert metric.app_label == "customers"


def test_ticket_volume_counts_the_period(tickets):
    assert registry.compute("ticket_volume", period=Period.parse("2026-03")).value == 4


def test_ticket_volume_by_topic_and_segment(tickets):
    march = Period.parse("2026-03")
    assert registry.compute("ticket_volume", period=march, topic="battery-life").value == 3
    assert registry.compute("ticket_volume", period=march, segment="smartphone-owners").value == 3
    value = registry.compute(
        "ticket_volume", period=march, topic="battery-life", segment="smartphone-owners"
    )
    assert value.value == 2


def test_ticket_volume_is_one_query(tickets, django_assert_num_queries):
    with django_assert_num_queries(1):
        registry.compute("ticket_volume", period=Period.parse("2026"), topic="battery-life")


def test_ticket_volume_through_the_api(api_client_for, viewer, tickets):
    response = api_client_for(viewer).get(
        "/api/metrics/ticket_volume/value/", {"period": "2026-03", "topic": "battery-life"}
    )
    assert response.status_code == 200
    assert response.data["value"] == 3


def test_no_tickets_at_all_is_no_data_but_a_quiet_month_is_zero(tickets):
    assert registry.compute("ticket_volume", period=Period.parse("2025-01")).value == 0


def test_no_data_before_any_import(db):
    assert registry.compute("ticket_volume", period=Period.parse("2026")).value is None
