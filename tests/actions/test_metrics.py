"""The actions metrics, computed in the database."""

import datetime as dt

import pytest
from django.utils import timezone

from actions.models import CorrectiveAction
from qms.registry import Period, registry
from tests.actions.factories import ActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    today = timezone.localdate()
    return Period(today - dt.timedelta(days=365), today)


def test_all_five_metrics_are_registered():
    keys = {m.key for m in registry.all() if m.app_label == "actions"}
    assert keys == {
        "actions_closed_on_time",
        "actions_verified_effective",
        "actions_mean_days_to_close",
        "actions_open_by_age",
        "actions_overdue",
    }


def test_no_actions_means_no_data(period):
    assert registry.compute("actions_closed_on_time", period=period).value is None
    assert registry.compute("actions_verified_effective", period=period).value is None
    assert registry.compute("actions_mean_days_to_close", period=period).value is None


def _closed(created_days_ago, closed_days_ago, due_days_ago, verifier):
    now = timezone.now()
    return ActionFactory(
        status="closed",
        verdict="pass",
        verified_by=verifier,
        created_at=now - dt.timedelta(days=created_days_ago),
        closed_at=now - dt.timedelta(days=closed_days_ago),
        measured_at=now - dt.timedelta(days=closed_days_ago),
        due_date=timezone.localdate() - dt.timedelta(days=due_days_ago),
        current_due_date=timezone.localdate(),
    )


def test_closed_on_time_and_mean_days(period, quality_manager):
    _closed(30, 10, 5, quality_manager)  # closed before due: on time, 20 days
    _closed(40, 0, 5, quality_manager)  # closed after due (extension ignored), 40 days
    value = registry.compute("actions_closed_on_time", period=period)
    assert (value.value, value.n) == (50.0, 2)
    mean = registry.compute("actions_mean_days_to_close", period=period)
    assert mean.value == pytest.approx(30.0, abs=0.1)


def test_verified_effective_counts_pass_and_fail(period, quality_manager):
    _closed(30, 10, 5, quality_manager)
    ActionFactory(status="reopened", verdict="fail", measured_at=timezone.now())
    ActionFactory(
        status="effectiveness_check", verdict="insufficient_data", measured_at=timezone.now()
    )
    value = registry.compute("actions_verified_effective", period=period)
    assert (value.value, value.n) == (50.0, 2)


def test_open_by_age_and_overdue_by_department(period, front_desk, housekeeping):
    now = timezone.now()
    today = timezone.localdate()
    ActionFactory(
        department=front_desk,
        created_at=now - dt.timedelta(days=45),
        due_date=today - dt.timedelta(days=3),
        current_due_date=today + dt.timedelta(days=9),
    )
    ActionFactory(department=front_desk, created_at=now - dt.timedelta(days=5))
    ActionFactory(
        department=housekeeping,
        created_at=now - dt.timedelta(days=100),
        due_date=today - dt.timedelta(days=1),
    )
    ActionFactory(
        department=housekeeping,
        status=CorrectiveAction.Status.CANCELLED,
        justification="x",
        created_at=now - dt.timedelta(days=100),
    )
    age = registry.compute("actions_open_by_age", period=period, days="30")
    assert (age.value, age.n) == (2, 3)
    assert age.detail["0-30"] == 1 and age.detail["30-60"] == 1 and age.detail["90+"] == 1
    overdue = registry.compute("actions_overdue", period=period)
    assert (overdue.value, overdue.n) == (2, 3)
    fd = registry.compute("actions_overdue", period=period, department="FD")
    assert (fd.value, fd.n) == (1, 2)
