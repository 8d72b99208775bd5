"""Benchmark: a 50 MB / 100,000-row customer CSV uploaded through gunicorn and imported
in the background by a real Celery worker, while the web keeps answering.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench \\
    REDIS_URL=redis://127.0.0.1:6379/5 CELERY_QUEUE=q_bench \\
        .venv/bin/python bench/customers_import_background.py [--rows 100000] [--mb 50]

It starts gunicorn (2 gthread workers x 4 threads, production settings) and one Celery
worker (solo pool) on their own queue, signs in a quality manager, and prints:

1. the upload: the HTTP request's time (the file is stored and a job written; the web
   worker is free again at once) and its status;
2. the import: rows/s of the background job (started to finished, from the job row),
   against a baseline from the same run: the same rows bulk-inserted with
   `bulk_create` in one rolled-back transaction (the ORM's floor for writing them, no
   checking, no history), and the ratio;
3. the web latency of a simple page (the segment list) while the import runs against the
   same page idle: medians of requests interleaved with polls of the job, and the load
   average. Every request during the import must succeed.

Bench customers have references starting "BGI-" and are deleted at the end.
"""

import argparse
import http.client
import io
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from satisfaction_support.common import setup  # noqa: E402

PORT = 8791
PAGE = "/customers/segments/"
WORDS = [
    "north",
    "south",
    "river",
    "garden",
    "market",
    "station",
    "harbour",
    "hill",
    "lane",
    "court",
    "square",
]


