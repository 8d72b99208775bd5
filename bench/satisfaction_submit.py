"""Benchmark: survey submissions under gunicorn on 127.0.0.1 (a bounded load test).

Creates N sent invitations with known tokens, starts gunicorn (gthread workers, the
production settings), posts one completed questionnaire per token, and prints the
throughput, the latency percentiles and the CPU each submission cost the web workers and
PostgreSQL; then checks that every answer was stored once.
Target: at least 200 submissions/s with p99 under 100 ms.

The load generator is wrk (Debian package `wrk`, a C program, so the load generator does
not take the CPU the server is being measured on) with bench/satisfaction_support/submit.lua;
without wrk it falls back to Python client processes, which cost about as much CPU as the
server and so report lower figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_bench \\
        .venv/bin/python bench/satisfaction_submit.py [N] [connections] [seconds] [port]

Environment: BENCH_GUNICORN_WORKERS (default 2), BENCH_GUNICORN_THREADS (default 2).
"""

import collections
import http.client
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from satisfaction_support.common import ROOT, ensure_customers, setup  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
CONNECTIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
SECONDS = int(sys.argv[3]) if len(sys.argv) > 3 else 15
PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 8003
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "2"))
LUA = Path(__file__).resolve().parent / "satisfaction_support" / "submit.lua"


def prepare(n):
    """N sent invitations of a transactional wave, with their raw tokens."""
    import datetime as dt
    import secrets

    from django.utils import timezone
    from satisfaction_support.common import published_bench_survey

    from satisfaction import services
    from satisfaction.models import Invitation, InvitationLink, Wave

    segment = ensure_customers("BenchWave", max(n, 1000), "bench-wave")
    version = published_bench_survey("bench-submit")
    wave = Wave.objects.filter(survey_version=version, name="Bench submissions").first()
    if wave is None:
        wave = services.wave_create(
            survey_version=version, name="Bench submissions", kind=Wave.Kind.TRANSACTIONAL
        )
        services.wave_schedule(wave=wave)
        services.waves_process_due()
    run = timezone.now().strftime("%H%M%S")
    now = timezone.now()
    customers = list(segment.customers.order_by("pk").values_list("pk", flat=True)[:n])
    invitations = Invitation.objects.bulk_create(
        Invitation(
            wave=wave,
            customer_id=pk,
            trigger_ref=f"bench-{run}",
            state=Invitation.State.SENT,
            scheduled_at=now,
            sent_at=now,
            expires_at=now + dt.timedelta(days=7),
        )
        for pk in customers
    )
    tokens = [secrets.token_urlsafe(32) for _ in invitations]
    InvitationLink.objects.bulk_create(
        InvitationLink(invitation=i, token_hash=services.hash_token(t))
        for i, t in zip(invitations, tokens, strict=True)
    )
    return wave, [i.pk for i in invitations], tokens


def client(args):
    tokens, port = args
    latencies = []
    failures = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n, token in enumerate(tokens):
        detractor = n % 5 == 0
        body = urllib.parse.urlencode(
            {
                "q_nps": "4" if detractor else "9",
                "q_csat": "2" if detractor else "5",
                "q_driver": "queue-time" if detractor else "",
                "q_comment": "Bench comment" if n % 3 == 0 else "",
                "action": "submit",
            }
        )
        start = time.perf_counter()
        try:
            connection.request(
                "POST",
                f"/satisfaction/s/{token}/",
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - start)
        failures += not ok
    return latencies, failures


def wait_for(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/satisfaction/s/not-a-token/")
            connection.getresponse().read()
            return True
        except OSError:
            time.sleep(0.3)
    return False


def cpu_seconds() -> collections.Counter:
    """CPU seconds used so far by every process on the machine, by command name."""
    tick = os.sysconf("SC_CLK_TCK")
    used = collections.Counter()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used[name] += (int(fields[11]) + int(fields[12])) / tick
    return used


def load_with_wrk(tokens):
    """wrk for SECONDS on CONNECTIONS connections; returns the figures it printed."""
    threads = min(CONNECTIONS, 2)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as handle:
        handle.write("\n".join(tokens) + "\n")
        handle.flush()
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(CONNECTIONS),
                "-d",
                f"{SECONDS}s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{PORT}",
                "--",
                handle.name,
                str(threads),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    figures = {}
    for line in out.splitlines():
        if line.startswith("WRK "):
            for pair in line.split()[1:]:
                key, value = pair.split("=")
                figures[key] = float(value)
    return figures


def load_with_python(tokens):
    shares = [tokens[i::CONNECTIONS] for i in range(CONNECTIONS)]
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(CONNECTIONS) as pool:
        results = pool.map(client, [(share, PORT) for share in shares])
    wall = time.perf_counter() - start
    latencies = sorted(ms * 1000 for result in results for ms in result[0])

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {
        "requests": len(latencies),
        "tokens": len(tokens),
        "errors": sum(result[1] for result in results),
        "non2xx": 0,
        "duration_us": wall * 1e6,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": latencies[-1],
        "mean_ms": statistics.mean(latencies),
    }


def main():
    settings = setup()
    from django.db import connection

    from satisfaction.models import Answer, Invitation, Response

    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    wave, ids, tokens = prepare(N)
    connection.close()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="satisfaction_support.settings",
        PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "qms.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    generator = "wrk" if shutil.which("wrk") else "python clients"
    try:
        if not wait_for(PORT):
            print("gunicorn did not start")
            return 1
        # Warm up every worker (imports, connections, caches) with tokens not counted below.
        warm, tokens = tokens[: 4 * WORKERS * THREADS], tokens[4 * WORKERS * THREADS :]
        client((warm, PORT))
        before = cpu_seconds()
        figures = load_with_wrk(tokens) if generator == "wrk" else load_with_python(tokens)
        after = cpu_seconds()
    finally:
        server.terminate()
        server.wait(timeout=30)
    done = int(figures["requests"])
    wall = figures["duration_us"] / 1e6
    failures = int(figures["errors"] + figures["non2xx"])
    print(
        f"gunicorn {WORKERS} workers x {THREADS} threads, {generator}, {CONNECTIONS} "
        f"connections: {done} submissions in {wall:.1f} s"
    )
    print(
        f"throughput {done / wall:.0f} submissions/s; latency p50 {figures['p50_ms']:.0f} ms, "
        f"p95 {figures['p95_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, "
        f"mean {figures['mean_ms']:.0f} ms; failures {failures}"
    )
    per = {name: (after[name] - before.get(name, 0)) * 1000 / max(done, 1) for name in after}
    print(
        f"CPU per submission: web workers {per.get('gunicorn', 0):.1f} ms, "
        f"PostgreSQL {per.get('postgres', 0):.1f} ms "
        f"(machine load average {os.getloadavg()[0]:.1f})"
    )
    if done >= figures["tokens"]:
        print("warning: the run used up every token (later requests were repeats); raise N")
    stored = Response.objects.filter(invitation_id__in=ids).count()
    completed = Invitation.objects.filter(pk__in=ids, state="completed").count()
    answers = Answer.objects.filter(response__invitation_id__in=ids).count()
    print(f"stored: {stored} responses, {completed} invitations completed, {answers} answers")
    return 0 if failures == 0 and stored == completed >= done else 1


if __name__ == "__main__":
    sys.exit(main())
