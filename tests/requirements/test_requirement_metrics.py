"""Metrics: share of committed requirements deployed; acknowledgement coverage."""

import pytest

from qms.registry import Period, registry
from requirements import services
from requirements.models import Requirement
from tests.requirements.factories import RequirementFactory

pytestmark = pytest.mark.django_db
PERIOD = Period.parse("2026")


def test_both_metrics_are_registered():
    keys = {m.key for m in registry.all()}
    assert {"requirements_deployed_share", "acknowledgement_coverage"} <= keys
    assert registry.get("acknowledgement_coverage").parameters == ("department",)


def test_no_data_is_none():
    assert registry.compute("requirements_deployed_share", period=PERIOD).value is None
    assert registry.compute("acknowledgement_coverage", period=PERIOD).value is None


def test_deployed_share_counts_accepted_and_deployed_only(deployed, hotel_guests):
    RequirementFactory(status=Requirement.Status.ACCEPTED, segment=hotel_guests)
    RequirementFactory(status=Requirement.Status.PROPOSED)
    RequirementFactory(status=Requirement.Status.RETIRED)
    result = registry.compute("requirements_deployed_share", period=PERIOD)
    assert (result.value, result.n) == (50.0, 2)
    by_segment = registry.compute(
        "requirements_deployed_share", period=PERIOD, segment="hotel-guests"
    )
    assert by_segment.value == 50.0
    assert (
        registry.compute("requirements_deployed_share", period=PERIOD, segment="nobody").value
        is None
    )


def test_acknowledgement_coverage_per_department(
    deployed, fd_deployment, front_desk_head, quality_manager
):
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    overall = registry.compute("acknowledgement_coverage", period=PERIOD)
    assert (overall.value, overall.n) == (50.0, 2)
    assert (
        registry.compute("acknowledgement_coverage", period=PERIOD, department="FD").value == 100.0
    )
    assert registry.compute("acknowledgement_coverage", period=PERIOD, department="HK").value == 0.0
    # A new revision needs a new acknowledgement: coverage drops.
    services.requirement_update(requirement=deployed, actor=quality_manager, title="Faster")
    assert registry.compute("acknowledgement_coverage", period=PERIOD, department="FD").value == 0.0
