"""The quality manager's dashboard: every tile reads the metrics registry, so a number on
the dashboard is the same number an objective or an effectiveness check sees.

Tiles name metrics by key. A metric that no app has registered yet shows as "not
available" instead of failing, so the dashboard works while the product grows.
Departments' home pages get their content from `panel_registry`: each app adds the
panels it owns (its objectives, its actions, its needs awaiting acknowledgement) without
`qms` importing the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .exceptions import ApplicationError
from .registry import Direction, MetricValue, Period, batch, registry


@dataclass(frozen=True)
class Tile:
    key: str
    metric: str
    label: str
    url_name: str = ""
    params: dict = field(default_factory=dict)
    segment_filter: bool = True
    trend: bool = False
    # Counted from answers (a sample): fewer than the minimum n reads "too few answers".
    # Counts of the whole population (overdue actions, objectives) are always read.
    sampled: bool = True
    # A snapshot of now (backlogs, the register as it stands) has no previous period to
    # compare with.
    compare: bool = True


TILES = [
    Tile("nps", "nps", _("Net Promoter Score"), "satisfaction:survey-list", trend=True),
    Tile("csat", "csat", _("Customer satisfaction (CSAT)"), "satisfaction:survey-list", trend=True),
    Tile("ces", "ces", _("Customer effort (CES)"), "satisfaction:survey-list", trend=True),
    Tile("response_rate", "response_rate", _("Survey response rate"), "satisfaction:survey-list"),
    Tile("top_driver", "driver_share", _("Top dissatisfaction driver"), "research:pareto"),
    Tile(
        "complaint_rate",
        "complaint_rate",
        _("Complaints per 1,000 orders"),
        "crm:complaint-list",
    ),
    Tile(
        "complaint_compliance",
        "complaint_response_compliance",
        _("Complaints answered in time"),
        "crm:complaint-list",
    ),
    Tile(
        "repeat_purchase",
        "repeat_purchase_rate",
        _("Repeat purchase rate"),
        "customers:customer-list",
    ),
    Tile(
        "objectives_on_track",
        "objectives_on_track",
        _("Objectives on track"),
        "objectives:cascade",
        segment_filter=False,
        compare=False,
        sampled=False,
    ),
    Tile(
        "actions_overdue",
        "actions_overdue",
        _("Overdue corrective actions"),
        "actions:board",
        segment_filter=False,
        compare=False,
        sampled=False,
    ),
    Tile(
        "followups_overdue",
        "follow_ups_overdue",
        _("Overdue follow-up cases"),
        "satisfaction:followup-list",
        segment_filter=False,
        compare=False,
        sampled=False,
    ),
    Tile(
        "followups_on_time",
        "follow_up_on_time_rate",
        _("Follow-up cases handled in time"),
        "satisfaction:followup-list",
        segment_filter=False,
    ),
    Tile(
        "requirements_deployed",
        "requirements_deployed_share",
        _("Accepted needs deployed"),
        "requirements:requirement-list",
        compare=False,
        sampled=False,
    ),
    Tile(
        "acknowledgement",
        "acknowledgement_coverage",
        _("Deployed needs acknowledged"),
        "requirements:coverage-list",
        segment_filter=False,
        compare=False,
        sampled=False,
    ),
]


ON_TARGET = "on_target"
AT_RISK = "at_risk"
OFF_TARGET = "off_target"
STATUS_LABELS = {
    ON_TARGET: _("on target"),
    AT_RISK: _("at risk"),
    OFF_TARGET: _("off target"),
}


@dataclass
class TileValue:
    tile: Tile
    value: MetricValue | None
    unit: str = ""
    url: str = ""
    available: bool = True
    trend: list = field(default_factory=list)
    direction: str = ""
    # Fewer answers than the minimum n: the tile greys and says "too few answers".
    low_n: bool = False
    min_n: int = 0
    # The change against the previous period of the same length (in the metric's unit),
    # and whether that change is for the better.
    change: float | None = None
    change_is_better: bool | None = None
    # The target (from an objective's key result, else the quality manager's setting).
    target: Decimal | None = None
    target_source: str = ""
    status: str = ""

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, ""))

    @property
    def topic_name(self) -> str:
        detail = (self.value.detail if self.value else None) or {}
        return detail.get("topic_name") or ""


def _url(name: str) -> str:
    try:
        return reverse(name) if name else ""
    except NoReverseMatch:
        return ""


class TargetRegistry:
    """Where targets for dashboard numbers come from, besides the quality manager's own
    setting: objectives add a provider (`targets.add(key, fn)`); `fn(period)` returns
    every target it knows for the period at once (one query for the whole dashboard),
    as `{(metric_key, params as sorted items): (target, words)}`. `qms` does not import
    objectives."""

    def __init__(self):
        self._providers: dict[str, Callable] = {}

    def add(self, key: str, provider: Callable) -> None:
        self._providers[key] = provider

    def for_period(self, period: Period) -> dict:
        found: dict = {}
        for _key, provider in sorted(self._providers.items(), reverse=True):
            found.update(provider(period))  # the first provider by key wins
        return found

    @staticmethod
    def key(metric_key: str, params: dict) -> tuple:
        return (metric_key, tuple(sorted((k, str(v)) for k, v in (params or {}).items())))


targets = TargetRegistry()


def target_status(*, value, target, direction: str, margin_pct: int) -> str:
    """On target when the number meets its target the way the metric improves; at risk
    when it misses by less than `margin_pct` % of the target (at least one unit);
    otherwise off target."""
    if value is None or target is None:
        return ""
    value, target = Decimal(str(value)), Decimal(str(target))
    gap = target - value if direction == Direction.HIGHER_IS_BETTER else value - target
    if gap <= 0:
        return ON_TARGET
    margin = max(abs(target) * Decimal(margin_pct) / 100, Decimal(1))
    return AT_RISK if gap <= margin else OFF_TARGET


def _readable(value: MetricValue | None, *, sampled: bool, min_n: int) -> bool:
    return value is not None and value.value is not None and not (sampled and value.n < min_n)


def trend_points(monthly, *, min_n: int) -> list[dict]:
    """A trend's points: each month with its value and n; a month with fewer answers
    than the minimum n keeps its n but no value (it is marked, not plotted)."""
    points = []
    for month, month_value in monthly:
        low = month_value.value is not None and month_value.n < min_n
        points.append(
            {
                "month": month.start.strftime("%Y-%m"),
                "value": None if month_value.value is None or low else float(month_value.value),
                "n": month_value.n,
                "low": low,
            }
        )
    return points


def months_with_data(trends: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Keep only the months where at least one series has answers, so a chart of a year
    with three surveyed months shows those three months, not nine empty ones."""
    keep = {p["month"] for series in trends.values() for p in series if p["n"]}
    return {key: [p for p in series if p["month"] in keep] for key, series in trends.items()}


