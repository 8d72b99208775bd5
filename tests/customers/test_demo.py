"""The guide's examples come out of the demo data; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from customers.models import Consent, Customer, Segment, Topic
from qms.models import User
from research.models import Interview, InterviewFinding, Purchase, Ticket
from research.selectors import pareto

pytestmark = pytest.mark.django_db

MODELS = [Segment, Topic, Customer, Consent, Ticket, Purchase, Interview, InterviewFinding]


@pytest.fixture
def demo():
    call_command("load_demo", force=True, stdout=io.StringIO())
    return User.objects.get(username="quality")


def test_battery_life_tops_the_phone_makers_tickets(demo):
    phones = Segment.objects.get(code="smartphone-owners")
    rows = pareto(user=demo, segment=phones, source="tickets")
    assert rows[0].topic.slug == "battery-life"
    assert rows[0].total > rows[1].total
    # ...and the whole Pareto page too, with the default filters.
    assert pareto(user=demo)[0].topic.slug == "battery-life"


def test_refrigerator_noise_tops_the_appliance_tickets(demo):
    appliances = Segment.objects.get(code="appliance-owners")
    assert pareto(user=demo, segment=appliances)[0].topic.slug == "refrigerator-noise"


def test_breathability_tops_absorbency_in_the_diaper_interviews(demo):
    families = Segment.objects.get(code="young-families")
    rows = pareto(user=demo, segment=families, source="interviews")
    by_slug = {r.topic.slug: r.total for r in rows}
    assert rows[0].topic.slug == "diaper-breathability"
    assert by_slug["diaper-breathability"] > by_slug["diaper-absorbency"]


def test_demo_has_the_guide_topics_segments_and_consent(demo):
    slugs = set(Topic.objects.values_list("slug", flat=True))
    assert {
        "queue-time",
        "refrigerator-noise",
        "battery-life",
        "diaper-breathability",
        "diaper-absorbency",
        "eco-friendly-packaging",
        "checkout-wait",
        "cleanliness",
    } <= slugs
    codes = set(Segment.objects.values_list("code", flat=True))
    assert {
        "smartphone-owners",
        "young-families",
        "hotel-guests",
        "retail-shoppers",
        "restaurant-diners",
    } <= codes
    assert not Customer.objects.filter(segment__isnull=True).exists()
    # Every customer of this app's demo has a consent record per channel (other apps'
    # demos add their own customers with the consents their examples need).
    ours = Customer.objects.filter(external_ref__startswith="C-")
    assert Consent.objects.filter(customer__in=ours).count() == 3 * ours.count()
    assert Customer.objects.filter(kind="organisation", contacts__isnull=False).exists()


def test_demo_is_small(demo):
    assert Ticket.objects.count() < 1000
    assert Customer.objects.count() < 200


def test_second_load_creates_nothing_and_changes_nothing(demo):
    def snapshot():
        return {
            model.__name__: sorted(model.objects.values_list("pk", "updated_at"))
            for model in MODELS
        }

    before = snapshot()
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    assert snapshot() == before
    assert "nothing changed" in out.getvalue()
