"""Benchmark: survey submissions under gunicorn on 127.0.0.1 (a bounded load test).

Creates N sent invitations with known tokens, starts gunicorn (gthread workers), posts
one completed questionnaire per token from several client processes, and prints the
throughput and latency percentiles, then checks that every answer was stored once.
Target: at least 200 submissions/s with p99 under 100 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_c \\
        .venv/bin/python bench/satisfaction_submit.py [N] [client processes] [port]
"""

import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from satisfaction_support.common import ROOT, ensure_customers, setup  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 8
PORT = int(sys.argv[3]) if len(sys.argv) > 3 else 8003
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "4"))


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
    try:
        if not wait_for(PORT):
            print("gunicorn did not start")
            return 1
        # Warm up every worker (imports, connections) with tokens not counted below.
        warm, tokens = tokens[: 4 * WORKERS * THREADS], tokens[4 * WORKERS * THREADS :]
        client((warm, PORT))
        shares = [tokens[i::CLIENTS] for i in range(CLIENTS)]
        start = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(CLIENTS) as pool:
            results = pool.map(client, [(share, PORT) for share in shares])
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies = sorted(ms * 1000 for result in results for ms in result[0])
    failures = sum(result[1] for result in results)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    print(
        f"gunicorn {WORKERS} workers x {THREADS} threads, {CLIENTS} client processes, "
        f"{len(latencies)} submissions in {wall:.1f} s"
    )
    print(
        f"throughput {len(latencies) / wall:.0f} submissions/s; latency p50 {pct(50):.0f} ms, "
        f"p95 {pct(95):.0f} ms, p99 {pct(99):.0f} ms, mean {statistics.mean(latencies):.0f} ms; "
        f"failures {failures}"
    )
    stored = Response.objects.filter(invitation_id__in=ids).count()
    completed = Invitation.objects.filter(pk__in=ids, state="completed").count()
    answers = Answer.objects.filter(response__invitation_id__in=ids).count()
    print(f"stored: {stored} responses, {completed} invitations completed, {answers} answers")
    return 0 if failures == 0 and stored == len(ids) else 1


if __name__ == "__main__":
    sys.exit(main())
