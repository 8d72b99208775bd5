"""Operations: /healthz, /readyz, /metrics, request ids, log lines without secrets."""

import io
import json
import logging
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from qms import observability, services
from qms.models import Message, ScannerRun
from qms.views import health
from tests.factories import MessageFactory, QualityManagerFactory
from tests.satisfaction.factories import sent_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanner_ran():
    observability.record_scanner_run(health.SCANNER_TASK)


def test_healthz_answers_without_the_database_or_a_known_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_every_check_passes(client, scanner_ran):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == dict.fromkeys(
        ["database", "broker", "migrations", "scanner", "outbox"], "ok"
    )
    assert set(body) == {"status", "checks", "ms"}  # no counts, no names, no addresses


def test_readyz_fails_when_the_scanner_has_not_run_lately(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["scanner"] == "fail"
    ScannerRun.objects.create(
        task=health.SCANNER_TASK, finished_at=timezone.now() - health.scanner_grace() * 2
    )
    assert client.get("/readyz").json()["checks"]["scanner"] == "fail"


def test_readyz_fails_when_the_backlog_is_over_the_threshold(client, settings, scanner_ran):
    settings.READYZ_MAX_BACKLOG = 2
    for _ in range(3):
        MessageFactory(next_action_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "ok",
        "migrations": "ok",
        "scanner": "ok",
        "outbox": "fail",
    }
    assert "@" not in response.content.decode()


def test_readyz_reports_a_broker_that_does_not_answer(client, scanner_ran):
    def refused():
        raise OSError("connection refused")

    with mock.patch.dict(health.CHECKS, broker=refused):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "fail"


def test_the_scanner_task_records_its_run():
    from qms.tasks import send_due_messages_task

    assert not ScannerRun.objects.exists()
    send_due_messages_task.apply()
    run = ScannerRun.objects.get(task="qms.send_due_messages")
    assert timezone.now() - run.finished_at < timezone.timedelta(minutes=1)


# --- Metrics ---------------------------------------------------------------------------


def test_metrics_are_read_from_loopback(client):
    MessageFactory(next_action_at=timezone.now() - timezone.timedelta(minutes=5))
    MessageFactory(status=Message.Status.SENT, next_action_at=None)
    client.get("/healthz")
    QualityManagerFactory(username="qm")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert "qms_outbox_backlog 1.0" in text
    oldest = next(line for line in text.splitlines() if line.startswith("qms_outbox_oldest_due"))
    assert 290 < float(oldest.split()[1]) < 400
    assert 'qms_emails_total{state="sent"} 1.0' in text
    assert "django_http_requests_total_by_view_transport_method_total" in text
    assert "django_db_execute_total" in text
    assert "qms_celery_tasks_total" in text or "qms_celery_task_seconds" in text


def test_metrics_answer_on_gunicorns_own_address_and_the_registry_page_stays(
    client_for, quality_manager
):
    assert Client().get("/metrics", HTTP_HOST="10.1.2.3:8000").status_code == 200
    page = client_for(quality_manager).get("/metrics/")
    assert page.status_code == 200 and b"<html" in page.content


def test_metrics_are_refused_to_other_addresses_without_the_token(settings):
    outside = Client(REMOTE_ADDR="203.0.113.9")
    assert outside.get("/metrics").status_code == 403
    settings.METRICS_TOKEN = "scrape-token-0123456789"
    assert outside.get("/metrics").status_code == 403
    response = outside.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
    assert response.status_code == 200
    settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
    assert outside.get("/metrics").status_code == 200


def test_metrics_behind_the_proxy_use_the_clients_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx on loopback forwarding an outside client: refused.
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert proxied.get("/metrics").status_code == 403


def test_a_submission_counts_in_the_metrics(client):
    before = observability.SUBMISSIONS._value.get()
    _invitation, token = sent_invitation()
    answers = {"q_nps": "9", "q_csat": "5", "q_contact": "1", "action": "submit"}
    assert client.post(f"/s/{token}/", answers).status_code in (200, 302)
    assert observability.SUBMISSIONS._value.get() == before + 1


# --- Request ids and logs --------------------------------------------------------------


def test_each_response_carries_a_request_id_and_nginx_s_is_kept(client):
    first = client.get("/healthz/".rstrip("/") + "x")  # any page: a 404 has one too
    assert len(first["X-Request-ID"]) == 32
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID="0123456789abcdef0123")
    assert response["X-Request-ID"] == "0123456789abcdef0123"
    odd = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>")
    assert odd["X-Request-ID"] != "<script>"


