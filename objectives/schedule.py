"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (docs/architecture.md §4)."""

import os

BEAT_SCHEDULE: dict = {
    "objectives-compute-key-results": {
        "task": "objectives.compute_key_results",
        "schedule": float(os.environ.get("KEY_RESULT_SCAN_SECONDS", "900")),
        "options": {"expires": 600},
    },
    "objectives-remind-due-checkins": {
        "task": "objectives.remind_due_checkins",
        "schedule": float(os.environ.get("CHECKIN_REMINDER_SCAN_SECONDS", "300")),
        "options": {"expires": 240},
    },
}
