"""The demo shows the coding: the phone maker's tickets arrive as text only and battery
life comes out on top; the diaper interviews' notes (Chinese and English) are coded to
breathability."""

import io

import pytest
from django.core.management import call_command

from coding.models import Coding, ModelVersion, Text
from customers.models import Segment
from qms.models import User
from research.models import Interview, Ticket
from research.selectors import pareto

pytestmark = pytest.mark.django_db


def test_the_demo_codes_the_phone_tickets_and_the_interview_notes():
    call_command("load_demo", force=True, stdout=io.StringIO())
    quality = User.objects.get(username="quality")

    phones = Ticket.objects.filter(external_id__startswith="WO-PH-")
    assert phones.exists() and not phones.filter(topic__isnull=False).exists()
    rows = pareto(user=quality, segment=Segment.objects.get(code="smartphone-owners"))
    assert rows[0].topic.slug == "battery-life"
    automatic = Coding.objects.filter(
        text__kind=Text.Kind.TICKET, origin__in=[Coding.Origin.RULE, Coding.Origin.MODEL]
    )
    assert automatic.filter(topic__slug="battery-life").count() > 40
    assert ModelVersion.objects.filter(is_active=True).exists()

    hangzhou = Interview.objects.get(title="Mom group, Hangzhou")
    notes = Text.objects.get(kind=Text.Kind.INTERVIEW_NOTE, object_id=hangzhou.pk)
    assert "透气" in notes.body and "rash" in notes.body
    assert notes.codings.filter(topic__slug="diaper-breathability").exists()
