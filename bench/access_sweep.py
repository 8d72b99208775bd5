"""The access sweep from outside: a freshly loaded demo served by gunicorn, swept over
HTTP by the front desk's head, a front-desk staff member and the read-only viewer, who
sign in through the login page like anyone else (CSRF included). Every page of the
URLconf and every operation of the API schema is aimed at another department's records
(the same engine as tests/test_access_sweep.py: tests/sweep.py), read and written.

Prints the counts of cross-department writes (a write that changed the database, other
than a documented hand-over such as routing a complaint to the department concerned)
and of reads beyond the department rules (another department's record opened, listed or
linked), with each case; expects 0 and 0 (exit status 1 otherwise).

    .venv/bin/python bench/access_sweep.py                 # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_sweep .venv/bin/python \\
        bench/access_sweep.py                              # a throwaway database: emptied

Options: --demo-only sweeps the demo as loaded (fewer kinds of record exist outside the
front desk, so fewer pages can be aimed; they are listed), --port N.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ["DJANGO_SETTINGS_MODULE"] = "access_sweep_settings"
TMP = None
if not os.environ.get("DATABASE_URL"):
    TMP = tempfile.mkdtemp(prefix="access-sweep-")
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/sweep.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from qms.management.commands.load_demo import DEMO_PASSWORD  # noqa: E402
from tests import sweep  # noqa: E402


class Session:
    """One signed-in browser: cookies by hand (so the session survives plain HTTP on
    127.0.0.1), the CSRF token from the login form, then from the cookie."""

    def __init__(self, base):
        self.base, self.cookies = base, {}

    def request(self, method, path, data=None, json_body=None, api=False):
        headers = {"Referer": self.base + "/", "Accept": "application/json" if api else "*/*"}
        body = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method not in ("GET", "HEAD"):
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = self.base + path  # always http://127.0.0.1:<port>
        req = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310
        try:
            response = urllib.request.build_opener(NoRedirect).open(req, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        content = response.read()
        return response.status, response.headers.get("Content-Type", ""), content

    def login(self, username):
        _status, _type, html = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
        status, _type, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{username} could not sign in ({status})")
        return self


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.3)
    return False


def prepare(demo_only):
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", force=True, stdout=devnull)
    if not demo_only:
        sweep.add_other_department_records()
    connection.close()


def change_marker():
    """A number that moves whenever another connection may have written: SQLite's
    data_version (changes on every commit by another connection), PostgreSQL's next
    transaction id (only writing transactions take one). Unchanged: nothing was
    written, and the full checksum can be skipped."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA data_version")
        else:
            cursor.execute("SELECT txid_snapshot_xmax(txid_current_snapshot())")
        return cursor.fetchone()[0]


