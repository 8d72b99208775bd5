"""The progress maths: pure functions, no database."""

import datetime as dt
from decimal import Decimal

import pytest

from objectives import progress as m


def kr(direction, baseline, target, current):
    return m.key_result_progress(
        direction=direction, baseline=baseline, target=target, current=current
    )


class TestIncrease:
    def test_linear_from_baseline_to_target(self):
        assert kr(m.INCREASE, 80, 95, 80) == 0
        assert kr(m.INCREASE, 80, 95, 87.5) == 50
        assert kr(m.INCREASE, 80, 95, 95) == 100

    def test_beyond_the_target_is_clamped_to_100(self):
        assert kr(m.INCREASE, 80, 95, 99) == 100

    def test_worse_than_the_baseline_is_clamped_to_0(self):
        assert kr(m.INCREASE, 80, 95, 70) == 0

    def test_decimals_are_accepted(self):
        assert kr(m.INCREASE, Decimal("0"), Decimal("4"), Decimal("1")) == 25


class TestDecrease:
    """Lower is better: checkout waiting time from 9 to 5 minutes."""

    def test_a_fall_is_progress(self):
        assert kr(m.DECREASE, 9, 5, 9) == 0
        assert kr(m.DECREASE, 9, 5, 7) == 50
        assert kr(m.DECREASE, 9, 5, 5) == 100

    def test_below_the_target_is_clamped_to_100(self):
        assert kr(m.DECREASE, 9, 5, 3) == 100

    def test_a_rise_above_the_baseline_is_clamped_to_0(self):
        assert kr(m.DECREASE, 9, 5, 12) == 0


class TestStayAbove:
    def test_satisfied_bound_is_100(self):
        assert kr(m.STAY_ABOVE, 0.5, 1, 1) == 100
        assert kr(m.STAY_ABOVE, 0.5, 1, 1.4) == 100

    def test_moving_towards_the_bound_gives_partial_credit(self):
        assert kr(m.STAY_ABOVE, 0.5, 1, 0.75) == 50

    def test_a_bound_held_at_the_start_and_now_broken_is_0(self):
        assert kr(m.STAY_ABOVE, 2, 1, 0.9) == 0


class TestStayBelow:
    def test_satisfied_bound_is_100(self):
        assert kr(m.STAY_BELOW, 8, 5, 5) == 100
        assert kr(m.STAY_BELOW, 8, 5, 2) == 100

    def test_moving_towards_the_bound_gives_partial_credit(self):
        assert kr(m.STAY_BELOW, 8, 5, 6.5) == 50

    def test_a_bound_held_at_the_start_and_now_broken_is_0(self):
        assert kr(m.STAY_BELOW, 3, 5, 6) == 0


class TestBaselineEqualsTarget:
    @pytest.mark.parametrize(
        ("direction", "current", "expected"),
        [
            (m.INCREASE, 95, 100),
            (m.INCREASE, 96, 100),
            (m.INCREASE, 94, 0),
            (m.DECREASE, 5, 100),
            (m.DECREASE, 4, 100),
            (m.DECREASE, 6, 0),
            (m.STAY_ABOVE, 95, 100),
            (m.STAY_ABOVE, 94, 0),
            (m.STAY_BELOW, 95, 100),
            (m.STAY_BELOW, 96, 0),
        ],
    )
    def test_100_when_the_target_is_met_in_the_right_direction(self, direction, current, expected):
        target = 5 if direction == m.DECREASE else 95
        assert kr(direction, target, target, current) == expected


def test_no_measurement_is_no_data():
    assert kr(m.INCREASE, 0, 10, None) is None


def test_an_unknown_direction_is_an_error():
    with pytest.raises(ValueError):
        kr("sideways", 0, 10, 5)


class TestObjectiveProgress:
    def test_equal_weights_by_default(self):
        assert m.objective_progress([(1, 100), (1, 50)]) == 75

    def test_weighted_mean(self):
        assert m.objective_progress([(3, 100), (1, 0)]) == 75

    def test_a_key_result_without_data_counts_as_zero(self):
        assert m.objective_progress([(1, 100), (1, None)]) == 50

    def test_no_key_results_is_no_data(self):
        assert m.objective_progress([]) is None

    def test_no_measurement_at_all_is_no_data(self):
        assert m.objective_progress([(1, None), (2, None)]) is None


class TestRollup:
    def test_weighted_mean_of_children_leaving_out_those_without_data(self):
        assert m.rollup([(1, 40), (1, 80), (5, None)]) == 60

    def test_no_children_is_no_data(self):
        assert m.rollup([]) is None


class TestHealth:
    def test_on_track_within_ten_points_of_the_time_elapsed(self):
        assert m.health(progress=40, elapsed=50, stale=False) == m.ON_TRACK

    def test_at_risk_within_twenty_five_points(self):
        assert m.health(progress=39.9, elapsed=50, stale=False) == m.AT_RISK
        assert m.health(progress=25, elapsed=50, stale=False) == m.AT_RISK

    def test_off_track_beyond(self):
        assert m.health(progress=24.9, elapsed=50, stale=False) == m.OFF_TRACK

    def test_a_stale_objective_cannot_be_on_track(self):
        assert m.health(progress=100, elapsed=50, stale=True) == m.AT_RISK

    def test_staleness_does_not_improve_off_track(self):
        assert m.health(progress=0, elapsed=90, stale=True) == m.OFF_TRACK

    def test_no_progress_is_no_data(self):
        assert m.health(progress=None, elapsed=50, stale=False) == m.NO_DATA


