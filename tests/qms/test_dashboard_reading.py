"""The dashboard says what is good or bad: each tile's target and status (from an
objective's key result or the quality manager's setting), the change against the
previous period, a greyed "too few answers" tile under the minimum n, trends that show
only months with data and mark thin months, and the head's header."""

import datetime as dt
from decimal import Decimal

import pytest

from qms.dashboard import AT_RISK, OFF_TARGET, ON_TARGET, target_status
from qms.models import DashboardSettings, TileTarget
from qms.registry import Direction, MetricValue, Period, registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def scores(monkeypatch):
    """NPS and CSAT whose (value, n) the test sets per period start; months default to
    no data."""
    monkeypatch.setattr(registry, "_metrics", dict(registry._metrics))
    values: dict = {}

    def make(key):
        def compute(*, period, segment=None, survey=None, question_code=None):
            value, n = values.get((key, period.start), (None, 0))
            return MetricValue(value=value, n=n)

        return compute

    for key in ("nps", "csat"):
        registry.unregister(key)
        registry.register(
            key=key,
            label=key.upper(),
            unit="" if key == "nps" else "%",
            direction=Direction.HIGHER_IS_BETTER,
            compute=make(key),
            parameters=("segment", "survey", "question_code"),
            app_label="test",
        )
    return values


def _tiles(client, period="2026-Q3"):
    response = client.get("/", {"period": period})
    return response, {t.tile.key: t for t in response.context["tiles"]}


def test_a_tile_shows_its_target_status_and_change(client_for, quality_manager, scores):
    scores[("nps", dt.date(2026, 7, 1))] = (38, 120)
    scores[("nps", dt.date(2026, 4, 1))] = (30, 100)  # the previous quarter
    TileTarget.objects.create(tile="nps", target=Decimal("40"))
    response, tiles = _tiles(client_for(quality_manager))
    nps = tiles["nps"]
    assert nps.target == Decimal("40")
    assert nps.status == AT_RISK  # 2 points short of 40, within 10 %
    assert nps.change == 8 and nps.change_is_better is True
    text = response.content.decode()
    assert "at risk" in text and "against the previous period" in text and "Target 40" in text


def test_an_objective_key_result_gives_the_target(
    client_for, quality_manager, scores, front_desk_head
):
    from objectives.models import KeyResult, Objective

    scores[("nps", dt.date(2026, 7, 1))] = (50, 120)
    objective = Objective.objects.create(
        title="Guests recommend us",
        period_label="2026",
        level=Objective.Level.ORGANISATION,
        owner=front_desk_head,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    KeyResult.objects.create(
        objective=objective,
        title="NPS 45",
        mode=KeyResult.Mode.COMPUTED,
        metric_key="nps",
        metric_params={},
        baseline=Decimal("30"),
        target=Decimal("45"),
    )
    TileTarget.objects.create(tile="nps", target=Decimal("70"))  # the objective wins
    _response, tiles = _tiles(client_for(quality_manager))
    assert tiles["nps"].target == Decimal("45")
    assert "Guests recommend us" in tiles["nps"].target_source
    assert tiles["nps"].status == ON_TARGET


def test_too_few_answers_greys_the_tile(client_for, quality_manager, scores):
    scores[("nps", dt.date(2026, 7, 1))] = (-100, 1)
    scores[("nps", dt.date(2026, 8, 1))] = (-100, 1)
    TileTarget.objects.create(tile="nps", target=Decimal("40"))
    response, tiles = _tiles(client_for(quality_manager))
    nps = tiles["nps"]
    assert nps.low_n and nps.status == "" and nps.change is None
    text = response.content.decode()
    assert "too few answers" in text and "data-low-n" in text
    # The trend keeps only the months with answers (not September), and marks them
    # instead of plotting -100 on one response.
    assert response.context["trends"]["nps"] == [
        {"month": "2026-07", "value": None, "n": 1, "low": True},
        {"month": "2026-08", "value": None, "n": 1, "low": True},
    ]
    assert "2026-08" in response.context["low_months"]
    DashboardSettings.objects.create(min_n=1)
    _response, tiles = _tiles(client_for(quality_manager))
    assert not tiles["nps"].low_n


def test_the_quality_manager_sets_targets_and_minimum_n(client_for, quality_manager):
    client = client_for(quality_manager)
    page = client.get("/dashboard/settings/")
    assert page.status_code == 200 and "Target: Net Promoter Score" in page.text
    response = client.post(
        "/dashboard/settings/", {"min_n": "30", "at_risk_margin_pct": "5", "target_nps": "45"}
    )
    assert response.status_code == 302
    assert DashboardSettings.current().min_n == 30
    assert TileTarget.objects.get(tile="nps").target == Decimal("45")
    client.post("/dashboard/settings/", {"min_n": "30", "at_risk_margin_pct": "5"})
    assert not TileTarget.objects.exists()


def test_others_cannot_change_the_dashboard_settings(client_for, viewer):
    assert client_for(viewer).get("/dashboard/settings/").status_code == 403


def test_status_follows_the_direction_of_the_metric():
    assert (
        target_status(value=5, target=10, direction=Direction.LOWER_IS_BETTER, margin_pct=10)
        == ON_TARGET
    )
    assert (
        target_status(value=11, target=10, direction=Direction.LOWER_IS_BETTER, margin_pct=10)
        == AT_RISK
    )
    assert (
        target_status(value=20, target=10, direction=Direction.LOWER_IS_BETTER, margin_pct=10)
        == OFF_TARGET
    )
    assert (
        target_status(value=82, target=90, direction=Direction.HIGHER_IS_BETTER, margin_pct=10)
        == AT_RISK
    )


def test_the_previous_period_is_the_previous_month_quarter_or_year():
    assert Period.parse("2026-Q1").previous() == Period(dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert Period.parse("2026-03").previous() == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Period.parse("2026").previous() == Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert Period(dt.date(2026, 3, 10), dt.date(2026, 3, 19)).previous() == Period(
        dt.date(2026, 2, 28), dt.date(2026, 3, 9)
    )


def test_the_head_of_a_department_is_called_so_in_the_header(client_for, front_desk_head):
    page = client_for(front_desk_head).get("/")
    assert f"Head of {front_desk_head.headed_departments.first().name}" in page.text
    assert "Department member" not in page.text
