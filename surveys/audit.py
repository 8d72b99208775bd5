"""Models of this app with an audit-trail page (found by qms.discovery)."""


def register():
    from django.urls import reverse

    from qms import history

    from . import selectors
    from .models import AlertRule, Survey

    # Both go back to the survey's page, the satisfaction app's hub (by its URL name).
    history.register(
        "survey",
        model=Survey,
        get_for_user=lambda user, pk: selectors.survey_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("satisfaction:survey-detail", args=[obj.pk]),
    )
    history.register(
        "survey-alert-rule",
        model=AlertRule,
        get_for_user=lambda user, pk: selectors.alert_rule_get_for_user(user=user, pk=pk),
        back_url=lambda obj: (
            reverse("satisfaction:survey-detail", args=[obj.survey_id]) + "#alert-rules"
        ),
    )
