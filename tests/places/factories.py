"""Builders for the places tests: a place with a collector publishing the dining survey."""

from places import services
from surveys.models import Survey
from tests.customers.factories import SegmentFactory
from tests.satisfaction.factories import published_survey


def make_place(*, department, name="Dining room", with_segment=False):
    segment = SegmentFactory() if with_segment else None
    return services.place_create(name=name, department=department, segment=segment)


def make_collector(
    *, department, name="Dining room", with_segment=False, identity_mode=None, place=None
):
    place = place or make_place(department=department, name=name, with_segment=with_segment)
    version = published_survey(
        identity_mode=identity_mode or Survey.IdentityMode.CONFIDENTIAL,
        code=f"dining-{place.pk}",
    )
    return services.collector_create(place=place, survey_version=version)
