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

    def ready(self):
        register_history()
        register_navigation()
        register_dashboard_filters()


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

    from .models import Customer, Topic
    from .selectors import customer_get_for_user, topic_get_for_user

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
