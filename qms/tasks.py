"""Celery tasks of the organisation core: thin, ids in, one service call, idempotent."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="qms.send_message", time_limit=60, soft_time_limit=50)
def send_message_task(message_id: int) -> bool:
    return services.message_send(message_id=message_id)


# One run sends batches of MESSAGE_BATCH over one connection each until nothing is due or
# its time budget is spent; then it asks for another run, so a 100,000-invitation wave
# flows in batches and no task outlives its time limit.
SEND_BUDGET_SECONDS = 45
# A batch stops handing e-mails over this long after the task started (the soft time
# limit is 100 s): one slow mail server never leaves a batch cut off mid-send.
SEND_DEADLINE_SECONDS = 80


@shared_task(name="qms.send_due_messages", time_limit=120, soft_time_limit=100)
def send_due_messages_task() -> int:
    started = services._clock()
    recovered = services.messages_recover()
    if any(recovered.values()):
        logger.warning("send_due_messages: recovered %s", recovered)
    sent = 0
    while True:
        counts = services.messages_send_batch(deadline=started + SEND_DEADLINE_SECONDS)
        if not counts:
            break
        sent += counts.get("sent", 0)
        if services._clock() - started > SEND_BUDGET_SECONDS:
            if services.messages_pending_due():
                services.kick_now(services.SEND_TASK)
            break
    logger.info("send_due_messages: %s message(s) sent", sent)
    return sent


@shared_task(name="qms.build_evidence_pack", time_limit=1800, soft_time_limit=1750)
def build_evidence_pack_task(pack_id: int) -> str:
    from .evidence_pack import evidence_pack_build

    return evidence_pack_build(pack_id=pack_id)


@shared_task(name="qms.requeue_evidence_packs", time_limit=60, soft_time_limit=50)
def requeue_evidence_packs_task() -> int:
    from .evidence_pack import evidence_packs_requeue

    return evidence_packs_requeue()


# Webhooks out: their own module.
from .webhook_tasks import deliver_webhooks_task  # noqa: E402, F401
