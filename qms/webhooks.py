"""Webhooks out (docs/architecture.md, "Webhooks out").

The apps declare their events in a `webhooks.py` module found by name (qms/discovery.py)
with `webhook_events.add(key, label)`, and emit them from their services with
`emit(key, data)`; qms never imports them. `emit` writes one delivery row per active
endpoint subscribed to the event, in the caller's transaction (the event and its
deliveries commit or roll back together), and asks a worker to deliver on commit.

Delivery (`deliveries_process_due`, run by the `qms.deliver_webhooks` task and its beat
scanner): each due row is leased (its `next_action_at` moved past the request's
timeout), posted outside any transaction, and its answer recorded. A 2xx delivers; any
other answer or a network error is retried after 1, 2, 4, 8, 16… minutes (capped at six
hours) up to WEBHOOK_MAX_ATTEMPTS, then given up. WEBHOOK_DISABLE_AFTER failed attempts
in a row switch the endpoint off and e-mail the quality managers; switching it on again
resumes its waiting deliveries.

The request: `POST` of `{"id", "event", "created_at", "data"}` as JSON, with headers
`X-QMS-Event`, `X-QMS-Delivery` (the event id: the same on every retry, so a receiver
drops duplicates) and `X-QMS-Signature: t=<unix time>,v1=<hex>` where the hex is
HMAC-SHA256 of `<unix time>.<body>` keyed with the endpoint's secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import ApplicationError
from .models import User, WebhookDelivery, WebhookEndpoint
from .services import enqueue_on_commit, message_queue
from .webhook_models import new_secret
from .workflow import due_rows, lock

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 8))


def disable_after() -> int:
    return int(getattr(settings, "WEBHOOK_DISABLE_AFTER", 10))


# --- The registry of events ---------------------------------------------------------------


@dataclass(frozen=True)
class WebhookEvent:
    key: str
    label: object  # a lazy translation: what the event is, in words
    app_label: str


class WebhookEventRegistry:
    def __init__(self):
        self._events: dict[str, WebhookEvent] = {}

    def add(self, key: str, label, *, app_label: str) -> None:
        self._events[key] = WebhookEvent(key=key, label=label, app_label=app_label)

    def all(self) -> list[WebhookEvent]:
        return list(self._events.values())

    def has(self, key: str) -> bool:
        return key in self._events

    def keys(self) -> list[str]:
        return list(self._events)

    def choices(self) -> list[tuple[str, str]]:
        return [(e.key, e.label) for e in self._events.values()]

    def label(self, key: str) -> str:
        event = self._events.get(key)
        return str(event.label) if event else key


webhook_events = WebhookEventRegistry()


# --- Emitting -----------------------------------------------------------------------------


def emit(event: str, data: dict) -> int:
    """Queue `event` with `data` for every active endpoint subscribed to it, in the
    current transaction. Returns the number of deliveries written."""
    if not webhook_events.has(event):
        raise ValueError(f"Unknown webhook event {event!r}: add it in the app's webhooks.py.")
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(is_active=True).only("id", "events")
        if event in e.events
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    event_id = uuid.uuid4()
    body = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            event_id=event_id,
            payload=body,
            next_action_at=now,
            created_at=now,
        )
        for endpoint in endpoints
    )
    enqueue_on_commit("qms.deliver_webhooks")
    return len(endpoints)


# --- Endpoints ------------------------------------------------------------------------------


def _check_events(events) -> list[str]:
    known = webhook_events.keys()
    events = list(dict.fromkeys(events or []))
    unknown = [e for e in events if e not in known]
    if unknown:
        raise ApplicationError(_("Unknown events: %s") % ", ".join(unknown))
    if not events:
        raise ApplicationError(_("Pick at least one event."))
    return events


@transaction.atomic
def endpoint_create(
    *, url: str, events, description: str = "", created_by: User | None = None
) -> WebhookEndpoint:
    """A new endpoint with its own secret (shown once, to the person who created it)."""
    endpoint = WebhookEndpoint(
        url=url, events=_check_events(events), description=description, created_by=created_by
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    allowed = {"url", "events", "description", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %s") % ", ".join(unknown))
    endpoint = lock(endpoint)
    if "events" in fields:
        fields["events"] = _check_events(fields["events"])
    switched_on = fields.get("is_active") is True and not endpoint.is_active
    for name, value in fields.items():
        setattr(endpoint, name, value)
    if switched_on:
        endpoint.disabled_at = None
        endpoint.failures_in_row = 0
        # Its waiting deliveries go out again.
        endpoint.deliveries.filter(state=WebhookDelivery.State.PENDING).update(
            next_action_at=timezone.now()
        )
        enqueue_on_commit("qms.deliver_webhooks")
    elif fields.get("is_active") is False:
        endpoint.deliveries.filter(state=WebhookDelivery.State.PENDING).update(next_action_at=None)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_new_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint = lock(endpoint)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- Delivering -------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-QMS-Signature` header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS)
    )


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """(HTTP status or None, error text) of one attempt."""
    body = json.dumps(
        {
            "id": str(delivery.event_id),
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    # http(s) only: the endpoint's URL field allows no other scheme.
    request = urllib.request.Request(  # noqa: S310
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "QMS-portal-webhooks/1",
            "X-QMS-Event": delivery.event,
            "X-QMS-Delivery": str(delivery.event_id),
            "X-QMS-Signature": signature(endpoint.secret, int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


def _lease(*, limit: int, now: dt.datetime) -> list[int]:
    with transaction.atomic():
        rows = due_rows(
            WebhookDelivery.objects.filter(
                state=WebhookDelivery.State.PENDING, endpoint__is_active=True
            ),
            now=now,
            limit=limit,
        )
        ids = [row.pk for row in rows]
        WebhookDelivery.objects.filter(pk__in=ids).update(
            next_action_at=now + dt.timedelta(seconds=TIMEOUT_SECONDS * 3)
        )
    return ids


def _notify_disabled(endpoint: WebhookEndpoint) -> None:
    managers = (
        User.objects.filter(is_active=True)
        .filter(Q(role=User.Role.QUALITY_MANAGER) | Q(is_superuser=True))
        .exclude(email="")
    )
    for manager in managers:
        message_queue(
            key=f"webhook-disabled:{endpoint.pk}:{endpoint.disabled_at.timestamp()}:{manager.pk}",
            kind="webhook_disabled",
            recipient=manager.email,
            subject=_("Webhook switched off: %(url)s") % {"url": endpoint.url},
            body=_(
                "The webhook %(url)s failed %(n)s times in a row (last: %(error)s) and has "
                "been switched off. Its events wait; switch it on again once the receiver "
                "works:\n%(link)s\n"
            )
            % {
                "url": endpoint.url,
                "n": endpoint.failures_in_row,
                "error": endpoint.last_error or endpoint.last_status,
                "link": getattr(settings, "QMS_BASE_URL", "").rstrip("/")
                + reverse("qms:webhook-detail", args=[endpoint.pk]),
            },
        )


@transaction.atomic
def _record(delivery_id: int, status: int | None, error: str, now: dt.datetime) -> None:
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    endpoint = lock(delivery.endpoint)
    ok = status is not None and 200 <= status < 300
    delivery.attempts += 1
    delivery.last_status = status
    delivery.last_error = "" if ok else error or f"HTTP {status}"
    endpoint.last_status = status
    endpoint.last_error = delivery.last_error
    endpoint.last_attempt_at = now
    if ok:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = now
        delivery.next_action_at = None
        endpoint.failures_in_row = 0
    else:
        endpoint.failures_in_row += 1
        if delivery.attempts >= max_attempts():
            delivery.state = WebhookDelivery.State.FAILED
            delivery.next_action_at = None
        else:
            delivery.next_action_at = now + _backoff(delivery.attempts)
        if endpoint.is_active and endpoint.failures_in_row >= disable_after():
            endpoint.is_active = False
            endpoint.disabled_at = now
            endpoint.deliveries.filter(state=WebhookDelivery.State.PENDING).exclude(
                pk=delivery.pk
            ).update(next_action_at=None)
            if delivery.state == WebhookDelivery.State.PENDING:
                delivery.next_action_at = None
            _notify_disabled(endpoint)
    delivery.save()
    endpoint.save()


def deliveries_process_due(*, limit: int = 50, now: dt.datetime | None = None) -> int:
    """Scanner: post the due deliveries (at most `limit`). Returns how many were tried."""
    now = now or timezone.now()
    ids = _lease(limit=limit, now=now)
    for delivery in WebhookDelivery.objects.filter(pk__in=ids).select_related("endpoint"):
        if not WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, is_active=True).exists():
            continue  # switched off by an earlier failure of this batch: the row waits
        status, error = _post(delivery.endpoint, delivery)
        _record(delivery.pk, status, error, timezone.now())
    return len(ids)
