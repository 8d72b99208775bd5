"""The demo organisation carries the guide's examples and loads idempotently."""

import io

import pytest
from django.core.management import call_command

from customers.models import Segment, Topic
from qms.models import Message
from requirements.models import Deployment, Requirement, RequirementTransition

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def test_zero_wait_check_in_is_deployed_to_fd_hk_and_it(demo):
    requirement = Requirement.objects.get(title="Zero-wait check-in")
    assert requirement.status == Requirement.Status.DEPLOYED
    assert requirement.segment.code == "hotel-guests"
    commitments = dict(requirement.deployments.values_list("department__code", "commitment"))
    assert "30 s to 10 s" in commitments["FD"]
    assert "1 hour before" in commitments["HK"]
    assert "face recognition" in commitments["IT"]
    fd = requirement.deployments.get(department__code="FD")
    assert fd.is_acknowledged and fd.acknowledged_by.username == "frontdesk"
    assert fd.reads.filter(user__username="staff", revision=requirement.revision).exists()
    assert not requirement.deployments.get(department__code="HK").is_acknowledged


def test_statutory_delighters_and_checkout_wait(demo):
    statutory = Requirement.objects.get(kind=Requirement.Kind.STATUTORY)
    assert "GB 14881-2013" in statutory.reference
    delighters = set(
        Requirement.objects.filter(kind=Requirement.Kind.DELIGHTER).values_list("title", flat=True)
    )
    assert any("half a day earlier" in t for t in delighters)
    assert any("birthday cake" in t for t in delighters)
    checkout = Requirement.objects.get(title="Checkout wait under 5 minutes")
    assert checkout.segment.code == "retail-shoppers"
    assert checkout.topics.filter(slug="checkout-wait").exists()


def test_second_load_changes_nothing(demo):
    def counts():
        return [
            m.objects.count()
            for m in (Requirement, Deployment, RequirementTransition, Segment, Topic, Message)
        ]

    before = counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == before
    assert "nothing changed" in out.getvalue()


def test_coexists_with_segments_made_elsewhere(settings):
    settings.DEBUG = True
    Segment.objects.create(code="hotel-guests", name="Guests of the hotel")
    Topic.objects.create(slug="queue-time", name="Queues")
    call_command("load_demo", stdout=io.StringIO())
    assert Segment.objects.get(code="hotel-guests").name == "Guests of the hotel"
