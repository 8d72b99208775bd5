"""System checks for a production deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """The public survey pages count their rate limits in the default cache: a
    per-process cache lets each gunicorn process count on its own."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        return [
            Warning(
                "The default cache is kept in each process, so every web process counts the "
                "survey pages' rate limits on its own.",
                hint="Set CACHE_URL to a cache shared by every web process, e.g. "
                "rediscache://redis.internal:6379/1 (not the broker's database).",
                id="qms.W001",
            )
        ]
    return []
