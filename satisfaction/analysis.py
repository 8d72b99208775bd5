"""Satisfaction numbers: NPS, CSAT, CES, response rate and driver shares, each with its
n and margin of error (95 %), computed in the database.

One definition, used by the analysis page, the metrics registry and the API. Skipped
questions have no answer row, so they are excluded from every base.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from qms.registry import MetricValue, Period

from .models import Answer, Invitation, Question, Response, Survey

Z95 = 1.96


def period_bounds(period: Period | None) -> tuple[dt.datetime, dt.datetime] | None:
    if period is None:
        return None
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _survey_q(survey, prefix: str = "") -> Q:
    if survey is None or survey == "":
        return Q()
    if isinstance(survey, Survey):
        return Q(**{f"{prefix}survey_id": survey.pk})
    text = str(survey)
    if text.isdigit():
        return Q(**{f"{prefix}survey_id": int(text)})
    return Q(**{f"{prefix}survey__code": text})


def answer_filter(*, period=None, survey=None, question_code=None, segment=None, wave=None) -> Q:
    q = _survey_q(survey)
    bounds = period_bounds(period)
    if bounds:
        q &= Q(submitted_at__gte=bounds[0], submitted_at__lt=bounds[1])
    if question_code:
        q &= Q(question_code=question_code)
    if segment:
        q &= Q(segment__code=segment) if isinstance(segment, str) else Q(segment_id=segment.pk)
    if wave:
        q &= Q(wave_id=getattr(wave, "pk", wave))
    return q


# --- Statistics from counts --------------------------------------------------------------


@dataclass
class Score:
    """One headline number with what is behind it."""

    value: float | None
    n: int
    moe: float | None = None
    detail: dict = field(default_factory=dict)


def nps_score(n: int, promoters: int, detractors: int) -> Score:
    if not n:
        return Score(None, 0)
    p, d = promoters / n, detractors / n
    nps = 100 * (p - d)
    variance = p + d - (p - d) ** 2
    moe = 100 * Z95 * math.sqrt(max(variance, 0) / n)
    return Score(
        round(nps, 1),
        n,
        round(moe, 1),
        {"promoters": promoters, "passives": n - promoters - detractors, "detractors": detractors},
    )


def share_score(n: int, hits: int) -> Score:
    if not n:
        return Score(None, 0)
    p = hits / n
    return Score(round(100 * p, 1), n, round(100 * Z95 * math.sqrt(p * (1 - p) / n), 1))


def ces_score(n: int, total: float, squares: float, easy: int) -> Score:
    if not n:
        return Score(None, 0)
    mean = total / n
    variance = (squares - n * mean * mean) / (n - 1) if n > 1 else 0.0
    moe = Z95 * math.sqrt(max(variance, 0.0) / n)
    return Score(
        round(mean, 2),
        n,
        round(moe, 2),
        {"share_easy": round(100 * easy / n, 1), "easy": easy},
    )


_NPS = Q(kind=Question.Kind.NPS)
_CSAT = Q(kind=Question.Kind.CSAT)
_CES = Q(kind=Question.Kind.CES)


def _aggregates():
    return {
        "nps_n": Count("id", filter=_NPS),
        "nps_pro": Count("id", filter=_NPS & Q(value_int__gte=9)),
        "nps_det": Count("id", filter=_NPS & Q(value_int__lte=6)),
        "csat_n": Count("id", filter=_CSAT),
        "csat_hit": Count("id", filter=_CSAT & Q(value_int__gte=4)),
        "ces_n": Count("id", filter=_CES),
        "ces_sum": Sum("value_int", filter=_CES),
        "ces_sq": Sum(F("value_int") * F("value_int"), filter=_CES),
        "ces_easy": Count("id", filter=_CES & Q(value_int__gte=5)),
    }


SCORE_KINDS = (Question.Kind.NPS, Question.Kind.CSAT, Question.Kind.CES)


def scores_from_row(row: dict) -> dict[str, Score]:
    return {
        "nps": nps_score(row["nps_n"] or 0, row["nps_pro"] or 0, row["nps_det"] or 0),
        "csat": share_score(row["csat_n"] or 0, row["csat_hit"] or 0),
        "ces": ces_score(
            row["ces_n"] or 0, row["ces_sum"] or 0, row["ces_sq"] or 0, row["ces_easy"] or 0
        ),
    }


def _add(total: dict, row: dict) -> None:
    for key in ("nps_n", "nps_pro", "nps_det", "csat_n", "csat_hit", "ces_n", "ces_sum"):
        total[key] = (total.get(key) or 0) + (row.get(key) or 0)
    for key in ("ces_sq", "ces_easy"):
        total[key] = (total.get(key) or 0) + (row.get(key) or 0)


# --- Metrics (registered in the registry) ------------------------------------------------


def _score_metric(kind: str, *, period, survey=None, question_code=None, segment=None):
    row = (
        Answer.objects.filter(kind=kind)
        .filter(
            answer_filter(
                period=period, survey=survey, question_code=question_code, segment=segment
            )
        )
        .aggregate(**_aggregates())
    )
    return scores_from_row(row)[kind]


def _to_metric(score: Score) -> MetricValue:
    detail = dict(score.detail)
    detail["margin_of_error"] = score.moe
    return MetricValue(value=score.value, n=score.n, detail=detail)


def metric_nps(*, period, survey=None, question_code=None, segment=None) -> MetricValue:
    return _to_metric(
        _score_metric(
            "nps", period=period, survey=survey, question_code=question_code, segment=segment
        )
    )


def metric_csat(*, period, survey=None, question_code=None, segment=None) -> MetricValue:
    return _to_metric(
        _score_metric(
            "csat", period=period, survey=survey, question_code=question_code, segment=segment
        )
    )


def metric_ces(*, period, survey=None, question_code=None, segment=None) -> MetricValue:
    return _to_metric(
        _score_metric(
            "ces", period=period, survey=survey, question_code=question_code, segment=segment
        )
    )


def metric_response_rate(*, period, survey=None, segment=None) -> MetricValue:
    q = _survey_q(survey, prefix="wave__survey_version__")
    bounds = period_bounds(period)
    if bounds:
        q &= Q(sent_at__gte=bounds[0], sent_at__lt=bounds[1])
    if segment:
        q &= Q(customer__segment__code=segment)
    row = Invitation.objects.filter(q, sent_at__isnull=False).aggregate(
        sent=Count("id"), completed=Count("id", filter=Q(state=Invitation.State.COMPLETED))
    )
    score = share_score(row["sent"], row["completed"])
    return MetricValue(
        value=score.value,
        n=score.n,
        detail={"completed": row["completed"], "margin_of_error": score.moe},
    )


def driver_shares(
    *, period=None, survey=None, question_code=None, segment=None, wave=None
) -> tuple[int, list[dict]]:
    """Among dissatisfied respondents (NPS 0-6 or CSAT 1-3), the share naming each
    driver. Returns (number of dissatisfied respondents, rows sorted by count)."""
    rq = _survey_q(survey)
    bounds = period_bounds(period)
    if bounds:
        rq &= Q(submitted_at__gte=bounds[0], submitted_at__lt=bounds[1])
    if segment:
        rq &= Q(segment__code=segment) if isinstance(segment, str) else Q(segment_id=segment.pk)
    if wave:
        rq &= Q(wave_id=getattr(wave, "pk", wave))
    base = Response.objects.filter(rq, dissatisfied=True).count()
    rows = list(
        Answer.objects.filter(
            answer_filter(
                period=period,
                survey=survey,
                question_code=question_code,
                segment=segment,
                wave=wave,
            ),
            kind=Question.Kind.DRIVER,
            dissatisfied=True,
        )
        .values("choice__code", "choice__text_en", "topic__slug", "topic__name")
        .annotate(count=Count("response_id", distinct=True))
        .order_by("-count", "choice__code")
    )
    # The same driver in two versions (same choice code) is one bar.
    merged: dict[str, dict] = {}
    for row in rows:
        key = row["topic__slug"] or row["choice__code"]
        entry = merged.setdefault(
            key,
            {
                "key": key,
                "label": row["topic__name"] or row["choice__text_en"],
                "topic": row["topic__slug"],
                "count": 0,
            },
        )
        entry["count"] += row["count"]
    result = sorted(merged.values(), key=lambda r: (-r["count"], r["key"]))
    cumulative = 0
    for entry in result:
        entry["share"] = round(100 * entry["count"] / base, 1) if base else None
        cumulative += entry["count"]
        entry["cumulative"] = (
            round(100 * cumulative / sum(r["count"] for r in result), 1) if result else None
        )
    return base, result


def metric_driver_share(
    *, period, survey=None, question_code=None, segment=None, topic=None
) -> MetricValue:
    base, rows = driver_shares(
        period=period, survey=survey, question_code=question_code, segment=segment
    )
    if not base:
        return MetricValue(value=None, n=0)
    if topic:
        row = next((r for r in rows if r["topic"] == topic), None)
        count = row["count"] if row else 0
    else:
        row = rows[0] if rows else None
        count = row["count"] if row else 0
    score = share_score(base, count)
    return MetricValue(
        value=score.value,
        n=base,
        detail={
            "named_by": count,
            "topic": row["topic"] if row else topic,
            "margin_of_error": score.moe,
        },
    )


# --- The analysis page -------------------------------------------------------------------


@dataclass
class SurveyReport:
    overall: dict
    by_wave: list
    by_month: list
    by_segment: list
    drivers: list
    dissatisfied: int
    responses: int
    invited: int
    response_rate: Score


def survey_report(*, survey: Survey, period=None, segment=None, wave=None) -> SurveyReport:
    """Everything the analysis page shows, in a fixed number of queries: one grouped scan
    of the survey's score answers (rolled up by wave, month and segment), one for the
    invitations by wave, two for drivers, and the names."""
    from customers.models import Segment

    from .models import Wave

    q = answer_filter(survey=survey, period=period, segment=segment, wave=wave)
    grouped = list(
        Answer.objects.filter(q, kind__in=SCORE_KINDS)
        .annotate(month=TruncMonth("submitted_at"))
        .values("wave_id", "month", "segment_id")
        .annotate(**_aggregates())
        .order_by()
    )
    overall: dict = {}
    by_wave: dict = defaultdict(dict)
    by_month: dict = defaultdict(dict)
    by_segment: dict = defaultdict(dict)
    for row in grouped:
        _add(overall, row)
        _add(by_wave[row["wave_id"]], row)
        _add(by_month[row["month"]], row)
        _add(by_segment[row["segment_id"]], row)

    response_q = Q(survey=survey)
    bounds = period_bounds(period)
    if bounds:
        response_q &= Q(submitted_at__gte=bounds[0], submitted_at__lt=bounds[1])
    if segment:
        response_q &= Q(segment_id=segment.pk)
    if wave:
        response_q &= Q(wave_id=wave.pk)
    responses = Response.objects.filter(response_q).count()

    inv_q = Q(wave__survey_version__survey=survey, sent_at__isnull=False)
    if segment:
        inv_q &= Q(customer__segment_id=segment.pk)
    if wave:
        inv_q &= Q(wave_id=wave.pk)
    if bounds:
        inv_q &= Q(sent_at__gte=bounds[0], sent_at__lt=bounds[1])
    invites = {
        row["wave_id"]: row
        for row in Invitation.objects.filter(inv_q)
        .values("wave_id")
        .annotate(
            sent=Count("id"),
            completed=Count("id", filter=Q(state=Invitation.State.COMPLETED)),
        )
        .order_by()
    }
    invited = sum(r["sent"] for r in invites.values())
    completed = sum(r["completed"] for r in invites.values())

    wave_ids = set(by_wave) | set(invites)
    waves = Wave.objects.in_bulk(wave_ids) if wave_ids else {}
    segment_ids = {s for s in by_segment if s}
    segments = Segment.objects.in_bulk(segment_ids) if segment_ids else {}

    wave_rows = []
    for wave_id in sorted(wave_ids, key=lambda i: waves[i].starts_at if i in waves else 0):
        inv = invites.get(wave_id, {"sent": 0, "completed": 0})
        wave_rows.append(
            {
                "wave": waves.get(wave_id),
                "scores": scores_from_row(_filled(by_wave.get(wave_id, {}))),
                "sent": inv["sent"],
                "completed": inv["completed"],
                "rate": share_score(inv["sent"], inv["completed"]),
            }
        )
    month_rows = [
        {"month": month, "scores": scores_from_row(_filled(by_month[month]))}
        for month in sorted(m for m in by_month if m is not None)
    ]
    segment_rows = [
        {"segment": segments.get(sid), "scores": scores_from_row(_filled(by_segment[sid]))}
        for sid in sorted(by_segment, key=lambda s: (s is None, str(segments.get(s, ""))))
    ]
    dissatisfied, drivers = driver_shares(survey=survey, period=period, segment=segment, wave=wave)
    return SurveyReport(
        overall=scores_from_row(_filled(overall)),
        by_wave=wave_rows,
        by_month=month_rows,
        by_segment=segment_rows,
        drivers=drivers,
        dissatisfied=dissatisfied,
        responses=responses,
        invited=invited,
        response_rate=share_score(invited, completed),
    )


_KEYS = (
    "nps_n",
    "nps_pro",
    "nps_det",
    "csat_n",
    "csat_hit",
    "ces_n",
    "ces_sum",
    "ces_sq",
    "ces_easy",
)


def _filled(row: dict) -> dict:
    return {key: row.get(key) or 0 for key in _KEYS}
