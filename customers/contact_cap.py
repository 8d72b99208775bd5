"""The shared contact-frequency cap: how often the organisation may contact one customer
unprompted (survey invitations, replenishment reminders, …), whatever app sends it.

Rule: at most `CONTACT_CAP_MAX` contacts per customer and channel within the last
`CONTACT_CAP_DAYS` days, counted from `ContactLog`. A sender asks `contact_allowed()`
before writing its message and calls `contact_record()` in the same transaction as the
message (`message_queue`), with the message's key, so a retried task records nothing
twice. For a whole audience at once use `annotate_contact_capped()` (one `Exists`
subquery, no query per customer).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import ContactLog, Customer

CONTACT_CAP_DAYS = 7
CONTACT_CAP_MAX = 2


def _recent(*, channel: str, now: dt.datetime, days: int):
    return ContactLog.objects.filter(
        channel=channel, contacted_at__gt=now - dt.timedelta(days=days)
    )


def contact_allowed(
    *,
    customer: Customer,
    channel: str = "email",
    now: dt.datetime,
    days: int = CONTACT_CAP_DAYS,
    limit: int = CONTACT_CAP_MAX,
) -> bool:
    """May this customer be contacted on `channel` now without passing the cap?"""
    if days <= 0:
        return True
    count = _recent(channel=channel, now=now, days=days).filter(customer=customer).count()
    return count < limit


def annotate_contact_capped(
    queryset: QuerySet[Customer],
    *,
    channel: str = "email",
    now: dt.datetime,
    days: int = CONTACT_CAP_DAYS,
    limit: int = CONTACT_CAP_MAX,
) -> QuerySet[Customer]:
    """Adds `contact_capped` (bool) to each customer of `queryset`, in the database."""
    if days <= 0:
        return queryset.annotate(contact_capped=Exists(ContactLog.objects.none()))
    recent = (
        _recent(channel=channel, now=now, days=days)
        .filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = queryset.annotate(_contact_count=Coalesce(Subquery(recent[:1]), 0))
    from django.db.models import BooleanField, Case, Value, When

    return qs.annotate(
        contact_capped=Case(
            When(_contact_count__gte=limit, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def contact_record(
    *, customer: Customer, kind: str, now: dt.datetime, channel: str = "email", key: str = ""
) -> ContactLog | None:
    """Log one contact. With a `key`, a second call for the same key logs nothing."""
    if key and ContactLog.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return ContactLog.objects.create(
                customer=customer, channel=channel, kind=kind, key=key, contacted_at=now
            )
    except IntegrityError:
        return None
