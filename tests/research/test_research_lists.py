"""Ticket, purchase and finding lists: filters, readers, flat query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.customers.factories import CustomerFactory, SegmentFactory, TopicFactory
from tests.research.factories import (
    FindingFactory,
    InterviewFactory,
    PurchaseFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

TICKETS = reverse("research:ticket-list")
PURCHASES = reverse("research:purchase-list")
FINDINGS = reverse("research:finding-list")


def test_ticket_filters(client_for, viewer):
    phones = SegmentFactory()
    battery = TopicFactory(slug="battery-life")
    owner = CustomerFactory(segment=phones)
    TicketFactory(external_id="WO-1", customer=owner, topic=battery)
    TicketFactory(external_id="WO-2", topic=battery)
    TicketFactory(
        external_id="WO-3", customer=owner, opened_at=timezone.now() - dt.timedelta(days=90)
    )
    client = client_for(viewer)

    def ids(**params):
        return sorted(t.external_id for t in client.get(TICKETS, params).context["tickets"])

    assert ids() == ["WO-1", "WO-2", "WO-3"]
    assert ids(topic="battery-life") == ["WO-1", "WO-2"]
    assert ids(segment=phones.pk) == ["WO-1", "WO-3"]
    assert ids(customer=owner.pk) == ["WO-1", "WO-3"]
    start = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert ids(start=start) == ["WO-1", "WO-2"]
    assert ids(q="WO-2") == ["WO-2"]


def test_purchase_list_filters_by_customer(client_for, front_desk_head):
    buyer = CustomerFactory()
    PurchaseFactory(customer=buyer, product="Eggs")
    PurchaseFactory(product="Milk")
    response = client_for(front_desk_head).get(PURCHASES, {"customer": buyer.pk})
    assert [p.product for p in response.context["purchases"]] == ["Eggs"]
    assert "topic" not in response.context["filter_form"].fields


def test_empty_lists_say_what_to_do(client_for, quality_manager):
    client = client_for(quality_manager)
    assert reverse("research:ticket-import") in client.get(TICKETS).text
    assert reverse("research:purchase-import") in client.get(PURCHASES).text
    assert "No findings yet" in client.get(FINDINGS).text


@pytest.mark.parametrize("url", [TICKETS, PURCHASES, FINDINGS, reverse("research:interview-list")])
def test_outsider_cannot_read(client_for, outsider, url):
    assert client_for(outsider).get(url).status_code == 403


def _fill(n):
    for _ in range(n):
        customer = CustomerFactory(segment=SegmentFactory())
        TicketFactory(customer=customer, topic=TopicFactory())
        PurchaseFactory(customer=customer)
        FindingFactory(interview=InterviewFactory(customer=customer, segment=None))


@pytest.mark.parametrize(
    "url",
    [
        TICKETS,
        PURCHASES,
        FINDINGS,
        reverse("research:interview-list"),
        reverse("customers:topic-list"),
        reverse("customers:segment-list"),
    ],
)
def test_list_query_count_does_not_grow(client_for, viewer, url, django_assert_max_num_queries):
    client = client_for(viewer)
    _fill(2)
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url).status_code == 200
    _fill(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", [TICKETS, PURCHASES, FINDINGS, reverse("research:interview-list")])
def test_a_bad_filter_value_shows_the_whole_list(client_for, viewer, url):
    """A value the form refuses (only reachable by editing the address) is ignored: the
    unfiltered list, not "filtered" (no "Clear filters"); a page past the end is 404."""
    TicketFactory()
    PurchaseFactory()
    FindingFactory()
    client = client_for(viewer)
    response = client.get(url, {"segment": "bogus", "start": "not-a-date", "topic": "nope"})
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 1
    assert response.context["filtered"] is False
    assert "Clear filters" not in response.text
    response = client.get(url, {"q": "zzzz-nothing"} if url != FINDINGS else {"topic": ""})
    assert response.status_code == 200
    assert client.get(url, {"page": "99"}).status_code == 404
    assert client.get(url, {"page": "x"}).status_code == 404
