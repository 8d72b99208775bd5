"""Reads of the satisfaction app. Surveys and their analysis are organisation-wide
records: quality managers and viewers read them; department heads and staff do not (the
views answer 403). Follow-up cases are read by quality managers, viewers and the case
owner; anyone else gets a 404."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from surveys.models import Question, Survey, SurveyVersion

from . import send_window
from .models import Answer, FollowUpCase, Invitation, Response, ResponseExport, Wave


def _can_read(user) -> bool:
    return bool(getattr(user, "can_view_all", False))


def survey_list(*, user, search: str = "", purpose: str = "") -> QuerySet[Survey]:
    if not _can_read(user):
        return Survey.objects.none()
    latest = SurveyVersion.objects.filter(survey=OuterRef("pk")).order_by("-number")
    qs = Survey.objects.annotate(
        latest_version=Subquery(latest.values("number")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        response_count=Subquery(
            Response.objects.filter(survey=OuterRef("pk"))
            .order_by()
            .values("survey")
            .annotate(c=Count("id"))
            .values("c")[:1]
        ),
        last_response_at=Subquery(
            Response.objects.filter(survey=OuterRef("pk"))
            .order_by()
            .values("survey")
            .annotate(m=Max("submitted_at"))
            .values("m")[:1]
        ),
    ).order_by("title", "id")
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(code__icontains=search))
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs


def wave_list(*, user, survey: Survey | None = None) -> QuerySet[Wave]:
    if not _can_read(user):
        return Wave.objects.none()
    qs = Wave.objects.select_related("survey_version__survey", "segment").annotate(
        invitation_count=Count("invitations", distinct=True),
    )
    if survey is not None:
        qs = qs.filter(survey_version__survey=survey)
    return qs.order_by("-starts_at", "-id")


def wave_get_for_user(*, user, pk) -> Wave:
    if not _can_read(user):
        raise Http404
    try:
        return Wave.objects.select_related("survey_version__survey", "segment").get(pk=pk)
    except (Wave.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def wave_state_counts(*, wave: Wave) -> dict[str, int]:
    counts = dict.fromkeys(Invitation.State.values, 0)
    for row in wave.invitations.values("state").annotate(n=Count("id")).order_by():
        counts[row["state"]] = row["n"]
    return counts


def wave_suppression_counts(*, wave: Wave) -> dict[str, int]:
    return {
        row["reason"]: row["n"]
        for row in wave.invitations.filter(state=Invitation.State.SUPPRESSED)
        .values("reason")
        .annotate(n=Count("id"))
        .order_by()
    }


def invitation_list(*, wave: Wave, state: str = "") -> QuerySet[Invitation]:
    qs = wave.invitations.select_related("customer").defer("draft_answers")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("customer__name", "id")


def comment_list(
    *,
    survey: Survey,
    wave=None,
    segment=None,
    question_code: str = "",
    search: str = "",
    dissatisfied: bool | None = None,
) -> QuerySet[Answer]:
    qs = Answer.objects.filter(survey=survey, kind=Question.Kind.TEXT).select_related(
        "wave", "segment", "response__customer"
    )
    if wave is not None:
        qs = qs.filter(wave=wave)
    if segment is not None:
        qs = qs.filter(segment=segment)
    if question_code:
        qs = qs.filter(question_code=question_code)
    if search:
        qs = qs.filter(value_text__icontains=search)
    if dissatisfied is not None:
        qs = qs.filter(dissatisfied=dissatisfied)
    return qs.order_by("-submitted_at", "-id")


def response_export_rows(*, survey: Survey, wave=None) -> QuerySet[Answer]:
    qs = Answer.objects.filter(survey=survey).select_related(
        "response__customer", "choice", "segment", "wave", "topic"
    )
    if wave is not None:
        qs = qs.filter(wave=wave)
    return qs.order_by("response_id", "id")


def response_export_is_large(*, survey: Survey, wave=None) -> bool:
    """More answers than SATISFACTION_EXPORT_INLINE_MAX: built by a task, not at once.
    Counts at most one row past the limit, so a huge survey costs no full count."""
    limit = int(getattr(settings, "SATISFACTION_EXPORT_INLINE_MAX", 20000))
    qs = Answer.objects.filter(survey=survey)
    if wave is not None:
        qs = qs.filter(wave=wave)
    return qs.order_by().values("pk")[: limit + 1].count() > limit


def _can_export(user) -> bool:
    return bool(getattr(user, "is_quality_manager", False))


def export_list(*, user, survey: Survey) -> QuerySet[ResponseExport]:
    """A survey's response exports, newest first. Quality managers only: the files hold
    every answer (and, for identified surveys, who gave it)."""
    if not _can_export(user):
        return ResponseExport.objects.none()
    return (
        ResponseExport.objects.filter(survey=survey)
        .select_related("wave", "requested_by")
        .order_by("-created_at", "-id")
    )


def export_get_for_user(*, user, survey: Survey, pk) -> ResponseExport:
    """One export of `survey`; another survey's export, or a guessed id, is a 404."""
    if not _can_export(user):
        raise Http404
    try:
        return ResponseExport.objects.select_related("survey", "wave").get(pk=pk, survey=survey)
    except (ResponseExport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def followup_list(
    *,
    user,
    state: str = "",
    mine: bool = False,
    survey_id: int | None = None,
    wave_id: int | None = None,
    owner_id: int | None = None,
    overdue: bool | None = None,
) -> QuerySet[FollowUpCase]:
    """Cases `user` may read (all for quality managers and viewers, their own for anyone
    else), filtered by state ("open" = new or contacted), survey, wave, owner and
    overdue (open and past its deadline; False: not overdue)."""
    qs = FollowUpCase.objects.select_related("customer", "owner", "response__survey")
    if not _can_read(user) or mine:
        qs = qs.filter(owner=user)
    if state == "open":
        qs = qs.filter(state__in=FollowUpCase.OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if survey_id is not None:
        qs = qs.filter(response__survey_id=survey_id)
    if wave_id is not None:
        qs = qs.filter(response__wave_id=wave_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if overdue is not None:
        late = Q(state__in=FollowUpCase.OPEN_STATES, due_at__lt=timezone.now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs.order_by("due_at", "id")


def followup_get_for_user(*, user, pk) -> FollowUpCase:
    qs = FollowUpCase.objects.select_related(
        "customer", "owner", "response__survey", "response__wave"
    )
    if not _can_read(user):
        qs = qs.filter(owner=user)
    try:
        return qs.get(pk=pk)
    except (FollowUpCase.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


class SendPlan(NamedTuple):
    """Scheduled invitations of a wave that go out at the same moment in one time zone."""

    count: int
    at: dt.datetime  # aware, in `zone`
    zone: str
    held: bool  # True: outside the send window now, waiting for it to open

    @property
    def local(self) -> dt.datetime:
        """The wall-clock time in `zone` (naive, so templates do not convert it)."""
        return self.at.replace(tzinfo=None)


def wave_send_plan(*, wave: Wave, now: dt.datetime | None = None) -> list[SendPlan]:
    """When the wave's scheduled invitations will go, by the customers' time zones: "12
    held until 09:00 Asia/Shanghai". One grouped query."""
    now = now or timezone.now()
    rows = (
        wave.invitations.filter(state=Invitation.State.SCHEDULED, next_action_at__isnull=False)
        .values("customer__time_zone")
        .annotate(n=Count("id"), due=Min("next_action_at"))
        .order_by()
    )
    plans: dict[tuple, int] = {}
    for row in rows:
        name = send_window.zone_name(row["customer__time_zone"])
        due = max(row["due"], now)
        at = send_window.first_send(wave, due, name).astimezone(send_window.zone(name))
        key = (at.replace(second=0, microsecond=0), name, at > now)
        plans[key] = plans.get(key, 0) + row["n"]
    return sorted(
        (SendPlan(n, at, name, held) for (at, name, held), n in plans.items()),
        key=lambda plan: (plan.at, plan.zone),
    )


def wave_first_send(*, wave: Wave, now: dt.datetime | None = None) -> SendPlan:
    """For a wave not started yet: when its first invitations would go in the
    organisation's time zone."""
    now = now or timezone.now()
    start = max(wave.starts_at, now)
    name = send_window.zone_name()
    at = send_window.first_send(wave, start, name).astimezone(send_window.zone(name))
    return SendPlan(0, at, name, at > start)
