"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (ARCHITECTURE.md §4)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Requirements: overdue acknowledgement reminders and escalation (each step once).
    "customers.remind_overdue_acknowledgements": {
        "task": "customers.remind_overdue_acknowledgements",
        "schedule": 300.0,
    },
    # Weekly digest of new and changed needs per department. It runs every hour on
    # Mondays (so a beat outage of a few hours does not skip a week); the outbox key per
    # department, person and ISO week sends one digest a week.
    "customers.send_weekly_digest": {
        "task": "customers.send_weekly_digest",
        "schedule": crontab(minute=0, day_of_week="mon"),
    },
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
