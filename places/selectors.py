"""Reads of places, scoped by department (docs/architecture.md section 7.5): quality
managers and viewers read every place; heads and staff their department's."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from qms.selectors import get_for_change_or_404, get_in_scope_or_404, scope_by_department
from surveys.models import SurveyVersion
from surveys.selectors import version_questions

from .models import Collector, KioskDevice, Place, PlaceResponse


def place_list(*, user, search: str = "", department=None) -> QuerySet[Place]:
    qs = Place.objects.select_related("department", "segment").annotate(
        collector_count=Count("collectors", filter=Q(collectors__active=True), distinct=True),
        held_count=Count(
            "responses", filter=Q(responses__state=PlaceResponse.State.HELD), distinct=True
        ),
    )
    if search:
        qs = qs.filter(name__icontains=search)
    if department:
        qs = qs.filter(department=department)
    return scope_by_department(qs, user).order_by("name", "id")


def place_get_for_user(*, user, pk) -> Place:
    return get_in_scope_or_404(Place.objects.select_related("department", "segment"), user, pk=pk)


def place_collectors(*, place: Place) -> list[Collector]:
    return list(
        place.collectors.select_related("survey_version__survey")
        .prefetch_related("kiosks")
        .annotate(
            counted=Count("responses", filter=Q(responses__state=PlaceResponse.State.ACCEPTED)),
            held=Count("responses", filter=Q(responses__state=PlaceResponse.State.HELD)),
        )
    )


def collector_get_for_user(*, user, pk) -> Collector:
    return get_in_scope_or_404(
        Collector.objects.select_related("place__department", "survey_version__survey"),
        user,
        field="place__department",
        pk=pk,
    )


def kiosk_get_for_user(*, user, pk) -> KioskDevice:
    return get_in_scope_or_404(
        KioskDevice.objects.select_related("collector__place"),
        user,
        field="collector__place__department",
        pk=pk,
    )


def collector_by_code(*, code: str) -> Collector | None:
    if not code or len(code) > 16:
        return None
    return (
        Collector.objects.select_related("place__department", "wave", "survey_version__survey")
        .filter(code=code)
        .first()
    )


def held_list(*, user, place=None) -> QuerySet[PlaceResponse]:
    qs = PlaceResponse.objects.filter(state=PlaceResponse.State.HELD).select_related(
        "place", "department", "collector__survey_version__survey"
    )
    if place:
        qs = qs.filter(place=place)
    return scope_by_department(qs, user)


def held_get_for_user(*, user, pk) -> PlaceResponse:
    return get_in_scope_or_404(
        PlaceResponse.objects.select_related("place__department", "collector"), user, pk=pk
    )


def held_get_for_change(*, user, pk) -> PlaceResponse:
    """Held answers the user may decide on (a 404 otherwise, viewers included); the
    service then lets only the department's head or a quality manager decide."""
    return get_for_change_or_404(
        PlaceResponse.objects.select_related("place__department", "collector"), user, pk=pk
    )


def publishable_versions() -> QuerySet[SurveyVersion]:
    """Published survey versions, newest first, with their survey (for the picker)."""
    return (
        SurveyVersion.objects.filter(status=SurveyVersion.Status.PUBLISHED)
        .select_related("survey")
        .order_by("survey__title", "-number")
    )


def draft_in_words(row: PlaceResponse) -> list[tuple[str, str]]:
    """Held answers as [(question, answer)] in the reader's language."""
    from django.utils.translation import get_language

    language = get_language() or "en"
    result = []
    for question in version_questions(version=row.collector.survey_version):
        value = row.draft.get(question.code)
        if value in (None, "", []):
            continue
        if question.has_choices:
            labels = {c.code: c.text(language) for c in question.choices.all()}
            values = value if isinstance(value, list) else [value]
            words = ", ".join(labels.get(v, str(v)) for v in values)
        else:
            words = str(value)
        result.append((question.text(language), words))
    return result
