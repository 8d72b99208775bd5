"""Celery task of webhooks out (qms/webhooks.py); imported by qms/tasks.py so the
worker registers it."""

from celery import shared_task

from . import webhooks


@shared_task(name="qms.deliver_webhooks", time_limit=600, soft_time_limit=580)
def deliver_webhooks_task() -> int:
    return webhooks.deliveries_process_due()
