"""The system page: the outbox backlog, the scanners' last runs, failed e-mails with
their reason and a confirmed retry."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from qms import observability, services
from qms.models import Message
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db

URL = "/system/"


def failed(**fields):
    return MessageFactory(
        status=Message.Status.FAILED,
        attempts=5,
        next_action_at=None,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
        **fields,
    )


def test_the_quality_manager_sees_backlog_scanner_and_failed_emails(client_for, quality_manager):
    client = client_for(quality_manager)
    MessageFactory(next_action_at=timezone.now() - dt.timedelta(minutes=12))
    MessageFactory(next_action_at=timezone.now() + dt.timedelta(hours=1))  # not due yet
    failed(recipient="wrong@example.com", subject="Your survey")
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="display-6 mb-1">1</p>' in html
    assert "The oldest has waited 12" in html
    assert "Has not run yet." in html and "Late:" in html
    assert "wrong@example.com" in html and "mailbox unavailable" in html
    assert reverse("qms:message-retry", args=[Message.objects.get(status="failed").pk]) in html

    observability.record_scanner_run("qms.send_due_messages")
    html = client.get(URL).content.decode()
    assert "On time." in html and "qms.send_due_messages" in html


def test_empty_states(client_for, quality_manager):
    html = client_for(quality_manager).get(URL).content.decode()
    assert "Nothing is waiting." in html
    assert "No e-mail has failed." in html
    assert "No scanner has finished yet." in html


def test_the_message_log_links_to_the_system_page(client_for, quality_manager):
    html = client_for(quality_manager).get(reverse("qms:message-list")).content.decode()
    assert f'href="{URL}"' in html


@pytest.mark.parametrize("role", ["viewer", "front_desk_head", "front_desk_staff"])
def test_only_quality_managers_see_it_or_retry(client_for, request, role):
    client = client_for(request.getfixturevalue(role))
    message = failed()
    assert client.get(URL).status_code in (403, 404)
    retry = reverse("qms:message-retry", args=[message.pk])
    assert client.post(retry).status_code in (403, 404)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED


def test_retry_asks_first_then_sends_again(
    client_for, quality_manager, django_capture_on_commit_callbacks
):
    client = client_for(quality_manager)
    message = failed(recipient="fixed@example.com", subject="Your survey")
    url = reverse("qms:message-retry", args=[message.pk])
    page = client.get(url).content.decode()
    assert "Your survey" in page and "to fixed@example.com again?" in page
    assert "mailbox unavailable" in page
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED  # asking changed nothing

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == URL
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.PENDING, 0)
    assert services.message_send(message_id=message.pk)
    assert mail.outbox[-1].to == ["fixed@example.com"]


def test_a_message_that_did_not_fail_is_not_retried(client_for, quality_manager):
    message = MessageFactory(status=Message.Status.SENT, next_action_at=None)
    response = client_for(quality_manager).post(
        reverse("qms:message-retry", args=[message.pk]), follow=True
    )
    assert "Only an e-mail that failed can be sent again." in response.content.decode()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_the_page_costs_the_same_queries_with_many_failures(
    client_for, quality_manager, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    failed()
    client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(30):
        failed()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)
