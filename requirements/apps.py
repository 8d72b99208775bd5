from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    """The requirements register and its deployment to departments. The tables keep their
    customers_* names (see migrations/0001_initial.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "requirements"
    verbose_name = _("Requirements")
