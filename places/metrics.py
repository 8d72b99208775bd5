"""The places' metrics (found by qms.discovery): NPS, CSAT and the share naming a driver
among the answers given at a place (or at every place). They count the same answer rows
as satisfaction's metrics, read through satisfaction.analysis one collector wave at a
time, so a place's NPS is the organisation's NPS definition on that place's answers.
Held (suspect) answers are not responses yet, so they count nowhere."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qms.registry import (
    SEGMENT_AT_EVENT,
    SEGMENT_NONE,
    Definition,
    Direction,
    MetricValue,
    Param,
    param_kinds,
    registry,
)
from satisfaction import analysis
from satisfaction.metrics import SKIPPED_ANSWERS, SUBMITTED_DAY

PLACE_BASE = _(
    "Answers given at the place's QR codes and kiosks in the period (without a place: at "
    "every place); answers held as suspect count only once a person accepts them."
)

PLACE = Param("place", _("Place"), "place")


def _places():
    from .models import Place

    return [
        (str(pk), f"{name} ({department})")
        for pk, name, department in Place.objects.order_by("name").values_list(
            "pk", "name", "department__name"
        )
    ]


def _place_label(value) -> str:
    from .models import Place

    if not str(value).isdigit():
        return str(value)
    return Place.objects.filter(pk=int(value)).values_list("name", flat=True).first() or str(value)


def place_waves(place=None) -> list[int]:
    from .models import Collector

    qs = Collector.objects.all()
    if place not in (None, ""):
        qs = qs.filter(place_id=int(getattr(place, "pk", place)))
    return list(qs.values_list("wave_id", flat=True))


def place_scores(*, period=None, place=None, segment=None) -> dict:
    """NPS, CSAT and CES Scores of the answers given at `place` (every place if None)."""
    total: dict = {}
    marks = analysis._marks()
    for wave_id in place_waves(place):
        scope = analysis.Scope(period=period, segment=segment, wave=wave_id)
        for row in analysis.score_rows(scope, marks=marks):
            analysis._add(total, row)
    return analysis.scores_from_row(total)


def _metric(kind):
    def compute(*, period, place=None, segment=None) -> MetricValue:
        return analysis._to_metric(place_scores(period=period, place=place, segment=segment)[kind])

    return compute


def place_driver_shares(*, period=None, place=None, topic=None) -> tuple[int, list[dict]]:
    """Among dissatisfied walk-ins at `place`, the share naming each driver."""
    base_total = 0
    merged: dict[str, dict] = {}
    marks = analysis._marks()
    for wave_id in place_waves(place):
        base, rows = analysis.driver_shares(period=period, wave=wave_id, marks=marks)
        base_total += base
        for row in rows:
            entry = merged.setdefault(row["key"], {**row, "count": 0})
            entry["count"] += row["count"]
    result = sorted(merged.values(), key=lambda r: (-r["count"], r["key"]))
    for entry in result:
        entry["share"] = round(100 * entry["count"] / base_total, 1) if base_total else None
    return base_total, result


def metric_place_driver_share(*, period, place=None, topic=None) -> MetricValue:
    base, rows = place_driver_shares(period=period, place=place)
    if not base:
        return MetricValue(value=None, n=0)
    if topic:
        row = next((r for r in rows if r.get("topic") == str(topic)), None)
    else:
        row = rows[0] if rows else None
    count = row["count"] if row else 0
    return MetricValue(value=round(100 * count / base, 1), n=base, detail={"count": count})


def register():
    param_kinds.add("place", choices=_places, label=_place_label)
    registry.register(
        key="place_nps",
        definition=Definition(
            counted=_(
                "Answers of 9-10 (promoters) minus answers of 0-6 (detractors), as points of "
                "the answers (-100 to 100)."
            ),
            base=PLACE_BASE,
            period=SUBMITTED_DAY,
            segment=SEGMENT_AT_EVENT,
            skipped=SKIPPED_ANSWERS,
        ),
        label=_("Net Promoter Score at a place"),
        unit="",
        direction=Direction.HIGHER_IS_BETTER,
        compute=_metric("nps"),
        description=_("NPS of the answers given at the place (its QR codes and kiosks)."),
        parameters=(PLACE, "segment"),
        app_label="places",
    )
    registry.register(
        key="place_csat",
        definition=Definition(
            counted=_("Satisfaction answers of 4 or 5, as a share of the answers."),
            base=PLACE_BASE,
            period=SUBMITTED_DAY,
            segment=SEGMENT_AT_EVENT,
            skipped=SKIPPED_ANSWERS,
        ),
        label=_("Customer satisfaction (CSAT) at a place"),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=_metric("csat"),
        description=_("Share of satisfaction answers of 4 or 5 given at the place."),
        parameters=(PLACE, "segment"),
        app_label="places",
    )
    registry.register(
        key="place_driver_share",
        definition=Definition(
            counted=_(
                "Dissatisfied respondents at the place naming the topic (without a topic: "
                "the most named driver); on a several-answer driver question a respondent "
                "names each driver picked."
            ),
            base=_(
                "Dissatisfied respondents at the place in the period who answered a driver "
                "question; answers held as suspect count only once accepted."
            ),
            period=SUBMITTED_DAY,
            segment=SEGMENT_NONE,
            skipped=SKIPPED_ANSWERS,
        ),
        label=_("Share of dissatisfied customers at a place naming a driver"),
        unit="%",
        direction=Direction.LOWER_IS_BETTER,
        compute=metric_place_driver_share,
        description=_(
            "Among dissatisfied respondents at the place, the share naming the topic "
            "(without a topic: the top driver)."
        ),
        parameters=(PLACE, "topic"),
        app_label="places",
    )
