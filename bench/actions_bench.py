"""Corrective actions at scale: board, my actions, the two scanners and the metrics
against a generated data set (20,000 actions, 60,000 measures) in a throwaway test
database. Prints figures; asserts nothing about time.

    .venv/bin/python bench/actions_bench.py            # SQLite
    DATABASE_URL=postgres://... .venv/bin/python bench/actions_bench.py
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

ACTIONS = int(os.environ.get("BENCH_ACTIONS", "20000"))
CHUNK = 2000


def timed(label, fn, repeat=3):
    best = None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(repeat):
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<48} {best * 1000:8.1f} ms  ({len(queries) // repeat} queries)")
    return result


def generate():
    from actions.models import CorrectiveAction, Measure
    from qms.models import Department, User

    qm = User.objects.create(username="bench-qm", role=User.Role.QUALITY_MANAGER, email="q@x.org")
    heads = [User.objects.create(username=f"head{i}", email=f"h{i}@x.org") for i in range(10)]
    departments = [
        Department.objects.create(name=f"Dept {i}", code=f"B{i}", head=heads[i]) for i in range(10)
    ]
    today = timezone.localdate()
    now = timezone.now()
    statuses = ["open", "containment", "root_cause", "planned", "implementing", "closed"]
    start = time.perf_counter()
    for offset in range(0, ACTIONS, CHUNK):
        rows = []
        for n in range(offset, min(offset + CHUNK, ACTIONS)):
            status = statuses[n % len(statuses)]
            due = today + dt.timedelta(days=(n % 90) - 45)
            rows.append(
                CorrectiveAction(
                    reference=f"CA-B-{n:06d}",
                    title=f"Bench action {n}",
                    department=departments[n % 10],
                    owner=heads[n % 10],
                    status=status,
                    due_date=due,
                    current_due_date=due,
                    created_at=now - dt.timedelta(days=n % 200),
                    verdict="pass" if status == "closed" else "",
                    verified_by=qm if status == "closed" else None,
                    closed_at=now - dt.timedelta(days=n % 30) if status == "closed" else None,
                    measured_at=now - dt.timedelta(days=n % 30) if status == "closed" else None,
                    next_escalation_at=None if status == "closed" else now - dt.timedelta(hours=1),
                )
            )
        created = CorrectiveAction.objects.bulk_create(rows)
        Measure.objects.bulk_create(
            Measure(
                action=a,
                title=f"Measure {k}",
                owner=a.owner,
                department=a.department,
                due_date=a.due_date,
                next_escalation_at=a.next_escalation_at,
            )
            for a in created
            for k in range(3)
        )
    print(
        f"{'generate ' + str(ACTIONS) + ' actions, ' + str(3 * ACTIONS) + ' measures':<48} "
        f"{(time.perf_counter() - start) * 1000:8.1f} ms"
    )
    return qm, heads[0]


def main():
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from actions import selectors, services
        from qms.registry import Period, registry

        qm, head = generate()
        today = timezone.localdate()
        period = Period(today - dt.timedelta(days=365), today)
        timed("board page 1 (QM, all)", lambda: list(selectors.action_list(user=qm)[:25]))
        timed("board count (QM, all)", lambda: selectors.action_list(user=qm).count())
        timed(
            "board page 1 (QM, overdue + search)",
            lambda: list(selectors.action_list(user=qm, overdue=True, search="9")[:25]),
        )
        timed(
            "board page 1 (department head, scoped)",
            lambda: list(selectors.action_list(user=head)[:25]),
        )
        timed("my actions (head, 100)", lambda: list(selectors.my_actions(user=head)[:100]))
        timed("my measures (head, 100)", lambda: list(selectors.my_measures(user=head)[:100]))
        for key, params in [
            ("actions_closed_on_time", {}),
            ("actions_verified_effective", {}),
            ("actions_mean_days_to_close", {}),
            ("actions_open_by_age", {"days": "30"}),
            ("actions_overdue", {"department": "B1"}),
        ]:
            timed(f"metric {key}", lambda k=key, p=params: registry.compute(k, period=period, **p))
        timed("escalate_overdue scanner (one batch of 100+100)", services.escalate_overdue, 1)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
