from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self):
        from . import metrics

        metrics.register()
        register_history()
        register_navigation()
        register_outbox()
        register_events()


def register_events():
    from crm.signals import complaint_closed

    def on_complaint_closed(sender, complaint, **kwargs):
        from .services import invitations_for_closed_complaint

        invitations_for_closed_complaint(complaint=complaint)

    complaint_closed.connect(
        on_complaint_closed, weak=False, dispatch_uid="satisfaction-complaint-closed"
    )


def register_outbox():
    from qms.services import on_message_failed

    from .services import invitation_mark_failed

    on_message_failed("invitation:")(invitation_mark_failed)


def register_history():
    from django.urls import reverse

    from qms import history

    from . import selectors
    from .models import AlertRule, FollowUpCase, Survey, Wave

    history.register(
        "survey",
        model=Survey,
        get_for_user=lambda user, pk: selectors.survey_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("satisfaction:survey-detail", args=[obj.pk]),
    )
    history.register(
        "survey-wave",
        model=Wave,
        get_for_user=lambda user, pk: selectors.wave_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("satisfaction:wave-detail", args=[obj.pk]),
    )
    history.register(
        "survey-alert-rule",
        model=AlertRule,
        get_for_user=lambda user, pk: selectors.alert_rule_get_for_user(user=user, pk=pk),
        back_url=lambda obj: (
            reverse("satisfaction:survey-detail", args=[obj.survey_id]) + "#alert-rules"
        ),
    )
    history.register(
        "survey-follow-up",
        model=FollowUpCase,
        get_for_user=lambda user, pk: selectors.followup_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("satisfaction:followup-detail", args=[obj.pk]),
    )


def register_navigation():
    from qms.navigation import nav_registry

    nav_registry.add_group(key="satisfaction", label=_("Satisfaction"), order=30)
    nav_registry.add(
        key="surveys",
        group="satisfaction",
        label=_("Surveys"),
        url_name="satisfaction:survey-list",
        visible=lambda user: user.can_view_all,
        order=40,
    )
    nav_registry.add(
        key="follow-ups",
        group="satisfaction",
        label=_("Follow-ups"),
        url_name="satisfaction:followup-list",
        visible=lambda user: user.can_view_all,
        order=41,
    )
