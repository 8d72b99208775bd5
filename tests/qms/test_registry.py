"""The metrics registry: one definition per number, computed for a period with filters."""

import datetime as dt

import pytest

from qms.exceptions import ApplicationError
from qms.registry import Direction, MetricsRegistry, MetricValue, Period, registry
from tests.factories import UserFactory


def make_registry():
    reg = MetricsRegistry()

    def orders(*, period, segment=None):
        days = (period.end - period.start).days + 1
        return MetricValue(value=days if segment is None else -days, n=days)

    reg.register(
        key="orders",
        label="Orders",
        unit="count",
        direction=Direction.HIGHER_IS_BETTER,
        compute=orders,
        parameters=("segment",),
        app_label="test",
    )
    return reg


def test_a_registered_metric_is_listed_with_its_definition():
    reg = make_registry()
    [metric] = reg.all()
    assert (metric.key, metric.unit, metric.direction) == (
        "orders",
        "count",
        Direction.HIGHER_IS_BETTER,
    )
    assert metric.parameters == ("segment",)


def test_compute_passes_period_and_filters():
    reg = make_registry()
    july = Period.parse("2026-07")
    assert reg.compute("orders", period=july).value == 31
    assert reg.compute("orders", period=july, segment="retail").value == -31


def test_empty_filters_are_ignored_so_forms_can_pass_blank_fields():
    reg = make_registry()
    assert reg.compute("orders", period=Period.parse("2026-07"), segment="").value == 31


def test_unknown_metric_and_unknown_filter_are_clear_errors():
    reg = make_registry()
    with pytest.raises(ApplicationError, match="no metric called"):
        reg.compute("nps_typo", period=Period.parse("2026"))
    with pytest.raises(ApplicationError, match="does not take the filter"):
        reg.compute("orders", period=Period.parse("2026"), colour="red")


def test_a_key_cannot_be_taken_twice_by_different_code():
    reg = make_registry()
    with pytest.raises(ValueError, match="already registered"):
        reg.register(
            key="orders", label="x", unit="x", direction="higher", compute=lambda **k: None
        )


def test_keys_are_lower_snake_case():
    with pytest.raises(ValueError):
        MetricsRegistry().register(
            key="Bad Key", label="x", unit="x", direction="higher", compute=lambda **k: None
        )


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2028-02", dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
    ],
)
def test_periods_parse_years_quarters_and_months(text, start, end):
    assert Period.parse(text) == Period(start, end)


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-13", "Q3 2026", "2026-07-01"])
def test_bad_period_text_is_refused_with_a_message(text):
    with pytest.raises(ApplicationError, match="is not a period"):
        Period.parse(text)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(ApplicationError):
        Period(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_current_quarter():
    assert Period.current_quarter(dt.date(2026, 11, 24)) == Period.parse("2026-Q4")


def test_department_head_coverage_is_registered_and_computed(db, front_desk, housekeeping):
    period = Period.parse("2026")
    assert registry.compute("department_head_coverage", period=period).value == 0
    front_desk.head = UserFactory()
    front_desk.save()
    result = registry.compute("department_head_coverage", period=period)
    assert (result.value, result.n) == (50.0, 2)


def test_department_head_coverage_without_departments_is_no_data(db):
    assert registry.compute("department_head_coverage", period=Period.parse("2026")).value is None
