"""Models of this app with an audit-trail page (found by qms.discovery)."""


def register():
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
