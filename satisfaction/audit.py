"""Models of this app with an audit-trail page (found by qms.discovery)."""


def register():
    from django.urls import reverse

    from qms import history

    from . import selectors
    from .models import FollowUpCase, Wave

    history.register(
        "survey-wave",
        model=Wave,
        get_for_user=lambda user, pk: selectors.wave_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("satisfaction:wave-detail", args=[obj.pk]),
    )
    history.register(
        "survey-follow-up",
        model=FollowUpCase,
        get_for_user=lambda user, pk: selectors.followup_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("satisfaction:followup-detail", args=[obj.pk]),
    )
