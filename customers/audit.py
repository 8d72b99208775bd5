"""Models of this app with an audit-trail page (found by qms.discovery)."""


def register():
    from django.urls import reverse

    from qms import history

    from .models import Customer, Topic
    from .selectors import customer_get_for_user, topic_get_for_user

    history.register(
        "customer",
        model=Customer,
        get_for_user=lambda user, pk: customer_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("customers:customer-detail", args=[obj.pk]),
    )
    history.register(
        "topic",
        model=Topic,
        get_for_user=lambda user, pk: topic_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("customers:topic-list"),
    )
