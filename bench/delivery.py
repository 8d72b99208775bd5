"""Benchmark: delivery when processes die (issue 19). Real Celery workers (the `make run`
settings, two worker processes) against the configured broker and database.

    .venv/bin/python bench/delivery.py send [N] [baseline N] [rounds]
        invitation e-mails per second: the batch sender (`qms.send_due_messages`, one task
        per ~100 e-mails over one connection) against the same-run baseline of one task
        per e-mail (`qms.send_message`, how the portal sent before), interleaved.
    .venv/bin/python bench/delivery.py kill [N]
        recovery after a worker is SIGKILLed mid-wave (worker and beat running): seconds
        from the kill until every e-mail is sent or marked uncertain; duplicates counted.
    .venv/bin/python bench/delivery.py broker [N]
        (Redis only) recovery after the broker is SIGKILLed mid-wave and restarted: a
        private redis-server on 127.0.0.1:20202; seconds from the restart until done.
    .venv/bin/python bench/delivery.py submit [n] [rounds]
        low-score submit latency under gunicorn (production settings) with the broker up
        (a private redis-server) and with a broker that accepts connections and never
        answers, interleaved rounds; medians, p95 and the ratio.

Embedded default: no DATABASE_URL / REDIS_URL (a SQLite file var/bench-delivery.sqlite3
and the filesystem broker). Redis + PostgreSQL: set both, e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_i19 REDIS_URL=redis://127.0.0.1:6379/2
Ports: 127.0.0.1:20201 (gunicorn), 20202 (redis-server), 20203 (the silent broker).
"""

import datetime as dt
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
GUNICORN_PORT, REDIS_PORT, SILENT_PORT = 20201, 20202, 20203
QUEUE = f"bench-delivery-{uuid.uuid4().hex[:6]}"

os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-delivery.sqlite3'}")
os.environ["CELERY_QUEUE"] = QUEUE
MAIL_DIR = Path(tempfile.mkdtemp(prefix="bench-delivery-mail-"))
os.environ["EMAIL_URL"] = f"filemail://{MAIL_DIR}"


def setup():
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(BENCH))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- processes ---------------------------------------------------------------------------


def env_for_children(**extra) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "qms.settings.local", "DEBUG": "false", **extra}


def start_worker(log: Path, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "qms", "worker", "--concurrency=2", "--loglevel=warning",
         "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env_for_children(**extra), stdout=open(log, "a"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def start_beat(log: Path, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "qms", "beat", "--loglevel=warning",
         f"--schedule={MAIL_DIR / 'beat-schedule'}"],
        cwd=ROOT, env=env_for_children(**extra), stdout=open(log, "a"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_redis() -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


class SilentBroker:
    """Accepts every TCP connection and never answers (a hung Redis)."""

    def __init__(self, port: int):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", port))
        self.server.listen(256)
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.server.accept()[0])
            except OSError:
                return

    def close(self):
        self.server.close()
        for conn in self.held:
            conn.close()


# --- messages ----------------------------------------------------------------------------


def queue_messages(n: int, *, due: bool) -> list[int]:
    """n invitation e-mails (about the size of a real one), not yet due unless `due`."""
    from django.utils import timezone

    from qms.models import Message

    Message.objects.filter(key__startswith="bench-delivery:").delete()
    now = timezone.now()
    later = now + dt.timedelta(days=1)
    tag = uuid.uuid4().hex[:6]
    body = "Dear guest,\n\nWe would value your opinion.\n\nhttps://qms.example.com/s/x/\n" * 3
    rows = Message.objects.bulk_create(
        Message(
            key=f"bench-delivery:{uuid.uuid4().hex}",
            kind="survey_invitation",
            recipient=f"bench-{tag}-{i}@example.com",
            subject="Tell us how we did",
            body=body,
            next_action_at=now if due else later,
        )
        for i in range(n)
    )
    return [m.pk for m in rows]


def counts(ids) -> dict:
    from django.db.models import Count

    from qms.models import Message

    return dict(Message.objects.filter(pk__in=ids).values_list("status").annotate(n=Count("id")))


def wait_done(ids, timeout: float, done=("sent", "uncertain", "failed")) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        c = counts(ids)
        if sum(v for k, v in c.items() if k in done) >= len(ids):
            return time.perf_counter() - start
        time.sleep(0.25)
    raise RuntimeError(f"not done after {timeout}s: {counts(ids)}")


