from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    """CRM: interactions and the Customer 360 timeline, preferences, bookings and
    checklists, complaints (ISO 10002), replenishment reminders, privacy export and
    erasure. The tables keep their customers_* names (see migrations/0001_initial.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "crm"
    verbose_name = _("CRM")
