from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """The customer register: segments, customers, contacts, consent, the shared topic
    vocabulary, the contact log and the import engine. The requirements register, the
    research sources and the CRM are apps of their own (requirements, research, crm),
    to the right: they register their own metrics, menus, history pages and panels."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = _("Customers")
