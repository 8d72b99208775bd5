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

from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from coding import selectors as coding_selectors
from qms.registry import MetricValue, Period, batch_cache
from surveys.models import Question, Survey

from .models import Answer, Invitation, Response

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


def _segment_q(segment, field: str) -> Q:
    if not segment:
        return Q()
    if isinstance(segment, str):
        from customers.models import Segment

        return Q(**{f"{field}__in": Segment.objects.filter(code=segment).values("id")})
    return Q(**{field: segment.pk})


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


KEYS = (
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
SCORE_KINDS = (Question.Kind.NPS, Question.Kind.CSAT, Question.Kind.CES)


def _aggregates(*, weighted: bool) -> dict:
    """Score counts, from tallies (each row weighs `n`) or from raw answers (each row 1)."""
    v = "value_key" if weighted else "value_int"
    nps, csat, ces = (Q(kind=k) for k in SCORE_KINDS)

    def count(condition):
        return Sum("n", filter=condition) if weighted else Count("id", filter=condition)

    weight = F("n") if weighted else 1
    return {
        "nps_n": count(nps),
        "nps_pro": count(nps & Q(**{f"{v}__gte": 9})),
        "nps_det": count(nps & Q(**{f"{v}__lte": 6})),
        "csat_n": count(csat),
        "csat_hit": count(csat & Q(**{f"{v}__gte": 4})),
        "ces_n": count(ces),
        "ces_sum": Sum(F(v) * weight, filter=ces),
        "ces_sq": Sum(F(v) * F(v) * weight, filter=ces),
        "ces_easy": count(ces & Q(**{f"{v}__gte": 5})),
    }


def scores_from_row(row: dict) -> dict[str, Score]:
    row = _filled(row)
    return {
        "nps": nps_score(row["nps_n"], row["nps_pro"], row["nps_det"]),
        "csat": share_score(row["csat_n"], row["csat_hit"]),
        "ces": ces_score(row["ces_n"], row["ces_sum"], row["ces_sq"], row["ces_easy"]),
    }


def _add(total: dict, row: dict) -> None:
    for key in KEYS:
        total[key] = (total.get(key) or 0) + (row.get(key) or 0)


def _filled(row: dict) -> dict:
    return {key: row.get(key) or 0 for key in KEYS}


# --- Sources: the tallies below the watermark, the raw rows above it --------------------


STALE = "stale"


def _tallies(marks):
    """The tallies to read with `marks`: none while they are in another time zone."""
    from .models import AnswerTally

    return AnswerTally.objects.none() if marks.get(STALE) else AnswerTally.objects.all()


def _marks() -> dict[str, int]:
    """How far the tallies have read; read once per batch of numbers (the dashboard),
    so all its numbers split tallies and tail at the same watermark."""
    from .models import TallyMark
    from .services.tallies import tallies_current

    cache = batch_cache()
    if cache is not None and "satisfaction.marks" in cache:
        return dict(cache["satisfaction.marks"])
    rows = list(TallyMark.objects.values_list("name", "last_id", "time_zone"))
    if tallies_current(zone for _name, last_id, zone in rows if last_id):
        marks = {name: last_id for name, last_id, _zone in rows}
    else:
        # Tallies counted in another time zone (TIME_ZONE changed, the scanner has not
        # rebuilt them yet): read none of them, count every answer directly.
        marks = {STALE: True}
    if cache is not None:
        cache["satisfaction.marks"] = marks
    return dict(marks)


@dataclass(frozen=True)
class Scope:
    """What to count: a survey (instance, id or code), a period, a segment (instance or
    code), a wave, a question code."""

    survey: object = None
    period: Period | None = None
    segment: object = None
    wave: object = None
    question_code: str | None = None

    def tally_q(self) -> Q:
        q = _survey_q(self.survey) & _segment_q(self.segment, "segment_key")
        if self.period is not None:
            q &= Q(day__gte=self.period.start, day__lte=self.period.end)
        if self.wave:
            q &= Q(wave_id=getattr(self.wave, "pk", self.wave))
        if self.question_code:
            q &= Q(question_code=self.question_code)
        return q

    def answer_q(self) -> Q:
        return answer_filter(
            period=self.period,
            survey=self.survey,
            question_code=self.question_code,
            wave=self.wave,
        ) & _segment_q(self.segment, "segment_id")

    def response_q(self) -> Q:
        q = _survey_q(self.survey) & _segment_q(self.segment, "segment_id")
        bounds = period_bounds(self.period)
        if bounds:
            q &= Q(submitted_at__gte=bounds[0], submitted_at__lt=bounds[1])
        if self.wave:
            q &= Q(wave_id=getattr(self.wave, "pk", self.wave))
        return q


def score_rows(scope: Scope, *, group_by: tuple = (), kinds=SCORE_KINDS, marks=None) -> list:
    """Score counts grouped by any of "wave", "month", "segment": two queries whatever
    the number of answers (tallies + the fresh tail)."""

    marks = _marks() if marks is None else marks
    tally_keys = {"wave": F("wave_id"), "month": TruncMonth("day"), "segment": F("segment_key")}
    tail_keys = {
        "wave": F("wave_id"),
        "month": TruncMonth("submitted_at", output_field=DateField()),
        "segment": Coalesce("segment_id", Value(0)),
    }
    sources = (
        (
            _tallies(marks).filter(scope.tally_q(), kind__in=kinds),
            tally_keys,
            True,
        ),
        (
            Answer.objects.filter(scope.answer_q(), kind__in=kinds, pk__gt=marks.get("answers", 0)),
            tail_keys,
            False,
        ),
    )
    merged: dict[tuple, dict] = {}
    for qs, keys, weighted in sources:
        annotations = {f"g_{name}": keys[name] for name in group_by}
        rows = qs.annotate(**annotations) if annotations else qs
        if group_by:
            rows = rows.values(*annotations).annotate(**_aggregates(weighted=weighted)).order_by()
        else:
            rows = [rows.aggregate(**_aggregates(weighted=weighted))]
        for row in rows:
            key = tuple(
                _month(row[f"g_{name}"]) if name == "month" else row[f"g_{name}"]
                for name in group_by
            )
            _add(merged.setdefault(key, dict.fromkeys(group_by)), row)
            for name, value in zip(group_by, key, strict=True):
                merged[key][name] = value
    return list(merged.values())


def _month(value):
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def response_counts(scope: Scope, *, marks=None) -> tuple[int, int]:
    """(responses, dissatisfied respondents) in scope: two queries."""

    marks = _marks() if marks is None else marks
    tally = (
        _tallies(marks)
        .filter(scope.tally_q(), kind="response")
        .aggregate(total=Sum("n"), unhappy=Sum("n", filter=Q(dissatisfied=True)))
    )
    tail = Response.objects.filter(scope.response_q(), pk__gt=marks.get("responses", 0)).aggregate(
        total=Count("id"), unhappy=Count("id", filter=Q(dissatisfied=True))
    )
    return (
        (tally["total"] or 0) + tail["total"],
        (tally["unhappy"] or 0) + tail["unhappy"],
    )


def responses_by_wave(scope: Scope, *, marks=None) -> dict[int, int]:

    marks = _marks() if marks is None else marks
    result: dict[int, int] = defaultdict(int)
    for row in (
        _tallies(marks)
        .filter(scope.tally_q(), kind="response")
        .values("wave_id")
        .annotate(total=Sum("n"))
        .order_by()
    ):
        result[row["wave_id"]] += row["total"]
    for row in (
        Response.objects.filter(scope.response_q(), pk__gt=marks.get("responses", 0))
        .values("wave_id")
        .annotate(total=Count("id"))
        .order_by()
    ):
        result[row["wave_id"]] += row["total"]
    return result


# --- Metrics (registered in the registry) ------------------------------------------------


def _score_metric(kind: str, *, period, survey=None, question_code=None, segment=None):
    scope = Scope(survey=survey, period=period, segment=segment, question_code=question_code)
    cache = batch_cache()
    if cache is None:
        rows = score_rows(scope, kinds=(kind,))
        return scores_from_row(rows[0] if rows else {})[kind]
    # In a batch (the dashboard), NPS, CSAT and CES of one scope come from one pass.
    key = ("satisfaction.scores", str(survey), period, str(segment), question_code)
    if key not in cache:
        rows = score_rows(scope)
        cache[key] = scores_from_row(rows[0] if rows else {})
    return cache[key][kind]


def _score_monthly(kind: str, *, period, survey=None, question_code=None, segment=None):
    """{first day of month: MetricValue} for every month with answers: the same counts
    as `_score_metric` month by month, in one pass over the tallies and the tail."""
    scope = Scope(survey=survey, period=period, segment=segment, question_code=question_code)
    cache = batch_cache()
    if cache is None:
        rows = score_rows(scope, group_by=("month",), kinds=(kind,))
    else:
        key = ("satisfaction.monthly", str(survey), period, str(segment), question_code)
        if key not in cache:
            cache[key] = score_rows(scope, group_by=("month",))
        rows = cache[key]
    return {
        row["month"]: _to_metric(scores_from_row(row)[kind]) for row in rows if row.get(f"{kind}_n")
    }


def monthly_nps(**kwargs) -> dict:
    return _score_monthly(Question.Kind.NPS, **kwargs)


def monthly_csat(**kwargs) -> dict:
    return _score_monthly(Question.Kind.CSAT, **kwargs)


def monthly_ces(**kwargs) -> dict:
    return _score_monthly(Question.Kind.CES, **kwargs)


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


SENT_STATES = (
    Invitation.State.SENT,
    Invitation.State.OPENED,
    Invitation.State.STARTED,
    Invitation.State.COMPLETED,
    Invitation.State.EXPIRED,
)


def invitation_counts(*, survey=None, period=None, segment=None, wave=None, by_wave=False):
    """Sent and completed invitations (sent = every state after sending). Without a
    period or segment this reads only the (wave, state) index."""
    from .models import Wave

    if period is not None and not segment and not wave and not by_wave:
        return _period_invitation_counts(survey=survey, period=period)
    q = Q(state__in=SENT_STATES) & _segment_q(segment, "segment_id")
    if survey not in (None, ""):
        waves = Wave.objects.filter(_survey_q(survey, prefix="survey_version__"))
        q &= Q(wave_id__in=waves.values("id"))
    bounds = period_bounds(period)
    if bounds:
        q &= Q(sent_at__gte=bounds[0], sent_at__lt=bounds[1])
    if wave:
        q &= Q(wave_id=getattr(wave, "pk", wave))
    qs = Invitation.objects.filter(q)
    aggregates = {
        # Counting an indexed column keeps the scan on the index.
        "sent": Count("wave_id"),
        "completed": Count("wave_id", filter=Q(state=Invitation.State.COMPLETED)),
    }
    if by_wave:
        return {
            row["wave_id"]: row for row in qs.values("wave_id").annotate(**aggregates).order_by()
        }
    return qs.aggregate(**aggregates)


def _period_invitation_counts(*, survey, period) -> dict:
    """Sent and completed invitations of a period from the counts waves keep: a wave
    whose invitations were all sent inside the period adds its `sent_count` and its
    responses (tallies and tail: one response per completed invitation); only the
    waves sending across the period's edges (or with no sending times kept) are
    counted row by row. Three queries, flat in the number of invitations when waves are
    sent within a period."""
    from .models import AnswerTally, Wave

    start, end = period_bounds(period)
    waves = Wave.objects.filter(
        _survey_q(survey, prefix="survey_version__"),
        Q(last_sent_at__isnull=True) | Q(last_sent_at__gte=start),
        Q(first_sent_at__isnull=True) | Q(first_sent_at__lt=end),
    ).exclude(sent_count=0, last_sent_at__isnull=False)
    inside, across = {}, []
    for pk, first, last, sent in waves.values_list(
        "pk", "first_sent_at", "last_sent_at", "sent_count"
    ):
        if first is not None and last is not None and first >= start and last < end:
            inside[pk] = sent
        else:
            across.append(pk)
    sent = sum(inside.values())
    completed = 0
    if inside:
        marks = _marks()
        completed += (
            AnswerTally.objects.filter(kind="response", wave_id__in=list(inside)).aggregate(
                n=Sum("n")
            )["n"]
            or 0
        )
        completed += Response.objects.filter(
            wave_id__in=list(inside), pk__gt=marks.get("responses", 0)
        ).count()
    if across:
        row = Invitation.objects.filter(
            state__in=SENT_STATES, wave_id__in=across, sent_at__gte=start, sent_at__lt=end
        ).aggregate(
            sent=Count("wave_id"),
            completed=Count("wave_id", filter=Q(state=Invitation.State.COMPLETED)),
        )
        sent += row["sent"]
        completed += row["completed"]
    return {"sent": sent, "completed": completed}


def metric_response_rate(*, period, survey=None, segment=None) -> MetricValue:
    row = invitation_counts(survey=survey, period=period, segment=segment)
    score = share_score(row["sent"], row["completed"])
    return MetricValue(
        value=score.value,
        n=score.n,
        detail={"completed": row["completed"], "margin_of_error": score.moe},
    )


def comment_topic_counts(*, survey=None, period=None, segment=None, wave=None) -> list:
    """What dissatisfied respondents wrote in their comments, by coded topic (the coding
    app codes free-text answers): [(topic, number of comments)], most first. Two
    queries."""
    scope = Scope(survey=survey, period=period, segment=segment, wave=wave)
    answers = Answer.objects.filter(
        scope.answer_q(), kind=Question.Kind.TEXT, dissatisfied=True
    ).values("id")
    return coding_selectors.topics_of_sources(kind="survey_comment", object_ids=answers, limit=10)


def driver_shares(
    *, period=None, survey=None, question_code=None, segment=None, wave=None, marks=None
) -> tuple[int, list[dict]]:
    """Among dissatisfied respondents (NPS 0-6 or CSAT 1-3), the share naming each
    driver. Returns (number of dissatisfied respondents, rows sorted by count).
    A fixed number of queries: tallies and tail for the base and the drivers, then the
    names of the choices and topics."""
    from customers.models import Topic
    from surveys.models import Choice

    marks = _marks() if marks is None else marks
    scope = Scope(
        survey=survey, period=period, segment=segment, wave=wave, question_code=question_code
    )
    _total, base = response_counts(
        Scope(survey=survey, period=period, segment=segment, wave=wave), marks=marks
    )
    counts: dict[tuple, int] = defaultdict(int)
    for row in (
        _tallies(marks)
        .filter(scope.tally_q(), kind=Question.Kind.DRIVER, dissatisfied=True)
        .values("choice_key", "topic_key")
        .annotate(count=Sum("n"))
        .order_by()
    ):
        counts[(row["choice_key"], row["topic_key"])] += row["count"]
    for row in (
        Answer.objects.filter(
            scope.answer_q(),
            kind=Question.Kind.DRIVER,
            dissatisfied=True,
            pk__gt=marks.get("answers", 0),
        )
        .values("choice_id", "topic_id")
        .annotate(count=Count("id"))
        .order_by()
    ):
        counts[(row["choice_id"] or 0, row["topic_id"] or 0)] += row["count"]
    if not counts:
        return base, []
    # With their question: whether it allows several answers (no query more).
    choices = Choice.objects.select_related("question").in_bulk({c for c, _t in counts})
    topics = Topic.objects.in_bulk({t for _c, t in counts if t})
    # The same driver in two versions (same topic, or same choice code) is one bar.
    merged: dict[str, dict] = {}
    for (choice_id, topic_id), count in counts.items():
        choice, topic = choices.get(choice_id), topics.get(topic_id)
        key = topic.slug if topic else (choice.code if choice else str(choice_id))
        entry = merged.setdefault(
            key,
            {
                "key": key,
                "label": choice.text_en if choice else (topic.name if topic else key),
                "topic_name": topic.name if topic else "",
                "topic": topic.slug if topic else None,
                "count": 0,
                "several": False,
            },
        )
        entry["count"] += count
        entry["several"] |= bool(choice and choice.question.multi_select)
    result = sorted(merged.values(), key=lambda r: (-r["count"], r["key"]))
    mentions = sum(r["count"] for r in result)
    cumulative = 0
    for entry in result:
        entry["share"] = round(100 * entry["count"] / base, 1) if base else None
        cumulative += entry["count"]
        entry["cumulative"] = round(100 * cumulative / mentions, 1)
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
            # The name people read (the dashboard never shows a slug).
            "topic_name": (row["topic_name"] or row["label"]) if row else "",
            "margin_of_error": score.moe,
            # Several drivers per respondent possible: shares of topics add up over 100 %.
            "several_per_respondent": any(r["several"] for r in rows),
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
    comment_topics: list = field(default_factory=list)
    # A driver question in scope allows several answers: shares add up to more than 100
    # and the Pareto's cumulative line counts mentions, not respondents.
    drivers_several: bool = False


def survey_report(*, survey: Survey, period=None, segment=None, wave=None) -> SurveyReport:
    """Everything the analysis page shows, in a fixed number of queries: score counts
    grouped by wave, month and segment (tallies + fresh tail, rolled up here), response
    counts, invitations by wave, drivers, and the names."""
    from customers.models import Segment

    from .models import Wave

    marks = _marks()
    scope = Scope(survey=survey, period=period, segment=segment, wave=wave)
    grouped = score_rows(scope, group_by=("wave", "month", "segment"), marks=marks)
    overall: dict = {}
    by_wave: dict = defaultdict(dict)
    by_month: dict = defaultdict(dict)
    by_segment: dict = defaultdict(dict)
    for row in grouped:
        _add(overall, row)
        _add(by_wave[row["wave"]], row)
        _add(by_month[row["month"]], row)
        _add(by_segment[row["segment"] or None], row)

    responses, _unhappy = response_counts(scope, marks=marks)
    if period is None and segment is None:
        # Sent counts are kept on the wave by the scanner; completed = responses. A wave
        # that sent no invitation (a place's QR code or kiosk: walk-ins answer without
        # one) has no response rate: its answers count in the scores, not as completed.
        waves_qs = Wave.objects.filter(survey_version__survey=survey)
        if wave:
            waves_qs = waves_qs.filter(pk=wave.pk)
        waves = {w.pk: w for w in waves_qs}
        completed_by_wave = responses_by_wave(scope, marks=marks)
        invites = {
            pk: {
                "sent": w.sent_count,
                "completed": completed_by_wave.get(pk, 0) if w.sent_count else 0,
            }
            for pk, w in waves.items()
        }
    else:
        waves = None
        invites = invitation_counts(
            survey=survey, period=period, segment=segment, wave=wave, by_wave=True
        )
    invited = sum(r["sent"] for r in invites.values())
    completed = sum(r["completed"] for r in invites.values())

    wave_ids = set(by_wave) | set(invites)
    if waves is None:
        waves = Wave.objects.in_bulk(wave_ids) if wave_ids else {}
    segment_ids = {s for s in by_segment if s}
    segments = Segment.objects.in_bulk(segment_ids) if segment_ids else {}

    wave_rows = []
    for wave_id in sorted(
        wave_ids, key=lambda i: (waves[i].starts_at, i) if i in waves else (timezone.now(), i)
    ):
        inv = invites.get(wave_id, {"sent": 0, "completed": 0})
        wave_rows.append(
            {
                "wave": waves.get(wave_id),
                "scores": scores_from_row(by_wave.get(wave_id, {})),
                "sent": inv["sent"],
                "completed": inv["completed"],
                "rate": share_score(inv["sent"], inv["completed"]),
            }
        )
    month_rows = [
        {"month": month, "scores": scores_from_row(by_month[month])}
        for month in sorted(m for m in by_month if m is not None)
    ]
    segment_rows = [
        {"segment": segments.get(sid), "scores": scores_from_row(by_segment[sid])}
        for sid in sorted(by_segment, key=lambda s: (s is None, str(segments.get(s, ""))))
    ]
    dissatisfied, drivers = driver_shares(
        survey=survey, period=period, segment=segment, wave=wave, marks=marks
    )
    comment_topics = comment_topic_counts(survey=survey, period=period, segment=segment, wave=wave)
    return SurveyReport(
        comment_topics=comment_topics,
        drivers_several=any(r["several"] for r in drivers),
        overall=scores_from_row(overall),
        by_wave=wave_rows,
        by_month=month_rows,
        by_segment=segment_rows,
        drivers=drivers,
        dissatisfied=dissatisfied,
        responses=responses,
        invited=invited,
        response_rate=share_score(invited, completed),
    )


def metric_follow_up_on_time_rate(*, period, survey=None) -> MetricValue:
    """Share of follow-up cases due in the period that were closed by their deadline.
    Cases still open before their deadline are not counted yet."""
    from django.db.models import F

    from .models import FollowUpCase

    bounds = period_bounds(period)
    q = _survey_q(survey, prefix="response__")
    if bounds:
        q &= Q(due_at__gte=bounds[0], due_at__lt=bounds[1])
    now = timezone.now()
    row = (
        FollowUpCase.objects.filter(q)
        .filter(Q(due_at__lte=now) | Q(closed_at__isnull=False))
        .aggregate(
            due=Count("id"),
            on_time=Count("id", filter=Q(closed_at__isnull=False, closed_at__lte=F("due_at"))),
        )
    )
    score = share_score(row["due"], row["on_time"])
    return MetricValue(
        value=score.value,
        n=score.n,
        detail={"on_time": row["on_time"], "margin_of_error": score.moe},
    )


def metric_follow_ups_overdue(*, period, survey=None) -> MetricValue:
    """Follow-up cases still open past their deadline now (a snapshot: the period is not
    used, like any backlog count)."""
    from .models import FollowUpCase

    q = _survey_q(survey, prefix="response__")
    row = FollowUpCase.objects.filter(q, state__in=FollowUpCase.OPEN_STATES).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=timezone.now()))
    )
    return MetricValue(value=row["overdue"], n=row["open"], detail={"open": row["open"]})
