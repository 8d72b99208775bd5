"""Factories for the CRM models."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from crm.models import Interaction, Preference
from tests.customers.factories import CustomerFactory


class InteractionFactory(DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    kind = Interaction.Kind.CALL
    channel = Interaction.Channel.PHONE
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=2))
    summary = "Asked about late check-out."


class PreferenceFactory(DjangoModelFactory):
    class Meta:
        model = Preference

    customer = factory.SubFactory(CustomerFactory)
    category = Preference.Category.ROOM
    value = factory.Sequence(lambda n: f"Preference {n}")
