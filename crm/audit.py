"""Models of this app with an audit-trail page (found by qms.discovery)."""

from django.urls import reverse


def register():
    from qms import history

    from .models import Complaint
    from .selectors import complaint_get_for_user

    history.register(
        "complaint",
        model=Complaint,
        get_for_user=lambda user, pk: complaint_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("crm:complaint-detail", args=[obj.pk]),
    )
