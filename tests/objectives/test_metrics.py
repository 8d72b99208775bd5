"""Metrics registered by the objectives app."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from objectives.models import CheckIn, Objective
from qms.registry import Period, registry
from tests.objectives.factories import (
    CheckInFactory,
    DepartmentObjectiveFactory,
    KeyResultFactory,
    RequirementFactory,
)

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


def _health_mix(quality_manager):
    """Objectives ahead, level, behind, stale and without data, made through the services."""
    from objectives import services

    label = str(timezone.localdate().year)
    made = []
    for current, stale_days in [(100, 0), (60, 0), (30, 0), (5, 0), (None, 0), (90, 40)]:
        objective = services.objective_create(
            actor=quality_manager,
            level=Objective.Level.ORGANISATION,
            period_label=label,
            title=f"Objective at {current}",
            owner=quality_manager,
            requirements=[RequirementFactory()],
        )
        kr = services.key_result_create(
            actor=quality_manager,
            objective=objective,
            title="Measure",
            direction="increase",
            baseline=Decimal("0"),
            target=Decimal("100"),
        )
        if current is not None:
            services.checkin_create(actor=quality_manager, key_result=kr, value=current)
        if stale_days:
            Objective.objects.filter(pk=objective.pk).update(
                last_checkin_at=timezone.now() - dt.timedelta(days=stale_days)
            )
            services.objectives_health_store([objective.pk])
        made.append(objective)
    return made


def _python_health(now):
    from objectives.selectors import attach_progress, objective_queryset

    objectives = list(objective_queryset().filter(status=Objective.Status.ACTIVE))
    attach_progress(objectives, now=now)
    return sorted(o.health for o in objectives)


def test_stored_health_counts_as_the_maths_does_on_any_day(quality_manager):
    """The SQL count from the stored columns gives what computing every objective's
    health in Python gives, today and as the calendar moves on without a write."""
    from unittest import mock

    from objectives.selectors import health_counts

    _health_mix(quality_manager)
    start = timezone.now()
    for days in (0, 20, 45, 120, 200, 400):
        now = start + dt.timedelta(days=days)
        with mock.patch("django.utils.timezone.now", return_value=now):
            counts = health_counts(Objective.objects.filter(status=Objective.Status.ACTIVE))
            expected = _python_health(now)
        got = sorted(
            key
            for key in ("on_track", "at_risk", "off_track", "no_data")
            for _ in range(counts[key])
        )
        assert got == expected, days


def test_objectives_on_track_is_one_query_whatever_the_number(
    quality_manager, django_assert_num_queries
):
    _health_mix(quality_manager)
    with django_assert_num_queries(1):
        few = registry.compute("objectives_on_track", period=year())
    _health_mix(quality_manager)
    _health_mix(quality_manager)
    with django_assert_num_queries(1):
        many = registry.compute("objectives_on_track", period=year())
    assert (few.n, many.n) == (6, 18)
    assert many.value == few.value


def test_a_checkin_moves_the_stored_health(quality_manager):
    from objectives import services
    from objectives.selectors import health_counts

    objective = _health_mix(quality_manager)[4]  # no value yet
    one = Objective.objects.filter(pk=objective.pk)
    assert health_counts(one)["no_data"] == 1
    services.checkin_create(
        actor=quality_manager, key_result=objective.key_results.get(), value=100
    )
    objective.refresh_from_db()
    assert objective.health_progress == 100
    assert health_counts(one)["on_track"] == 1
