"""The metrics registry (docs/architecture.md section 2).

Each app registers its metrics in `AppConfig.ready()`. Objectives, effectiveness checks
and dashboards compute numbers only through `registry.compute(...)`, so NPS (or any other
number) has one definition everywhere.

A metric is a function of a `Period` and keyword filters that returns a `MetricValue`.
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from .exceptions import ApplicationError


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days, `start` to `end` inclusive."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ApplicationError(_("A period cannot end before it starts."))

    _PATTERN = re.compile(
        r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$"
    )

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026` (a year), `2026-Q3` (a quarter) or `2026-07` (a month)."""
        match = cls._PATTERN.match((text or "").strip())
        if not match:
            raise ApplicationError(
                _("“%(text)s” is not a period: use 2026, 2026-Q3 or 2026-07.") % {"text": text}
            )
        year = int(match["year"])
        if match["quarter"]:
            first = (int(match["quarter"]) - 1) * 3 + 1
            return cls.months(year, first, first + 2)
        if match["month"]:
            return cls.months(year, int(match["month"]), int(match["month"]))
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def months(cls, year: int, first: int, last: int) -> Period:
        return cls(dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]))

    @classmethod
    def current_quarter(cls, today: dt.date | None = None) -> Period:
        today = today or dt.date.today()
        first = (today.month - 1) // 3 * 3 + 1
        return cls.months(today.year, first, first + 2)

    def each_month(self, limit: int = 24) -> list[Period]:
        """The calendar months the period touches (at most `limit`), each as a period."""
        months, cursor = [], self.start.replace(day=1)
        while cursor <= self.end and len(months) < limit:
            months.append(Period.months(cursor.year, cursor.month, cursor.month))
            cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
        return months

    def previous(self) -> Period:
        """The period of the same length just before: the previous month, quarter or
        year for whole months, else the same number of days."""
        whole_months = (
            self.start.day == 1
            and self.end.day == calendar.monthrange(self.end.year, self.end.month)[1]
        )
        if whole_months:
            count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - count
            year, month = divmod(index, 12)
            first = dt.date(year, month + 1, 1)
            last_index = index + count - 1
            last_year, last_month = divmod(last_index, 12)
            last = dt.date(
                last_year, last_month + 1, calendar.monthrange(last_year, last_month + 1)[1]
            )
            return Period(first, last)
        length = self.end - self.start + dt.timedelta(days=1)
        return Period(self.start - length, self.start - dt.timedelta(days=1))

    def __str__(self):
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True)
class MetricValue:
    """A computed number with the count of observations behind it (`n`).

    `value` is None when there is nothing to measure; callers show “no data”, never 0.
    """

    value: Decimal | float | int | None
    n: int = 0
    detail: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class Param:
    """One parameter a metric takes, with the kind of thing it names, so a page offers it
    as a list (the portal's surveys, questions, topics, segments, departments) instead of
    a box to type a code into. `choices` are the fixed values of a "choice" parameter."""

    name: str
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()


# The usual parameters, by name: a metric that declares `parameters=("survey", "topic")`
# gets these; a metric with a parameter of its own passes a `Param`.
STANDARD_PARAMS = {
    "survey": Param("survey", _("Survey"), "survey"),
    "question_code": Param("question_code", _("Question"), "question"),
    "topic": Param("topic", _("Topic"), "topic"),
    "segment": Param("segment", _("Customer segment"), "segment"),
    "department": Param("department", _("Department"), "department"),
}


class ParamKinds:
    """Where the values of each kind of parameter come from. The app that owns the thing
    fills it (surveys: surveys and questions; customers: topics and segments; qms:
    departments), so a page to the left lists them without importing that app.

    `choices()` gives [(value, label), ...] for a list; `label(value)` the plain name of
    one stored value (a survey's title for its code)."""

    def __init__(self):
        self._kinds: dict[str, tuple[Callable, Callable | None]] = {}

    def add(self, kind: str, *, choices: Callable, label: Callable | None = None) -> None:
        self._kinds[kind] = (choices, label)

    def choices(self, kind: str) -> list[tuple[str, str]]:
        entry = self._kinds.get(kind)
        return list(entry[0]()) if entry else []

    def label(self, kind: str, value) -> str:
        entry = self._kinds.get(kind)
        if entry is None:
            return str(value)
        if entry[1] is not None:
            return str(entry[1](value) or value)
        return str(dict(self.choices(kind)).get(str(value), value))