def write_csv(path: Path, rows: int, megabytes: int) -> int:
    """A customer file of `rows` rows padded (the address) to about `megabytes` MB."""
    base_row = 62
    pad = max(0, (megabytes * 2**20) // rows - base_row)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("external_ref,name,kind,language,email,phone,address,active\n")
        for n in range(rows):
            words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(pad // 7 + 1))[:pad]
            out.write(
                f"BGI-{n:07d},Bench Customer {n},person,en,bgi{n}@example.com,"
                f'+1 555 {n:07d},"{n} {words}",yes\n'
            )
    return path.stat().st_size


def wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


class Browser:
    """A signed-in session over http.client (cookies kept by hand)."""

    def __init__(self, session_key):
        self.cookies = {"sessionid": session_key}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), data, elapsed

    def upload(self, path: Path, filename: str):
        status, headers, page, _ = self.request("GET", "/customers/import/")
        if status != 200:
            raise SystemExit(f"GET /customers/import/: HTTP {status} {headers.get('Location', '')}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        body = io.BytesIO()
        body.write(head)
        body.write(path.read_bytes())
        body.write(f"\r\n--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            "/customers/import/",
            body=body.getvalue(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-CSRFToken": token,
            },
        )


def signed_in_session() -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from qms.models import User

    user, _ = User.objects.get_or_create(
        username="bench-import-qm",
        defaults={"email": "bench-qm@example.com", "role": User.Role.QUALITY_MANAGER},
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def cleanup():
    from django.db import connection

    from customers.models import Customer, ImportJob

    Customer.history.filter(external_ref__startswith="BGI-").delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM customers_customer WHERE external_ref LIKE 'BGI-%%'")
    ImportJob.objects.filter(requested_by__username="bench-import-qm").delete()


def baseline_rows_per_second(path: Path) -> tuple[float, int]:
    """The same rows through bulk_create, in a transaction that is rolled back."""
    import csv

    from django.db import transaction

    from customers.models import Customer

    start = time.perf_counter()
    count = 0
    with transaction.atomic():
        with path.open(encoding="utf-8", newline="") as stream:
            batch = []
            for row in csv.DictReader(stream):
                batch.append(
                    Customer(
                        external_ref="X" + row["external_ref"],
                        name=row["name"],
                        kind=row["kind"],
                        language=row["language"],
                        email=row["email"],
                        phone=row["phone"],
                        address=row["address"],
                        is_active=True,
                    )
                )
                if len(batch) == 2000:
                    Customer.objects.bulk_create(batch)
                    count += len(batch)
                    batch = []
            Customer.objects.bulk_create(batch)
            count += len(batch)
        transaction.set_rollback(True)
    return count / (time.perf_counter() - start), count


def median_ms(values):
    return statistics.median(values) * 1000 if values else float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()

    # One secret for this process and the servers: the session made here must be theirs.
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-0123456789abcdef0123456789abcdef")
    settings = setup()
    from django.db import connection

    from customers.models import Customer, ImportJob

    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    cleanup()
    session_key = signed_in_session()
    work = Path(tempfile.mkdtemp(prefix="qms-bench-import-"))
    csv_path = work / "customers.csv"
    size = write_csv(csv_path, args.rows, args.mb)
    print(f"file: {args.rows:,} rows, {size / 2**20:.1f} MB")
    connection.close()

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="satisfaction_support.settings",
        PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}",
        MEDIA_ROOT=str(work / "media"),
        CELERY_QUEUE=os.environ.get("CELERY_QUEUE", "q_bench_import") + "-bgi",
        IMPORT_MAX_UPLOAD_MB=str(max(100, args.mb * 2)),
    )
    venv = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(venv / "gunicorn"), "qms.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2",
         "--threads", "4", "--worker-class", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker_log = open(work / "worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo",
         "--loglevel=warning", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        if not wait_for(PORT):
            print("gunicorn did not start")
            return 1
        browser = Browser(session_key)
        for _ in range(5):  # warm up both workers
            browser.request("GET", PAGE)
        idle = [browser.request("GET", PAGE)[3] for _ in range(40)]

        status, headers, _body, upload_seconds = browser.upload(csv_path, "customers.csv")
        location = headers.get("Location", "")
        print(f"upload: HTTP {status} in {upload_seconds:.2f} s, redirected to {location}")
        match = re.search(r"/customers/imports/(\d+)/", location)
        if status != 302 or not match:
            print("the upload did not become a background job")
            return 1
        job_id = int(match.group(1))

        busy, failures, polls, progress = [], 0, 0, set()
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            code, _h, _b, seconds = browser.request("GET", PAGE)
            busy.append(seconds)
            failures += code != 200
            code, _h, body, _s = browser.request("GET", f"/api/import-jobs/{job_id}/")
            polls += 1
            seen = re.search(rb'"rows_checked":(\d+),"rows_written":(\d+)', body)
            if seen:
                progress.add((int(seen.group(1)), int(seen.group(2))))
            if (
                b'"state":"done"' in body
                or b'"state":"rejected"' in body
                or b'"state":"failed"' in body
            ):
                break
            time.sleep(0.2)
        after = [browser.request("GET", PAGE)[3] for _ in range(40)]
    finally:
        server.terminate()
        worker.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        worker_log.close()

    job = ImportJob.objects.get(pk=job_id)
    if job.state != ImportJob.State.DONE:
        print(f"job {job.state}: {job.error or job.report.get('file_error')}")
        print((work / "worker.log").read_text()[-3000:])
        return 1
    seconds = (job.finished_at - job.started_at).total_seconds()
    rate = job.report["rows"] / seconds
    imported = Customer.objects.filter(external_ref__startswith="BGI-").count()
    print(
        f"import: {job.report['rows']:,} rows in {seconds:.1f} s = {rate:,.0f} rows/s "
        f"({job.report['created']:,} created; {imported:,} in the table), one transaction"
    )
    print(
        f"progress: {len(progress)} distinct (checked, written) counts seen in {polls} polls "
        f"of the job, e.g. {sorted(progress)[len(progress) // 2] if progress else None}"
    )
    base_rate, base_count = baseline_rows_per_second(csv_path)
    print(
        f"baseline: bulk_create of the same {base_count:,} rows (no checks, no history, "
        f"rolled back) = {base_rate:,.0f} rows/s; import/baseline = {rate / base_rate:.2f}"
    )
    print(
        f"web latency of {PAGE}: idle median {median_ms(idle):.0f} ms (n={len(idle)}), during "
        f"the import {median_ms(busy):.0f} ms (n={len(busy)}, {failures} failed), after "
        f"{median_ms(after):.0f} ms; during/idle = {median_ms(busy) / median_ms(idle):.2f} "
        f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)"
    )
    cleanup()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
