"""Celery beat entries of this app, merged into CELERY_BEAT_SCHEDULE by the settings.
The customer register has no scheduled work of its own (the requirements and CRM
scanners are in requirements/schedule.py and crm/schedule.py)."""

BEAT_SCHEDULE: dict = {}
