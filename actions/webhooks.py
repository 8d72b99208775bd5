"""Webhook events of this app (found by qms.discovery; emitted by its services)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.webhooks import webhook_events

    webhook_events.add(
        "action.status_changed",
        _("A corrective action changes status"),
        app_label="actions",
    )