def duplicates() -> int:
    """E-mails to the same bench recipient found more than once in the mail files."""
    import collections

    seen = collections.Counter()
    for path in MAIL_DIR.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: bench-"):
                seen[line[4:].strip()] += 1
    return sum(n - 1 for n in seen.values() if n > 1)


def send_round(ids, mode: str) -> float:
    from django.utils import timezone

    from qms.celery import app
    from qms.models import Message

    start = time.perf_counter()
    if mode == "batch":
        Message.objects.filter(pk__in=ids).update(next_action_at=timezone.now())
        for _ in range(0, len(ids), 200):  # as the invitation scanner kicks
            app.send_task("qms.send_due_messages", args=[])
    else:
        for pk in ids:
            app.send_task("qms.send_message", args=[pk])
    wait_done(ids, timeout=1800)
    return time.perf_counter() - start


def cmd_send(n: int, n_single: int, rounds: int) -> None:
    log = MAIL_DIR / "worker.log"
    worker = start_worker(log)
    try:
        time.sleep(5)
        figures = {"batch": [], "single": []}
        for _ in range(rounds):
            for mode, count in (("batch", n), ("single", n_single)):
                ids = queue_messages(count, due=False)
                took = send_round(ids, mode)
                figures[mode].append(count / took)
                print(f"  {mode:6} {count:6} e-mails in {took:7.1f} s = {count / took:8.1f}/s "
                      f"(load {load_average()})", flush=True)  # fmt: skip
    finally:
        stop(worker)
    batch, single = statistics.median(figures["batch"]), statistics.median(figures["single"])
    print(f"invitation e-mails per second: batch {batch:.1f}/s, baseline one task per e-mail "
          f"{single:.1f}/s, ratio {batch / single:.1f}x; duplicates {duplicates()}; "
          f"load {load_average()}")  # fmt: skip


def cmd_kill(n: int) -> None:
    log = MAIL_DIR / "worker.log"
    worker, beat = start_worker(log), start_beat(MAIL_DIR / "beat.log")
    try:
        time.sleep(5)
        ids = queue_messages(n, due=False)
        send_round_started = time.perf_counter()
        from django.utils import timezone

        from qms.celery import app
        from qms.models import Message

        Message.objects.filter(pk__in=ids).update(next_action_at=timezone.now())
        app.send_task("qms.send_due_messages", args=[])
        while counts(ids).get("sent", 0) < n // 5:
            time.sleep(0.05)
        stop(worker, signal.SIGKILL)
        killed = time.perf_counter()
        print(f"  worker SIGKILLed after {killed - send_round_started:.1f} s: {counts(ids)}")
        worker = start_worker(log)
        took = wait_done(ids, timeout=900)
        final = counts(ids)
    finally:
        stop(worker)
        stop(beat)
    print(f"recovery after a worker kill: {took:.1f} s from the kill until every e-mail was "
          f"sent or uncertain ({final}); customer duplicates {duplicates()}; lease "
          f"{os.environ.get('MESSAGE_LEASE_SECONDS', '60')} s + scan every 30 s. Before this "
          f"change the lease alone was 600 s (issue 19 measured 586-590 s); "
          f"load {load_average()}")  # fmt: skip


def cmd_broker(n: int) -> None:
    redis = start_redis()
    url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    os.environ["REDIS_URL"] = url
    worker = start_worker(MAIL_DIR / "worker.log", REDIS_URL=url)
    beat = start_beat(MAIL_DIR / "beat.log", REDIS_URL=url)
    try:
        time.sleep(5)
        from django.utils import timezone

        from qms.celery import app
        from qms.models import Message

        app.conf.broker_url = url
        ids = queue_messages(n, due=False)
        Message.objects.filter(pk__in=ids).update(next_action_at=timezone.now())
        for _ in range(0, n, 200):
            app.send_task("qms.send_due_messages", args=[])
        while counts(ids).get("sent", 0) < n // 10:
            time.sleep(0.05)
        stop(redis, signal.SIGKILL)
        print(f"  broker SIGKILLed: {counts(ids)}")
        time.sleep(5)
        redis = start_redis()
        restarted = time.perf_counter()
        took = wait_done(ids, timeout=900)
        print(f"recovery after a broker restart: {took:.1f} s from the restart until every "
              f"e-mail was sent or uncertain ({counts(ids)}; down 5 s); duplicates "
              f"{duplicates()}; before this change: up to the 600 s lease (issue 19: 586-590 s); "
              f"load {load_average()}")  # fmt: skip
        del restarted
    finally:
        stop(worker)
        stop(beat)
        stop(redis)


