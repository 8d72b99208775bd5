"""Factories for the research sources (tickets, purchases, interviews, findings)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from research.models import Interview, InterviewFinding, Purchase, Ticket
from tests.customers.factories import CustomerFactory, SegmentFactory, TopicFactory
from tests.factories import QualityManagerFactory


class TicketFactory(DjangoModelFactory):
    class Meta:
        model = Ticket
        skip_postgeneration_save = True

    external_id = factory.Sequence(lambda n: f"WO-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    topic = factory.SubFactory(TopicFactory)
    product = "Phone X2"
    opened_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))

    @factory.post_generation
    def text(obj, create, extracted, **kwargs):
        """Like an import: the ticket's text and its topic reach the coding app."""
        if create:
            from research.services import ticket_record_text

            ticket_record_text(ticket=obj)


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
