"""The quality dashboard on the home page: tiles from the metrics registry, period and
segment filters, and panels contributed by the apps."""

import pytest

from qms.dashboard import TILES, dimensions, panel_registry
from qms.registry import Direction, MetricValue, registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def isolated_registry(monkeypatch):
    """A copy of the registry's contents, restored after the test."""
    monkeypatch.setattr(registry, "_metrics", dict(registry._metrics))
    return registry


def test_dashboard_for_the_quality_manager_reads_the_registry(
    client_for, quality_manager, isolated_registry
):
    isolated_registry.unregister("nps")  # whatever the apps registered: a known value
    isolated_registry.register(
        key="nps",
        label="NPS",
        unit="",
        direction=Direction.HIGHER_IS_BETTER,
        compute=lambda *, period, **f: MetricValue(value=42, n=120),
        parameters=("segment",),
        app_label="test",
    )
    response = client_for(quality_manager).get("/", {"period": "2026-Q3"})
    tiles = {t.tile.key: t for t in response.context["tiles"]}
    assert tiles["nps"].value.value == 42
    assert [p["month"] for p in tiles["nps"].trend] == ["2026-07", "2026-08", "2026-09"]
    assert b'id="trend-data"' in response.content


def test_dashboard_bad_period_is_explained(client_for, viewer):
    response = client_for(viewer).get("/", {"period": "last year"})
    assert response.status_code == 200
    assert "is not a period" in str(response.context["dashboard_form"].errors)


def test_a_metric_no_app_registers_shows_as_not_available(client_for, viewer, isolated_registry):
    isolated_registry.unregister("repeat_purchase_rate")
    response = client_for(viewer).get("/")
    tile = next(t for t in response.context["tiles"] if t.tile.key == "repeat_purchase")
    assert tile.available is False
    assert b"not available yet" in response.content


def test_segment_filter_is_passed_to_metrics_that_take_it(
    client_for, quality_manager, isolated_registry, monkeypatch
):
    seen = {}

    def csat(*, period, segment=None):
        seen["segment"] = segment
        return MetricValue(value=90, n=10)

    isolated_registry.unregister("csat")
    isolated_registry.register(
        key="csat",
        label="CSAT",
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=csat,
        parameters=("segment",),
    )
    monkeypatch.setattr(
        dimensions, "_dimensions", {"segment": ("Segment", lambda: [("retail", "Retail")])}
    )
    client_for(quality_manager).get("/", {"period": "2026-Q1", "segment": "retail"})
    assert seen["segment"] == "retail"


def test_every_tile_names_a_distinct_key():
    assert len({t.key for t in TILES}) == len(TILES)


def test_apps_add_panels_to_the_home_page(
    client_for, front_desk_head, monkeypatch, settings, tmp_path
):
    (tmp_path / "test_panel.html").write_text("<p>{{ panel.greeting }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    monkeypatch.setattr(panel_registry, "_panels", {})
    panel_registry.add(
        key="test",
        template="test_panel.html",
        context=lambda user: {"greeting": f"panel for {user.username}"},
    )
    panel_registry.add(key="hidden", template="x.html", context=lambda user: None)
    response = client_for(front_desk_head).get("/")
    assert b"panel for fd-head" in response.content
