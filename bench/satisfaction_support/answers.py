"""The benchmarks' large survey: about 1,030,000 answers (330,000 responses in four
waves to 82,500 customers each), generated once with set-based SQL (PostgreSQL) and
reused by every benchmark that reads answers (analysis, export)."""

import time

from .common import ensure_customers, published_bench_survey

SURVEY_CODE = "bench-analysis"
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
                first_sent_at=start,
                last_sent_at=start,
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


def ensure_answers():
    """(survey, answer count) of the benchmark survey, generating its answers if needed."""
    from django.db import transaction

    from satisfaction.models import Answer, Wave

    segment = ensure_customers("BenchWave", 100_000, "bench-wave")
    version = published_bench_survey(SURVEY_CODE)
    survey = version.survey
    answers = Answer.objects.filter(survey=survey).count()
    if not answers:
        t = time.perf_counter()
        with transaction.atomic():
            Wave.objects.filter(survey_version=version).delete()
            answers = generate(version, segment)
        print(f"generated {answers:,} answers in {time.perf_counter() - t:.0f} s (set-up)")
    return survey, answers
