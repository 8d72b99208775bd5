"""Models of this app with an audit-trail page (found by qms.discovery)."""


def register():
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
