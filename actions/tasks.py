"""Celery tasks of corrective actions: thin scanners, one service call, idempotent."""

from celery import shared_task

from . import services


@shared_task(name="actions.check_effectiveness", time_limit=600, soft_time_limit=540)
def check_effectiveness_task() -> int:
    """Measure the actions whose follow-up window has ended (bounded batch)."""
    return services.effectiveness_check_due()


@shared_task(name="actions.escalate_overdue", time_limit=300, soft_time_limit=240)
def escalate_overdue_task() -> int:
    """Remind owners, then department heads, then the quality manager, each once."""
    return services.escalate_overdue()