class TestElapsed:
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)

    def test_before_and_after_the_period(self):
        assert m.elapsed_percent(start=self.start, end=self.end, today=dt.date(2025, 6, 1)) == 0
        assert m.elapsed_percent(start=self.start, end=self.end, today=dt.date(2027, 1, 1)) == 100

    def test_midway(self):
        value = m.elapsed_percent(start=self.start, end=self.end, today=dt.date(2026, 7, 2))
        assert 49.5 < value < 50.5


class TestStaleness:
    now = dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)

    def test_a_check_in_older_than_the_interval_is_stale(self):
        old = self.now - dt.timedelta(days=8)
        assert m.is_stale(
            last_checkin_at=old, started_on=dt.date(2026, 1, 1), interval_days=7, now=self.now
        )

    def test_a_recent_check_in_is_not_stale(self):
        recent = self.now - dt.timedelta(days=6)
        assert not m.is_stale(
            last_checkin_at=recent, started_on=dt.date(2026, 1, 1), interval_days=7, now=self.now
        )

    def test_without_check_in_the_clock_starts_at_the_start(self):
        assert not m.is_stale(
            last_checkin_at=None, started_on=dt.date(2026, 6, 25), interval_days=7, now=self.now
        )
        assert m.is_stale(
            last_checkin_at=None, started_on=dt.date(2026, 6, 1), interval_days=7, now=self.now
        )


class TestWeakerTarget:
    def spec(self, direction, target, key="csat", params=None):
        return m.TargetSpec(
            metric_key=key,
            metric_params=params or {"segment": "retail"},
            direction=direction,
            target=target,
        )

    def test_a_lower_target_for_increase_is_weaker(self):
        assert m.is_weaker_target(parent=self.spec(m.INCREASE, 95), child=self.spec(m.INCREASE, 90))

    def test_an_equal_or_higher_target_is_not_weaker(self):
        assert not m.is_weaker_target(
            parent=self.spec(m.INCREASE, 95), child=self.spec(m.INCREASE, 95)
        )
        assert not m.is_weaker_target(
            parent=self.spec(m.INCREASE, 95), child=self.spec(m.STAY_ABOVE, 97)
        )

    def test_a_higher_target_for_decrease_is_weaker(self):
        assert m.is_weaker_target(parent=self.spec(m.DECREASE, 5), child=self.spec(m.DECREASE, 6))
        assert not m.is_weaker_target(
            parent=self.spec(m.DECREASE, 5), child=self.spec(m.STAY_BELOW, 4)
        )

    def test_other_metrics_or_parameters_are_not_compared(self):
        assert not m.is_weaker_target(
            parent=self.spec(m.INCREASE, 95), child=self.spec(m.INCREASE, 90, key="nps")
        )
        assert not m.is_weaker_target(
            parent=self.spec(m.INCREASE, 95),
            child=self.spec(m.INCREASE, 90, params={"segment": "hotel"}),
        )


class TestStoredHealth:
    """The stored thresholds give the same health as the maths on every day."""

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
            (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
            (dt.date(2026, 2, 1), dt.date(2026, 2, 1)),  # a one-day period
        ],
    )
    @pytest.mark.parametrize(
        "progress", [None, 0.0, 5.0, 12.5, 33.3, 50.0, 74.9, 75.0, 90.0, 100.0]
    )
    @pytest.mark.parametrize("stale", [False, True])
    def test_every_day_of_the_period_and_around_it(self, start, end, progress, stale):
        on_track_until = m.health_until(
            progress=progress, start=start, end=end, margin=m.ON_TRACK_MARGIN
        )
        at_risk_until = m.health_until(
            progress=progress, start=start, end=end, margin=m.AT_RISK_MARGIN
        )
        day = start - dt.timedelta(days=3)
        while day <= end + dt.timedelta(days=3):
            elapsed = m.elapsed_percent(start=start, end=end, today=day)
            expected = m.health(progress=progress, elapsed=elapsed, stale=stale)
            got = m.health_from_stored(
                progress=progress,
                on_track_until=on_track_until,
                at_risk_until=at_risk_until,
                stale=stale,
                today=day,
            )
            assert got == expected, day
            day += dt.timedelta(days=1)

    def test_stale_from_matches_is_stale(self):
        started_on = dt.date(2026, 3, 1)
        last = dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC)
        for last_checkin_at in (None, last):
            edge = m.stale_from(
                last_checkin_at=last_checkin_at, started_on=started_on, interval_days=7
            )
            for offset in (-dt.timedelta(hours=1), dt.timedelta(0), dt.timedelta(microseconds=1)):
                now = edge + offset
                assert (now > edge) == m.is_stale(
                    last_checkin_at=last_checkin_at,
                    started_on=started_on,
                    interval_days=7,
                    now=now,
                )