param_kinds = ParamKinds()


def _params(parameters) -> tuple[Param, ...]:
    specs = []
    for p in parameters:
        if isinstance(p, Param):
            specs.append(p)
        else:
            specs.append(STANDARD_PARAMS.get(p) or Param(p, p.replace("_", " "), "text"))
    return tuple(specs)


@dataclass(frozen=True)
class Definition:
    """How a metric is counted, in words a reader checks a number against: what is
    counted, over which base, which period an event falls in, which segment it counts
    in, and what happens to skipped answers or missing data. Shown on the metrics page
    and in the API's metric description."""

    counted: str
    base: str
    period: str
    segment: str
    skipped: str

    FIELDS = (
        ("counted", _("What is counted")),
        ("base", _("Base")),
        ("period", _("Period rule")),
        ("segment", _("Segment rule")),
        ("skipped", _("Skipped answers and missing data")),
    )

    def rows(self) -> list[tuple[str, str, str]]:
        """[(field, heading, text)] in reading order, translated."""
        return [(name, str(label), str(getattr(self, name))) for name, label in self.FIELDS]

    def as_dict(self) -> dict[str, str]:
        return {name: text for name, _label, text in self.rows()}


# Rules many metrics share (one wording, one translation).
PERIOD_EVENT_DAY = _(
    "An event belongs to the day it happened in the organisation's time zone (TIME_ZONE); "
    "a period is its first to its last day, both included."
)
PERIOD_SNAPSHOT = _("A snapshot of the register as it stands now: the period does not change it.")
SEGMENT_AT_EVENT = _(
    "The segment the customer was in when it happened (kept on the record), not the "
    "customer's segment today."
)
SEGMENT_NONE = _("Not filtered by segment.")
NOTHING_SKIPPED = _(
    "Every record of the period counts; with nothing to count the value is “no data”, never 0."
)
ORDER_RULE = _(
    "An order is the purchase lines that share an order reference; a line without one is an "
    "order together with the same customer's lines bought at the same moment."
)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    direction: Direction
    compute_fn: Callable[..., MetricValue]
    description: str = ""
    parameters: tuple[str, ...] = ()
    app_label: str = ""
    # Optional: every month of a period at once, {first day of month: MetricValue}, for
    # trend charts; without it the registry computes month by month.
    monthly_fn: Callable[..., Mapping[dt.date, MetricValue]] | None = None
    param_specs: tuple[Param, ...] = ()
    # Optional: (params with plain names) -> the words for the metric with those
    # parameters, e.g. "Share of dissatisfied customers naming Check-in wait".
    describe_fn: Callable[[Mapping[str, str]], str] | None = None
    definition: Definition | None = None

    def param(self, name: str) -> Param:
        return next((p for p in self.param_specs if p.name == name), _params((name,))[0])

    def describe(self, params: Mapping | None = None) -> str:
        """The metric with its parameters in words, never as `key param=value`: each
        parameter by the plain name of what it names (a survey's title, a topic's name)."""
        names = {}
        for name, value in (params or {}).items():
            if value in (None, ""):
                continue
            spec = self.param(name)
            if spec.kind == "choice":
                names[name] = str(dict(spec.choices).get(str(value), value))
            elif spec.kind in ("text", "number"):
                names[name] = str(value)
            else:
                names[name] = param_kinds.label(spec.kind, value)
        if self.describe_fn is not None:
            return str(self.describe_fn(names))
        text = str(self.label)
        order = [p.name for p in self.param_specs]
        extra = [
            names[n] for n in sorted(names, key=lambda n: order.index(n) if n in order else 99)
        ]
        return ", ".join([text, *extra])


