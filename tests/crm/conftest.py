import pytest

from crm import services as crm_services
from crm.models import Complaint
from tests.customers.factories import CustomerFactory, TopicFactory


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ada Guest", email="ada@example.com", language="en")


@pytest.fixture
def topic(db):
    return TopicFactory(slug="cleanliness", name="Cleanliness")


@pytest.fixture
def make_complaint(front_desk, front_desk_head, topic, customer):
    """`make_complaint(**overrides)` registers a complaint through the service."""

    def make(**overrides):
        values = {
            "customer": customer,
            "description": "The room was not cleaned.",
            "topic": topic,
            "severity": Complaint.Severity.HIGH,
            "department": front_desk,
            "actor": front_desk_head,
        }
        values.update(overrides)
        return crm_services.complaint_intake(**values)

    return make
