import pytest

from qms.registry import Direction, MetricValue, registry


class FakeMetric:
    """A metric registered for a test only: returns `value`, records its calls."""

    key = "fake_csat"

    def __init__(self):
        self.value = 90
        self.calls = []

    def __call__(self, *, period, **filters):
        self.calls.append((period, filters))
        return MetricValue(value=self.value, n=10)


@pytest.fixture
def fake_metric():
    metric = FakeMetric()
    registry.register(
        key=metric.key,
        label="Fake CSAT",
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=metric,
        parameters=("segment", "survey"),
        app_label="tests",
    )
    yield metric
    registry.unregister(metric.key)
