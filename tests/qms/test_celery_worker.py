"""A real Celery worker and beat, started as processes, against the configured broker:
Redis when REDIS_URL is set (the CI run), the embedded filesystem broker otherwise."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from qms.models import Message
from tests.factories import MessageFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url_for_worker() -> str:
    """The URL of the test database this run created, for the worker processes."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


@pytest.fixture(scope="module")
def celery_processes(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start one worker and one beat on a queue of their own; stop them afterwards."""
    with django_db_blocker.unblock():
        database_url = database_url_for_worker()
    queue = f"qms-test-{uuid.uuid4().hex[:8]}"
    logs = tmp_path_factory.mktemp("celery")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_QUEUE": queue,
        "MESSAGE_SCAN_SECONDS": "1",
    }
    celery = [sys.executable, "-m", "celery", "-A", "qms"]
    worker_log = open(logs / "worker.log", "w")  # noqa: SIM115
    beat_log = open(logs / "beat.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [*celery, "worker", "--pool=solo", "--loglevel=info", "--without-mingle",
         "--without-gossip", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    beat = subprocess.Popen(
        [*celery, "beat", "--loglevel=info", f"--schedule={logs / 'beat-schedule'}"],
        cwd=ROOT, env=env, stdout=beat_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield {"queue": queue, "worker_log": logs / "worker.log", "beat_log": logs / "beat.log"}
    for process in (beat, worker):
        process.terminate()
    for process in (beat, worker):
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    worker_log.close()
    beat_log.close()


def wait_until_sent(message, celery_processes, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status == Message.Status.SENT:
            return
        time.sleep(0.25)
    raise AssertionError(
        f"message still {message.status} after {timeout}s\n--- worker log ---\n"
        + celery_processes["worker_log"].read_text()[-4000:]
        + "\n--- beat log ---\n"
        + celery_processes["beat_log"].read_text()[-2000:]
    )


def test_the_broker_in_use_is_the_configured_one():
    if os.environ.get("REDIS_URL"):
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    else:
        assert settings.CELERY_BROKER_URL == "filesystem://"


def test_a_task_sent_through_the_broker_is_executed_by_a_worker(celery_processes):
    from qms.celery import app

    message = MessageFactory(next_action_at=None)  # not due: only the sent task can deliver it
    app.send_task("qms.send_message", args=[message.pk], queue=celery_processes["queue"])
    wait_until_sent(message, celery_processes)
    assert message.attempts == 1


def test_beat_runs_the_scanner_which_delivers_a_due_message(celery_processes):
    message = MessageFactory()  # due now; nobody kicks it: beat's scanner must find it
    wait_until_sent(message, celery_processes)
    assert "qms.send_due_messages" in celery_processes["beat_log"].read_text()
