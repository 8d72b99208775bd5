import datetime as dt

import pytest
from django.utils import timezone

from qms.registry import Direction, MetricValue, registry
from tests.actions.factories import open_action


@pytest.fixture
def implementer(front_desk_head):
    return front_desk_head


@pytest.fixture
def action(quality_manager, front_desk, front_desk_head):
    """An open action of the front desk, owned by its head."""
    return open_action(actor=quality_manager, department=front_desk, owner=front_desk_head)


@pytest.fixture
def fake_metrics():
    """Two registry metrics whose values the test sets per window start:
    `values[(key, start)] = (value, n)`."""
    values: dict = {}

    def make(key):
        def compute(*, period, segment=None):
            value, n = values.get((key, period.start), (None, 0))
            return MetricValue(value=value, n=n)

        return compute

    registry.register(
        key="test_lower",
        label="Complaints (test)",
        unit="",
        direction=Direction.LOWER_IS_BETTER,
        compute=make("test_lower"),
        parameters=("segment",),
        app_label="tests",
    )
    registry.register(
        key="test_higher",
        label="Satisfaction (test)",
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=make("test_higher"),
        parameters=("segment",),
        app_label="tests",
    )
    yield values
    registry.unregister("test_lower")
    registry.unregister("test_higher")


@pytest.fixture
def windows():
    today = timezone.localdate()
    return (
        today - dt.timedelta(days=60),
        today - dt.timedelta(days=31),
        today - dt.timedelta(days=30),
        today - dt.timedelta(days=1),
    )
