"""The maths of objectives, as pure functions (no database, no clock): tested on their own
and used by the pages, the API, the metrics and the end-of-period review alike.

Key result progress (0-100 %)
-----------------------------
- increase / decrease: linear from the baseline (0 %) to the target (100 %), clamped to
  0-100 %. "Lower is better" (decrease) needs no special case: with a target below the
  baseline the same formula counts a fall as progress. A value beyond the target is 100 %;
  a value worse than the baseline is 0 %.
- stay_above / stay_below (a bound to respect, e.g. "at least one cart cleaning an hour"):
  100 % while the current value satisfies the bound (>= target, resp. <= target).
  Otherwise partial credit, linear from the baseline to the bound, when the baseline was on
  the wrong side of the bound (the team is moving towards it); 0 % when the baseline
  already satisfied the bound (the bound has been lost).
- baseline equal to target: there is no distance to travel, so 100 % if the current value
  meets the target in the key result's direction (>= for increase/stay_above, <= for
  decrease/stay_below), else 0 %.
- no measurement yet: None ("no data"); it counts as 0 % in the objective's mean, unless
  no key result of the objective has a measurement yet (then the objective has no data).

Objective progress
------------------
The weighted mean of its key results' progress (weights default to 1, so equal). The
roll-up of the department objectives aligned to it is a separate number, shown beside it:
it is never mixed into the objective's own progress.

Health
------
From progress against the share of the period elapsed (both in %):
- on track: progress >= elapsed - 10 points;
- at risk:  progress >= elapsed - 25 points;
- off track: otherwise.
An objective is *stale* when its last check-in (a computed key result counts as checked in
when it was last computed) is older than its check-in interval; with no check-in yet, the
clock starts at the later of the period start and the objective's creation. A stale
objective cannot be "on track": it shows "at risk" at best, with a "stale" badge. An
objective without key results has no health ("no data").

Stored health
-------------
Health moves with the calendar (the share elapsed, staleness) even when nothing is
written, so it is stored as the moments it changes rather than as a word:
`health_until` gives the last day an objective with a given progress still keeps within a
margin of the elapsed share (None: until the end of the period), and `stale_from` the
moment it turns stale without a new check-in. With those on the row, counting objectives
by health is a comparison with today in SQL (`objectives.metrics`), and
`health_from_stored` gives the same word as `health` on any day.

Weaker target
-------------
A department key result is weaker than its parent's when both measure the same metric with
the same parameters and the department asks for less: a lower target for increase/stay_above,
a higher target for decrease/stay_below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

INCREASE = "increase"
DECREASE = "decrease"
STAY_ABOVE = "stay_above"
STAY_BELOW = "stay_below"
DIRECTIONS = (INCREASE, DECREASE, STAY_ABOVE, STAY_BELOW)

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"

ON_TRACK_MARGIN = 10
AT_RISK_MARGIN = 25

Number = int | float | Decimal


def _clamp(value: float) -> float:
    return max(0.0, min(100.0, value))


def _meets(direction: str, current: float, target: float) -> bool:
    if direction in (INCREASE, STAY_ABOVE):
        return current >= target
    return current <= target


def key_result_progress(
    *, direction: str, baseline: Number, target: Number, current: Number | None
) -> float | None:
    """Progress of one key result in percent (0-100), or None without a measurement."""
    if direction not in DIRECTIONS:
        raise ValueError(f"Unknown direction {direction!r}")
    if current is None:
        return None
    baseline, target, current = float(baseline), float(target), float(current)
    if _meets(direction, current, target) and direction in (STAY_ABOVE, STAY_BELOW):
        return 100.0
    if baseline == target:
        return 100.0 if _meets(direction, current, target) else 0.0
    if direction in (STAY_ABOVE, STAY_BELOW) and _meets(direction, baseline, target):
        return 0.0  # the bound held at the start and is broken now
    return round(_clamp((current - baseline) / (target - baseline) * 100), 1)


def weighted_mean(
    items: Iterable[tuple[Number, float | None]], *, none_as_zero: bool
) -> float | None:
    """Weighted mean of (weight, progress) pairs. `none_as_zero` counts missing progress as
    0 % (key results of an objective); otherwise they are left out (roll-up)."""
    total_weight = 0.0
    total = 0.0
    for weight, progress in items:
        if progress is None:
            if not none_as_zero:
                continue
            progress = 0.0
        total_weight += float(weight)
        total += float(weight) * progress
    if total_weight == 0:
        return None
    return round(total / total_weight, 1)


def objective_progress(key_results: Iterable[tuple[Number, float | None]]) -> float | None:
    """Weighted mean of the key results' progress; a key result without a measurement
    counts as 0 %. None ("no data") without key results or before any measurement."""
    items = list(key_results)
    if all(progress is None for _weight, progress in items):
        return None
    return weighted_mean(items, none_as_zero=True)


def rollup(children: Iterable[tuple[Number, float | None]]) -> float | None:
    """Weighted mean of the aligned objectives' progress (those without data left out)."""
    return weighted_mean(children, none_as_zero=False)


