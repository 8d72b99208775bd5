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
from satisfaction_support.answers import ensure_answers  # noqa: E402
from satisfaction_support.common import setup  # noqa: E402


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

    print(f"database: {settings.DATABASES['default']['NAME']}")
    survey, answers = ensure_answers()
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
