"""Factories for the customers app (the register: segments, customers, contacts,
consent, topics); the research sources' factories are in tests/research/factories.py."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from customers.models import Consent, Contact, Customer, Segment, Topic


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
