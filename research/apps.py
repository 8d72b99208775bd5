from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    """Research sources (after-sales tickets, purchases, interviews and their findings)
    and the Pareto analysis of what customers raise. The tables keep their customers_*
    names (see migrations/0001_initial.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "research"
    verbose_name = _("Customer research")
