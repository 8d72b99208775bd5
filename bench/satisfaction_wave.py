"""Benchmark: a wave to 100,000 customers. Measures the time to freeze the audience
(create the invitations) and to queue the e-mails (tokens, links, message rows), as the
scanners do it. Target: under 30 s in total on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_c \
        .venv/bin/python bench/satisfaction_wave.py
"""

import datetime as dt
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from satisfaction_support.common import (  # noqa: E402
    ensure_customers,
    published_bench_survey,
    setup,
)

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BATCH = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
WORKERS = int(sys.argv[3]) if len(sys.argv) > 3 else 1


def main():
    settings = setup()
    from django.db import connection
    from django.utils import timezone

    from customers.models import ContactLog
    from qms.models import Message
    from satisfaction import services
    from satisfaction.models import Invitation, Wave

    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    t = time.perf_counter()
    segment = ensure_customers("BenchWave", COUNT, "bench-wave")
    print(f"customers ready ({COUNT}): {time.perf_counter() - t:.1f} s (set-up, not measured)")
    version = published_bench_survey("bench-wave")
    # A clean slate: earlier runs' waves (and their entries in the organisation-wide
    # contact log) would cap every customer.
    for old in Wave.objects.filter(survey_version=version):
        cleanup(old)
    ContactLog.objects.filter(customer__segment=segment).delete()

    now = timezone.now()
    wave = services.wave_create(
        survey_version=version,
        name="Bench wave",
        segment=segment,
        starts_at=now,
        send_window_start=dt.time(0, 0),
        send_window_end=dt.time(23, 59, 59),
        contact_cap_days=0,
    )
    services.wave_schedule(wave=wave)

    t0 = time.perf_counter()
    services.waves_process_due(now=now)
    t1 = time.perf_counter()
    invitations = Invitation.objects.filter(wave=wave).count()
    if WORKERS == 1:
        batches = drain(now)
    else:
        # Several Celery workers drain the scanner's batches side by side: rows are locked
        # with SKIP LOCKED, so no two workers take the same invitation.
        from django.db import connections

        connections.close_all()
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            batches = sum(pool.map(drain, [now] * WORKERS))
    t2 = time.perf_counter()
    keys = Message.objects.filter(kind="survey_invitation", key__startswith="invitation:")
    queued = keys.count()
    print(f"invitations created (audience frozen): {invitations} in {t1 - t0:.2f} s")
    print(
        f"e-mails queued (tokens + links + message rows): {queued} in {t2 - t1:.2f} s "
        f"({batches} scanner batches)"
    )
    print(f"TOTAL wave to {COUNT:,} customers: {t2 - t0:.2f} s (target < 30 s)")
    t3 = time.perf_counter()
    cleanup(wave)
    print(f"(clean-up {time.perf_counter() - t3:.1f} s)")


def drain(now) -> int:
    from satisfaction import services

    batches = 0
    while True:
        counts = services.invitations_process_due(now=now, limit=BATCH)
        if os.environ.get("BENCH_DEBUG"):
            print(counts)
        batches += 1
        if not counts.get("send"):
            return batches


def cleanup(wave):
    """Remove a bench wave and its messages (the customers stay for the next run)."""
    from customers.models import ContactLog
    from qms.models import Message
    from satisfaction.models import Invitation

    ids = list(Invitation.objects.filter(wave=wave).values_list("pk", flat=True))
    for start in range(0, len(ids), 10_000):
        chunk = ids[start : start + 10_000]
        Message.objects.filter(key__in=[f"invitation:{pk}" for pk in chunk]).delete()
        ContactLog.objects.filter(key__in=[f"survey-invite:{pk}" for pk in chunk]).delete()
    wave.delete()


if __name__ == "__main__":
    main()
