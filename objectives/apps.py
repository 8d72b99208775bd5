from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "objectives"
    verbose_name = _("Quality objectives")

    def ready(self):
        from . import metrics, panels

        metrics.register()
        register_history()
        register_navigation()
        panels.register()


def register_history():
    from django.urls import reverse

    from qms import history

    from .models import KeyResult, Objective
    from .selectors import key_result_get_for_user, objective_get_for_user

    history.register(
        "objective",
        model=Objective,
        get_for_user=lambda user, pk: objective_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("objectives:objective-detail", args=[obj.pk]),
    )
    history.register(
        "key-result",
        model=KeyResult,
        get_for_user=lambda user, pk: key_result_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("objectives:objective-detail", args=[obj.objective_id]),
    )


def register_navigation():
    from qms.navigation import nav_registry
    from qms.selectors import department_ids_for_user

    nav_registry.add_group(key="objectives", label=_("Objectives"), order=40)
    nav_registry.add(
        key="objectives",
        group="objectives",
        label=_("Objectives"),
        url_name="objectives:cascade",
        visible=lambda user: user.can_view_all or bool(department_ids_for_user(user)),
        order=40,
    )
    nav_registry.add(
        key="my-objectives",
        group="objectives",
        label=_("My objectives"),
        url_name="objectives:mine",
        visible=lambda user: bool(department_ids_for_user(user)),
        order=41,
    )
    nav_registry.add(
        key="alignment",
        group="objectives",
        label=_("Alignment"),
        url_name="objectives:alignment",
        visible=lambda user: user.can_view_all,
        order=42,
    )