def tiles_for(*, period: Period, segment: str = "") -> list[TileValue]:
    """Compute every tile for a period (and a segment where the metric takes one): its
    value and n, the change against the previous period, its target and status, and
    whether it has too few answers to be read. One batch: the numbers are read as of one
    moment, and what they all read alike is read once."""
    with batch():
        return _tiles_for(period=period, segment=segment)


def _tiles_for(*, period: Period, segment: str) -> list[TileValue]:
    from .models import DashboardSettings, TileTarget

    settings_row = DashboardSettings.current()
    min_n = settings_row.min_n
    set_targets = dict(TileTarget.objects.values_list("tile", "target"))
    previous = period.previous()
    known_targets = targets.for_period(period)
    values = []
    for tile in TILES:
        try:
            metric = registry.get(tile.metric)
        except ApplicationError:
            values.append(
                TileValue(tile=tile, value=None, url=_url(tile.url_name), available=False)
            )
            continue
        params = dict(tile.params)
        if segment and tile.segment_filter and "segment" in metric.parameters:
            params["segment"] = segment
        value = registry.compute(tile.metric, period=period, **params)
        before = None
        if tile.compare:
            if tile.key == "top_driver" and value.detail.get("topic"):
                # The same driver's share then, not whichever driver led then.
                params_before = {**params, "topic": value.detail["topic"]}
            else:
                params_before = params
            before = registry.compute(tile.metric, period=previous, **params_before)
        trend = []
        if tile.trend:
            trend = trend_points(
                registry.compute_monthly(tile.metric, period=period, **params), min_n=min_n
            )
        result = TileValue(
            tile=tile,
            value=value,
            unit=metric.unit,
            url=_url(tile.url_name),
            trend=trend,
            direction=metric.direction,
            min_n=min_n,
            low_n=bool(tile.sampled and value.value is not None and value.n < min_n),
        )
        readable = _readable(value, sampled=tile.sampled, min_n=min_n)
        if readable and _readable(before, sampled=tile.sampled, min_n=min_n):
            result.change = round(float(value.value) - float(before.value), 1)
            if result.change:
                better = result.change > 0
                result.change_is_better = (
                    better if metric.direction == Direction.HIGHER_IS_BETTER else not better
                )
        found = known_targets.get(targets.key(tile.metric, params))
        if found is not None:
            result.target, result.target_source = found
        elif tile.key in set_targets:
            result.target = set_targets[tile.key]
            result.target_source = str(_("set on the dashboard settings"))
        if readable and result.target is not None:
            result.status = target_status(
                value=value.value,
                target=result.target,
                direction=metric.direction,
                margin_pct=settings_row.at_risk_margin_pct,
            )
        values.append(result)
    return values


