"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
Scanner tasks only: short, bounded, reading `next_action_at <= now` (ARCHITECTURE.md §4)."""

BEAT_SCHEDULE: dict = {}
