"""`make prod-check`: the production stack on this machine, end to end, then stopped.

On 127.0.0.1 (ports PROD_CHECK_PORT_BASE + k, default 20800 + k):
  - Debian's nginx with deploy/nginx/qms.conf (a self-signed certificate made by openssl)
    in front of two gunicorn processes (deploy/gunicorn.conf.py, qms.settings.production,
    environment from a temporary file written like deploy/qms.env.example),
  - two Celery workers and two Celery beats on a Redis broker of its own (append-only,
    noeviction), a second Redis as the shared cache, and a PostgreSQL database of its own,
then a smoke journey over HTTPS: sign in, start a wave of PROD_CHECK_CUSTOMERS invitations,
the workers send them (file e-mail backend), a worker is SIGKILLed while sending and the
broker's Redis is restarted meanwhile (customers answer while it is down), every e-mail
goes out exactly once and every answer is kept, the response shows in the analysis, an
export built by a worker is downloaded; /readyz and Prometheus' /metrics are read; the
logs hold no survey token or customer address. Prints the journey's time and exits
non-zero on the first failure. Everything it started is stopped (also on failure).

Needs nginx, openssl, redis-server and a PostgreSQL server (DATABASE_ADMIN_URL, default
postgres://postgres@127.0.0.1:5432/postgres) where it may create a database.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import email
import html.parser
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
PY = Path(sys.executable)
BIN = PY.parent
BASE = int(os.environ.get("PROD_CHECK_PORT_BASE", "20800"))
PORTS = {
    "web1": BASE + 1,
    "web2": BASE + 2,
    "https": BASE + 43,
    "http": BASE + 80,
    "broker": BASE + 79,
    "cache": BASE + 78,
}
CUSTOMERS = int(os.environ.get("PROD_CHECK_CUSTOMERS", "200"))
ADMIN_URL = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"qms_prodcheck_{BASE}"
NGINX = os.environ.get("QMS_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
HOST = "127.0.0.1"
ORIGIN = f"https://{HOST}:{PORTS['https']}"
# The journey's time budget (the setup before it, mostly `migrate`, is bounded by the
# caller, e.g. `timeout` in .ci/run).
TIMEOUT = float(os.environ.get("PROD_CHECK_TIMEOUT", "240"))
DEADLINE = time.monotonic() + 3600


class CheckFailed(Exception):
    pass


def step(text: str) -> None:
    print(f"[prod-check {time.strftime('%H:%M:%S')}] {text}", flush=True)


def wait_for(what: str, predicate, timeout: float = 60, interval: float = 0.3):
    limit = min(time.monotonic() + timeout, DEADLINE)
    last = None
    while time.monotonic() < limit:
        try:
            result = predicate()
        except Exception as error:  # noqa: BLE001 - retried until the timeout
            last, result = error, None
        if result:
            return result
        time.sleep(interval)
    raise CheckFailed(f"timed out waiting for {what}" + (f" (last error: {last})" if last else ""))


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) == 0


# --- Processes -------------------------------------------------------------------------


class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict[str, str] = {}
        # Like systemd's Restart=always (deploy/systemd/qms-worker.service): a worker or
        # beat that exits is started again after 2 s; each restart is counted.
        self.supervised: dict[str, list[str]] = {}
        self.restarts: collections.Counter = collections.Counter()
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._supervise, daemon=True)
        self._watcher.start()

    def _supervise(self):
        while not self._stop.wait(0.5):
            for name, argv in list(self.supervised.items()):
                process = self.processes.get(name)
                if process is not None and process.poll() is not None:
                    time.sleep(2)
                    if name in self.supervised and not self._stop.is_set():
                        self.restarts[name] += 1
                        self.start(name, argv)

    def start_supervised(self, name: str, argv: list[str]) -> None:
        self.supervised[name] = argv
        self.start(name, argv)

    def start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, **self.env, **(env or {})} if env is not False else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
        )
        self.processes[name] = process
        return process

    def kill(self, name: str, sig=signal.SIGTERM, timeout: float = 20) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
        # Children left behind (a SIGKILLed Celery parent's pool) go with the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        self._stop.set()
        self.supervised.clear()
        for name in reversed(list(self.processes)):
            self.kill(name)

    def manage(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [str(PY), "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **self.env, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise CheckFailed(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines, as systemd's EnvironmentFile reads them (no quoting needed)."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def write_env_file(tmp: Path) -> Path:
    """The template with this run's values: same keys an operator fills in."""
    db_url = urllib.parse.urlsplit(ADMIN_URL)._replace(path=f"/{DB_NAME}").geturl()
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": ORIGIN,
        "QMS_BASE_URL": ORIGIN,
        "DATABASE_URL": db_url,
        "REDIS_URL": f"redis://{HOST}:{PORTS['broker']}/0",
        "CACHE_URL": f"rediscache://{HOST}:{PORTS['cache']}/0",
        "EMAIL_URL": f"filemail://{tmp / 'mail'}",
        "DEFAULT_FROM_EMAIL": "Quality team <quality@example.com>",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "CELERY_CONCURRENCY": "2",
    }
    lines = []
    template = (ROOT / "deploy" / "qms.env.example").read_text().splitlines()
    for line in template:
        key = line.split("=", 1)[0]
        if not line.startswith("#") and "=" in line and key in values:
            line = f"{key}={values.pop(key)}"
        lines.append(line)
    lines += [f"{k}={v}" for k, v in values.items()]
    lines += [
        # This run only: a fast scanner, every export through a worker, a short lease on
        # e-mails whose worker died, one queue and one metrics folder for this stack.
        "MESSAGE_SCAN_SECONDS=3",
        "MESSAGE_LEASE_SECONDS=15",
        "SATISFACTION_EXPORT_INLINE_MAX=0",
        "CELERY_QUEUE=q_prodcheck",
        f"PROMETHEUS_MULTIPROC_DIR={tmp / 'metrics'}",
        "CONN_MAX_AGE=0",
    ]
    path = tmp / "qms.env"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def nginx_config(tmp: Path) -> Path:
    """deploy/nginx/qms.conf with this run's ports, certificate and folders."""
    site = (ROOT / "deploy" / "nginx" / "qms.conf").read_text()
    replacements = [
        (
            "    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;\n",
            "".join(
                f"    server 127.0.0.1:{PORTS[w]} max_fails=3 fail_timeout=10s;\n"
                for w in ("web1", "web2")
            ),
        ),
        ("    listen 80;\n", f"    listen {HOST}:{PORTS['http']};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen {HOST}:{PORTS['https']} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("https://$host$request_uri", f"https://$host:{PORTS['https']}$request_uri"),
        ("/etc/ssl/qms/fullchain.pem", str(tmp / "cert.pem")),
        ("/etc/ssl/qms/privkey.pem", str(tmp / "key.pem")),
        ("/srv/qms/static/", f"{tmp / 'static'}/"),
        ("/var/log/nginx/qms-access.log", str(tmp / "logs" / "nginx-access.log")),
        ("/etc/nginx/qms_proxy_params", str(ROOT / "deploy" / "nginx" / "qms_proxy_params")),
    ]
    for old, new in replacements:
        if old not in site:
            raise CheckFailed(f"deploy/nginx/qms.conf no longer contains {old.strip()!r}")
        site = site.replace(old, new)
    (tmp / "site.conf").write_text(site)
    temp = "\n".join(
        f"  {name}_temp_path {tmp / 'nginx' / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (tmp / "nginx").mkdir()
    user = "user root;" if os.geteuid() == 0 else ""
    config = tmp / "nginx.conf"
    config.write_text(
        f"""{user}
worker_processes 2;
daemon off;
pid {tmp / "nginx.pid"};
error_log {tmp / "logs" / "nginx-error.log"} warn;
events {{ worker_connections 512; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;  # the site's own access log (deploy/nginx/qms.conf) is the one read
{temp}
  include {tmp / "site.conf"};
}}
"""
    )
    return config


# --- HTTP --------------------------------------------------------------------------------


class FormParser(html.parser.HTMLParser):
    """The fields of each form of a page (inputs, selects, textareas) with their values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button"):
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def forms_of(text: str) -> list[dict]:
    parser = FormParser()
    parser.feed(text)
    return parser.forms


class Browser:
    def __init__(self, cert: Path):
        self.session = requests.Session()
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the certificate
        self.session.verify = str(cert)
        self.request_ids: list[str] = []

    def get(self, path: str, **kwargs):
        response = self.session.get(ORIGIN + path, timeout=30, **kwargs)
        self.request_ids.append(response.headers.get("X-Request-ID", ""))
        return response

    def post(self, path: str, data: dict, **kwargs):
        data = {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""), **data}
        response = self.session.post(
            ORIGIN + path,
            data=data,
            headers={"Referer": ORIGIN + path, "Origin": ORIGIN},
            timeout=30,
            **kwargs,
        )
        first = response.history[0] if response.history else response  # the POST itself
        self.request_ids.append(first.headers.get("X-Request-ID", ""))
        return response


def expect(condition: bool, text: str) -> None:
    if not condition:
        raise CheckFailed(text)


# --- Mail, database ------------------------------------------------------------------------


def mails(folder: Path) -> list[email.message.Message]:
    """Every e-mail the file backend wrote (a file per connection, messages separated by a
    line of 79 dashes)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                found.append(email.message_from_string(chunk.strip("\n")))
    return found


def mail_text(message: email.message.Message) -> str:
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode("utf-8", "replace")
    payload = message.get_payload(decode=True)
    return payload.decode("utf-8", "replace") if payload else ""


def sql(query: str) -> list[list[str]]:
    db_url = urllib.parse.urlsplit(ADMIN_URL)._replace(path=f"/{DB_NAME}").geturl()
    out = subprocess.run(
        ["psql", db_url, "-tAF", "\t", "-v", "ON_ERROR_STOP=1", "-c", query],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def admin_sql(query: str) -> None:
    subprocess.run(
        ["psql", ADMIN_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", query],
        capture_output=True,
        text=True,
        check=True,
    )


# --- The run -------------------------------------------------------------------------------


def start_redis(stack: Stack, name: str) -> None:
    port = PORTS[name]
    folder = stack.tmp / f"redis-{name}"
    folder.mkdir(exist_ok=True)
    args = ["--port", str(port), "--bind", HOST, "--save", "", "--dir", str(folder)]
    if name == "broker":  # messages survive a restart; never evicted
        args += ["--appendonly", "yes", "--appendfsync", "always"]
        args += ["--maxmemory-policy", "noeviction"]
    else:  # a cache: evicts the least used keys
        args += ["--appendonly", "no", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"]
    stack.start(f"redis-{name}", ["redis-server", *args])
    wait_for(f"redis {name}", lambda: port_open(port), timeout=15)


def start_worker(stack: Stack, n: int) -> None:
    stack.start_supervised(
        f"worker{n}",
        [str(BIN / "celery"), "-A", "qms", "worker", "--loglevel=INFO",
         f"--concurrency={stack.env['CELERY_CONCURRENCY']}", f"--hostname=w{n}@prodcheck",
         "--without-gossip", "--without-mingle"],
    )  # fmt: skip


def run(tmp: Path) -> float:
    stack = Stack(tmp)
    try:
        return journey(stack)
    finally:
        step("stopping everything it started")
        stack.stop_all()
        try:
            admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        except subprocess.CalledProcessError as error:
            print(error.stderr, file=sys.stderr)


def journey(stack: Stack) -> float:
    tmp = stack.tmp
    for port in PORTS.values():
        expect(not port_open(port), f"port {port} is already in use (PROD_CHECK_PORT_BASE)")
    for folder in ("mail", "media", "static", "metrics"):
        (tmp / folder).mkdir()

    step("self-signed certificate (openssl)")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"),
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=IP:{HOST}"],
        check=True, capture_output=True,
    )  # fmt: skip

    env_file = write_env_file(tmp)
    stack.env = read_env_file(env_file)
    step(f"database {DB_NAME}, Redis broker :{PORTS['broker']} and cache :{PORTS['cache']}")
    admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    start_redis(stack, "broker")
    start_redis(stack, "cache")

    step("check --deploy, migrate, collectstatic, data")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        jobs = [
            pool.submit(stack.manage, "check", "--deploy", "--fail-level", "WARNING"),
            pool.submit(stack.manage, "migrate", "--noinput"),
            pool.submit(stack.manage, "collectstatic", "--noinput"),
        ]
        for job in jobs:
            job.result()
    password = secrets.token_urlsafe(12)
    setup = stack.manage(
        "shell",
        "-c",
        (ROOT / "deploy" / "prod_check_setup.py").read_text(),
        env={"PROD_CHECK_PASSWORD": password, "PROD_CHECK_CUSTOMERS": str(CUSTOMERS)},
    )
    survey = json.loads(setup.strip().splitlines()[-1])["survey"]

    step("two gunicorn, two Celery workers, two beats, nginx")
    for name in ("web1", "web2"):
        stack.start(
            name,
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "qms.wsgi"],
            env={"GUNICORN_BIND": f"{HOST}:{PORTS[name]}", "GUNICORN_PROC_NAME": f"qms-{name}"},
        )
    for n in (1, 2):
        start_worker(stack, n)
        stack.start_supervised(
            f"beat{n}",
            [str(BIN / "celery"), "-A", "qms", "beat", "--loglevel=INFO",
             f"--schedule={tmp / f'beat{n}-schedule'}"],
        )  # fmt: skip
    config = nginx_config(tmp)
    test = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(config)], capture_output=True)
    expect(test.returncode == 0, f"nginx -t: {test.stderr.decode()}")
    stack.start("nginx", [NGINX, "-p", str(tmp), "-c", str(config)])
    for name in ("web1", "web2", "https"):
        wait_for(f"{name} listening", lambda name=name: port_open(PORTS[name]), timeout=60)

    global DEADLINE
    started = time.monotonic()
    DEADLINE = started + TIMEOUT
    browser = Browser(tmp / "cert.pem")
    step("HTTPS: health, redirect, HSTS")
    health = browser.get("/healthz")
    expect(health.status_code == 200 and health.json() == {"status": "ok"}, "/healthz")
    expect("max-age=31536000" in health.headers.get("Strict-Transport-Security", ""), "HSTS")
    plain = requests.get(f"http://{HOST}:{PORTS['http']}/healthz", allow_redirects=False, timeout=9)
    expect(plain.status_code == 301 and plain.headers["Location"].startswith(ORIGIN), "to https")
    static = browser.get("/static/vendor/bootstrap-5.3.9/bootstrap.min.css")
    cache = static.headers.get("Cache-Control", "")
    expect(static.status_code == 200 and "immutable" in cache, "static files served by nginx")
    wait_for(
        "/readyz (the scanner has run)",
        lambda: browser.get("/readyz").status_code == 200,
        timeout=60,
        interval=1,
    )

    step("sign in as the quality manager")
    browser.get("/accounts/login/")
    signed_in = browser.post("/accounts/login/", {"username": "quality", "password": password})
    expect(signed_in.url.rstrip("/") == ORIGIN, f"sign-in landed on {signed_in.url}")

    step(f"start a wave of {CUSTOMERS} invitations")
    page = browser.get(f"/satisfaction/surveys/{survey}/waves/new/")
    form = next(f for f in forms_of(page.text) if "starts_at" in f["fields"])["fields"]
    form.update(
        name="Prod-check wave",
        kind="one_off",
        send_window_start="00:00",
        send_window_end="23:59",
        max_reminders="0",
    )
    created = browser.post(f"/satisfaction/surveys/{survey}/waves/new/", form)
    match = re.search(r"/satisfaction/waves/(\d+)/$", created.url)
    expect(match is not None, f"wave not created: {created.status_code} {created.url}")
    wave = match.group(1)
    scheduled = browser.post(f"/satisfaction/waves/{wave}/action/", {"action": "schedule"})
    expect(scheduled.status_code == 200, f"schedule: {scheduled.status_code}")
    wave_request_id = browser.request_ids[-1]

    mail_dir = tmp / "mail"
    wait_for("the first e-mails", lambda: len(mails(mail_dir)) >= CUSTOMERS // 10, 90, 0.1)
    step(f"SIGKILL worker 1 while sending ({len(mails(mail_dir))} e-mails out)")
    argv = stack.supervised.pop("worker1")  # this kill is ours: started again at once
    stack.kill("worker1", sig=signal.SIGKILL)
    stack.start_supervised("worker1", argv)

    step("restart the broker's Redis; customers answer while it is down")
    links = []
    for message in mails(mail_dir):
        found = re.search(rf"{re.escape(ORIGIN)}/s/([\w-]+)/", mail_text(message))
        if found:
            links.append((found.group(1), message["To"]))
    expect(len(links) >= 3, "survey links in the e-mails")
    stack.kill("redis-broker", sig=signal.SIGTERM)
    answered = []
    for token, _to in links[:3]:
        answer(tmp, token, f"Answered while the broker was down {token[:4]}")
        answered.append(token)
    start_redis(stack, "broker")

    step("every invitation e-mailed exactly once")

    def all_sent():
        rows = dict(sql("SELECT status, count(*) FROM qms_message GROUP BY status"))
        # "uncertain": the worker died between handing an e-mail to the server and
        # recording it; the portal shows it to a person instead of sending it twice.
        done = int(rows.get("sent", 0)) + int(rows.get("uncertain", 0))
        return rows if done >= CUSTOMERS and set(rows) <= {"sent", "uncertain"} else None

    try:
        statuses = wait_for("every e-mail sent", all_sent, timeout=150, interval=1)
    except CheckFailed:
        print(sql("SELECT status, count(*) FROM qms_message GROUP BY status"), file=sys.stderr)
        raise
    invitations = [m for m in mails(mail_dir) if "/s/" in mail_text(m)]
    per_recipient = collections.Counter(m["To"] for m in invitations)
    uncertain = int(statuses.get("uncertain", 0))
    # An uncertain e-mail may or may not have reached the mail server before the worker
    # died (here the file backend may have written it): every customer is e-mailed,
    # except at most the uncertain ones.
    expect(
        CUSTOMERS - uncertain <= len(per_recipient) <= CUSTOMERS,
        f"{len(per_recipient)} customers e-mailed and {uncertain} uncertain of {CUSTOMERS}",
    )
    twice = [to for to, n in per_recipient.items() if n > 1]
    expect(
        not twice,
        f"{len(twice)} customers got their invitation twice (a worker killed after the mail "
        "server took an e-mail and before the outbox recorded it: the e-mail must be left "
        "'uncertain' for a person, not sent again)",
    )

    step("answer a link; the response shows in the analysis")
    token = next(t for t, _to in links[3:] + [(t, to) for t, to in links] if t not in answered)
    answer(tmp, token, "Lovely stay, quick check-in")
    answered.append(token)
    stored = int(sql("SELECT count(*) FROM satisfaction_response")[0][0])
    expect(stored == len(answered), f"{stored} responses stored, {len(answered)} given")
    analysis = f"/satisfaction/surveys/{survey}/analysis/"
    wait_for(
        "the analysis to count the responses",
        lambda: f"{len(answered)} responses" in browser.get(analysis).text,
        timeout=30,
        interval=1,
    )

    step("an export built by a worker, downloaded")
    requested = browser.post(
        f"/satisfaction/surveys/{survey}/exports/new/", {"format": "csv", "wave": wave}
    )
    expect(requested.status_code == 200, f"export request: {requested.status_code}")

    def download_link():
        page = browser.get(f"/satisfaction/surveys/{survey}/exports/").text
        found = re.search(rf"/satisfaction/surveys/{survey}/exports/(\d+)/download/", page)
        return found.group(0) if found else None

    link = wait_for("the export to be built", download_link, timeout=60, interval=1)
    exported = browser.get(link)
    expect(exported.status_code == 200, f"export download: {exported.status_code}")
    expect("Lovely stay, quick check-in" in exported.text, "the answer in the export")
    journey_seconds = time.monotonic() - started

    step("Prometheus metrics (through nginx, from this machine)")
    metrics = browser.get("/metrics").text
    for name in (
        "django_http_requests_total_by_view_transport_method_total",
        "django_db_execute_total",
        "qms_outbox_backlog",
        "qms_outbox_oldest_due_seconds",
        'qms_emails_total{state="sent"}',
        'qms_celery_tasks_total{state="SUCCESS",task="qms.send_due_messages"}',
        "qms_celery_task_seconds_bucket",
        "qms_survey_submissions_total",
    ):
        expect(name in metrics, f"{name} missing from /metrics")
    sent_metric = re.search(r'qms_emails_total\{state="sent"\} ([\d.e+]+)', metrics)
    expect(float(sent_metric.group(1)) >= CUSTOMERS, "e-mails sent in /metrics")
    submissions = re.search(r"qms_survey_submissions_total ([\d.e+]+)", metrics)
    expect(float(submissions.group(1)) == len(answered), "submissions in /metrics")
    outside = requests.get(
        f"http://{HOST}:{PORTS['web1']}/metrics",
        headers={"X-Forwarded-For": "203.0.113.5"},
        timeout=10,
    )
    expect(outside.status_code == 403, f"/metrics for an outside client: {outside.status_code}")

    step("logs: JSON lines, the request id into the worker, no tokens or addresses")
    logs = {p.name: p.read_text(errors="replace") for p in (tmp / "logs").glob("*.log")}
    worker_text = logs.get("worker1.log", "") + logs.get("worker2.log", "")
    expect(wave_request_id and wave_request_id in worker_text, "the wave's request id in a task")
    web_lines = [
        json.loads(line)
        for line in (logs["web1.log"] + logs["web2.log"]).splitlines()
        if line.startswith("{")
    ]
    expect(any(line.get("message") == "request" for line in web_lines), "JSON request lines")
    everything = "\n".join(logs.values())
    for token_, to in links[:20]:
        where = [
            f"{name}: {line.replace(token_, '<token>')[:300]}"
            for name, text in logs.items()
            for line in text.splitlines()
            if token_ in line
        ]
        expect(not where, "a survey token in the logs: " + " | ".join(where[:3]))
        expect(to not in everything, "a customer's e-mail address in the logs")
    expect(password not in everything, "the password in the logs")

    print(
        f"prod-check: OK. Journey over HTTPS {journey_seconds:.1f} s "
        f"({CUSTOMERS} invitations e-mailed once each through a worker SIGKILL and a broker "
        f"restart, {len(answered)} answers kept, export built by a worker); "
        f"processes restarted by the supervisor: {dict(stack.restarts) or 'none'}; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    return journey_seconds


def answer(tmp: Path, token: str, comment: str) -> None:
    customer = Browser(tmp / "cert.pem")
    page = customer.get(f"/s/{token}/")
    expect(page.status_code == 200, f"survey page: {page.status_code}")
    submitted = customer.post(
        f"/s/{token}/",
        {"q_nps": "9", "q_csat": "5", "q_contact": "1", "q_comment": comment, "action": "submit"},
    )
    expect(submitted.status_code == 200, f"submit: {submitted.status_code}")


def main() -> int:
    urllib3.disable_warnings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.production")
    os.environ["DJANGO_SETTINGS_MODULE"] = "qms.settings.production"
    keep = os.environ.get("PROD_CHECK_KEEP")
    tmp = Path(tempfile.mkdtemp(prefix="qms-prod-check-"))
    try:
        run(tmp)
    except (CheckFailed, subprocess.CalledProcessError) as error:
        print(f"prod-check: FAILED: {error}", file=sys.stderr)
        for log in sorted((tmp / "logs").glob("*.log")):
            tail = [line[:300] for line in log.read_text(errors="replace").splitlines()[-8:]]
            print(f"--- {log.name} (last lines)\n" + "\n".join(tail), file=sys.stderr)
        print(f"prod-check: FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        if keep:
            print(f"prod-check: files kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
