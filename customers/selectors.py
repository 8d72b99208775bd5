"""Reads for customers, their consent and contacts, segments and topics (the research
sources and the Pareto analysis are in research/selectors.py).

Who reads: customers are organisation-wide data. Quality managers and viewers read
everything; department heads and staff read customers and research too (they serve
these customers); a signed-in person in no department reads nothing. Only quality
managers write (QualityManagerRequiredMixin on pages, CustomerDataPermission in the API).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Upper
from django.http import Http404
from django.utils import timezone

from qms.selectors import department_ids_for_user

from .models import Consent, Customer, ImportJob, Segment, Topic


def user_can_read_customers(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.can_view_all or bool(department_ids_for_user(user))


def _readable(qs: QuerySet, user) -> QuerySet:
    return qs if user_can_read_customers(user) else qs.none()


def _get(qs: QuerySet, user, pk):
    if not user_can_read_customers(user):
        raise Http404
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Segments and topics ---------------------------------------------------------------


def segment_list(*, user) -> QuerySet[Segment]:
    qs = Segment.objects.annotate(customer_count=Count("customers")).order_by("name", "id")
    return _readable(qs, user)


def topic_list(*, user, search: str = "", active: bool | None = None) -> QuerySet[Topic]:
    qs = Topic.objects.order_by("name", "id")
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    if active is not None:
        qs = qs.filter(is_active=active)
    return _readable(qs, user)


def topic_get_for_user(*, user, pk) -> Topic:
    return _get(Topic.objects.all(), user, pk)


# --- Customers -------------------------------------------------------------------------


def customer_list(
    *,
    user,
    search: str = "",
    segment: Segment | None = None,
    kind: str = "",
    language: str = "",
    active: bool | None = None,
) -> QuerySet[Customer]:
    qs = Customer.objects.select_related("segment").order_by("name", "id")
    if search:
        # icontains is UPPER(col) LIKE UPPER(%s%) on PostgreSQL, which the trigram indexes
        # of migration 0004 serve; ordering by UPPER(name) stops the planner from walking
        # the whole name index when a search matches only a few customers.
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(external_ref__icontains=search)
            | Q(email__icontains=search)
            | Q(phone__icontains=search)
        ).order_by(Upper("name"), "id")
    if segment is not None:
        qs = qs.filter(segment=segment)
    if kind:
        qs = qs.filter(kind=kind)
    if language:
        qs = qs.filter(language=language)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _readable(qs, user)


def customer_get_for_user(*, user, pk) -> Customer:
    return _get(Customer.objects.select_related("segment", "account_owner"), user, pk)


@dataclass
class ConsentState:
    channel: str
    label: str
    consent: Consent | None


def consent_overview(*, customer: Customer) -> list[ConsentState]:
    """One line per channel, recorded or not, so the page shows what is missing."""
    by_channel = {c.channel: c for c in customer.consents.all()}
    return [
        ConsentState(channel=value, label=label, consent=by_channel.get(value))
        for value, label in Consent.Channel.choices
    ]


# --- Periods ---------------------------------------------------------------------------


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


# --- Import jobs -----------------------------------------------------------------------


def import_job_list(*, user, kind: str = "") -> QuerySet[ImportJob]:
    """Background imports, newest first: quality managers (who import) see them all."""
    if not getattr(user, "is_quality_manager", False):
        return ImportJob.objects.none()
    qs = ImportJob.objects.select_related("requested_by")
    return qs.filter(kind=kind) if kind else qs


def import_job_get_for_user(*, user, pk) -> ImportJob:
    try:
        return import_job_list(user=user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
