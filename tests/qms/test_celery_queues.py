"""Scheduling (the beat's scanners) has its own queue, so a wave's queueing never waits
behind the one-message tasks on the default queue; a worker without -Q takes both."""

from django.conf import settings

from qms.celery import app


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_scanner_goes_to_the_scheduling_queue():
    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert _queue(entry["task"]) == settings.CELERY_SCHEDULING_QUEUE, entry["task"]
    assert "satisfaction.start_due_waves" in settings.CELERY_TASK_ROUTES
    assert "satisfaction.send_due_invitations" in settings.CELERY_TASK_ROUTES


def test_sending_and_long_jobs_stay_on_the_default_queue():
    for name in ("qms.send_message", "satisfaction.build_export"):
        assert _queue(name) == settings.CELERY_TASK_DEFAULT_QUEUE


def test_a_worker_without_queue_options_consumes_both():
    names = {queue.name for queue in app.conf.task_queues}
    assert names == {settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_SCHEDULING_QUEUE}
