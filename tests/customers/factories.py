"""Factories for the customers app (research sources)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from customers.models import (
    Consent,
    Contact,
    Customer,
    Interview,
    InterviewFinding,
    Purchase,
    Segment,
    Ticket,
    Topic,
)
from tests.factories import QualityManagerFactory


class SegmentFactory(DjangoModelFactory):
    class Meta:
        model = Segment
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Segment {n}")
    code = factory.Sequence(lambda n: f"segment-{n}")


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n}")
    external_ref = factory.Sequence(lambda n: f"C-{n:05d}")
    segment = factory.SubFactory(SegmentFactory)
    email = factory.LazyAttribute(lambda o: f"{o.external_ref.lower()}@example.com")


class OrganisationFactory(CustomerFactory):
    kind = Customer.Kind.ORGANISATION


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    customer = factory.SubFactory(CustomerFactory)
    channel = Consent.Channel.SURVEYS
    granted = True
    method = Consent.Method.WEB_FORM
    recorded_at = factory.LazyFunction(timezone.now)


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = Ticket

    external_id = factory.Sequence(lambda n: f"WO-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    topic = factory.SubFactory(TopicFactory)
    product = "Phone X2"
    opened_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))


class PurchaseFactory(DjangoModelFactory):
    class Meta:
        model = Purchase

    external_id = factory.Sequence(lambda n: f"ORD-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    product = "Eggs (12)"
    quantity = 1
    amount = Decimal("3.20")
    purchased_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))


class InterviewFactory(DjangoModelFactory):
    class Meta:
        model = Interview

    title = factory.Sequence(lambda n: f"Interview {n}")
    segment = factory.SubFactory(SegmentFactory)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=5))
    interviewer = factory.SubFactory(QualityManagerFactory)


class FindingFactory(DjangoModelFactory):
    class Meta:
        model = InterviewFinding

    interview = factory.SubFactory(InterviewFactory)
    topic = factory.SubFactory(TopicFactory)
    note = "What the customer said."
