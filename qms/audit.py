"""Models of the organisation core with an audit-trail page (found by qms.discovery)."""

from django.http import Http404


def register() -> None:
    from django.urls import reverse

    from .history import register as history_register
    from .models import Department, InterestedParty, ManagementReview, PartyConflict, User
    from .selectors import (
        conflict_get,
        department_get_for_user,
        party_get,
        person_get_for_user,
        review_get,
    )

    history_register(
        "department",
        model=Department,
        get_for_user=lambda user, pk: department_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("qms:department-detail", args=[obj.pk]),
    )
    history_register(
        "person",
        model=User,
        get_for_user=lambda user, pk: person_get_for_user(user=user, pk=pk),
        back_url=lambda obj: reverse("qms:person-detail", args=[obj.pk]),
    )
    history_register(
        "party",
        model=InterestedParty,
        get_for_user=lambda user, pk: party_get(pk=pk),
        back_url=lambda obj: reverse("qms:party-detail", args=[obj.pk]),
    )
    history_register(
        "conflict",
        model=PartyConflict,
        get_for_user=lambda user, pk: conflict_get(pk=pk),
        back_url=lambda obj: reverse("qms:conflict-detail", args=[obj.pk]),
    )
    history_register(
        "review",
        model=ManagementReview,
        get_for_user=lambda user, pk: _viewer_only(user, lambda: review_get(pk=pk)),
        back_url=lambda obj: reverse("qms:review-detail", args=[obj.pk]),
    )


def _viewer_only(user, getter):
    """Organisation-wide records (management reviews) are for quality managers and
    viewers; anyone else is told the record does not exist."""
    if not getattr(user, "can_view_all", False):
        raise Http404
    return getter()
