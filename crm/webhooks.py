"""Webhook events of this app (found by qms.discovery; emitted by its services)."""

from django.utils.translation import gettext_lazy as _


def register():
    from qms.webhooks import webhook_events

    webhook_events.add("complaint.opened", _("A complaint is registered"), app_label="crm")
    webhook_events.add(
        "complaint.closed", _("A complaint is closed (the customer accepts)"), app_label="crm"
    )
