"""Customer 360: one timeline over one table, keyset-paginated, flat query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import selectors as crm_selectors
from crm import services as crm_services
from crm.models import Interaction
from requirements.models import Requirement
from tests.crm.factories import InteractionFactory, PreferenceFactory
from tests.customers.factories import CustomerFactory, TopicFactory
from tests.research.factories import (
    FindingFactory,
    InterviewFactory,
    PurchaseFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def test_timeline_merges_every_kind_newest_first(customer, make_complaint):
    # Given a logged call, an imported purchase and a complaint
    now = timezone.now()
    InteractionFactory(customer=customer, occurred_at=now - dt.timedelta(days=3))
    PurchaseFactory(customer=customer, purchased_at=now - dt.timedelta(days=2))
    make_complaint()
    # When the mirror runs (the 360 page does it for its customer)
    crm_services.interactions_mirror_sources(customer=customer)
    page = crm_selectors.timeline_page(customer=customer)
    # Then one list holds them all, newest first
    assert [i.kind for i in page.items] == ["complaint", "purchase", "call"]
    assert page.next_cursor == ""


def test_mirroring_twice_writes_each_source_once(customer):
    PurchaseFactory(customer=customer)
    TicketFactory(customer=customer)
    InterviewFactory(customer=customer, segment=None)
    assert crm_services.interactions_mirror_sources() == 3
    assert crm_services.interactions_mirror_sources() == 0
    assert Interaction.objects.filter(customer=customer).count() == 3


def test_keyset_pages_cover_everything_once(customer):
    base = timezone.now() - dt.timedelta(days=1)
    # Equal timestamps too: the id breaks ties.
    for n in range(30):
        InteractionFactory(customer=customer, occurred_at=base - dt.timedelta(minutes=n // 2))
    first = crm_selectors.timeline_page(customer=customer, size=25)
    second = crm_selectors.timeline_page(customer=customer, cursor=first.next_cursor, size=25)
    ids = [i.pk for i in first.items] + [i.pk for i in second.items]
    assert len(ids) == 30 == len(set(ids))
    assert second.next_cursor == ""
    assert not second.is_first


def test_a_bad_cursor_shows_the_first_page(customer):
    InteractionFactory(customer=customer)
    page = crm_selectors.timeline_page(customer=customer, cursor="garbage")
    assert len(page.items) == 1


def test_timeline_filters_by_kind(customer):
    InteractionFactory(customer=customer, kind="call")
    InteractionFactory(customer=customer, kind="email")
    page = crm_selectors.timeline_page(customer=customer, kind="email")
    assert [i.kind for i in page.items] == ["email"]


def _fill(customer, count, make_complaint, purchases=True):
    for n in range(count):
        InteractionFactory(customer=customer, occurred_at=timezone.now() - dt.timedelta(hours=n))
        if purchases:
            PurchaseFactory(customer=customer)
    make_complaint()
    PreferenceFactory(customer=customer)


def test_360_page_query_count_does_not_grow(
    client_for, quality_manager, customer, make_complaint, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    url = reverse("crm:customer-360", args=[customer.pk])
    _fill(customer, 2, make_complaint)
    client.get(url)  # mirror the first rows
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    limit = len(few.captured_queries)  # read now: the next request resets the query log
    _fill(customer, 40, make_complaint)
    client.get(url)
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["timeline"].next_cursor


def test_360_page_second_page_link(client_for, quality_manager, customer):
    for n in range(30):
        InteractionFactory(customer=customer, occurred_at=timezone.now() - dt.timedelta(hours=n))
    client = client_for(quality_manager)
    url = reverse("crm:customer-360", args=[customer.pk])
    first = client.get(url)
    assert "before=" in first.content.decode()
    second = client.get(url, {"before": first.context["timeline"].next_cursor})
    assert len(second.context["timeline"].items) == 5


def test_readers_see_the_360_page_and_outsiders_do_not(client_for, readers, outsider, customer):
    url = reverse("crm:customer-360", args=[customer.pk])
    for user in readers:
        assert client_for(user).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 403


def test_empty_timeline_says_what_to_do(client_for, quality_manager, customer):
    response = client_for(quality_manager).get(reverse("crm:customer-360", args=[customer.pk]))
    assert "Nothing here yet" in response.content.decode()


def test_requirements_supported_by_the_customers_evidence(customer):
    battery = TopicFactory(slug="battery-life")
    noise = TopicFactory(slug="noise")
    breath = TopicFactory(slug="breath")
    TicketFactory(customer=customer, topic=battery)
    FindingFactory(interview=InterviewFactory(customer=customer, segment=None), topic=breath)
    supported = Requirement.objects.create(title="Battery lasts two days", kind="stated")
    supported.topics.add(battery)
    from_interview = Requirement.objects.create(title="Breathable", kind="stated")
    from_interview.topics.add(breath)
    other = Requirement.objects.create(title="Quiet fridge", kind="stated")
    other.topics.add(noise)
    CustomerFactory()  # someone else's evidence does not count
    found = set(crm_selectors.requirements_supported_by(customer=customer))
    assert found == {supported, from_interview}