def prepare_tokens(n: int) -> list[str]:
    saved, sys.argv = sys.argv, sys.argv[:1]  # that module reads its own arguments
    try:
        from satisfaction_submit import prepare
    finally:
        sys.argv = saved
    from qms.models import User

    if not User.objects.filter(role="quality_manager", is_active=True).exists():
        User.objects.create_user(
            "bench-qm", email="bench-qm@example.com", password=None, role="quality_manager"
        )
    _wave, _ids, tokens = prepare(n)
    return tokens


def post_submits(tokens) -> list[float]:
    latencies = []
    for token in tokens:
        body = urllib.parse.urlencode(
            {"q_nps": "2", "q_csat": "1", "q_driver": "queue-time", "action": "submit"}
        )
        conn = http.client.HTTPConnection("127.0.0.1", GUNICORN_PORT, timeout=60)
        start = time.perf_counter()
        conn.request("POST", f"/satisfaction/s/{token}/", body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise RuntimeError(f"submit answered {response.status}")
    return latencies


def start_gunicorn(broker_url: str) -> subprocess.Popen:
    env = env_for_children(
        DJANGO_SETTINGS_MODULE="satisfaction_support.settings",
        PYTHONPATH=f"{BENCH}:{ROOT}",
        REDIS_URL=broker_url,
    )
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "qms.wsgi", "-b", f"127.0.0.1:{GUNICORN_PORT}",
         "-w", "2", "--threads", "2", "-k", "gthread"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", GUNICORN_PORT, timeout=2)
            conn.request("GET", "/satisfaction/s/not-a-token/")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def cmd_submit(n: int, rounds: int) -> None:
    tokens = prepare_tokens((n + 2) * 2 * rounds)
    redis = start_redis()
    silent = SilentBroker(SILENT_PORT)
    up_url, down_url = f"redis://127.0.0.1:{REDIS_PORT}/0", f"redis://127.0.0.1:{SILENT_PORT}/0"
    figures = {"up": [], "down": []}
    try:
        for r in range(rounds):
            for name, url in (("up", up_url), ("down", down_url)):
                server = start_gunicorn(url)
                try:
                    post_submits(tokens[:2])  # warm both workers' code paths
                    tokens = tokens[2:]
                    share, tokens = tokens[:n], tokens[n:]
                    latencies = post_submits(share)
                finally:
                    stop(server)
                figures[name] += latencies
                median = statistics.median(latencies)
                print(f"  round {r + 1} broker {name:4}: median {median:.1f} ms "
                      f"(load {load_average()})", flush=True)  # fmt: skip
    finally:
        stop(redis)
        silent.close()

    def p95(values):
        return sorted(values)[int(0.95 * (len(values) - 1))]

    up, down = figures["up"], figures["down"]
    print(f"low-score submit latency: broker silent median {statistics.median(down):.1f} ms "
          f"(p95 {p95(down):.1f}, max {max(down):.1f}) vs broker up {statistics.median(up):.1f} ms "
          f"(p95 {p95(up):.1f}); ratio {statistics.median(down) / statistics.median(up):.2f}; "
          f"{len(down)} + {len(up)} submits; load {load_average()}")  # fmt: skip


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "send"
    args = [int(a) for a in sys.argv[2:]]
    setup()
    from django.db import connection

    print(f"database {connection.vendor}, broker "
          f"{'redis' if os.environ.get('REDIS_URL') else 'filesystem (embedded)'}, "
          f"load {load_average()}", flush=True)  # fmt: skip
    defaults = {"send": [1200, 100, 2], "kill": [600], "broker": [2000], "submit": [40, 2]}
    if command not in defaults:
        raise SystemExit(__doc__)
    args = args + defaults[command][len(args) :]
    try:
        {"send": cmd_send, "kill": cmd_kill, "broker": cmd_broker, "submit": cmd_submit}[command](
            *args
        )
    finally:
        shutil.rmtree(MAIL_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
