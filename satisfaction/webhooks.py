"""Webhook events of this app (found by qms.discovery; emitted by its services)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.webhooks import webhook_events

    webhook_events.add(
        "response.received", _("A survey response is received"), app_label="satisfaction"
    )
    webhook_events.add(
        "followup.opened",
        _("A follow-up case is opened for an unhappy customer"),
        app_label="satisfaction",
    )
