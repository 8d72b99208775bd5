"""Models of this app with an audit-trail page (found by qms.discovery)."""


def register():
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