def test_a_task_queued_by_a_request_carries_its_id():
    headers = {}
    token = observability.request_id_var.set("feedfacefeedface")
    try:
        observability._before_publish(headers=headers)
    finally:
        observability.request_id_var.reset(token)
    assert headers[observability.HEADER] == "feedfacefeedface"

    class Task:
        name = "qms.send_message"

        class request:  # noqa: N801 - Celery's attribute
            qms_request_id = "feedfacefeedface"

    seen = {}
    observability._task_prerun(task_id="t1", task=Task)
    seen["inside"] = observability.request_id_var.get()
    observability._task_postrun(task_id="t1", task=Task, state="SUCCESS")
    assert seen["inside"] == "feedfacefeedface"
    assert observability.request_id_var.get() == ""


@pytest.fixture
def json_log():
    """The portal's own log configuration (JSON, redacting), writing to a buffer."""
    config = observability.logging_config(json=True, level="INFO")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    formatter = config["formatters"]["main"]
    from pythonjsonlogger.json import JsonFormatter

    handler.setFormatter(
        JsonFormatter(formatter["fmt"], rename_fields=formatter["rename_fields"], timestamp=False)
    )
    handler.addFilter(observability.RedactFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_logs_hold_no_tokens_passwords_or_customer_addresses(client, json_log):
    manager = QualityManagerFactory(username="qm", email="quality.manager@example.com")
    invitation, token = sent_invitation()
    customer_email = invitation.customer.email
    assert customer_email

    # A customer opens and answers the personal link.
    client.get(f"/s/{token}/")
    client.post(f"/s/{token}/", {"q_nps": "3", "q_csat": "2", "action": "submit"})
    # A sign-in (the password is in the form), a password reset (the token in its link).
    Client().post("/accounts/login/", {"username": "qm", "password": "s3cret-Pa55word!"})
    Client().post("/accounts/password/reset/", {"email": manager.email})
    reset_link = next(m.body for m in mail.outbox if "/accounts/password/reset/" in m.body)
    reset_path = reset_link.split("http://testserver")[-1].split()[0]
    Client().get(reset_path)
    # An e-mail the SMTP server refuses (its error quotes the address).
    message = services.message_queue(
        key="ops-test", kind="test", recipient=customer_email, subject="Hello", body="Hi"
    )
    refused = smtplib.SMTPRecipientsRefused({customer_email: (550, b"no such user")})
    with mock.patch("qms.services.deliver", side_effect=refused):
        services.message_send(message_id=message.pk)

    text = json_log.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    requests = [line for line in lines if line["message"] == "request"]
    assert {r["route"] for r in requests} >= {"/s/<str:token>/", "/accounts/login/"}
    assert all(len(r["request_id"]) == 32 for r in requests)
    assert any(line["level"] == "WARNING" and "[e-mail]" in line["message"] for line in lines)
    reset_token = reset_path.rstrip("/").split("/")[-1]
    for secret in (token, customer_email, manager.email, "s3cret-Pa55word!", reset_token):
        assert secret not in text, secret


def test_sentry_is_off_without_a_dsn_and_sends_no_personal_data_with_one():
    with mock.patch("sentry_sdk.init") as init:
        observability.init_sentry("", environment="production", traces=0.0)
        assert not init.called
        observability.init_sentry(
            "https://key@sentry.example.com/1", environment="staging", traces=0.0
        )
    kwargs = init.call_args.kwargs
    assert kwargs["dsn"] == "https://key@sentry.example.com/1"
    assert kwargs["send_default_pii"] is False
    assert kwargs["environment"] == "staging"
