"""Tallies: the materialised analysis counts, refreshed by a scanner.

The time-zone rule: an answer belongs to the day (and so the month and period) of its
submission time in the organisation's time zone (`TIME_ZONE`), whether it is read from
the tallies or fresh. Tallies record the zone they were counted in (`TallyMark.time_zone`);
when `TIME_ZONE` changes, the analysis stops reading them at once (it counts the raw
answers instead, so no number moves to a stale day) and the next scanner run rebuilds
them in the new zone (`tally_rebuild`, also `manage.py rebuild_tallies`)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import CharField, Count, F, Max, Value
from django.utils import timezone

from qms.workflow import lock

from ..models import Answer, Response

TALLY_LAG = dt.timedelta(seconds=60)
TALLY_KEYS = [
    "survey",
    "wave",
    "segment_key",
    "day",
    "question_code",
    "kind",
    "value_key",
    "choice_key",
    "topic_key",
    "dissatisfied",
    "n",
]


def _tally_insert(source_qs) -> int:
    """INSERT … SELECT the grouped counts of `source_qs` (annotated t_* columns) into the
    tallies, adding to existing rows (upsert on the unique key)."""
    from django.db.models.functions import Coalesce, TruncDate

    from ..models import AnswerTally

    grouped = (
        source_qs.annotate(
            t_day=TruncDate("submitted_at", tzinfo=timezone.get_default_timezone()),
            t_segment=Coalesce("segment_id", Value(0)),
        )
        .values(
            "t_survey",
            "t_wave",
            "t_segment",
            "t_day",
            "t_code",
            "t_kind",
            "t_value",
            "t_choice",
            "t_topic",
            "t_dissatisfied",
        )
        .annotate(t_n=Count("id"))
        .order_by()
    )
    inner_sql, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    meta = AnswerTally._meta
    columns = [qn(meta.get_field(name).column) for name in TALLY_KEYS]
    sources = ", ".join(
        f"t.{qn(alias)}"
        for alias in (
            "t_survey",
            "t_wave",
            "t_segment",
            "t_day",
            "t_code",
            "t_kind",
            "t_value",
            "t_choice",
            "t_topic",
            "t_dissatisfied",
            "t_n",
        )
    )
    n_column = qn(meta.get_field("n").column)
    table = qn(meta.db_table)
    sql = (
        # Identifiers from the model's metadata; every value is a parameter.
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {sources} FROM ({inner_sql}) t WHERE 1 = 1 "
        f"ON CONFLICT ({', '.join(columns[:-1])}) "
        f"DO UPDATE SET {n_column} = {table}.{n_column} + EXCLUDED.{n_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def tally_zone() -> str:
    """The zone tallies are counted in: the organisation's `TIME_ZONE`."""
    return timezone.get_default_timezone_name()


def tallies_current(marks_zones) -> bool:
    """Whether tallies counted in `marks_zones` (the zones on the watermarks) can be read:
    every watermark that has counted anything was counted in the current zone."""
    zone = tally_zone()
    return all(z in ("", zone) for z in marks_zones)


@transaction.atomic
def tally_rebuild() -> dict:
    """Forget every tally and count every answer again in the current zone (the scanner
    does this by itself when `TIME_ZONE` changed). Returns what `tally_refresh` counted."""
    from ..models import AnswerTally, TallyMark

    for mark in TallyMark.objects.all():
        lock(mark)
    AnswerTally.objects.all().delete()
    TallyMark.objects.update(last_id=0, time_zone=tally_zone())
    return tally_refresh()


@transaction.atomic
def tally_refresh(*, now: dt.datetime | None = None, lag: dt.timedelta = TALLY_LAG) -> dict:
    """Scanner: count the answers and responses submitted since the last run into the
    tallies. Only rows older than `lag` are counted, so a submit still committing with a
    lower id is not skipped; the analysis reads everything above the watermark directly.
    """
    from django.db.models.functions import Coalesce

    from ..models import TallyMark

    now = now or timezone.now()
    zone = tally_zone()
    stale = TallyMark.objects.filter(last_id__gt=0).exclude(time_zone__in=["", zone])
    if stale.exists():
        result = tally_rebuild()
        result["rebuilt"] = True
        return result
    result = {}
    for name, model in (("answers", Answer), ("responses", Response)):
        mark, _created = TallyMark.objects.get_or_create(name=name)
        mark = lock(mark)
        if mark.time_zone != zone:
            # Nothing counted yet in any other zone (checked above): this one is it.
            mark.time_zone = zone
            mark.save(update_fields=["time_zone"])
        top = model.objects.filter(pk__gt=mark.last_id, submitted_at__lt=now - lag).aggregate(
            top=Max("pk")
        )["top"]
        if top is None:
            result[name] = 0
            continue
        rows = model.objects.filter(pk__gt=mark.last_id, pk__lte=top)
        if model is Answer:
            rows = rows.annotate(
                t_survey=F("survey_id"),
                t_wave=F("wave_id"),
                t_code=F("question_code"),
                t_kind=F("kind"),
                t_value=Coalesce("value_int", Value(-1)),
                t_choice=Coalesce("choice_id", Value(0)),
                t_topic=Coalesce("topic_id", Value(0)),
                t_dissatisfied=F("dissatisfied"),
            )
        else:
            rows = rows.annotate(
                t_survey=F("survey_id"),
                t_wave=F("wave_id"),
                t_code=Value("", output_field=CharField()),
                t_kind=Value("response", output_field=CharField()),
                t_value=Value(-1),
                t_choice=Value(0),
                t_topic=Value(0),
                t_dissatisfied=F("dissatisfied"),
            )
        result[name] = _tally_insert(rows)
        mark.last_id = top
        mark.save(update_fields=["last_id"])
    return result
