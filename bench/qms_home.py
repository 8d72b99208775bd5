"""Benchmark: the quality manager's home (the dashboard, every tile) at full scale against
the same page on an empty database, in one run, interleaved.

Needs PostgreSQL (the answers are generated with set-based SQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_home \\
    .venv/bin/python bench/qms_home.py [--rounds 5] [--requests 5]

The full database (DATABASE_URL, generated once and reused): 100,000 customers, about
1,030,000 answers in four waves of 82,500 invitations (bench/satisfaction_support), 5,000
objectives with 10,000 key results and 30,000 check-ins (bench/objectives_cascade.py's
generator, their health stored as the services store it), answers tallied as the beat's
scanner does. The empty one is
`<name>_empty`, migrated, with only the quality manager. Each round measures
`--requests` GETs of "/" on each database in turn (Django's test client in this process:
the server time of the view, templates included); prints the medians, the query counts,
the ratio full / empty, the target (< 150 ms, within 2x of empty) and the load average.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from satisfaction_support.common import setup  # noqa: E402

setup("qms.settings.test")

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

QM = "bench-home-qm"


def ensure_full_data():
    from satisfaction_support.answers import ensure_answers

    from objectives.models import Objective
    from objectives.services import objectives_health_store
    from qms.models import User

    _survey, answers = ensure_answers()
    if Objective.objects.count() < 5000:
        import objectives_cascade

        started = time.perf_counter()
        objectives_cascade.generate()
        print(f"generated 5,000 objectives in {time.perf_counter() - started:.0f} s (set-up)")
    if Objective.objects.filter(health_progress__isnull=True).exists():
        ids = list(Objective.objects.values_list("id", flat=True))
        for start in range(0, len(ids), 1000):
            objectives_health_store(ids[start : start + 1000])
    User.objects.get_or_create(
        username=QM, defaults={"role": User.Role.QUALITY_MANAGER, "is_staff": False}
    )
    # The tally scanner's work (beat runs it every minute), as in production.
    from satisfaction import services as satisfaction_services

    started = time.perf_counter()
    satisfaction_services.tally_refresh()
    print(f"tallies refreshed in {time.perf_counter() - started:.0f} s (set-up)")
    return answers, Objective.objects.count()


def ensure_empty_data():
    from qms.models import User

    User.objects.get_or_create(username=QM, defaults={"role": User.Role.QUALITY_MANAGER})


def use(name: str):
    connection.close()
    connection.settings_dict["NAME"] = name
    cache.clear()


def measure(client, requests: int) -> tuple[list[float], int]:
    from qms.models import User

    client.force_login(User.objects.get(username=QM))
    client.get("/")  # warm: session, per-process caches
    times, queries = [], 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured.captured_queries)
    return times, queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("qms_home: needs PostgreSQL (set DATABASE_URL); skipped on SQLite.")
        return 0
    full_name = connection.settings_dict["NAME"]
    empty_name = f"{full_name}_empty"
    answers, objectives = ensure_full_data()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [empty_name])
        exists = cursor.fetchone()
        if not exists:
            cursor.execute(f'CREATE DATABASE "{empty_name}"')
    use(empty_name)
    call_command("migrate", verbosity=0)
    ensure_empty_data()
    print(f"full: {full_name} ({answers:,} answers, {objectives:,} objectives)")
    print(f"empty: {empty_name}")
    client = Client(HTTP_HOST="localhost")
    full, empty = [], []
    queries = {}
    for round_ in range(args.rounds):
        for name, sink in ((full_name, full), (empty_name, empty)):
            use(name)
            times, queries[name] = measure(client, args.requests)
            sink.extend(times)
        print(
            f"round {round_ + 1}: full {statistics.median(full[-args.requests :]):.0f} ms, "
            f"empty {statistics.median(empty[-args.requests :]):.0f} ms"
        )
    use(full_name)
    full_ms, empty_ms = statistics.median(full), statistics.median(empty)
    load = os.getloadavg()
    print(
        f"\nquality manager's home, medians of {args.rounds} interleaved rounds of "
        f"{args.requests} requests:\n"
        f"  full scale {full_ms:7.1f} ms ({queries[full_name]} queries) | "
        f"empty database {empty_ms:7.1f} ms ({queries[empty_name]} queries) | "
        f"ratio {full_ms / empty_ms:.2f}x\n"
        f"  target < 150 ms and within 2x of empty: "
        f"{'met' if full_ms < 150 and full_ms <= 2 * empty_ms else 'NOT met'}\n"
        f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
