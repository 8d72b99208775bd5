"""The outbox: every e-mail is recorded once per key and sent once, whatever retries do."""

import datetime as dt
import itertools

import pytest
from django.db.models import F
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


def _break_delivery(monkeypatch, exc):
    def broken(email):
        raise exc

    monkeypatch.setattr("qms.services.deliver", broken)


def test_a_transport_error_is_recorded_and_retried_later(monkeypatch, mailoutbox):
    message = MessageFactory()
    _break_delivery(monkeypatch, ConnectionRefusedError("SMTP server down"))
    before = timezone.now()
    assert services.message_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert "SMTP server down" in message.last_error
    assert message.next_action_at > before + dt.timedelta(minutes=1)


def test_a_message_that_keeps_failing_ends_as_failed(monkeypatch):
    message = MessageFactory(attempts=services.MESSAGE_MAX_ATTEMPTS - 1)
    _break_delivery(monkeypatch, ZeroDivisionError("boom"))
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.next_action_at is None


def test_every_attempt_carries_the_same_message_id_header(monkeypatch, mailoutbox):
    message = MessageFactory()
    _break_delivery(monkeypatch, ConnectionRefusedError("down"))
    services.message_send(message_id=message.pk)
    message.refresh_from_db()
    first_header = message.message_id
    assert first_header.startswith("<") and first_header.endswith(">")
    monkeypatch.undo()
    assert services.message_send(message_id=message.pk) is True
    message.refresh_from_db()
    assert message.message_id == first_header
    assert mailoutbox[0].extra_headers["Message-ID"] == first_header
    assert mailoutbox[0].message()["Message-ID"] == first_header


def test_the_sending_state_is_committed_before_the_email_leaves(monkeypatch, mailoutbox):
    """What the database holds while the mail server has the e-mail: "being sent", with
    an attempt id, and the lease of the batch."""
    message = MessageFactory()
    seen = []

    def watching(email):
        seen.append(Message.objects.values("status", "attempt_id", "attempts").get(pk=message.pk))

    monkeypatch.setattr("qms.services.deliver", watching)
    services.message_send(message_id=message.pk)
    assert seen[0]["status"] == Message.Status.SENDING
    assert len(seen[0]["attempt_id"]) == 32
    assert seen[0]["attempts"] == 1


def test_one_batch_sends_due_messages_over_one_connection(monkeypatch, mailoutbox):
    from django.core.mail.backends.locmem import EmailBackend

    opened = []
    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(self) or True)
    MessageFactory.create_batch(5, next_action_at=timezone.now() - dt.timedelta(seconds=1))
    MessageFactory(next_action_at=timezone.now() + dt.timedelta(hours=1))  # not yet due
    counts = services.messages_send_batch(limit=100)
    assert counts == {"sent": 5}
    assert len(mailoutbox) == 5
    assert len(opened) == 1
    assert services.messages_send_batch(limit=100) == {}


def test_the_scanner_task_sends_everything_due_in_bounded_batches(monkeypatch, mailoutbox):
    monkeypatch.setattr(services, "MESSAGE_BATCH", 2)
    MessageFactory.create_batch(5, next_action_at=timezone.now())
    assert tasks.send_due_messages_task() == 5
    assert tasks.send_due_messages_task() == 0  # a second beat: nothing left
    assert len(mailoutbox) == 5
    assert Message.objects.filter(status=Message.Status.SENT).count() == 5


def test_a_batch_keeps_its_lease_alive_while_it_runs(monkeypatch, mailoutbox):
    """A slow batch pushes its lease on, so a second scanner does not take its rows."""
    monkeypatch.setattr(services, "MESSAGE_LEASE", dt.timedelta(seconds=4))
    messages = MessageFactory.create_batch(3, next_action_at=timezone.now())
    clock = itertools.count(0, 2)  # each look at the clock: two seconds later
    monkeypatch.setattr(services, "_clock", lambda: next(clock))
    extended = []
    real_extend = services._lease_extend
    monkeypatch.setattr(
        services, "_lease_extend", lambda owner: extended.append(real_extend(owner))
    )
    services.messages_send_batch()
    assert extended and extended[0] >= 1  # the lease of the rows still to send moved on
    assert len(mailoutbox) == 3
    assert {m.status for m in Message.objects.filter(pk__in=[m.pk for m in messages])} == {"sent"}


