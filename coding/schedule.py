"""Celery beat entries of text coding, merged into CELERY_BEAT_SCHEDULE by the settings."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Texts recorded meanwhile (an import, a survey comment) are coded; the services
    # also kick this after their commit, so this is the guarantee, not the speed.
    "coding.code_pending_texts": {"task": "coding.code_pending_texts", "schedule": 60.0},
    # Nightly retraining on everything people confirmed.
    "coding.train_model": {
        "task": "coding.train_model",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"force": True},
    },
    # Weekly: texts that fit no topic, grouped into candidate new topics.
    "coding.find_candidate_topics": {
        "task": "coding.find_candidate_topics",
        "schedule": crontab(hour=3, minute=0, day_of_week=1),
    },
}
