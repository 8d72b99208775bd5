from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "qms"
    verbose_name = _("Organisation")

    def ready(self):
        # Every app's metrics, menu, panels and audit-trail entries (docs/architecture.md
        # section 2): qms cannot import the apps to its right, so it finds them by name.
        from . import checks  # noqa: F401  (registers the deploy checks)
        from .discovery import register_all
        from .observability import connect

        register_all()
        connect()  # request ids into Celery tasks, task log lines and metrics