def describe_target(metric: Metric, target_change_pct) -> str:
    """“target −50 %”: the signed change with a real minus sign."""
    value = Decimal(str(target_change_pct)).normalize()
    number = f"{abs(value):f}"
    sign = "−" if value < 0 else "+"
    return _("target %(change)s %%") % {"change": f"{sign}{number}"}


_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("metrics_batch", default=None)


@contextlib.contextmanager
def batch():
    """Compute many numbers as of one moment (the dashboard's tiles): inside, a metric
    module may keep what every computation reads alike (the answer tallies' watermark)
    in `batch_cache()` instead of reading it again for each number."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def batch_cache() -> dict | None:
    """The current batch's scratch dict, or None outside `batch()`."""
    return _batch.get()


class MetricsRegistry:
    def __init__(self):
        self._metrics: dict[str, Metric] = {}

    def register(
        self,
        *,
        key: str,
        label: str,
        unit: str,
        direction: Direction,
        compute: Callable[..., MetricValue],
        description: str = "",
        parameters: tuple = (),
        app_label: str = "",
        monthly: Callable[..., Mapping[dt.date, MetricValue]] | None = None,
        describe: Callable[[Mapping[str, str]], str] | None = None,
        definition: Definition | None = None,
    ) -> Metric:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ValueError(f"Metric key {key!r} must be lower_snake_case.")
        existing = self._metrics.get(key)
        if existing and existing.compute_fn is not compute:
            raise ValueError(f"Metric {key!r} is already registered by {existing.app_label}.")
        metric = Metric(
            key=key,
            label=label,
            unit=unit,
            direction=Direction(direction),
            compute_fn=compute,
            description=description,
            parameters=tuple(p.name for p in _params(parameters)),
            app_label=app_label,
            monthly_fn=monthly,
            param_specs=_params(parameters),
            describe_fn=describe,
            definition=definition,
        )
        self._metrics[key] = metric
        return metric

    def unregister(self, key: str) -> None:
        self._metrics.pop(key, None)

    def get(self, key: str) -> Metric:
        try:
            return self._metrics[key]
        except KeyError:
            raise ApplicationError(
                _("There is no metric called “%(key)s”.") % {"key": key}
            ) from None

    def all(self) -> list[Metric]:
        return sorted(self._metrics.values(), key=lambda m: (m.app_label, m.key))

    def describe(self, key: str, params: Mapping | None = None, target_change_pct=None) -> str:
        """A criterion in words: “Share of dissatisfied customers naming Check-in wait,
        Hotel stay pulse: target −50 %”. An unknown metric still reads as its key."""
        try:
            metric = self.get(key)
        except ApplicationError:
            return key
        text = metric.describe(params)
        if target_change_pct is not None:
            text = f"{text}: {describe_target(metric, target_change_pct)}"
        return text

    def _checked(self, key: str, filters: dict) -> tuple[Metric, dict]:
        metric = self.get(key)
        unknown = sorted(set(filters) - set(metric.parameters))
        if unknown:
            raise ApplicationError(
                _("Metric “%(key)s” does not take the filter(s): %(names)s.")
                % {"key": key, "names": ", ".join(unknown)}
            )
        return metric, {name: value for name, value in filters.items() if value not in (None, "")}

    def compute(self, key: str, *, period: Period, **filters) -> MetricValue:
        metric, clean = self._checked(key, filters)
        return metric.compute_fn(period=period, **clean)

    def compute_monthly(
        self, key: str, *, period: Period, **filters
    ) -> list[tuple[Period, MetricValue]]:
        """The metric for each month of `period` (a trend): in one go where the metric
        offers it, else month by month. Months without data have value None."""
        metric, clean = self._checked(key, filters)
        months = period.each_month()
        if metric.monthly_fn is None:
            return [(month, metric.compute_fn(period=month, **clean)) for month in months]
        by_month = metric.monthly_fn(period=Period(months[0].start, months[-1].end), **clean)
        empty = MetricValue(value=None, n=0)
        return [(month, by_month.get(month.start, empty)) for month in months]


registry = MetricsRegistry()
