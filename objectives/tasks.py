"""Celery tasks of the objectives app: thin, no arguments or ids in, one service call,
idempotent (the scanners read `next_action_at` and the outbox keys make messages unique)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="objectives.compute_key_results", time_limit=240, soft_time_limit=200)
def compute_key_results_task() -> int:
    count = services.key_results_compute_due()
    logger.info("compute_key_results: %s key result(s) computed", count)
    return count


@shared_task(name="objectives.remind_due_checkins", time_limit=120, soft_time_limit=100)
def remind_due_checkins_task() -> int:
    count = services.checkin_reminders_send_due()
    logger.info("remind_due_checkins: %s reminder step(s) taken", count)
    return count
