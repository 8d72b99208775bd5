"""Benchmark: the survey analysis over 1,000,000 answers. Generates the data once with
set-based SQL (PostgreSQL), then measures the analysis (server time and query count)
as the page computes it and through the whole page. Target: under 300 ms, with a query
count that does not grow with the data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_c \\
        .venv/bin/python bench/satisfaction_analysis.py
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from satisfaction_support.common import (  # noqa: E402
    ensure_customers,
    published_bench_survey,
    setup,
)

WAVES = 4
PER_WAVE = 82_500  # 330,000 responses -> about 1,030,000 answers


def generate(version, segment):
    from django.db import connection
    from django.utils import timezone

    from customers.models import Segment
    from satisfaction.models import Answer, Wave

    survey = version.survey
    segments = [
        Segment.objects.get_or_create(code=f"bench-seg-{n}", defaults={"name": f"Bench {n}"})[0]
        for n in range(3)
    ]
    questions = {q.code: q for q in version.questions.all()}
    choices = list(questions["driver"].choices.order_by("position"))
    now = timezone.now()
    with connection.cursor() as cursor:
        for n in range(WAVES):
            start = now - timezone.timedelta(days=30 * (WAVES - n))
            wave = Wave.objects.create(
                survey_version=version,
                name=f"Bench analysis wave {n + 1}",
                segment=segment,
                starts_at=start,
                status=Wave.Status.CLOSED,
                started_at=start,
                closed_at=start,
                sent_count=PER_WAVE,
            )
            cursor.execute(
                """
                INSERT INTO satisfaction_invitation (created_at, updated_at, wave_id,
                    customer_id, trigger_ref, language, state, reason, scheduled_at, sent_at,
                    completed_at, reminders_sent, draft_answers)
                SELECT %s, %s, %s, c.id, '', 'en', 'completed', '', %s, %s, %s, 0, '{}'::jsonb
                FROM customers_customer c WHERE c.segment_id = %s ORDER BY c.id LIMIT %s
                """,
                [start, start, wave.pk, start, start, start, segment.pk, PER_WAVE],
            )
            cursor.execute(
                """
                INSERT INTO satisfaction_response (created_at, updated_at, invitation_id,
                    wave_id, survey_id, version_id, customer_id, segment_id, language,
                    submitted_at, dissatisfied, may_contact)
                SELECT i.created_at, i.created_at, i.id, i.wave_id, %s, %s, i.customer_id,
                    %s + (i.id %% 3), 'en',
                    i.created_at + make_interval(mins => ((i.id * 37) %% 28800)::int),
                    (i.id * 7919) %% 11 <= 6, false
                FROM satisfaction_invitation i WHERE i.wave_id = %s
                """,
                [survey.pk, version.pk, segments[0].pk, wave.pk],
            )
            # segment ids are consecutive: bench-seg-0 .. bench-seg-2
            common = (
                "r.id, {q}, {value}, {text}, r.survey_id, r.wave_id, r.segment_id, "
                "'{code}', '{kind}', r.submitted_at, r.dissatisfied"
            )
            insert = (
                "INSERT INTO satisfaction_answer (response_id, question_id, value_int, "
                "value_text, survey_id, wave_id, segment_id, question_code, kind, "
                "submitted_at, dissatisfied{extra_cols}) SELECT {cols}{extra_vals} "
                "FROM satisfaction_response r WHERE r.wave_id = %s{where}"
            )
            for code, value, text, where in (
                ("nps", "(r.id * 7919) % 11", "''", ""),
                ("csat", "1 + (r.id * 104729) % 5", "''", ""),
                ("comment", "NULL", "'Bench comment ' || r.id", " AND r.id % 2 = 0"),
            ):
                q = questions[code]
                cols = common.format(q=q.pk, value=value, text=text, code=code, kind=q.kind)
                sql = insert.format(cols=cols, extra_cols="", extra_vals="", where=where)
                cursor.execute(sql.replace("%", "%%").replace("%%s", "%s"), [wave.pk])
            driver = questions["driver"]
            case_choice = (
                "CASE r.id % 3 "
                + " ".join(f"WHEN {i} THEN {c.pk}" for i, c in enumerate(choices))
                + " END"
            )
            case_topic = (
                "CASE r.id % 3 "
                + " ".join(f"WHEN {i} THEN {c.topic_id}" for i, c in enumerate(choices))
                + " END"
            )
            cols = common.format(
                q=driver.pk, value="NULL", text="''", code="driver", kind=driver.kind
            )
            sql = insert.format(
                cols=cols,
                extra_cols=", choice_id, topic_id",
                extra_vals=f", {case_choice}, {case_topic}",
                where=" AND r.dissatisfied",
            )
            cursor.execute(sql.replace("%", "%%").replace("%%s", "%s"), [wave.pk])
        cursor.execute("ANALYZE satisfaction_invitation")
        cursor.execute("ANALYZE satisfaction_response")
        cursor.execute("ANALYZE satisfaction_answer")
    return Answer.objects.filter(survey=survey).count()


def measure(label, fn, runs=7):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    timings = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(ctx.captured_queries)
    print(
        f"{label}: median {statistics.median(timings):.0f} ms, best {min(timings):.0f} ms, "
        f"{queries} queries"
    )


def main():
    settings = setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
        return 1
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from qms.models import User
    from qms.registry import Period, registry
    from satisfaction import analysis
    from satisfaction.models import Answer

    print(f"database: {settings.DATABASES['default']['NAME']}")
    segment = ensure_customers("BenchWave", 100_000, "bench-wave")
    version = published_bench_survey("bench-analysis")
    survey = version.survey
    answers = Answer.objects.filter(survey=survey).count()
    if not answers:
        from django.db import transaction

        from satisfaction.models import Wave

        t = time.perf_counter()
        with transaction.atomic():
            Wave.objects.filter(survey_version=version).delete()
            answers = generate(version, segment)
        print(f"generated {answers:,} answers in {time.perf_counter() - t:.0f} s (set-up)")
    print(f"answers in the survey: {answers:,}")
    from satisfaction import services

    t = time.perf_counter()
    counted = services.tally_refresh(lag=timezone.timedelta(0))
    print(
        f"tally scanner caught up ({counted}) in {time.perf_counter() - t:.1f} s "
        "(once; then each minute counts only the new answers)"
    )

    measure(
        "survey_report (whole analysis page data)", lambda: analysis.survey_report(survey=survey)
    )
    period = Period.parse(str(time.localtime().tm_year))
    measure(
        "registry nps (one metric, this year)",
        lambda: registry.compute("nps", period=period, survey=survey.code),
    )
    measure(
        "registry driver_share",
        lambda: registry.compute(
            "driver_share", period=period, survey=survey.code, topic="queue-time"
        ),
    )
    user, _ = User.objects.get_or_create(
        username="bench-qm", defaults={"role": User.Role.QUALITY_MANAGER}
    )
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("satisfaction:survey-analysis", args=[survey.pk])

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    measure("analysis page over HTTP (test client, full render)", page)
    report = analysis.survey_report(survey=survey)
    print(
        f"NPS {report.overall['nps'].value} (n={report.overall['nps'].n}), "
        f"CSAT {report.overall['csat'].value}%, drivers: "
        + ", ".join(f"{d['label']} {d['share']}%" for d in report.drivers)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