# --- Home-page panels contributed by the apps ------------------------------------------


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable  # (user) -> dict | None; None hides the panel for that user
    order: int = 50


class PanelRegistry:
    def __init__(self):
        self._panels: dict[str, Panel] = {}

    def add(self, *, key: str, template: str, context: Callable, order: int = 50) -> None:
        self._panels[key] = Panel(key=key, template=template, context=context, order=order)

    def for_user(self, user) -> list[tuple[Panel, dict]]:
        result = []
        for panel in sorted(self._panels.values(), key=lambda p: (p.order, p.key)):
            context = panel.context(user)
            if context is not None:
                result.append((panel, context))
        return result


panel_registry = PanelRegistry()


# --- Filter choices contributed by the apps (e.g. customer segments) -------------------


class DimensionRegistry:
    """Choices for dashboard filters that live in apps to the right (segments are a
    customers concept): `dimensions.add("segment", label, lambda: [(code, name), ...])`."""

    def __init__(self):
        self._dimensions: dict[str, tuple[str, Callable]] = {}

    def add(self, key: str, label: str, choices: Callable) -> None:
        self._dimensions[key] = (label, choices)

    def choices(self, key: str) -> list[tuple[str, str]]:
        if key not in self._dimensions:
            return []
        return list(self._dimensions[key][1]())


dimensions = DimensionRegistry()


# --- Panels on a record's page contributed by apps to the right -------------------------


class RecordPanelRegistry:
    """Lets an app show something on another app's record page without that app
    importing it: the corrective actions opened from a survey wave are listed on the
    wave's page. Pages call `{% record_panels object %}` (qms_tags)."""

    def __init__(self):
        self._panels: dict[str, tuple[str, Callable, int]] = {}

    def add(self, *, key: str, template: str, context: Callable, order: int = 50) -> None:
        """`context(obj, user)` returns the template's context, or None to show nothing."""
        self._panels[key] = (template, context, order)

    def for_record(self, obj, user) -> list[tuple[str, dict]]:
        result = []
        for template, context, _order in sorted(self._panels.values(), key=lambda p: p[2]):
            data = context(obj, user)
            if data is not None:
                result.append((template, data))
        return result


record_panels = RecordPanelRegistry()
