"""Metrics registered by the objectives app."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from objectives.models import CheckIn, Objective
from qms.registry import Period, registry
from tests.objectives.factories import CheckInFactory, DepartmentObjectiveFactory, KeyResultFactory

pytestmark = pytest.mark.django_db


def year():
    return Period.parse(str(timezone.localdate().year))


def test_both_metrics_are_registered():
    assert registry.get("objectives_on_track").parameters == ("department",)
    assert registry.get("checkins_on_time")


PAST = Period.parse("2024")


def test_objectives_on_track_share_by_department(front_desk, housekeeping):
    # The 2024 period is over: 100 % is on track, 0 % is off track.
    ahead = DepartmentObjectiveFactory(department=front_desk, period_label="2024")
    KeyResultFactory(objective=ahead, current_value=Decimal("100"))
    behind = DepartmentObjectiveFactory(department=housekeeping, period_label="2024")
    KeyResultFactory(objective=behind, current_value=Decimal("0"))
    result = registry.compute("objectives_on_track", period=PAST, department="FD")
    assert (result.value, result.n) == (100, 1)
    assert registry.compute("objectives_on_track", period=PAST, department="HK").value == 0
    total = registry.compute("objectives_on_track", period=PAST)
    assert total.n == 4  # two department objectives and their two parents


def test_no_objective_is_no_data():
    assert registry.compute("objectives_on_track", period=year()).value is None
    assert registry.compute("checkins_on_time", period=year()).value is None


def test_checkins_on_time_counts_late_and_missing_dues():
    kr = KeyResultFactory(objective__period_label="2024")
    at = timezone.make_aware(dt.datetime(2024, 6, 3, 12))
    CheckInFactory(key_result=kr, due_on=dt.date(2024, 6, 3), at=at)  # on time
    CheckInFactory(key_result=kr, due_on=dt.date(2024, 6, 1), at=at)  # two days late
    CheckInFactory(key_result=kr, source=CheckIn.Source.COMPUTED, due_on=None, at=at)
    overdue = DepartmentObjectiveFactory(period_label="2024")
    KeyResultFactory(objective=overdue)
    Objective.objects.filter(pk=overdue.pk).update(checkin_due_on=dt.date(2024, 9, 1))
    result = registry.compute("checkins_on_time", period=PAST)
    assert result.detail == {"on_time": 1, "late": 1, "missing": 1}
    assert result.value == pytest.approx(33.3)


def test_objectives_on_track_breaks_the_count_down_by_health(quality_manager):
    """The dashboard shows objectives by health from the same metric."""
    from qms.registry import Period, registry
    from tests.objectives.factories import KeyResultFactory

    KeyResultFactory()  # an objective with a key result but no value yet: no data
    value = registry.compute(
        "objectives_on_track", period=Period.parse(str(timezone.localdate().year))
    )
    counts = dict(value.detail["by_health"])
    assert sum(counts.values()) == value.n == 1
    assert counts["No data"] == 1
