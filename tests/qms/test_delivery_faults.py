"""Delivery when processes die (issue 19): a sending worker SIGKILLed in the middle of a
batch, a broker that accepts connections and never answers, a lease nobody extends."""

import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from qms import services
from qms.models import Message
from tests.factories import MessageFactory
from tests.qms.test_celery_worker import database_url_for_worker

ROOT = Path(__file__).resolve().parents[2]


def run_worker(mail_log: Path, *, pause: float, lease: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.test",
        "DATABASE_URL": database_url_for_worker(),
        "DELIVERY_MAIL_LOG": str(mail_log),
        "DELIVERY_PAUSE": str(pause),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.qms.delivery_worker", str(mail_log), str(pause), str(lease)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_never_emails_a_customer_twice(tmp_path, client_for):
    """SIGKILL a real worker process while an e-mail is with the mail server: after the
    lease runs out a second worker finishes the batch; no customer e-mail left twice,
    every message is sent or "uncertain", and the uncertain one is on the message log."""
    from tests.factories import QualityManagerFactory

    start = timezone.now() - dt.timedelta(minutes=1)
    customers = [
        MessageFactory(
            kind="survey_invitation",
            recipient=f"guest{n}@example.com",
            next_action_at=start + dt.timedelta(milliseconds=n),
        )
        for n in range(30)
    ]
    alerts = MessageFactory.create_batch(3, kind="survey_follow_up", next_action_at=timezone.now())
    mail_log = tmp_path / "mail.log"
    lease = 3.0
    worker = run_worker(mail_log, pause=0.3, lease=lease)
    try:
        wait_for(
            lambda: (
                Message.objects.filter(status="sent").count() >= 5
                and Message.objects.filter(status="sending").exists()
            ),
            timeout=90,
            what="the worker to be in the middle of its batch",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    in_flight = Message.objects.get(status="sending")
    assert Message.objects.filter(status="pending").exists()  # the rest of its batch
    # Nobody extends the dead worker's lease: a worker started after it ran out redoes the work.
    time.sleep(lease + 0.5)
    second = run_worker(mail_log, pause=0, lease=60)
    output, _ = second.communicate(timeout=120)
    assert second.returncode == 0, output

    lines = mail_log.read_text().split()
    recipients = Counter(lines[1::2])
    assert all(recipients[m.recipient] == 1 for m in customers), recipients.most_common(3)
    statuses = Counter(Message.objects.values_list("status", flat=True))
    assert set(statuses) <= {"sent", "uncertain"}
    in_flight.refresh_from_db()
    if in_flight.kind == "survey_invitation":
        assert in_flight.status == "uncertain"
        assert statuses["uncertain"] == 1
    assert all(recipients[a.recipient] >= 1 for a in alerts)
    # The person who looks after the outbox sees it, with a choice
    page = client_for(QualityManagerFactory()).get(
        reverse("qms:message-list"), {"status": "uncertain"}
    )
    assert [m.pk for m in page.context["message_log"]] == list(
        Message.objects.filter(status="uncertain").values_list("pk", flat=True)
    )
    if statuses["uncertain"]:
        assert b'data-testid="uncertain-alert"' in page.content
        assert reverse("qms:message-resend", args=[in_flight.pk]).encode() in page.content


class BlackHoleBroker:
    """A TCP server that accepts every connection and never says a word."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.server.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def black_hole_app(monkeypatch, settings):
    """qms.celery.app pointed at a broker that accepts connections and never answers,
    with the shipped broker options; kicks leave from the background thread as shipped."""
    from celery import Celery

    broker = BlackHoleBroker()
    app = Celery("black-hole", broker=f"redis://127.0.0.1:{broker.port}/0")
    app.conf.broker_transport_options = {
        "socket_connect_timeout": settings.BROKER_TIMEOUT,
        "socket_timeout": settings.BROKER_TIMEOUT,
    }
    app.conf.broker_connection_timeout = settings.BROKER_TIMEOUT
    calls = []
    real = app.send_task

    def watched(*args, **kwargs):
        calls.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(app, "send_task", watched)
    monkeypatch.setattr("qms.celery.app", app)
    settings.ENQUEUE_IN_BACKGROUND = True
    yield calls
    services.kicker.drain(timeout=20)
    broker.close()


@pytest.mark.django_db
def test_a_low_score_submit_never_touches_a_broker_that_does_not_answer(
    black_hole_app, client, django_capture_on_commit_callbacks, caplog, quality_manager
):
    """The follow-up alert's kick is handed to the background thread: the request thread
    makes no broker call, and the thread gives up after the bounded broker timeout."""
    from satisfaction.models import FollowUpCase
    from tests.satisfaction.factories import sent_invitation
    from tests.satisfaction.test_public_views import answers, url

    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = sent_invitation()
    services.kicker.drain(timeout=20)
    black_hole_app.clear()
    caplog.set_level(logging.WARNING, logger="qms.services")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url(token), answers())
    assert response.status_code == 200
    assert FollowUpCase.objects.count() == 1
    assert callbacks  # the alert asked for a kick on commit...
    assert threading.current_thread().name not in black_hole_app  # ...not from the request
    assert Message.objects.filter(kind="survey_follow_up", status="pending").exists()
    # The background thread's call is bounded by BROKER_TIMEOUT, then left to the scanner.
    assert services.kicker.drain(timeout=20)
    assert black_hole_app and set(black_hole_app) == {"qms-kicker"}
    assert "the scanner will pick it up" in caplog.text


def test_the_shipped_redis_broker_settings_bound_every_broker_call():
    """With REDIS_URL set, connecting to and reading from the broker give up after
    BROKER_TIMEOUT seconds (the kicker thread's calls, and a worker's), and requests hand
    their kicks to the background thread."""
    import json

    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.CELERY_BROKER_TRANSPORT_OPTIONS, s.CELERY_BROKER_CONNECTION_TIMEOUT,"
        " s.ENQUEUE_IN_BACKGROUND, s.DATABASES['default']['CONN_HEALTH_CHECKS']]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings.local",
        "REDIS_URL": "redis://127.0.0.1:6399/0",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    options, connect_timeout, background, health_checks = json.loads(out.strip().splitlines()[-1])
    assert options["socket_connect_timeout"] <= 5 and options["socket_timeout"] <= 5
    assert connect_timeout <= 5
    assert background is True
    assert health_checks is True
