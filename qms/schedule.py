"""Celery beat entries of the organisation core (see base settings for how they merge)."""

BEAT_SCHEDULE = {
    "send-due-messages": {
        "task": "qms.send_due_messages",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}