def elapsed_percent(*, start: dt.date, end: dt.date, today: dt.date) -> float:
    """Share of the period elapsed at the end of `today`, 0-100."""
    if today < start:
        return 0.0
    if today >= end:
        return 100.0
    days = (end - start).days + 1
    return round(_clamp(((today - start).days + 1) / days * 100), 1)


def is_stale(
    *,
    last_checkin_at: dt.datetime | None,
    started_on: dt.date,
    interval_days: int,
    now: dt.datetime,
) -> bool:
    """True when the last check-in (or, without one, `started_on`) is older than the
    check-in interval."""
    if last_checkin_at is not None:
        return now - last_checkin_at > dt.timedelta(days=interval_days)
    return (now.date() - started_on).days > interval_days


def health(*, progress: float | None, elapsed: float, stale: bool) -> str:
    if progress is None:
        return NO_DATA
    if progress >= elapsed - ON_TRACK_MARGIN:
        result = ON_TRACK
    elif progress >= elapsed - AT_RISK_MARGIN:
        result = AT_RISK
    else:
        result = OFF_TRACK
    if stale and result == ON_TRACK:
        return AT_RISK
    return result


def health_until(
    *, progress: float | None, start: dt.date, end: dt.date, margin: float
) -> dt.date | None:
    """The last day on which `progress >= elapsed - margin` holds (elapsed only grows), or
    None when it holds to the end of the period (or there is no progress)."""
    if progress is None:
        return None

    def holds(day: dt.date) -> bool:
        return progress >= elapsed_percent(start=start, end=end, today=day) - margin

    if holds(end):
        return None
    low, high = start - dt.timedelta(days=1), end  # holds(low) (0 % elapsed); not holds(high)
    while (high - low).days > 1:
        middle = low + dt.timedelta(days=(high - low).days // 2)
        if holds(middle):
            low = middle
        else:
            high = middle
    return low


def stale_from(
    *, last_checkin_at: dt.datetime | None, started_on: dt.date, interval_days: int
) -> dt.datetime:
    """The moment after which `is_stale` is true (stale when now > this)."""
    if last_checkin_at is not None:
        return last_checkin_at + dt.timedelta(days=interval_days)
    # is_stale counts whole days of now's (UTC) date past started_on.
    first_stale_day = started_on + dt.timedelta(days=interval_days + 1)
    return dt.datetime.combine(first_stale_day, dt.time.min, tzinfo=dt.UTC) - dt.timedelta(
        microseconds=1
    )


@dataclass(frozen=True)
class KeyResultInput:
    weight: Number
    direction: str
    baseline: Number
    target: Number
    current: Number | None


def stored_health(
    *,
    key_results: Iterable[KeyResultInput],
    period_start: dt.date,
    period_end: dt.date,
    started_on: dt.date,
    last_checkin_at: dt.datetime | None,
    interval_days: int,
    active: bool,
) -> dict:
    """The health columns of an objective (`Objective.health_progress`, `on_track_until`,
    `at_risk_until`, `stale_after`), from what its key results measure now."""
    progress = objective_progress(
        (
            kr.weight,
            key_result_progress(
                direction=kr.direction, baseline=kr.baseline, target=kr.target, current=kr.current
            ),
        )
        for kr in key_results
    )
    period = {"progress": progress, "start": period_start, "end": period_end}
    return {
        "health_progress": None if progress is None else Decimal(str(progress)),
        "on_track_until": health_until(**period, margin=ON_TRACK_MARGIN),
        "at_risk_until": health_until(**period, margin=AT_RISK_MARGIN),
        "stale_after": stale_from(
            last_checkin_at=last_checkin_at, started_on=started_on, interval_days=interval_days
        )
        if active
        else None,
    }


def health_from_stored(
    *,
    progress: float | None,
    on_track_until: dt.date | None,
    at_risk_until: dt.date | None,
    stale: bool,
    today: dt.date,
) -> str:
    """`health` from the stored thresholds (what the SQL count in the metrics does)."""
    if progress is None:
        return NO_DATA
    if on_track_until is None or today <= on_track_until:
        return AT_RISK if stale else ON_TRACK
    if at_risk_until is None or today <= at_risk_until:
        return AT_RISK
    return OFF_TRACK


@dataclass(frozen=True)
class TargetSpec:
    """What the weaker-target check needs of a key result."""

    metric_key: str
    metric_params: dict
    direction: str
    target: Number


def is_weaker_target(*, parent: TargetSpec, child: TargetSpec) -> bool:
    """True when `child` measures the same metric (key and parameters) as `parent` in the
    same sense and asks for less."""
    if not parent.metric_key or parent.metric_key != child.metric_key:
        return False
    if dict(parent.metric_params or {}) != dict(child.metric_params or {}):
        return False
    higher_better = {INCREASE, STAY_ABOVE}
    parent_up = parent.direction in higher_better
    if parent_up != (child.direction in higher_better):
        return False
    if parent_up:
        return float(child.target) < float(parent.target)
    return float(child.target) > float(parent.target)
