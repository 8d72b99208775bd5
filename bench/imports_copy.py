"""Benchmark: imports of new rows through the portal's import engine (PostgreSQL: rows
validated while they stream through COPY into a temporary table, then one INSERT), next to
a bare PostgreSQL COPY of the same file into a table of the same columns (the limit).

Needs PostgreSQL (on SQLite it says so and stops):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench \\
    .venv/bin/python bench/imports_copy.py [--rows 100000] [--runs 3]

For tickets and for purchases, `--runs` interleaved rounds of (portal import of a fresh
file of new rows, bare COPY of that file); prints each round, then the medians, the
ratio portal / COPY, and the load average. Ticket texts are recorded for coding as part
of the portal's import (the baseline does not do that work).
"""

import argparse
import csv
import datetime as dt
import os
import statistics
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

from customers.models import Customer, Topic  # noqa: E402
from research.models import Purchase, Ticket  # noqa: E402

CUSTOMERS = 20_000
TOPICS = 30
PRODUCTS = ["Phone X2", "Phone X3", "Tablet T1", "Charger", "Case"]


def ensure_reference_data():
    Topic.objects.bulk_create(
        [Topic(slug=f"bench-topic-{n:02d}", name=f"BENCH topic {n:02d}") for n in range(TOPICS)],
        ignore_conflicts=True,
    )
    have = Customer.objects.filter(external_ref__startswith="BENCH-").count()
    if have < CUSTOMERS:
        Customer.objects.bulk_create(
            [
                Customer(external_ref=f"BENCH-{n:06d}", name=f"Bench customer {n}")
                for n in range(CUSTOMERS)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )


def write_file(kind: str, path: Path, rows: int, offset: int) -> list[str]:
    now = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if kind == "tickets":
            header = ["external_id", "customer", "topic", "product", "description", "opened_at"]
            writer.writerow(header)
            for n in range(offset, offset + rows):
                writer.writerow(
                    [
                        f"BC-{n:09d}",
                        f"BENCH-{n * 7919 % CUSTOMERS:06d}",
                        f"bench-topic-{n % TOPICS:02d}",
                        PRODUCTS[n % len(PRODUCTS)],
                        f"The battery drains overnight (case {n})",
                        (now - dt.timedelta(minutes=n % 500_000)).isoformat(timespec="seconds"),
                    ]
                )
        else:
            header = ["external_id", "customer", "product", "quantity", "amount", "purchased_at"]
            writer.writerow(header)
            for n in range(offset, offset + rows):
                writer.writerow(
                    [
                        f"BP-{n:09d}",
                        f"BENCH-{n * 7919 % CUSTOMERS:06d}",
                        PRODUCTS[n % len(PRODUCTS)],
                        1 + n % 3,
                        f"{10 + n % 900}.{n % 100:02d}",
                        (now - dt.timedelta(minutes=n % 500_000)).isoformat(timespec="seconds"),
                    ]
                )
    return header


def portal_import(kind: str, path: Path, rows: int, *, copy: bool = True) -> float:
    """The portal's import; `copy=False` runs the chunked engine (two passes,
    bulk_create per chunk) that PostgreSQL used before, for comparison in the same run."""
    from customers import services as customer_services
    from research.services import SCHEMAS

    schema = SCHEMAS[kind]()
    schema.copy_import = copy
    started = time.perf_counter()
    with path.open("rb") as upload:
        report = customer_services.import_file(schema=schema, upload=upload)
    seconds = time.perf_counter() - started
    assert report.ok and report.created == rows, (report.file_error, report.errors[:3])
    return rows / seconds


def bare_copy(path: Path, header: list[str], rows: int) -> float:
    """The same file into a temporary table of text columns by one COPY (no checks)."""
    columns = ", ".join(header)
    started = time.perf_counter()
    with connection.cursor() as cursor, path.open("rb") as handle:
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_copy ({', '.join(c + ' text' for c in header)})"
        )
        cursor.cursor.copy_expert(
            f"COPY bench_copy ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)", handle
        )
        cursor.execute("DROP TABLE bench_copy")
    seconds = time.perf_counter() - started
    return rows / seconds


def cleanup():
    from coding.models import Text

    ids = Ticket.objects.filter(external_id__startswith="BC-").values("id")
    Text.objects.filter(kind=Text.Kind.TICKET, object_id__in=ids).delete()
    Ticket.objects.filter(external_id__startswith="BC-").delete()
    Purchase.objects.filter(external_id__startswith="BP-").delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("imports_copy: needs PostgreSQL (set DATABASE_URL); skipped on SQLite.")
        return 0
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    ensure_reference_data()
    cleanup()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("purchases", "tickets"):
            portal, chunked, bare = [], [], []
            for run in range(args.runs):
                path = Path(folder) / f"{kind}-{run}.csv"
                header = write_file(kind, path, args.rows, offset=2 * run * args.rows)
                portal.append(portal_import(kind, path, args.rows))
                bare.append(bare_copy(path, header, args.rows))
                header = write_file(kind, path, args.rows, offset=(2 * run + 1) * args.rows)
                chunked.append(portal_import(kind, path, args.rows, copy=False))
                print(
                    f"{kind} round {run + 1}: portal (COPY) {portal[-1]:,.0f} rows/s, "
                    f"bare COPY {bare[-1]:,.0f} rows/s, previous chunked engine "
                    f"{chunked[-1]:,.0f} rows/s",
                    flush=True,
                )
                path.unlink()
            results[kind] = tuple(statistics.median(x) for x in (portal, bare, chunked))
    cleanup()
    load = os.getloadavg()
    print(f"\n{args.rows:,} new rows per file, medians of {args.runs} interleaved rounds:")
    for kind, (portal, bare, chunked) in results.items():
        print(
            f"  {kind:<9} portal import {portal:>9,.0f} rows/s | bare COPY {bare:>9,.0f} rows/s"
            f" | ratio {portal / bare:.3f}x | previous chunked engine {chunked:>9,.0f} rows/s"
            f" ({portal / chunked:.1f}x faster) | target >= 100,000 rows/s: "
            f"{'met' if portal >= 100_000 else 'NOT met'}"
        )
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
