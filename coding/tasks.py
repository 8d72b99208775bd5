"""Celery tasks of text coding: thin, idempotent (a text is coded only while pending,
and a text has one coding per topic, so a task delivered twice codes once)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="coding.code_pending_texts", time_limit=900, soft_time_limit=840)
def code_pending_texts_task() -> int:
    count = services.code_pending()
    logger.info("code_pending_texts: %s text(s) coded", count)
    return count


@shared_task(name="coding.train_model", time_limit=900, soft_time_limit=840)
def train_model_task(force: bool = False) -> int | None:
    if not force and not services.retrain_due():
        return None
    version = services.model_train()
    if version is None:
        logger.info("train_model: too few confirmed codings to learn from")
        return None
    logger.info("train_model: version %s, accuracy %s", version.pk, version.accuracy)
    services.recode_queue()
    return version.pk


@shared_task(name="coding.find_candidate_topics", time_limit=900, soft_time_limit=840)
def find_candidate_topics_task() -> int:
    found = services.candidates_refresh()
    logger.info("find_candidate_topics: %s group(s)", len(found))
    return len(found)
