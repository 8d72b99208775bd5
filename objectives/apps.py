from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "objectives"
    verbose_name = _("Quality objectives")
