"""EMAIL_URL: e-mails land where the README says they do."""

from pathlib import Path

from qms.settings.email import FILE_BACKEND, email_settings

BASE = Path("/srv/qms")
DEFAULT = BASE / "var" / "mail"


def test_no_url_writes_files_under_var_mail():
    assert email_settings("", base_dir=BASE, default_dir=DEFAULT) == {
        "EMAIL_BACKEND": FILE_BACKEND,
        "EMAIL_FILE_PATH": "/srv/qms/var/mail",
    }


def test_file_mail_paths_keep_their_leading_slash_or_are_relative_to_the_project():
    absolute = email_settings("filemail:///var/spool/qms-mail", base_dir=BASE, default_dir=DEFAULT)
    assert absolute["EMAIL_FILE_PATH"] == "/var/spool/qms-mail"
    relative = email_settings("filemail://var/letters", base_dir=BASE, default_dir=DEFAULT)
    assert relative["EMAIL_FILE_PATH"] == "/srv/qms/var/letters"


def test_smtp_urls_go_to_django_environ():
    config = email_settings(
        "smtp+tls://user:secret@smtp.example.com:587", base_dir=BASE, default_dir=DEFAULT
    )
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == (
        "smtp.example.com",
        587,
        True,
    )
