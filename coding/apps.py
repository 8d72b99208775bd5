from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodingConfig(AppConfig):
    """Free text from every source (tickets, survey comments, complaints, interview
    notes) coded to the shared topic vocabulary by keyword rules, a learned model and
    people in the coding queue; candidate new topics found by clustering."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "coding"
    verbose_name = _("Text coding")
