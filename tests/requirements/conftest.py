"""Fixtures for the requirements register: a requirement walked through its lifecycle
by the services, and the hotel's front desk / housekeeping deployments."""

import pytest

from requirements import services
from requirements.models import Requirement
from tests.factories import MembershipFactory, UserFactory
from tests.requirements.factories import RequirementFactory, SegmentFactory


@pytest.fixture
def hotel_guests(db):
    return SegmentFactory(code="hotel-guests", name="Hotel guests")


@pytest.fixture
def proposed(quality_manager, hotel_guests):
    return services.requirement_create(
        actor=quality_manager,
        title="Zero-wait check-in",
        description="No queue at the desk.",
        kind=Requirement.Kind.STATED,
        segment=hotel_guests,
        acceptance_criterion="Guests wait under 1 minute",
    )


@pytest.fixture
def under_review(proposed, quality_manager):
    return services.requirement_submit_for_review(requirement=proposed, actor=quality_manager)


@pytest.fixture
def accepted(under_review, quality_manager):
    services.requirement_review(requirement=under_review, actor=quality_manager, can_meet=True)
    return services.requirement_accept(requirement=under_review, actor=quality_manager)


@pytest.fixture
def fd_deployment(accepted, front_desk, front_desk_head, front_desk_staff, quality_manager):
    return services.deployment_create(
        requirement=accepted,
        department=front_desk,
        commitment="ID scan from 30 s to 10 s",
        actor=quality_manager,
    )


@pytest.fixture
def hk_deployment(accepted, housekeeping, housekeeping_head, quality_manager):
    return services.deployment_create(
        requirement=accepted,
        department=housekeeping,
        commitment="Rooms ready 1 hour before predicted arrival",
        actor=quality_manager,
    )


@pytest.fixture
def deployed(accepted, fd_deployment, hk_deployment, quality_manager):
    """Zero-wait check-in, deployed to the front desk and housekeeping."""
    requirement = services.requirement_deploy(requirement=accepted, actor=quality_manager)
    fd_deployment.refresh_from_db()
    hk_deployment.refresh_from_db()
    return requirement


@pytest.fixture
def hk_staff(housekeeping):
    return MembershipFactory(department=housekeeping, user=UserFactory(username="hk-staff")).user


def make_deployed(*, quality_manager, departments, title="A need", **fields):
    """A requirement taken to *deployed* through the services."""
    requirement = RequirementFactory(title=title, **fields)
    services.requirement_submit_for_review(requirement=requirement, actor=quality_manager)
    services.requirement_review(requirement=requirement, actor=quality_manager, can_meet=True)
    services.requirement_accept(requirement=requirement, actor=quality_manager)
    for department in departments:
        services.deployment_create(
            requirement=requirement,
            department=department,
            commitment=f"{department.code} does its part",
            actor=quality_manager,
        )
    return services.requirement_deploy(requirement=requirement, actor=quality_manager)
