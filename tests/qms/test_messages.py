"""The outbox: every e-mail is recorded once per key and sent once, whatever retries do."""

import datetime as dt

import pytest
from django.utils import timezone

from qms import services, tasks
from qms.models import Message
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_queueing_the_same_key_twice_keeps_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.message_queue(
            key="welcome:1", kind="welcome", recipient="a@example.com", subject="Hi", body="Hello"
        )
        second = services.message_queue(
            key="welcome:1", kind="welcome", recipient="a@example.com", subject="Hi", body="Hello"
        )
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert len(callbacks) == 1  # one kick for the one new row


def test_send_delivers_once_even_when_the_task_runs_twice(mailoutbox):
    message = MessageFactory(recipient="guest@example.com", subject="Your stay")
    assert tasks.send_message_task(message.pk) is True
    assert tasks.send_message_task(message.pk) is False
    assert [m.to for m in mailoutbox] == [["guest@example.com"]]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1


def test_send_of_a_missing_message_does_nothing(mailoutbox):
    assert tasks.send_message_task(999_999) is False
    assert mailoutbox == []


def test_a_transport_error_is_recorded_and_retried_later(monkeypatch, mailoutbox):
    message = MessageFactory()

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("qms.services.send_mail", broken)
    before = timezone.now()
    assert services.message_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert "SMTP server down" in message.last_error
    assert message.next_action_at > before + dt.timedelta(minutes=1)


def test_a_message_that_keeps_failing_ends_as_failed(monkeypatch):
    message = MessageFactory(attempts=services.MESSAGE_MAX_ATTEMPTS - 1)
    monkeypatch.setattr("qms.services.send_mail", lambda *a, **k: 1 / 0)
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.next_action_at is None


def test_scanner_hands_out_due_messages_once_per_lease(django_capture_on_commit_callbacks):
    due = MessageFactory(next_action_at=timezone.now() - dt.timedelta(minutes=1))
    MessageFactory(next_action_at=timezone.now() + dt.timedelta(hours=1))  # not yet due
    MessageFactory(status=Message.Status.SENT, next_action_at=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.send_due_messages_task() == 1
        # A second beat, a moment later: the row is leased, nothing is handed out again.
        assert tasks.send_due_messages_task() == 0
    assert len(callbacks) == 1
    due.refresh_from_db()
    assert due.next_action_at > timezone.now()


def test_scanner_and_sender_together_deliver_each_message_once(
    mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    sent_tasks = []
    monkeypatch.setattr(
        "qms.celery.app.send_task", lambda name, args, **kw: sent_tasks.append((name, args))
    )
    MessageFactory.create_batch(3, next_action_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_due_messages_task()
    # The worker runs each task, and a redelivery runs them all again.
    for _name, args in sent_tasks + sent_tasks:
        tasks.send_message_task(*args)
    assert len(mailoutbox) == 3
    assert Message.objects.filter(status=Message.Status.SENT).count() == 3


def test_scanner_batches_are_bounded():
    MessageFactory.create_batch(5, next_action_at=timezone.now())
    assert services.messages_dispatch_due(limit=2) == 2
    assert services.messages_dispatch_due(limit=2) == 2
    assert services.messages_dispatch_due(limit=2) == 1


def test_a_broker_outage_does_not_fail_the_request(
    client_for, quality_manager, front_desk, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """Adding a staff member queues a notification; with the broker unreachable the page
    still succeeds, the row waits in the outbox, and the scanner sends it later."""
    from celery import Celery

    from tests.factories import UserFactory

    person = UserFactory(email="new.staff@example.com")
    # A real Celery client whose broker does not answer (nothing listens on port 1).
    dead_broker = Celery("dead-broker", broker="redis://127.0.0.1:1/0")
    monkeypatch.setattr("qms.celery.app", dead_broker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(quality_manager).post(
            f"/departments/{front_desk.pk}/members/add/", {"user": person.pk}
        )
    assert response.status_code == 302
    message = Message.objects.get(recipient="new.staff@example.com")
    assert message.status == Message.Status.PENDING
    assert "the scanner will pick it up" in caplog.text


def test_one_scan_drains_more_than_one_batch(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks, "DISPATCH_BATCH", 2)
    MessageFactory.create_batch(5, next_action_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.send_due_messages_task() == 5
    assert len(callbacks) == 5


def test_a_refused_recipient_fails_at_once_and_failure_handlers_hear_of_it(monkeypatch):
    import smtplib

    heard = []
    monkeypatch.setattr(services, "_FAILURE_HANDLERS", [])
    services.on_message_failed("welcome:")(lambda message: heard.append(message.key))
    services.on_message_failed("other:")(lambda message: heard.append("wrong handler"))
    message = MessageFactory(key="welcome:7")

    def refused(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})

    monkeypatch.setattr("qms.services.send_mail", refused)
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 1)
    assert heard == ["welcome:7"]


def test_a_failing_handler_does_not_undo_the_failure_record(monkeypatch):
    monkeypatch.setattr(services, "_FAILURE_HANDLERS", [])

    def broken_handler(message):
        Message.objects.filter(pk=message.pk).update(subject="changed by the handler")
        raise RuntimeError("handler bug")

    services.on_message_failed("welcome:")(broken_handler)
    message = MessageFactory(key="welcome:8", attempts=services.MESSAGE_MAX_ATTEMPTS - 1)
    monkeypatch.setattr("qms.services.send_mail", lambda *a, **k: 1 / 0)
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.subject != "changed by the handler"  # the handler's savepoint rolled back


def test_message_log_filters_by_status_and_an_unknown_status_is_not_found(
    client_for, quality_manager
):
    from django.urls import reverse

    MessageFactory(subject="Sent one", status=Message.Status.SENT)
    MessageFactory(subject="Failed one", status=Message.Status.FAILED)
    client = client_for(quality_manager)
    response = client.get(reverse("qms:message-list"), {"status": "failed"})
    assert [m.subject for m in response.context["message_log"]] == ["Failed one"]
    assert response.context["status"] == "failed"
    assert response.context["statuses"] == Message.Status.choices
    everything = client.get(reverse("qms:message-list"))
    assert {m.subject for m in everything.context["message_log"]} == {"Sent one", "Failed one"}
    assert client.get(reverse("qms:message-list"), {"status": "bogus"}).status_code == 404
    assert client.get(reverse("qms:message-list"), {"status": ""}).status_code == 200
