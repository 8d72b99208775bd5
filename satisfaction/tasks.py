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


@shared_task(name="satisfaction.tally_answers", time_limit=600, soft_time_limit=540)
def tally_answers_task() -> dict:
    return services.tally_refresh()


# Shorter than the 30 minutes after which the scanner treats a running export as lost,
# and than the broker's visibility timeout.
@shared_task(name="satisfaction.build_export", time_limit=1500, soft_time_limit=1440)
def build_export_task(export_id: int) -> bool:
    return services.export_build(export_id=export_id)


@shared_task(name="satisfaction.process_due_exports", time_limit=120, soft_time_limit=100)
def process_due_exports_task() -> dict:
    counts = services.exports_process_due()
    if any(counts.values()):
        logger.info("process_due_exports: %s", counts)
    return counts
