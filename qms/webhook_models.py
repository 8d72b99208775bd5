"""Webhooks out: the endpoints a quality manager registers and the deliveries to them
(the outbox of events, one row per event and endpoint). Imported by qms/models.py."""

import secrets

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import BaseModel


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(BaseModel):
    """A URL that receives the events it subscribes to, signed with its own secret."""

    url = models.URLField(
        _("address (URL)"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the portal posts the events (http or https)."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Failed attempts in a row (any success resets it); at WEBHOOK_DISABLE_AFTER the
    # endpoint is switched off and the quality managers are told.
    failures_in_row = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(_("switched off"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["url", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.url


class WebhookDelivery(BaseModel):
    """One event for one endpoint. The row is the outbox: the `deliver_webhooks` scanner
    posts it when `next_action_at` is due, retries with backoff, and records the answer."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=60)
    event_id = models.UUIDField(_("event id"))
    payload = models.JSONField(default=dict)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    next_action_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # Each event once per endpoint.
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhookdelivery_once_per_endpoint"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_action_at"],
                name="webhookdelivery_due_idx",
                condition=Q(next_action_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id} ({self.state})"