def sweep_role(role, sessions, cases, world, baseline, log):
    me, quality = sessions[role], sessions["quality"]
    forbidden = sweep.forbidden_paths(cases["pages"], role)
    counts = {
        "requests": 0,
        "writes": 0,
        "over_reads": 0,
        "errors": 0,
        "statuses": 0,
        "handovers": 0,
    }

    last_marker = [change_marker()]

    def record_write(case, status):
        nonlocal baseline
        changed = []
        if change_marker() != last_marker[0]:
            after = sweep.snapshot()
            last_marker[0] = change_marker()
            changed = sweep.changed_tables(baseline, after)
            baseline = after  # what got through stays; the next write is judged alone
        problem = sweep.write_problem(case, role, status, changed)
        if changed and problem is None:
            counts["handovers"] += 1
        if problem:
            kind = "writes" if changed else "errors" if status >= 500 else "statuses"
            counts[kind] += 1
            method = case.method if case.api else "POST"
            log.append(f"{role:6} write {method} {case.path}: {problem}")

    for case in cases["pages"]:
        status, kind, body = me.request("GET", case.path)
        counts["requests"] += 1
        problem = sweep.read_problem(case, role, status)
        if problem is None and status == 200 and "html" in kind:
            shown = sweep.linked_paths(body.decode("utf-8", "replace")) & forbidden
            if shown:
                problem = f"links to another department's {sorted(shown)[:3]}"
        if problem:
            counts["errors" if status >= 500 else "over_reads"] += 1
            log.append(f"{role:6} read  GET {case.path}: {problem}")
        q_status, q_kind, q_body = quality.request("GET", case.path)
        html = q_body.decode("utf-8", "replace") if q_status == 200 and "html" in q_kind else ""
        data = sweep.form_data(html, case.path, world.other_id)
        data["csrfmiddlewaretoken"] = me.cookies.get("csrftoken", "")
        status, _kind, _body = me.request("POST", case.path, data)
        counts["requests"] += 1
        record_write(case, status)

    for case in cases["api"]:
        if case.method == "GET":
            status, _kind, body = me.request("GET", case.path, api=True)
            counts["requests"] += 1
            problem = sweep.read_problem(case, role, status)
            if problem is None and case.list_model is not None and status == 200:
                problem = sweep.list_over_read(world, case, role, json.loads(body))
            if problem:
                counts["errors" if status >= 500 else "over_reads"] += 1
                log.append(f"{role:6} read  GET {case.path}: {problem}")
            continue
        body = None
        if case.method != "DELETE":
            detail = None
            detail_path = None
            if case.objects:
                marker = f"/{case.objects[-1].pk}/"
                if marker in case.path:
                    detail_path = case.path[: case.path.index(marker) + len(marker)]
            elif case.list_model is not None:
                obj = world.other(case.list_model)
                detail_path = f"{case.path}{obj.pk}/" if obj is not None else None
            if detail_path:
                q_status, _kind, q_body = quality.request("GET", detail_path, api=True)
                if q_status == 200:
                    detail = json.loads(q_body)
            body = sweep.json_body(detail if isinstance(detail, dict) else None, world.other_id)
        status, _kind, _body = me.request(case.method, case.path, json_body=body, api=True)
        counts["requests"] += 1
        record_write(case, status)
    return counts, baseline


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))  # so the server is stopped too
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--demo-only", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    print(f"database: {connection.vendor}")
    started = time.perf_counter()
    prepare(args.demo_only)
    print(f"demo loaded in {time.perf_counter() - started:.0f} s")
    world = sweep.World.load()
    pages, page_problems = sweep.page_cases(world)
    api, api_problems = sweep.api_cases(world)
    cases = {"pages": pages, "api": api}
    connection.close()
    port = args.port or free_port()
    env = dict(os.environ, PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "qms.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    log, totals = [], {}
    try:
        if not wait_for(port):
            print("gunicorn did not start")
            return 2
        base = f"http://127.0.0.1:{port}"
        sessions = {
            name: Session(base).login(username)
            for name, username in {**sweep.ROLES, "quality": sweep.QUALITY_MANAGER}.items()
        }
        baseline = sweep.snapshot()
        started = time.perf_counter()
        for role in sweep.ROLES:
            counts, baseline = sweep_role(role, sessions, cases, world, baseline, log)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    for line in log:
        print(line)
    for problem in page_problems + api_problems:
        print(f"not aimed: {problem}")
    aimed = sum(c.foreign for c in pages) + sum(c.foreign for c in api)
    print(
        f"\n{len(pages)} pages and {len(api)} API operations ({aimed} aimed at another "
        f"department's record), {len(sweep.ROLES)} roles, {totals['requests']} requests in "
        f"{elapsed:.0f} s; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"hand-over creates (documented, allowed): {totals['handovers']}")
    print(f"server errors: {totals['errors']}")
    print(f"refused writes with another status than 403/404/405: {totals['statuses']}")
    print(f"cross-department writes: {totals['writes']}")
    print(f"reads beyond the department rules: {totals['over_reads']}")
    failed = totals["writes"] or totals["over_reads"] or totals["errors"] or totals["statuses"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
