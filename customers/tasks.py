"""Celery tasks of the customers app (found by autodiscovery)."""

from .crm_tasks import (  # noqa: F401, E402
    mirror_interactions_task,
    remind_overdue_complaints_task,
    send_replenishment_reminders_task,
)
from .requirement_tasks import (  # noqa: F401
    remind_overdue_acknowledgements_task,
    send_weekly_digest_task,
)
