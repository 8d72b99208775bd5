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

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .exceptions import ApplicationError
from .registry import MetricValue, Period, registry


@dataclass(frozen=True)
class Tile:
    key: str
    metric: str
    label: str
    url_name: str = ""
    params: dict = field(default_factory=dict)
    segment_filter: bool = True
    trend: bool = False


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
    ),
    Tile(
        "actions_overdue",
        "actions_overdue",
        _("Overdue corrective actions"),
        "actions:board",
        segment_filter=False,
    ),
    Tile(
        "followups_overdue",
        "follow_ups_overdue",
        _("Overdue follow-up cases"),
        "satisfaction:followup-list",
        segment_filter=False,
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
    ),
    Tile(
        "acknowledgement",
        "acknowledgement_coverage",
        _("Deployed needs acknowledged"),
        "requirements:coverage-list",
        segment_filter=False,
    ),
]


@dataclass
class TileValue:
    tile: Tile
    value: MetricValue | None
    unit: str = ""
    url: str = ""
    available: bool = True
    trend: list = field(default_factory=list)


def _url(name: str) -> str:
    try:
        return reverse(name) if name else ""
    except NoReverseMatch:
        return ""


def tiles_for(*, period: Period, segment: str = "") -> list[TileValue]:
    """Compute every tile for a period (and a segment where the metric takes one)."""
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
        trend = []
        if tile.trend:
            trend = [
                {
                    "month": month.start.strftime("%Y-%m"),
                    "value": None if month_value.value is None else float(month_value.value),
                }
                for month, month_value in registry.compute_monthly(
                    tile.metric, period=period, **params
                )
            ]
        values.append(
            TileValue(
                tile=tile, value=value, unit=metric.unit, url=_url(tile.url_name), trend=trend
            )
        )
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
