"""Celery tasks of the satisfaction app: thin, ids in, one service call, idempotent."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="satisfaction.start_due_waves", time_limit=900, soft_time_limit=840)
def start_due_waves_task() -> int:
    return services.waves_process_due()


@shared_task(name="satisfaction.send_due_invitations", time_limit=300, soft_time_limit=240)
def send_due_invitations_task() -> dict:
    counts = services.invitations_process_due()
    if counts:
        logger.info("send_due_invitations: %s", counts)
    return counts


@shared_task(name="satisfaction.escalate_overdue_follow_ups", time_limit=120, soft_time_limit=100)
def escalate_overdue_follow_ups_task() -> int:
    return services.follow_ups_escalate_due()
