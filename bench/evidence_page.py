"""Benchmark: the clause evidence page (issue 21) at the scale of the satisfaction
benchmarks (about 1,030,000 survey answers, bench/satisfaction_support/answers.py) plus
the records the page lists: 2,000 requirements, 1,000 objectives with key results and
check-ins, 20,000 corrective actions, 20,000 complaints and a review with 50 decisions
citing needs.

Served by gunicorn (production settings, bench/satisfaction_support/settings.py) on
127.0.0.1, read over HTTP as a signed-in quality manager. The figure is the evidence
page's time; the same-run baseline is the quality manager's dashboard (`/`), the page the
dashboard benchmark measures, fetched interleaved with it; medians of the runs, their
ratio, and the machine's load average. The requirement page of the most traced need is
timed alongside.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench \\
        python bench/evidence_page.py [runs] [port]
"""

import http.client
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from satisfaction_support.answers import ensure_answers  # noqa: E402
from satisfaction_support.common import ROOT, ensure_customers, setup  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 9
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 20101
PASSWORD = "bench-evidence-2026"  # noqa: S105 - a throwaway benchmark account
REQUIREMENTS, OBJECTIVES, ACTIONS, COMPLAINTS, DECISIONS = 2000, 1000, 20_000, 20_000, 50


def ensure_records():
    """The registers the evidence page walks, created once with bulk inserts."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from actions.models import CorrectiveAction
    from crm.models import Complaint
    from customers.models import Customer, Topic
    from objectives.models import CheckIn, KeyResult, Objective
    from qms.models import Department, ManagementReview, ReviewDecision, User
    from qms.registry import Period
    from requirements.models import DecisionCitation, Requirement

    quality, _ = User.objects.get_or_create(
        username="bench-quality", defaults={"role": User.Role.QUALITY_MANAGER}
    )
    # The benchmark's process runs the test settings (a fast hasher the production server
    # does not know): store the password as production hashes it.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    quality.password = hasher.encode(PASSWORD, hasher.salt())
    quality.save(update_fields=["password"])
    if Requirement.objects.filter(title__startswith="Bench need").exists():
        return quality
    t = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    quarter = Period.current_quarter(today)
    label = f"{quarter.start.year}-Q{(quarter.start.month - 1) // 3 + 1}"
    with transaction.atomic():
        department, _ = Department.objects.get_or_create(
            code="BN", defaults={"name": "Bench department"}
        )
        topic = Topic.objects.get_or_create(slug="queue-time", defaults={"name": "Queue time"})[0]
        needs = Requirement.objects.bulk_create(
            Requirement(
                title=f"Bench need {n}",
                kind=Requirement.Kind.STATED,
                status=Requirement.Status.ACCEPTED if n % 3 else Requirement.Status.DEPLOYED,
                owner=quality,
            )
            for n in range(REQUIREMENTS)
        )
        Requirement.topics.through.objects.bulk_create(
            Requirement.topics.through(requirement_id=r.pk, topic_id=topic.pk) for r in needs
        )
        objectives = Objective.objects.bulk_create(
            Objective(
                period_label=label,
                period_start=quarter.start,
                period_end=quarter.end,
                level=Objective.Level.ORGANISATION,
                owner=quality,
                title=f"Bench objective {n}",
            )
            for n in range(OBJECTIVES)
        )
        Objective.requirements.through.objects.bulk_create(
            Objective.requirements.through(objective_id=o.pk, requirement_id=needs[n].pk)
            for n, o in enumerate(objectives)
        )
        krs = KeyResult.objects.bulk_create(
            KeyResult(
                objective=o,
                title=f"Bench key result {n}-{k}",
                baseline=Decimal("0"),
                target=Decimal("100"),
                current_value=Decimal(n % 100),
                current_at=now,
            )
            for n, o in enumerate(objectives)
            for k in range(2)
        )
        CheckIn.objects.bulk_create(
            CheckIn(key_result=kr, value=Decimal("10"), at=now, by=quality)
            for n, kr in enumerate(krs)
            if n % 4 == 0
        )
        statuses = [
            (CorrectiveAction.Status.OPEN, "", ""),
            (CorrectiveAction.Status.CANCELLED, "No budget", ""),
            (CorrectiveAction.Status.IMPLEMENTING, "", ""),
        ]
        CorrectiveAction.objects.bulk_create(
            (
                CorrectiveAction(
                    reference=f"CA-B-{n:06d}",
                    title=f"Bench action {n}",
                    topic=topic,
                    department=department,
                    owner=quality,
                    status=statuses[n % 3][0],
                    justification=statuses[n % 3][1],
                    due_date=today - dt.timedelta(days=n % 60),
                    current_due_date=today,
                    closed_at=now
                    if statuses[n % 3][0] == CorrectiveAction.Status.CANCELLED
                    else None,
                )
                for n in range(ACTIONS)
            ),
            batch_size=5000,
        )
        segment = ensure_customers("BenchComplaint", 2000, "bench-complaint")
        customers = list(Customer.objects.filter(segment=segment).values_list("pk", flat=True))
        Complaint.objects.bulk_create(
            (
                Complaint(
                    reference=f"CP-B-{n:06d}",
                    customer_id=customers[n % len(customers)],
                    description="Bench complaint",
                    topic=topic,
                    severity=Complaint.Severity.MEDIUM,
                    department=department,
                    received_at=now - dt.timedelta(hours=n % 500),
                    due_at=now + dt.timedelta(days=3),
                )
                for n in range(COMPLAINTS)
            ),
            batch_size=5000,
        )
        review = ManagementReview.objects.create(
            title="Bench review",
            period_label=label,
            period_start=quarter.start,
            period_end=quarter.end,
            meeting_date=today,
            chair=quality,
        )
        decisions = ReviewDecision.objects.bulk_create(
            ReviewDecision(
                review=review,
                kind=ReviewDecision.Kind.IMPROVEMENT,
                title=f"Bench decision {n}",
                owner=quality,
                due_date=today - dt.timedelta(days=n % 10),
            )
            for n in range(DECISIONS)
        )
        DecisionCitation.objects.bulk_create(
            DecisionCitation(decision=d, requirement=needs[0], cited_by=quality) for d in decisions
        )
    print(f"generated the registers in {time.perf_counter() - t:.0f} s (set-up)")
    return quality


def wait_for(port, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            conn.getresponse().read()
            return True
        except OSError:
            time.sleep(0.5)
    return False


class Session:
    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def _headers(self, extra=None):
        headers = {"Referer": f"http://127.0.0.1:{self.port}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        conn.request(method, path, body=body, headers=self._headers(headers))
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        conn.close()
        return response.status, data

    def login(self, username, password):
        _status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        status, page = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            print(f"sign-in answered {status}: {page[:300]!r}")
            return False
        return True

    def timed(self, path):
        start = time.perf_counter()
        status, _data = self.request("GET", path)
        elapsed = (time.perf_counter() - start) * 1000
        if status != 200:
            raise SystemExit(f"GET {path}: {status}")
        return elapsed


def main():
    settings = setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("This benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
        return 1
    from django.utils import timezone

    from qms.registry import Period
    from requirements.models import Requirement
    from satisfaction import services

    print(f"database: {settings.DATABASES['default']['NAME']}")
    _survey, answers = ensure_answers()
    services.tally_refresh(lag=timezone.timedelta(0))
    ensure_records()
    need = Requirement.objects.get(title="Bench need 0")
    quarter = Period.current_quarter(timezone.localdate())
    label = f"{quarter.start.year}-Q{(quarter.start.month - 1) // 3 + 1}"
    print(f"answers: {answers:,}; actions, complaints, objectives, needs as in the docstring")
    connection.close()

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="satisfaction_support.settings",
        PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}",
    )
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "qms.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--worker-class",
            "gthread",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        if not wait_for(PORT):
            print("gunicorn did not start")
            return 1
        session = Session(PORT)
        if not session.login("bench-quality", PASSWORD):
            print("could not sign in")
            return 1
        pages = {
            "dashboard (baseline)": "/",
            "evidence page": f"/evidence/?period={label}",
            "requirement page": f"/customers/requirements/{need.pk}/",
        }
        for path in pages.values():  # warm every worker
            for _ in range(2):
                session.timed(path)
        timings = {name: [] for name in pages}
        for _ in range(RUNS):  # interleaved
            for name, path in pages.items():
                timings[name].append(session.timed(path))
        medians = {name: statistics.median(values) for name, values in timings.items()}
        base = medians["dashboard (baseline)"]
        for name, value in medians.items():
            print(
                f"{name}: median {value:.0f} ms (min {min(timings[name]):.0f}, "
                f"max {max(timings[name]):.0f}) over {RUNS} runs; ratio to the dashboard "
                f"{value / base:.2f}"
            )
        print(f"load average {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
