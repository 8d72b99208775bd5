"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (docs/architecture.md §4)."""

BEAT_SCHEDULE: dict = {
    # Background imports: kick a job the broker never delivered; queue again (or fail
    # with the reason) a job whose worker died.
    "customers-process-due-import-jobs": {
        "task": "customers.process_due_import_jobs",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
