"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (docs/architecture.md §4)."""

BEAT_SCHEDULE: dict = {
    "satisfaction-start-due-waves": {
        "task": "satisfaction.start_due_waves",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "satisfaction-send-due-invitations": {
        "task": "satisfaction.send_due_invitations",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "satisfaction-tally-answers": {
        "task": "satisfaction.tally_answers",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "satisfaction-process-due-exports": {
        "task": "satisfaction.process_due_exports",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "satisfaction-escalate-overdue-follow-ups": {
        "task": "satisfaction.escalate_overdue_follow_ups",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}