def test_a_lease_not_extended_runs_out_in_about_a_minute_and_the_rows_are_sent():
    """A batch that died after leasing its rows: nobody extends the lease, and a scan a
    minute later sends them (not ten minutes later)."""
    assert dt.timedelta(seconds=45) <= services.MESSAGE_LEASE <= dt.timedelta(seconds=90)
    MessageFactory.create_batch(3, next_action_at=timezone.now())
    now = timezone.now()
    assert len(services._claim(owner="dead-worker", limit=10, now=now)) == 3
    assert services.messages_send_batch() == {}  # leased: not handed out again
    # One lease later (and nobody extended it):
    Message.objects.update(
        next_action_at=F("next_action_at") - services.MESSAGE_LEASE - dt.timedelta(seconds=1)
    )
    assert services.messages_send_batch() == {"sent": 3}


def test_a_customer_email_left_being_sent_becomes_uncertain_never_resent(mailoutbox):
    past = timezone.now() - dt.timedelta(seconds=1)
    invitation = MessageFactory(
        kind="survey_invitation", status=Message.Status.SENDING, next_action_at=past, attempts=1
    )
    alert = MessageFactory(
        kind="survey_follow_up", status=Message.Status.SENDING, next_action_at=past, attempts=1
    )
    live = MessageFactory(
        kind="survey_invitation",
        status=Message.Status.SENDING,
        next_action_at=timezone.now() + dt.timedelta(minutes=1),
    )
    assert tasks.send_due_messages_task() == 1  # the alert, again
    invitation.refresh_from_db()
    alert.refresh_from_db()
    live.refresh_from_db()
    assert invitation.status == Message.Status.UNCERTAIN
    assert "may or may not have been sent" in invitation.last_error
    assert alert.status == Message.Status.SENT
    assert live.status == Message.Status.SENDING  # its batch still holds the lease
    assert [m.to for m in mailoutbox] == [[alert.recipient]]


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


def test_a_refused_recipient_fails_at_once_and_failure_handlers_hear_of_it(monkeypatch):
    import smtplib

    heard = []
    monkeypatch.setattr(services, "_FAILURE_HANDLERS", [])
    services.on_message_failed("welcome:")(lambda message: heard.append(message.key))
    services.on_message_failed("other:")(lambda message: heard.append("wrong handler"))
    message = MessageFactory(key="welcome:7")

    def refused(*args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})

    monkeypatch.setattr("qms.services.deliver", refused)
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
    _break_delivery(monkeypatch, ZeroDivisionError("boom"))
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


def test_a_quality_manager_resends_an_uncertain_email_after_confirming(
    client_for, quality_manager, mailoutbox, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    message = MessageFactory(
        kind="survey_invitation", status=Message.Status.UNCERTAIN, next_action_at=None
    )
    client = client_for(quality_manager)
    log = client.get(reverse("qms:message-list"))
    assert b'data-testid="uncertain-alert"' in log.content
    resend = reverse("qms:message-resend", args=[message.pk])
    assert resend.encode() in log.content
    # The confirmation page says what happened and what the choice does
    confirm = client.get(resend)
    assert confirm.status_code == 200
    assert b"nobody knows whether it arrived" in confirm.content
    assert message.recipient.encode() in confirm.content
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(resend)
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert tasks.send_due_messages_task() == 1
    assert [m.to for m in mailoutbox] == [[message.recipient]]
    # Decided once: a second post changes nothing and says so
    response = client.post(resend, follow=True)
    assert b"no longer uncertain" in response.content


def test_an_uncertain_email_can_be_recorded_as_sent_without_sending(
    client_for, quality_manager, mailoutbox
):
    from django.urls import reverse

    message = MessageFactory(kind="complaint_ack", status=Message.Status.UNCERTAIN)
    client = client_for(quality_manager)
    response = client.post(reverse("qms:message-mark-sent", args=[message.pk]), follow=True)
    assert b"recorded as sent" in response.content
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert "Recorded as sent by" in message.last_error
    assert tasks.send_due_messages_task() == 0
    assert mailoutbox == []


def test_only_a_quality_manager_decides_about_uncertain_emails(client_for, front_desk_head, viewer):
    from django.urls import reverse

    message = MessageFactory(kind="survey_invitation", status=Message.Status.UNCERTAIN)
    for person in (front_desk_head, viewer):
        client = client_for(person)
        assert client.post(reverse("qms:message-resend", args=[message.pk])).status_code == 403
        assert client.get(reverse("qms:message-mark-sent", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.status == Message.Status.UNCERTAIN
