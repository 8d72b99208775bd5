"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (ARCHITECTURE.md §4).
Task names keep their `customers.` prefix from before the split (stable names: a
message already queued or a beat entry already saved still finds its task)."""

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
}
