"""The holes the access sweep (tests/test_access_sweep.py) found besides preferences,
each pinned where a user meets it: the read-only viewer's writes are refused before any
work (not a message after the fact), and the Customer 360 shows another department's
complaints and bookings without their details."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import services as crm_services
from objectives.models import CheckIn
from qms import services as qms_services
from qms.models import ReviewDecision
from requirements.models import BriefRead, DeploymentAcknowledgement, Requirement
from tests.crm.factories import PreferenceFactory
from tests.customers.factories import CustomerFactory, TopicFactory
from tests.objectives.factories import DepartmentObjectiveFactory, KeyResultFactory
from tests.requirements.factories import DeploymentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deployment(housekeeping):
    return DeploymentFactory(
        department=housekeeping, requirement__status=Requirement.Status.DEPLOYED
    )


def test_the_viewer_cannot_acknowledge_or_mark_read_a_deployment(
    client_for, api_client_for, viewer, deployment
):
    client = client_for(viewer)
    assert (
        client.get(reverse("requirements:deployment-detail", args=[deployment.pk])).status_code
        == 200
    )
    for name in ("requirements:deployment-acknowledge", "requirements:brief-read"):
        assert client.post(reverse(name, args=[deployment.pk])).status_code == 404
    assert api_client_for(viewer).post(f"/api/deployments/{deployment.pk}/read/").status_code == 404
    assert not DeploymentAcknowledgement.objects.exists()
    assert not BriefRead.objects.exists()


def test_the_viewer_cannot_check_in_or_change_an_objective(
    client_for, api_client_for, viewer, housekeeping
):
    key_result = KeyResultFactory(objective=DepartmentObjectiveFactory(department=housekeeping))
    response = client_for(viewer).post(
        reverse("objectives:checkin-create", args=[key_result.pk]),
        {f"kr{key_result.pk}-value": "50"},
    )
    assert response.status_code == 403
    assert not CheckIn.objects.exists()
    api = api_client_for(viewer)
    objective = key_result.objective
    assert api.get(f"/api/objectives/{objective.pk}/").status_code == 200
    assert (
        api.patch(f"/api/objectives/{objective.pk}/", {"title": "x"}, format="json").status_code
        == 404
    )
    assert (
        api.patch(f"/api/key-results/{key_result.pk}/", {"title": "x"}, format="json").status_code
        == 404
    )


def test_only_its_owner_or_a_quality_manager_closes_a_decision(
    client_for, viewer, quality_manager, housekeeping_head
):
    review = qms_services.review_create(
        title="Review",
        period_label="2026-Q3",
        meeting_date=timezone.localdate(),
        chair=quality_manager,
    )
    decision = qms_services.decision_add(
        review=review,
        kind=ReviewDecision.Kind.values[0],
        title="Count towels",
        owner=housekeeping_head,
        due_date=timezone.localdate() + dt.timedelta(days=9),
    )
    url = reverse("qms:decision-close", args=[decision.pk])
    response = client_for(viewer).post(url, {"status": "done", "note": "x"})
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.status == ReviewDecision.Status.OPEN


def test_the_customer_360_shows_another_departments_complaint_and_booking_without_details(
    client_for, front_desk_staff, housekeeping, housekeeping_head
):
    # Given housekeeping's complaint and booking for a customer
    customer = CustomerFactory()
    PreferenceFactory(customer=customer, department=housekeeping, value="Extra blanket")
    complaint = crm_services.complaint_intake(
        customer=customer,
        description="Dusty shelves",
        topic=TopicFactory(),
        severity="low",
        department=housekeeping,
        actor=housekeeping_head,
    )
    booking = crm_services.booking_create(
        customer=customer,
        kind="booking",
        starts_at=timezone.now() + dt.timedelta(days=2),
        department=housekeeping,
        actor=housekeeping_head,
    )
    # When front desk opens the Customer 360
    page = client_for(front_desk_staff).get(reverse("crm:customer-360", args=[customer.pk]))
    html = page.content.decode()
    # Then the timeline says the lines are another department's, without their details
    assert page.status_code == 200
    assert "Handled by another department." in html
    assert "Prepared by another department." in html
    assert complaint.reference not in html
    assert reverse("crm:complaint-detail", args=[complaint.pk]) not in html
    assert reverse("crm:booking-detail", args=[booking.pk]) not in html
    # The preference itself stays readable
    assert "Extra blanket" in html
