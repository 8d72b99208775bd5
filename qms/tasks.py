"""Celery tasks of the organisation core: thin, ids in, one service call, idempotent."""

import logging
import time

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="qms.send_message", time_limit=60, soft_time_limit=50)
def send_message_task(message_id: int) -> bool:
    return services.message_send(message_id=message_id)


# A wave of 100,000 invitations must not wait hours for 200-message batches: each run
# hands out batches until none is full or its time budget is spent.
DISPATCH_BATCH = 500
DISPATCH_BUDGET_SECONDS = 20


@shared_task(name="qms.send_due_messages", time_limit=120, soft_time_limit=100)
def send_due_messages_task() -> int:
    started = time.monotonic()
    count = 0
    while True:
        batch = services.messages_dispatch_due(limit=DISPATCH_BATCH)
        count += batch
        if batch < DISPATCH_BATCH or time.monotonic() - started > DISPATCH_BUDGET_SECONDS:
            break
    logger.info("send_due_messages: %s due message(s) handed to workers", count)
    return count


# Webhooks out: their own module.
from .webhook_tasks import deliver_webhooks_task  # noqa: E402, F401
