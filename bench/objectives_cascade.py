"""Bench: the objectives cascade page with 5,000 objectives across 50 departments.

Creates a throw-away test database (test_<name>, dropped afterwards), generates 100
organisation objectives and 4,900 department objectives aligned beneath them, two key
results each and three check-ins per key result, then reports the cascade page's server
time and query count (as a quality manager, as a department head, and filtered by one
department). Query counts are asserted flat in tests/objectives/test_views.py; timings
belong here only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_e \
        .venv/bin/python bench/objectives_cascade.py
"""

import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")

import django  # noqa: E402

django.setup()
logging.getLogger("axes").setLevel(logging.WARNING)

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

DEPARTMENTS = 50
ROOTS = 100
OBJECTIVES = 5_000
KEY_RESULTS_PER_OBJECTIVE = 2
CHECKINS_PER_KEY_RESULT = 3
PERIOD = "2026"
CHUNK = 1_000
RUNS = 5


def generate():
    from objectives.models import CheckIn, KeyResult, Objective
    from qms.models import Department, User
    from requirements.models import Requirement

    quality = User.objects.create(username="bench-qm", role=User.Role.QUALITY_MANAGER)
    heads = User.objects.bulk_create([User(username=f"bench-head-{i}") for i in range(DEPARTMENTS)])
    departments = Department.objects.bulk_create(
        [
            Department(name=f"Department {i:02}", code=f"B{i:02}", head=heads[i])
            for i in range(DEPARTMENTS)
        ]
    )
    requirement = Requirement.objects.create(
        title="Bench need", kind=Requirement.Kind.STATED, status=Requirement.Status.ACCEPTED
    )
    start, end = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    now = timezone.now()
    common = {
        "period_label": PERIOD,
        "period_start": start,
        "period_end": end,
        "checkin_interval": "monthly",
        "last_checkin_at": now - dt.timedelta(days=3),
    }
    roots = Objective.objects.bulk_create(
        [
            Objective(level="organisation", owner=quality, title=f"Organisation goal {i}", **common)
            for i in range(ROOTS)
        ]
    )
    Objective.requirements.through.objects.bulk_create(
        [
            Objective.requirements.through(objective_id=root.pk, requirement_id=requirement.pk)
            for root in roots
        ]
    )
    children = []
    for i in range(OBJECTIVES - ROOTS):
        department = departments[i % DEPARTMENTS]
        children.append(
            Objective(
                level="department",
                department=department,
                parent=roots[i % ROOTS],
                owner=department.head,
                title=f"Department goal {i}",
                **common,
            )
        )
    children = Objective.objects.bulk_create(children, batch_size=CHUNK)
    objectives = roots + children
    krs = []
    for objective in objectives:
        for k in range(KEY_RESULTS_PER_OBJECTIVE):
            krs.append(
                KeyResult(
                    objective=objective,
                    title=f"KR {k}",
                    direction="increase" if k % 2 == 0 else "decrease",
                    baseline=Decimal("0") if k % 2 == 0 else Decimal("10"),
                    target=Decimal("100") if k % 2 == 0 else Decimal("5"),
                    current_value=Decimal(str((objective.pk * 7 + k) % 100))
                    if k % 2 == 0
                    else Decimal("7"),
                    current_at=now,
                )
            )
    krs = KeyResult.objects.bulk_create(krs, batch_size=CHUNK)
    checkins = []
    for kr in krs:
        for c in range(CHECKINS_PER_KEY_RESULT):
            checkins.append(
                CheckIn(
                    key_result=kr,
                    value=kr.current_value,
                    at=now - dt.timedelta(days=30 * c),
                    by_id=quality.pk,
                )
            )
            if len(checkins) >= CHUNK:
                CheckIn.objects.bulk_create(checkins)
                checkins = []
    CheckIn.objects.bulk_create(checkins)
    return quality, heads[0], departments[0], len(objectives), len(krs)


def measure(client, url):
    times, queries = [], None
    for run in range(RUNS + 1):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        if run:  # the first run warms caches and templates
            times.append(elapsed * 1000)
        queries = len(ctx.captured_queries)
    return statistics.median(times), min(times), queries, len(response.content)


def main():
    old_name = connection.settings_dict["NAME"]
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    print(f"database: {connection.vendor} {test_db}")
    try:
        started = time.perf_counter()
        quality, head, department, n_objectives, n_krs = generate()
        print(
            f"generated {n_objectives} objectives across {DEPARTMENTS} departments, "
            f"{n_krs} key results, {n_krs * CHECKINS_PER_KEY_RESULT} check-ins "
            f"in {time.perf_counter() - started:.1f} s"
        )
        client = Client(HTTP_HOST="localhost")
        cases = [
            ("quality manager, page 1", quality, f"/objectives/?period={PERIOD}"),
            (
                "quality manager, one department",
                quality,
                f"/objectives/?period={PERIOD}&department={department.pk}",
            ),
            ("department head", head, f"/objectives/?period={PERIOD}"),
            ("department head, my objectives", head, "/objectives/mine/"),
        ]
        for label, user, url in cases:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            median, best, queries, size = measure(client, url)
            print(
                f"{label:34} median {median:7.1f} ms  best {best:7.1f} ms  "
                f"{queries:3} queries  {size / 1024:6.0f} KiB"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
