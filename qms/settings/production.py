"""Production: PostgreSQL, Redis, gunicorn behind a TLS-terminating reverse proxy.

`SECRET_KEY` and `ALLOWED_HOSTS` must come from the environment; there is no default.
`python manage.py check --deploy` passes with no warnings
(tests/qms/test_project.py::test_production_settings_pass_the_deploy_check_with_no_warnings).
"""

from .base import *  # noqa: F403
from .base import env, logging_config

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# JSON log lines (one per request and per task, with the request id) unless told otherwise.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env("LOG_LEVEL", default="INFO"))
# Health checks and metrics answer on plain HTTP too (probes talk to gunicorn directly).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics$"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
