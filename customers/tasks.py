"""Celery tasks of the customers app (found by autodiscovery)."""

from .requirement_tasks import (  # noqa: F401
    remind_overdue_acknowledgements_task,
    send_weekly_digest_task,
)
