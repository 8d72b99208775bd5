"""Benchmark: the requirements register, briefs and coverage pages at scale.

Generates 2,000 requirements deployed to 5 of 40 departments each (10,000 deployments),
25 staff per department and ~120,000 brief reads, then times the register list, its CSV
export, the coverage pages, a staff member's brief list and the list endpoints, printing
the time and query count of each. Query counts must stay flat (see the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_b \
        .venv/bin/python bench/requirements_coverage.py

Without DATABASE_URL it uses var/bench-requirements.sqlite3 (recreated on each run).
"""

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "DATABASE_URL" not in os.environ:
    db = ROOT / "var" / "bench-requirements.sqlite3"
    db.parent.mkdir(exist_ok=True)
    db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from customers.models import Segment  # noqa: E402
from qms.models import Department, Membership, User  # noqa: E402
from requirements.models import BriefRead, Deployment, Requirement  # noqa: E402

DEPARTMENTS = 40
STAFF_PER_DEPARTMENT = 25
REQUIREMENTS = 2_000
DEPLOYMENTS_PER_REQUIREMENT = 5
CHUNK = 5_000


def generate():
    random.seed(7)
    call_command("migrate", verbosity=0)
    if Requirement.objects.exists():
        print("Data already there; reusing it.")
        return
    start = time.perf_counter()
    qm = User.objects.create(username="bench-qm", role=User.Role.QUALITY_MANAGER)
    heads = User.objects.bulk_create([User(username=f"bench-head-{i}") for i in range(DEPARTMENTS)])
    departments = Department.objects.bulk_create(
        [
            Department(code=f"B{i}", name=f"Department {i}", head=heads[i])
            for i in range(DEPARTMENTS)
        ]
    )
    staff = User.objects.bulk_create(
        [User(username=f"bench-staff-{i}") for i in range(DEPARTMENTS * STAFF_PER_DEPARTMENT)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=staff[i], department=departments[i // STAFF_PER_DEPARTMENT])
            for i in range(len(staff))
        ],
        batch_size=CHUNK,
    )
    segment = Segment.objects.create(code="bench", name="Bench")
    kinds = [k for k, _ in Requirement.Kind.choices]
    requirements = Requirement.objects.bulk_create(
        [
            Requirement(
                title=f"Need {i}",
                kind=(kind := random.choice(kinds)),
                reference="REF" if kind in ("statutory", "contractual") else "",
                segment=segment,
                status=Requirement.Status.DEPLOYED,
                acceptance_criterion="Under 5 minutes",
            )
            for i in range(REQUIREMENTS)
        ],
        batch_size=CHUNK,
    )
    now = timezone.now()
    deployments = []
    for requirement in requirements:
        for department in random.sample(departments, DEPLOYMENTS_PER_REQUIREMENT):
            acknowledged = random.random() < 0.6
            deployments.append(
                Deployment(
                    requirement=requirement,
                    department=department,
                    commitment="Do our part",
                    activated_at=now,
                    ack_due_at=now,
                    next_action_at=None if acknowledged else now,
                    acknowledged_revision=1 if acknowledged else None,
                )
            )
    deployments = Deployment.objects.bulk_create(deployments, batch_size=CHUNK)
    members = {}
    for m in Membership.objects.values_list("department_id", "user_id"):
        members.setdefault(m[0], []).append(m[1])
    reads = []
    for deployment in deployments:
        for user_id in members[deployment.department_id]:
            if random.random() < 0.5:
                reads.append(BriefRead(deployment=deployment, user_id=user_id, revision=1))
        if len(reads) >= CHUNK:
            BriefRead.objects.bulk_create(reads)
            reads = []
    BriefRead.objects.bulk_create(reads)
    print(
        f"Generated {Requirement.objects.count():,} requirements, "
        f"{Deployment.objects.count():,} deployments, {BriefRead.objects.count():,} reads "
        f"in {time.perf_counter() - start:.1f} s (qm id {qm.pk})"
    )


def timed(label, client, url, **params):
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url, params)
        if getattr(response, "streaming", False):
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        elapsed = time.perf_counter() - start
    print(
        f"{label:<38} {elapsed * 1000:8.1f} ms  {len(queries):3d} queries  "
        f"HTTP {response.status_code}  {size / 1024:,.0f} KiB"
    )


def main():
    generate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after the bulk load
    qm = User.objects.get(username="bench-qm")
    staff = User.objects.filter(username__startswith="bench-staff-").first()
    head = User.objects.get(username="bench-head-0")
    department = Department.objects.get(code="B0")
    qm_client, staff_client, head_client = Client(), Client(), Client()
    backend = "django.contrib.auth.backends.ModelBackend"
    qm_client.force_login(qm, backend=backend)
    staff_client.force_login(staff, backend=backend)
    head_client.force_login(head, backend=backend)
    print(f"Database: {connection.vendor}")
    for _ in range(2):  # the second round is the warm one
        timed("register list (page 1)", qm_client, "/customers/requirements/")
        timed(
            "register list, filtered by department",
            qm_client,
            "/customers/requirements/",
            department="B0",
        )
        timed(
            "register CSV export (2,000 rows)", qm_client, "/customers/requirements/", format="csv"
        )
        timed("coverage by department (40)", qm_client, "/customers/coverage/")
        timed("coverage of one department", qm_client, f"/customers/coverage/{department.pk}/")
        timed("brief list (staff)", staff_client, "/customers/needs/")
        timed("coverage (head, own department)", head_client, "/customers/coverage/")
        timed("API requirements list", qm_client, "/api/requirements/")
        timed("API deployments list", qm_client, "/api/deployments/")
        timed("API deployments (head)", head_client, "/api/deployments/")
        print("-" * 80)


if __name__ == "__main__":
    main()
