"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (docs/architecture.md §4)."""

BEAT_SCHEDULE: dict = {
    "actions-check-effectiveness": {
        "task": "actions.check_effectiveness",
        "schedule": 900.0,
        "options": {"expires": 880},
    },
    "actions-escalate-overdue": {
        "task": "actions.escalate_overdue",
        "schedule": 900.0,
        "options": {"expires": 880},
    },
}
