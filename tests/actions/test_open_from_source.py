"""An action opened from its source arrives filled in (topic, department, owner, the
customer's words, a readable title), moves the source on (the case says "action opened"
and links to it) and proposes an effectiveness criterion in words."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import selectors, services
from actions.models import SourceKind
from crm import services as crm_services
from crm.models import Complaint, ComplaintEvent
from satisfaction.models import FollowUpCase
from tests.customers.factories import CustomerFactory, TopicFactory
from tests.requirements.factories import DeploymentFactory
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def detractor_case(front_desk):
    version = published_survey(title="Hotel stay pulse", code="hotel-stay")
    wave = running_wave(version)
    response = answered(
        wave, {"nps": 2, "driver": ["queue"], "comment": "Forty minutes at check-in."}
    )
    deployment = DeploymentFactory(department=front_desk)
    deployment.requirement.topics.add(response.answers.get(kind="driver").topic)
    case, _created = FollowUpCase.objects.update_or_create(
        response=response,
        defaults={"customer": response.customer, "reason": "NPS 0-6", "due_at": timezone.now()},
    )
    return case


def test_the_form_arrives_filled_in_from_a_detractor_case(
    client_for, quality_manager, detractor_case, front_desk, front_desk_head
):
    page = client_for(quality_manager).get(
        reverse("actions:action-create"), {"case": detractor_case.pk}
    )
    initial = page.context["form"].initial
    assert initial["title"] == "Queue time: detractor follow-up, Hotel stay pulse"
    assert initial["topic"].slug == "queue-time"
    assert initial["department"] == front_desk
    assert initial["owner"] == front_desk_head
    assert "Forty minutes at check-in." in initial["description"]
    assert "NPS 0-6" in initial["description"]


def test_opening_moves_the_case_on_and_proposes_the_driver_share(
    client_for, quality_manager, detractor_case, front_desk, front_desk_head
):
    action = services.action_create(
        actor=quality_manager,
        title="Queue time: detractor follow-up, Hotel stay pulse",
        department=front_desk,
        owner=front_desk_head,
        due_date=timezone.localdate(),
        topic=detractor_case.response.answers.get(kind="driver").topic,
        source_kind=SourceKind.FOLLOWUP_CASE,
        followup_case=detractor_case,
    )
    detractor_case.refresh_from_db()
    assert detractor_case.action_opened_at is not None
    assert action.reference in detractor_case.note
    page = client_for(quality_manager).get(
        reverse("satisfaction:followup-detail", args=[detractor_case.pk])
    )
    assert 'data-testid="action-opened"' in page.text
    assert reverse("actions:action-detail", args=[action.pk]) in page.text

    proposal = selectors.criterion_proposal(action)
    assert proposal["metric_key"] == "driver_share"
    assert proposal["metric_params"] == {"survey": "hotel-stay", "topic": "queue-time"}
    assert proposal["target_change_pct"] == Decimal("-50")
    assert proposal["words"] == (
        "Share of dissatisfied customers naming Queue time, Hotel stay pulse: target −50 %"
    )


def test_opening_from_a_complaint_logs_it_on_the_complaint(
    quality_manager, front_desk, front_desk_head
):
    complaint = crm_services.complaint_intake(
        customer=CustomerFactory(name="Ada Guest"),
        description="The room was not cleaned.",
        topic=TopicFactory(slug="cleanliness", name="Cleanliness"),
        severity=Complaint.Severity.HIGH,
        department=front_desk,
        actor=front_desk_head,
    )
    services.action_create(
        actor=quality_manager,
        title="x",
        department=complaint.department,
        owner=front_desk_head,
        due_date=timezone.localdate(),
        source_kind=SourceKind.COMPLAINT,
        complaint_ref=complaint.reference,
    )
    complaint.refresh_from_db()
    assert complaint.escalated
    assert ComplaintEvent.objects.filter(complaint=complaint, note__contains="CA-").exists()
    initial = selectors.initial_from_source(complaint=complaint)
    assert initial["title"] == f"Cleanliness: complaint, {complaint.reference}"
    assert initial["department"] == front_desk
    assert complaint.description in initial["description"]
