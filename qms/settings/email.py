"""EMAIL_URL to Django's e-mail settings.

django-environ turns `filemail:///srv/qms/mail` into the relative path `srv/qms/mail`
(it drops the leading slash), which sent the portal's e-mails to a folder nobody looks in.
File mail is therefore read here; every other scheme (smtp, smtp+tls, console, ...) goes to
django-environ.
"""

from pathlib import Path

import environ

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def email_settings(url: str, *, base_dir: Path, default_dir: Path) -> dict:
    """Settings for `url`; an empty URL writes e-mails as files under `default_dir`.
    A `filemail://` path may be absolute (`filemail:///srv/mail`) or relative to the
    project (`filemail://var/mail`)."""
    if not url:
        return {"EMAIL_BACKEND": FILE_BACKEND, "EMAIL_FILE_PATH": str(default_dir)}
    if url.startswith("filemail://"):
        path = url[len("filemail://") :].split("?", 1)[0]
        return {
            "EMAIL_BACKEND": FILE_BACKEND,
            "EMAIL_FILE_PATH": str(base_dir / path) if path else str(default_dir),
        }
    return environ.Env.email_url_config(url)
