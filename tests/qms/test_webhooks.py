"""Webhooks out: registered in a page (events picked in words) or the API, emitted by the
apps' services, delivered to a real HTTP receiver on 127.0.0.1 — each event once, signed
with the endpoint's secret, retried with backoff, switched off after repeated failures
with a notice to the quality managers."""

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from actions import services as action_services
from qms import webhooks
from qms.api.webhooks import WebhookEndpointSerializer
from qms.models import Message, WebhookDelivery, WebhookEndpoint
from tests.actions.factories import make_complaint, open_action
from tests.satisfaction.factories import (
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread; answers with the next of `statuses`
    (the last one repeats) and keeps what it received."""

    def __init__(self):
        self.received, self.statuses = [], [200]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))
                code = (
                    receiver.statuses.pop(0)
                    if len(receiver.statuses) > 1
                    else (receiver.statuses[0])
                )
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def verify(secret, headers, body) -> bool:
    parts = dict(p.split("=", 1) for p in headers["X-QMS-Signature"].split(","))
    mac = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


def test_the_page_registers_with_events_in_words_and_shows_the_secret_once(
    client_for, quality_manager, receiver
):
    client = client_for(quality_manager)
    form = client.get("/webhooks/new/").content.decode()
    assert "A complaint is registered" in form and 'type="checkbox"' in form
    refused = client.post("/webhooks/new/", {"url": receiver.url})
    assert "Pick at least one event." in refused.content.decode()
    bad = client.post(
        "/webhooks/new/", {"url": "ftp://example.org/", "events": ["complaint.opened"]}
    )
    assert bad.status_code == 200 and not WebhookEndpoint.objects.exists()
    made = client.post(
        "/webhooks/new/",
        {"url": receiver.url, "events": ["complaint.opened", "complaint.closed"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert made["Location"] == f"/webhooks/{endpoint.pk}/"
    first = client.get(made["Location"]).content.decode()
    assert endpoint.secret in first
    assert "A complaint is closed" in first
    assert endpoint.secret not in client.get(made["Location"]).content.decode()
    assert receiver.url in client.get("/webhooks/").content.decode()


def test_pages_are_for_quality_managers(client_for, viewer, front_desk_head):
    endpoint = webhooks.endpoint_create(url="http://127.0.0.1:9/x", events=["complaint.opened"])
    for person in (viewer, front_desk_head):
        client = client_for(person)
        assert client.get("/webhooks/").status_code == 403
        assert client.get(f"/webhooks/{endpoint.pk}/").status_code == 403
        assert client.post(f"/webhooks/{endpoint.pk}/secret/").status_code == 403


def test_events_are_delivered_once_signed(quality_manager, front_desk, receiver):
    endpoint = webhooks.endpoint_create(
        url=receiver.url,
        events=["complaint.opened", "response.received", "followup.opened"],
    )
    complaint = make_complaint(department=front_desk)
    answered(running_wave(published_survey()), {"nps": 1}, customer=consenting_customer())
    assert webhooks.deliveries_process_due() == 3
    assert webhooks.deliveries_process_due() == 0  # each event once
    events = {}
    for headers, body in receiver.received:
        assert verify(endpoint.secret, headers, body)
        assert not verify("another secret", headers, body)
        payload = json.loads(body)
        assert payload["event"] == headers["X-QMS-Event"]
        assert payload["id"] == headers["X-QMS-Delivery"]
        events[payload["event"]] = payload["data"]
    assert set(events) == {"complaint.opened", "response.received", "followup.opened"}
    assert events["complaint.opened"]["reference"] == complaint.reference
    assert events["followup.opened"]["response"] == events["response.received"]["id"]
    endpoint.refresh_from_db()
    assert endpoint.last_status == 200 and endpoint.failures_in_row == 0
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_action_status_change_and_unsubscribed_events(
    quality_manager, front_desk, front_desk_head, receiver
):
    webhooks.endpoint_create(url=receiver.url, events=["action.status_changed"])
    make_complaint(department=front_desk)  # not subscribed: no delivery
    action = open_action(actor=quality_manager, department=front_desk, owner=front_desk_head)
    action_services.action_transition(actor=quality_manager, action=action, to="containment")
    webhooks.deliveries_process_due()
    [(headers, body)] = receiver.received
    data = json.loads(body)["data"]
    assert (data["from_status"], data["status"]) == ("open", "containment")
    assert data["reference"] == action.reference


def test_a_failure_is_retried_with_backoff_and_the_same_event_id(quality_manager, receiver):
    receiver.statuses = [500, 200]
    endpoint = webhooks.endpoint_create(url=receiver.url, events=["complaint.opened"])
    with_event = webhooks.emit("complaint.opened", {"id": 1})
    assert with_event == 1
    start = timezone.now()
    webhooks.deliveries_process_due(now=start)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1 and delivery.last_status == 500
    wait = (delivery.next_action_at - timezone.now()).total_seconds()
    assert 50 < wait <= 60
    assert webhooks.deliveries_process_due(now=start + dt.timedelta(seconds=30)) == 0
    webhooks.deliveries_process_due(now=start + dt.timedelta(seconds=61))
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempts == 2
    ids = {headers["X-QMS-Delivery"] for headers, _body in receiver.received}
    assert len(receiver.received) == 2 and ids == {str(delivery.event_id)}
    endpoint.refresh_from_db()
    assert endpoint.failures_in_row == 0 and endpoint.last_status == 200


def test_repeated_failures_switch_the_endpoint_off_and_tell_the_quality_manager(
    quality_manager, receiver, settings, client_for
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    receiver.statuses = [503]
    endpoint = webhooks.endpoint_create(url=receiver.url, events=["complaint.opened"])
    webhooks.emit("complaint.opened", {"id": 1})
    webhooks.emit("complaint.opened", {"id": 2})
    now = timezone.now()
    for minutes in (0, 2, 5, 10, 20):
        webhooks.deliveries_process_due(now=now + dt.timedelta(minutes=minutes))
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at is not None
    assert endpoint.failures_in_row == 3 and len(receiver.received) == 3
    notice = Message.objects.get(kind="webhook_disabled")
    assert notice.recipient == quality_manager.email and receiver.url in notice.subject
    assert not WebhookDelivery.objects.filter(next_action_at__isnull=False).exists()
    # No new deliveries for a switched-off endpoint; switched on, the waiting ones go.
    assert webhooks.emit("complaint.opened", {"id": 3}) == 0
    receiver.statuses = [200]
    webhooks.endpoint_update(endpoint=endpoint, is_active=True)
    webhooks.deliveries_process_due()
    assert WebhookDelivery.objects.filter(state="delivered").count() == 2
    page = client_for(quality_manager).get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert "200" in page and "Delivered" in page


def test_the_api(api_client_for, quality_manager, viewer, receiver):
    api = api_client_for(quality_manager)
    events = api.get("/api/webhooks/events/").json()
    assert [e["key"] for e in events] == webhooks.webhook_events.keys()
    # The schema's enum of events is the registry's.
    field = WebhookEndpointSerializer().fields["events"].child
    assert sorted(field.choices) == sorted(webhooks.webhook_events.keys())
    made = api.post(
        "/api/webhooks/", {"url": receiver.url, "events": ["complaint.closed"]}, format="json"
    )
    assert made.status_code == 201, made.content
    secret = made.json()["secret"]
    assert secret == WebhookEndpoint.objects.get().secret
    pk = made.json()["id"]
    assert "secret" not in api.get(f"/api/webhooks/{pk}/").json()
    assert (
        api.post("/api/webhooks/", {"url": receiver.url, "events": []}, format="json").status_code
        == 400
    )
    assert (
        api.patch(f"/api/webhooks/{pk}/", {"is_active": False}, format="json").json()["is_active"]
        is False
    )
    webhooks.endpoint_update(endpoint=WebhookEndpoint.objects.get(), is_active=True)
    webhooks.emit("complaint.closed", {"id": 9})
    webhooks.deliveries_process_due()
    log = api.get(f"/api/webhooks/{pk}/deliveries/").json()["results"]
    assert [(d["event"], d["state"], d["last_status"]) for d in log] == [
        ("complaint.closed", "delivered", 200)
    ]
    assert api.post(f"/api/webhooks/{pk}/secret/").json()["secret"] != secret
    reader = api_client_for(viewer)
    assert reader.get("/api/webhooks/").status_code == 403
    assert api.delete(f"/api/webhooks/{pk}/").status_code == 204
