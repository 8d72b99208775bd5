from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        # Requirements register and deployment (metrics, navigation, audit trail).
        from . import requirement_metrics, requirement_panels, requirement_registry

        requirement_metrics.register()
        requirement_registry.register_navigation()
        requirement_registry.register_history()
        requirement_panels.register()

        # customers/metrics.py is found by qms.discovery.
        register_history()
        register_navigation()
        register_dashboard_filters()

        # CRM: interactions, preferences, complaints, replenishment.
        from . import crm_metrics, crm_panels, crm_registry

        crm_metrics.register()
        crm_registry.register_navigation()
        crm_registry.register_history()
        crm_panels.register()


def register_dashboard_filters():
    from qms.dashboard import dimensions

    from .models import Segment

    dimensions.add(
        "segment",
        _("Segment"),
        lambda: list(Segment.objects.order_by("name").values_list("code", "name")),
    )


def register_history():
    from django.urls import reverse

    from qms import history

    from .models import Customer, Interview, Topic
    from .selectors import customer_get_for_user, interview_get_for_user, topic_get_for_user

    history.register(
        "customer",
        model=Customer,
        get_for_user=lambda user, pk: customer_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("customers:customer-detail", args=[obj.pk]),
    )
    history.register(
        "topic",
        model=Topic,
        get_for_user=lambda user, pk: topic_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("customers:topic-list"),
    )
    history.register(
        "interview",
        model=Interview,
        get_for_user=lambda user, pk: interview_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("customers:interview-detail", args=[obj.pk]),
    )


def register_navigation():
    from qms.navigation import nav_registry

    from .selectors import user_can_read_customers

    nav_registry.add_group(key="customers", label=_("Customers"), order=10)
    nav_registry.add(
        key="customers",
        group="customers",
        label=_("Customers"),
        url_name="customers:customer-list",
        visible=user_can_read_customers,
        order=10,
    )
    nav_registry.add(
        key="topics",
        group="customers",
        label=_("Topics"),
        url_name="customers:topic-list",
        visible=user_can_read_customers,
        order=11,
    )
    nav_registry.add(
        key="research",
        group="customers",
        label=_("Research"),
        url_name="customers:pareto",
        visible=user_can_read_customers,
        order=12,
    )
