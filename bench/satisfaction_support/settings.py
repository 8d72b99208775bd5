"""Settings for the submission load test: the shipped production settings (DEBUG off,
gunicorn, the default database connection lifetime), plain static storage (no
collectstatic needed), and a rate limit high enough for one load generator on
127.0.0.1."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-0123456789abcdef0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from qms.settings.production import *  # noqa: E402, F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SATISFACTION_RATE_LIMITS = {"ip": (10**9, 60), "token": (100, 60)}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "ERROR"},
}
