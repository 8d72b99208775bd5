"""Models of this app with an audit-trail page (found by qms.discovery)."""

from django.urls import reverse


def register():
    from qms import history

    from .models import Deployment, Requirement
    from .selectors import deployment_get_for_user, requirement_get_for_user

    history.register(
        "requirement",
        model=Requirement,
        get_for_user=lambda user, pk: requirement_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("requirements:requirement-detail", args=[obj.pk]),
    )
    history.register(
        "deployment",
        model=Deployment,
        get_for_user=lambda user, pk: deployment_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("requirements:deployment-detail", args=[obj.pk]),
    )
