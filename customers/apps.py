from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        # Requirements register and deployment (metrics, navigation, audit trail).
        from . import requirement_metrics, requirement_registry

        requirement_metrics.register()
        requirement_registry.register_navigation()
        requirement_registry.register_history()
