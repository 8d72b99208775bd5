"""Celery tasks of the requirements register: thin, one service call each, idempotent
(every message has a unique outbox key)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="customers.remind_overdue_acknowledgements", time_limit=120, soft_time_limit=100)
def remind_overdue_acknowledgements_task() -> int:
    count = services.acknowledgements_remind_overdue()
    logger.info("remind_overdue_acknowledgements: %s step(s) taken", count)
    return count


@shared_task(name="customers.send_weekly_digest", time_limit=300, soft_time_limit=240)
def send_weekly_digest_task() -> int:
    count = services.digest_send_weekly()
    logger.info("send_weekly_digest: %s digest(s) written", count)
    return count
