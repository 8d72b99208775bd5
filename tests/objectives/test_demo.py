"""The objectives part of the demo: the guide's retail and hotel examples, idempotent."""

import io

import pytest
from django.core.management import call_command

from objectives import demo
from objectives.models import CheckIn, KeyResult, Objective
from qms.registry import Direction, MetricValue, registry
from requirements.models import Requirement

pytestmark = pytest.mark.django_db


def load_demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def without_csat():
    """Hide a real `csat` metric (registered by the satisfaction app) for the test."""
    saved = registry._metrics.pop("csat", None)
    yield
    registry._metrics.pop("csat", None)
    if saved is not None:
        registry._metrics["csat"] = saved


def snapshot():
    return (
        Objective.objects.count(),
        KeyResult.objects.count(),
        CheckIn.objects.count(),
        Requirement.objects.count(),
    )


def test_the_retail_and_hotel_examples_are_loaded(settings):
    load_demo(settings)
    retail = Objective.objects.get(
        title="Raise customer satisfaction with the shopping experience to 95%"
    )
    assert retail.owner.username == "quality"
    need = retail.requirements.get()
    assert need.title == "Fast checkout, a clean store and friendly service"
    assert need.segment.code == "retail-shoppers"
    assert need.status == Requirement.Status.ACCEPTED
    children = {o.department.code: o for o in retail.children.select_related("department")}
    assert set(children) == {"FD", "CL"}
    assert children["FD"].title == "Checkout waiting time within 5 minutes"
    assert children["FD"].owner.username == "frontdesk"
    checkout = children["FD"].key_results.get()
    assert (checkout.direction, checkout.baseline, checkout.target) == ("decrease", 9, 5)
    assert checkout.checkins.count() == 2
    assert children["CL"].title == "Carts cleaned every hour"
    # The satisfaction app is installed, so the key result reads its CSAT metric.
    satisfaction = retail.key_results.get()
    assert satisfaction.mode == KeyResult.Mode.COMPUTED
    assert satisfaction.metric_key == "csat"

    hotel = Objective.objects.get(title="Zero-wait check-in for hotel guests")
    assert hotel.requirements.get().title == "Zero-wait check-in"
    owners = {o.department.code: o.owner.username for o in hotel.children.all()}
    assert owners == {"FD": "frontdesk", "HK": "housekeeping", "IT": "quality"}


def test_a_second_run_changes_nothing(settings):
    load_demo(settings)
    before = snapshot()
    assert demo.load(stdout=io.StringIO()) == 0
    assert snapshot() == before


def test_the_satisfaction_key_result_is_computed_when_csat_exists(settings, without_csat):
    def csat(*, period, **filters):
        return MetricValue(value=91, n=3)

    registry.register(
        key="csat",
        label="CSAT",
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=csat,
        parameters=("survey", "segment"),
        app_label="tests",
    )
    load_demo(settings)
    kr = KeyResult.objects.get(title="Customer satisfaction with the shopping experience")
    assert kr.mode == KeyResult.Mode.COMPUTED
    assert kr.metric_params == {"segment": "retail-shoppers"}


def test_an_existing_zero_wait_requirement_is_reused(settings):
    from tests.objectives.factories import RequirementFactory

    RequirementFactory(title="Zero-wait check-in", status=Requirement.Status.DEPLOYED)
    load_demo(settings)
    assert Requirement.objects.filter(title="Zero-wait check-in").count() == 1
