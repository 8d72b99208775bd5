from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"
    verbose_name = _("Corrective actions")

    def ready(self):
        from . import metrics, panels

        metrics.register()
        register_history()
        register_navigation()
        register_record_panels()
        panels.register()


def register_record_panels():
    """The actions opened from a wave, a follow-up case or an objective appear on that
    record's page (the source apps render `{% record_panels obj %}`)."""
    from qms.dashboard import record_panels

    from .templatetags.actions_tags import actions_panel_context

    record_panels.add(
        key="corrective-actions",
        template="actions/partials/actions_for.html",
        context=actions_panel_context,
    )


def register_history():
    """`/history/action/<pk>/` and `/impacts/action/<pk>/` work through this entry."""
    from django.urls import reverse

    from qms import history

    from .models import CorrectiveAction, Measure
    from .selectors import action_get_for_user, measure_get_for_user

    history.register(
        "action",
        model=CorrectiveAction,
        get_for_user=lambda user, pk: action_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("actions:action-detail", args=[obj.pk]),
    )
    history.register(
        "measure",
        model=Measure,
        get_for_user=lambda user, pk: measure_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("actions:action-detail", args=[obj.action_id]),
    )


def register_navigation():
    from qms.navigation import nav_registry
    from qms.selectors import department_ids_for_user

    nav_registry.add_group(key="actions", label=_("Improvement"), order=50)
    nav_registry.add(
        key="actions",
        group="actions",
        label=_("Corrective actions"),
        url_name="actions:board",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=50,
    )
    nav_registry.add(
        key="my-actions",
        group="actions",
        label=_("My actions"),
        url_name="actions:mine",
        visible=lambda user: not user.can_view_all or user.is_quality_manager,
        order=51,
    )
