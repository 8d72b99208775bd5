"""CRM at scale: the customer list and search at 100,000 customers, and the Customer 360
timeline of one customer with 10,000 interactions.

Run against the configured database (DATABASE_URL), e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_f .venv/bin/python bench/customers_crm.py
The data is generated once (customers BENCH-000001…, one customer BENCH-TIMELINE) and
reused on the next run. Prints server time (ms, median of 5) and the query count of each
page, measured through Django's test client (full request: middleware, view, template).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.local")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from crm.models import Interaction  # noqa: E402
from customers.models import Customer, Segment  # noqa: E402
from qms.models import User  # noqa: E402

CUSTOMERS = 100_000
INTERACTIONS = 10_000
CHUNK = 5_000
FIRST = ["Mei", "Li", "Ana", "Tom", "Sara", "Wei", "Omar", "Ines", "Jun", "Lena", "Raj", "Yu"]
LAST = ["Chen", "Garcia", "Smith", "Wang", "Okafor", "Silva", "Muller", "Zhang", "Kim", "Rossi"]


def generate():
    segment, _ = Segment.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    have = (
        Customer.objects.filter(external_ref__startswith="BENCH-")
        .exclude(external_ref="BENCH-TIMELINE")
        .count()
    )
    if have < CUSTOMERS:
        print(f"generating {CUSTOMERS - have} customers…", flush=True)
        batch = []
        for n in range(have + 1, CUSTOMERS + 1):
            batch.append(
                Customer(
                    name=f"{FIRST[n % 12]} {LAST[(n // 12) % 10]} {n:06d}",
                    external_ref=f"BENCH-{n:06d}",
                    email=f"bench{n}@example.com",
                    segment=segment,
                )
            )
            if len(batch) >= CHUNK:
                Customer.objects.bulk_create(batch)
                batch = []
        if batch:
            Customer.objects.bulk_create(batch)
    busy, _ = Customer.objects.get_or_create(
        external_ref="BENCH-TIMELINE", defaults={"name": "Busy Customer", "segment": segment}
    )
    have = busy.interactions.count()
    if have < INTERACTIONS:
        print(f"generating {INTERACTIONS - have} interactions…", flush=True)
        now = timezone.now()
        kinds = ["call", "email", "visit", "order"]
        Interaction.objects.bulk_create(
            [
                Interaction(
                    customer=busy,
                    kind=kinds[n % 4],
                    channel="phone",
                    occurred_at=now - dt.timedelta(hours=n),
                    summary=f"Interaction {n}",
                )
                for n in range(have, INTERACTIONS)
            ],
            batch_size=CHUNK,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE customers_customer; ANALYZE customers_interaction;")
    user, _ = User.objects.get_or_create(
        username="bench-qm", defaults={"role": User.Role.QUALITY_MANAGER}
    )
    return busy, user


def measure(client, label, url, params=None):
    client.get(url, params)  # warm
    times, queries = [], 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (label, response.status_code)
        queries = len(ctx.captured_queries)
    print(f"{label:<46} {statistics.median(times):8.1f} ms  {queries:3d} queries", flush=True)
    return response


def main():
    busy, user = generate()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    print(
        f"database: {connection.vendor}; customers: {Customer.objects.count()}; "
        f"interactions of the busy customer: {busy.interactions.count()}"
    )
    listing = reverse("customers:customer-list")
    measure(client, "customer list, page 1", listing)
    measure(client, "customer list, page 2,000", listing, {"page": 2000})
    measure(client, "search by name (icontains 'Okafor 0421')", listing, {"q": "Okafor 0421"})
    measure(client, "search by reference (BENCH-054321)", listing, {"q": "BENCH-054321"})
    measure(client, "search with no match", listing, {"q": "zzzz-nobody"})
    url = reverse("crm:customer-360", args=[busy.pk])
    measure(client, "Customer 360, timeline page 1 (10,000 rows)", url)
    # Walk to a deep page with the keyset cursor (as a person clicking "Older").
    deep = Interaction.objects.filter(customer=busy).order_by("-occurred_at", "-id")[9000]
    cursor = f"{deep.occurred_at.isoformat()}|{deep.pk}"
    measure(client, "Customer 360, timeline at row 9,000", url, {"before": cursor})
    measure(client, "Customer 360, timeline filtered to calls", url, {"kind": "call"})
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(
                "EXPLAIN ANALYZE SELECT * FROM customers_interaction WHERE customer_id = %s "
                "AND (occurred_at, id) < (%s, %s) ORDER BY occurred_at DESC, id DESC LIMIT 26",
                [busy.pk, deep.occurred_at, deep.pk],
            )
            plan = [row[0] for row in c.fetchall()]
        print("timeline plan:", " / ".join(line.strip() for line in plan[:3]))
    print(f"(DEBUG={settings.DEBUG}, CONN_MAX_AGE={connection.settings_dict['CONN_MAX_AGE']})")


if __name__ == "__main__":
    main()
