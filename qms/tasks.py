"""Celery tasks of the organisation core: thin, ids in, one service call, idempotent."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="qms.send_message", time_limit=60, soft_time_limit=50)
def send_message_task(message_id: int) -> bool:
    return services.message_send(message_id=message_id)


@shared_task(name="qms.send_due_messages", time_limit=120, soft_time_limit=100)
def send_due_messages_task() -> int:
    count = services.messages_dispatch_due()
    logger.info("send_due_messages: %s due message(s) handed to workers", count)
    return count
