"""Settings for the test suite. The database and broker still come from the environment,
so the same suite runs on SQLite + the embedded broker and on PostgreSQL + Redis."""

from .base import *  # noqa: F403
from .base import DATABASES, TEMPLATES, VAR_DIR, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="test-only-not-secret-0123456789abcdef0123456789")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Template debugging (origin and line of each node) lets coverage.py's Django template
# plugin measure the templates; rendering is otherwise the same.
TEMPLATES = [{**TEMPLATES[0], "OPTIONS": {**TEMPLATES[0]["OPTIONS"], "debug": True}}]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Kicks go to the broker inline, so a test that replaces `send_task` sees them at once;
# tests of the background path turn this on.
ENQUEUE_IN_BACKGROUND = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so a real Celery worker started by a test can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
LANGUAGE_CODE = "en"
# Files written by tests stay apart from `make run`'s; tests that write files point
# MEDIA_ROOT at their own tmp_path.
MEDIA_ROOT = str(VAR_DIR / "test-media")
