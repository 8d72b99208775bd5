"""Celery tasks of the CRM: thin scanners, one service call each, idempotent (every
message has a unique outbox key)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="customers.remind_overdue_complaints", time_limit=120, soft_time_limit=100)
def remind_overdue_complaints_task() -> int:
    count = services.complaints_remind_overdue()
    logger.info("remind_overdue_complaints: %s step(s) taken", count)
    return count


@shared_task(name="customers.send_replenishment_reminders", time_limit=600, soft_time_limit=540)
def send_replenishment_reminders_task() -> int:
    count = services.replenishment_send_due()
    logger.info("send_replenishment_reminders: %s reminder(s) queued", count)
    return count


@shared_task(name="customers.mirror_interactions", time_limit=300, soft_time_limit=240)
def mirror_interactions_task() -> int:
    count = services.interactions_mirror_sources()
    logger.info("mirror_interactions: %s timeline row(s) written", count)
    return count
