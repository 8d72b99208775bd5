"""The compute_key_results scanner: computed key results take their value from the
metrics registry, in bounded batches, once per interval."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from objectives import services, tasks
from objectives.models import CheckIn, KeyResult, Objective
from objectives.selectors import attach_progress, objective_get_for_user
from tests.objectives.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed_kr(fake_metric):
    objective = ObjectiveFactory(last_checkin_at=None)
    return KeyResultFactory(
        objective=objective,
        mode=KeyResult.Mode.COMPUTED,
        metric_key="fake_csat",
        metric_params={"segment": "retail-shoppers"},
        baseline=Decimal("80"),
        target=Decimal("95"),
        next_action_at=timezone.now() - dt.timedelta(minutes=1),
    )


def test_the_scanner_computes_due_key_results(computed_kr, fake_metric):
    assert tasks.compute_key_results_task() == 1
    computed_kr.refresh_from_db()
    assert computed_kr.last_computed_value == Decimal("90")
    assert computed_kr.current_value == Decimal("90")
    assert computed_kr.next_action_at > timezone.now()
    period, filters = fake_metric.calls[0]
    assert filters == {"segment": "retail-shoppers"}
    assert period.start == computed_kr.objective.period_start
    # A system check-in records the new value; the objective counts as checked in.
    checkin = CheckIn.objects.get(key_result=computed_kr)
    assert checkin.source == CheckIn.Source.COMPUTED
    assert checkin.by is None
    assert Objective.objects.get(pk=computed_kr.objective_id).last_checkin_at is not None


def test_a_second_run_before_the_interval_computes_nothing(computed_kr, fake_metric):
    tasks.compute_key_results_task()
    assert tasks.compute_key_results_task() == 0
    assert len(fake_metric.calls) == 1


def test_an_unchanged_value_adds_no_check_in(computed_kr, fake_metric):
    tasks.compute_key_results_task()
    KeyResult.objects.filter(pk=computed_kr.pk).update(
        next_action_at=timezone.now() - dt.timedelta(seconds=1)
    )
    tasks.compute_key_results_task()
    assert CheckIn.objects.filter(key_result=computed_kr).count() == 1
    fake_metric.value = 93
    KeyResult.objects.filter(pk=computed_kr.pk).update(
        next_action_at=timezone.now() - dt.timedelta(seconds=1)
    )
    tasks.compute_key_results_task()
    assert list(CheckIn.objects.filter(key_result=computed_kr).values_list("value", flat=True)) == [
        Decimal("93"),
        Decimal("90"),
    ]


def test_the_batch_is_bounded(fake_metric):
    for _ in range(3):
        KeyResultFactory(
            mode=KeyResult.Mode.COMPUTED,
            metric_key="fake_csat",
            next_action_at=timezone.now() - dt.timedelta(minutes=1),
        )
    assert services.key_results_compute_due(limit=2) == 2
    assert services.key_results_compute_due(limit=2) == 1


def test_a_metric_without_data_stores_nothing_but_moves_on(computed_kr, fake_metric):
    fake_metric.value = None
    assert tasks.compute_key_results_task() == 0
    computed_kr.refresh_from_db()
    assert computed_kr.current_value is None
    assert computed_kr.next_action_at > timezone.now()


def test_a_failing_metric_does_not_stop_the_batch(computed_kr, fake_metric, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("metric down")

    monkeypatch.setattr(fake_metric, "value", 91)
    other = KeyResultFactory(
        mode=KeyResult.Mode.COMPUTED,
        metric_key="fake_csat",
        metric_params={"survey": "broken"},
        next_action_at=timezone.now() - dt.timedelta(minutes=2),
    )
    original = fake_metric.__class__.__call__

    def maybe_broken(self, *, period, **filters):
        if filters.get("survey") == "broken":
            raise RuntimeError("metric down")
        return original(self, period=period, **filters)

    monkeypatch.setattr(fake_metric.__class__, "__call__", maybe_broken)
    assert tasks.compute_key_results_task() == 1
    other.refresh_from_db()
    assert other.current_value is None
    assert other.next_action_at > timezone.now()


def test_a_computed_key_result_counts_as_checked_in(computed_kr, quality_manager):
    tasks.compute_key_results_task()
    objective = objective_get_for_user(user=quality_manager, pk=computed_kr.objective_id)
    attach_progress([objective])
    assert objective.stale is False
    assert objective.kr_list[0].progress == pytest.approx(66.7)
