"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (ARCHITECTURE.md §4).
Task names keep their `customers.` prefix from before the split (stable names: a
message already queued or a beat entry already saved still finds its task)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # CRM: overdue complaints remind the owner, then the quality managers (each once).
    "customers.remind_overdue_complaints": {
        "task": "customers.remind_overdue_complaints",
        "schedule": 300.0,
    },
    # CRM: replenishment reminders (once per product and predicted cycle; hourly is
    # plenty for a 2-day lead window).
    "customers.send_replenishment_reminders": {
        "task": "customers.send_replenishment_reminders",
        "schedule": crontab(minute=15),
    },
    # CRM: timeline rows for purchases, tickets and interviews imported meanwhile.
    "customers.mirror_interactions": {
        "task": "customers.mirror_interactions",
        "schedule": 120.0,
    },
}
