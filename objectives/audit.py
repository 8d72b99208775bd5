"""Models of this app with an audit-trail page (found by qms.discovery)."""


def register():
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
