"""Settings for bench/access_sweep.py's server: production settings (DEBUG off) served
over plain HTTP on 127.0.0.1 (no HTTPS redirect), plain static storage (no
collectstatic needed), quiet logs."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-0123456789abcdef0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from qms.settings.production import *  # noqa: E402, F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "ERROR"},
}
