"""The update services go through `qms.services_kit.model_update`: only the fields a
caller may change, validated, the changed ones saved (nothing written when nothing
changed), the service's own rules checked before saving."""

import pytest

from crm import services as crm_services
from crm.models import Preference
from customers import services
from qms.exceptions import ApplicationError
from research import services as research_services
from tests.customers.factories import (
    ContactFactory,
    CustomerFactory,
    OrganisationFactory,
    TopicFactory,
)
from tests.research.factories import InterviewFactory

pytestmark = pytest.mark.django_db


def test_customer_update_saves_a_change_and_writes_nothing_without_one():
    customer = CustomerFactory(name="Old")
    services.customer_update(customer=customer, name="New")
    customer.refresh_from_db()
    assert customer.name == "New"
    assert customer.history.count() == 2
    services.customer_update(customer=customer, name="New")
    assert customer.history.count() == 2
    with pytest.raises(TypeError, match="Unknown customer fields"):
        services.customer_update(customer=customer, colour="red")


def test_topic_and_contact_updates_ignore_names_they_do_not_know():
    topic = TopicFactory(slug="noise", name="Noise")
    topic = services.topic_update(topic=topic, name="Noise at night", id=999)
    topic.refresh_from_db()
    assert (topic.name, topic.slug) == ("Noise at night", "noise")
    contact = ContactFactory(customer=OrganisationFactory(), name="Ann", is_primary=True)
    other = ContactFactory(customer=contact.customer, name="Bo")
    services.contact_update(contact=other, is_primary=True, customer=None)
    contact.refresh_from_db()
    other.refresh_from_db()
    assert (contact.is_primary, other.is_primary) == (False, True)


def test_interview_update_needs_a_customer_or_a_segment():
    interview = InterviewFactory()
    with pytest.raises(ApplicationError, match="Name the customer interviewed"):
        research_services.interview_update(interview=interview, customer=None, segment=None)
    research_services.interview_update(interview=interview, title="Renamed")
    interview.refresh_from_db()
    assert interview.title == "Renamed"


def test_preference_update_rules(quality_manager):
    customer = CustomerFactory()
    first = crm_services.preference_create(
        customer=customer, actor=quality_manager, category="room", value="Feather"
    )
    second = crm_services.preference_create(
        customer=customer, actor=quality_manager, category="room", value="Foam"
    )
    with pytest.raises(TypeError, match="Unknown preference field: colour"):
        crm_services.preference_update(preference=second, actor=quality_manager, colour="x")
    with pytest.raises(ApplicationError, match="already has this preference"):
        crm_services.preference_update(preference=second, actor=quality_manager, value="feather")
    crm_services.preference_update(preference=first, actor=quality_manager, note="Two of them")
    assert Preference.objects.get(pk=first.pk).note == "Two of them"
