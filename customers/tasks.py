"""Celery tasks of the customers app: thin, ids in, one service call, idempotent."""

import logging

from celery import shared_task

from . import import_jobs

logger = logging.getLogger(__name__)


# Acks late (the project default): a worker killed in the middle leaves the message to be
# redelivered; the job row decides whether it runs again (see customers/import_jobs.py).
@shared_task(
    name=import_jobs.RUN_TASK,
    time_limit=import_jobs.TASK_TIME_LIMIT,
    soft_time_limit=import_jobs.TASK_SOFT_TIME_LIMIT,
)
def run_import_job_task(job_id: int) -> bool:
    return import_jobs.import_job_run(job_id=job_id)


@shared_task(name="customers.process_due_import_jobs", time_limit=120, soft_time_limit=100)
def process_due_import_jobs_task() -> dict:
    counts = import_jobs.import_jobs_process_due()
    if any(counts.values()):
        logger.info("process_due_import_jobs: %s", counts)
    return counts
