"""The demo data: idempotent, and the guide's restaurant example comes out of it."""

import io

import pytest

from qms.registry import Period, registry
from satisfaction import analysis, demo
from satisfaction.models import Answer
from surveys.models import Survey

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_shows_the_restaurant_example():
    created = demo.load(stdout=io.StringIO())
    assert created > 100
    counts = (Answer.objects.count(), Survey.objects.count())
    assert demo.load(stdout=io.StringIO()) == 0
    assert (Answer.objects.count(), Survey.objects.count()) == counts
    survey = Survey.objects.get(code="restaurant-dining")
    base, drivers = analysis.driver_shares(survey=survey)
    top = drivers[0]
    assert top["topic"] == "queue-time"
    assert top["share"] == 40.0
    assert base == 30
    period = Period.parse("2000")
    period = Period(start=period.start, end=Period.parse("2100").end)
    value = registry.compute(
        "driver_share", period=period, survey="restaurant-dining", topic="queue-time"
    )
    assert value.value == 40.0
    assert set(Survey.objects.values_list("code", flat=True)) >= {
        "restaurant-dining",
        "retail-shopping",
        "hotel-stay",
    }


def test_demo_surveys_speak_both_languages_with_nothing_left_empty():
    from surveys import services as survey_services

    demo.load(stdout=io.StringIO())
    for survey in Survey.objects.filter(
        code__in=["restaurant-dining", "retail-shopping", "hotel-stay"]
    ):
        assert survey.languages == Survey.Languages.BOTH
        version = survey.versions.get(number=1)
        assert survey_services.version_missing_texts(version=version) == [], survey.code
        assert version.invitation_subject_zh_hans.startswith(survey.title_zh_hans)
