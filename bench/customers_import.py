"""Benchmark: a 100,000-row after-sales ticket CSV import, then the Pareto analysis over
1,000,000 tickets.

Run against PostgreSQL (the database is migrated first; bench rows are prefixed "BENCH-"
and "BT-" so they stay apart from demo data):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_a \\
    DJANGO_SETTINGS_MODULE=qms.settings.local \\
    .venv/bin/python bench/customers_import.py [--rows 100000] [--tickets 1000000] [--cleanup]

What it prints:
1. the import of a generated CSV file of `--rows` tickets (new rows), as rows/s, with the
   process's peak memory before and after (the file is streamed, so memory stays flat);
2. a second import of the same file (nothing created, nothing changed);
3. after topping the table up to `--tickets` tickets with bulk inserts: the Pareto
   selector and the Pareto page (Django test client) in ms with their query counts, and
   one drill-down page.
"""

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.local")
os.environ.setdefault("DEBUG", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from customers.models import Customer, Segment, Topic  # noqa: E402
from qms.models import User  # noqa: E402
from research import services  # noqa: E402
from research.models import Ticket  # noqa: E402
from research.selectors import pareto  # noqa: E402

SEGMENTS = 10
TOPICS = 30
CUSTOMERS = 20_000
CHUNK = 10_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_reference_data():
    segments = []
    for n in range(SEGMENTS):
        segment, _ = Segment.objects.get_or_create(
            code=f"bench-segment-{n}", defaults={"name": f"BENCH segment {n}"}
        )
        segments.append(segment)
    topics = []
    for n in range(TOPICS):
        topic, _ = Topic.objects.get_or_create(
            slug=f"bench-topic-{n:02d}", defaults={"name": f"BENCH topic {n:02d}"}
        )
        topics.append(topic)
    existing = set(
        Customer.objects.filter(external_ref__startswith="BENCH-").values_list(
            "external_ref", flat=True
        )
    )
    missing = [
        Customer(
            external_ref=f"BENCH-{n:06d}",
            name=f"Bench customer {n}",
            segment=segments[n % SEGMENTS],
        )
        for n in range(CUSTOMERS)
        if f"BENCH-{n:06d}" not in existing
    ]
    Customer.objects.bulk_create(missing, batch_size=CHUNK)
    return segments, topics


def topic_weights():
    # Pareto-like: topic k is mentioned about 1/(k+1) as often as the first.
    return [1 / (k + 1) for k in range(TOPICS)]


def write_csv(path: Path, rows: int, offset: int, rng: random.Random):
    now = timezone.now()
    weights = topic_weights()
    slugs = [f"bench-topic-{n:02d}" for n in range(TOPICS)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["external_id", "customer", "topic", "product", "opened_at", "closed_at", "resolution"]
        )
        for n in range(rows):
            opened = now - dt.timedelta(minutes=rng.randint(60, 360 * 24 * 60))
            closed = opened + dt.timedelta(hours=rng.randint(1, 96))
            writer.writerow(
                [
                    f"BT-{offset + n:08d}",
                    f"BENCH-{rng.randrange(CUSTOMERS):06d}",
                    rng.choices(slugs, weights)[0],
                    "Phone X2",
                    opened.isoformat(timespec="seconds"),
                    closed.isoformat(timespec="seconds") if closed < now else "",
                    "Fixed",
                ]
            )


def timed_import(path: Path, label: str):
    memory_before = peak_mb()
    started = time.perf_counter()
    with path.open("rb") as upload:
        report = services.import_csv(kind="tickets", upload=upload)
    seconds = time.perf_counter() - started
    print(
        f"{label}: {report.rows} rows in {seconds:.1f} s = {report.rows / seconds:,.0f} rows/s "
        f"(ok={report.ok}, created={report.created}, updated={report.updated}, "
        f"unchanged={report.unchanged}); peak memory {memory_before:.0f} → {peak_mb():.0f} MB"
    )
    if not report.ok:
        print("  first errors:", report.file_error, report.errors[:5])


def top_up(target: int, rng: random.Random):
    count = Ticket.objects.count()
    if count >= target:
        print(f"tickets already in the table: {count:,}")
        return
    customer_ids = list(
        Customer.objects.filter(external_ref__startswith="BENCH-").values_list("id", flat=True)
    )
    topic_ids = list(
        Topic.objects.filter(slug__startswith="bench-topic-")
        .order_by("slug")
        .values_list("id", flat=True)
    )
    weights = topic_weights()
    now = timezone.now()
    offset = Ticket.objects.filter(external_id__startswith="BG-").count()
    started = time.perf_counter()
    to_add = target - count
    added = 0
    while added < to_add:
        size = min(CHUNK, to_add - added)
        batch = []
        for n in range(size):
            opened = now - dt.timedelta(minutes=rng.randint(60, 360 * 24 * 60))
            batch.append(
                Ticket(
                    external_id=f"BG-{offset + added + n:08d}",
                    customer_id=rng.choice(customer_ids),
                    topic_id=rng.choices(topic_ids, weights)[0],
                    product="Phone X2",
                    opened_at=opened,
                )
            )
        Ticket.objects.bulk_create(batch, batch_size=CHUNK)
        added += size
    seconds = time.perf_counter() - started
    print(f"bulk-generated {added:,} tickets in {seconds:.0f} s; table now {target:,} rows")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM sets the visibility map, so the Pareto can use an index-only scan.
            cursor.execute("VACUUM ANALYZE customers_ticket")


def measure(label, fn, repeat=3):
    best, queries = None, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            elapsed = (time.perf_counter() - started) * 1000
        best = elapsed if best is None else min(best, elapsed)
        queries = len(captured.captured_queries)
    print(f"{label}: {best:.0f} ms (best of {repeat}), {queries} queries")
    return result


def bench_pareto(segments):
    user = User.objects.filter(role=User.Role.QUALITY_MANAGER, is_active=True).first()
    if user is None:
        user = User.objects.create_user("bench-qm", role=User.Role.QUALITY_MANAGER)
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    total = Ticket.objects.count()
    print(f"Pareto over {total:,} tickets:")
    rows = measure(
        "  selector, all sources, last 12 months",
        lambda: pareto(user=user, start=start, end=today),
    )
    print(f"    top topic: {rows[0].topic.slug} ({rows[0].total:,}), {len(rows)} topics")
    measure(
        "  selector, all sources, last 90 days",
        lambda: pareto(user=user, start=today - dt.timedelta(days=90), end=today),
    )
    measure(
        "  selector, one segment",
        lambda: pareto(user=user, start=start, end=today, segment=segments[0]),
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def page():
        response = client.get("/customers/research/")
        assert response.status_code == 200, response.status_code
        return response

    measure("  Pareto page (test client, server time)", page)
    measure(
        "  drill-down page (tickets of the top topic, page 1)",
        lambda: client.get(f"/customers/tickets/?topic={rows[0].topic.slug}"),
    )


def cleanup():
    Ticket.objects.filter(external_id__startswith="BT-").delete()
    Ticket.objects.filter(external_id__startswith="BG-").delete()
    Customer.objects.filter(external_ref__startswith="BENCH-").delete()
    Topic.objects.filter(slug__startswith="bench-topic-").delete()
    Segment.objects.filter(code__startswith="bench-segment-").delete()
    print("bench rows removed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--cleanup", action="store_true", help="remove bench rows and stop")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.cleanup:
        cleanup()
        return
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    rng = random.Random(42)
    segments, _topics = ensure_reference_data()
    offset = Ticket.objects.filter(external_id__startswith="BT-").count()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tickets.csv"
        write_csv(path, args.rows, offset, rng)
        print(f"CSV file: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")
        timed_import(path, "import (new rows)")
        timed_import(path, "re-import (same file)")
    top_up(args.tickets, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE customers_ticket")
    bench_pareto(segments)


if __name__ == "__main__":
    main()
