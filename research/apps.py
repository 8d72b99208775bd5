from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    """Research sources (after-sales tickets, purchases, interviews and their findings)
    and the Pareto analysis of what customers raise. The tables keep their customers_*
    names (see migrations/0001_initial.py)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "research"
    verbose_name = _("Customer research")

    def ready(self):
        from . import metrics, panels

        metrics.register()
        panels.register()
        register_history()
        register_navigation()


def register_history():
    from django.urls import reverse

    from qms import history

    from .models import Interview
    from .selectors import interview_get_for_user

    history.register(
        "interview",
        model=Interview,
        get_for_user=lambda user, pk: interview_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("research:interview-detail", args=[obj.pk]),
    )


def register_navigation():
    from customers.selectors import user_can_read_customers
    from qms.navigation import nav_registry

    nav_registry.add(
        key="research",
        group="customers",
        label=_("Research"),
        url_name="research:pareto",
        visible=user_can_read_customers,
        order=12,
    )
