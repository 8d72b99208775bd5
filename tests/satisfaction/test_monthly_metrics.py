"""Trend charts read a whole period's months at once; the figures are the same as the
metric computed month by month."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.registry import Period, registry
from satisfaction.models import Answer, Response
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db


def _answer_in(wave, month: int, draft):
    response = answered(wave, draft)
    when = timezone.make_aware(dt.datetime(2026, month, 15, 12, 0))
    Response.objects.filter(pk=response.pk).update(submitted_at=when)
    Answer.objects.filter(response=response).update(submitted_at=when)


@pytest.mark.parametrize("key", ["nps", "csat", "ces"])
def test_monthly_equals_month_by_month(key):
    version = published_survey()
    wave = running_wave(version)
    for month, nps, csat in [(1, 10, 5), (1, 3, 2), (3, 9, 4), (3, 6, 1), (3, 8, 5), (7, 0, 3)]:
        _answer_in(wave, month, {"nps": nps, "csat": csat})
    year = Period.parse("2026")
    trend = registry.compute_monthly(key, period=year)
    assert [month.start.month for month, _value in trend] == list(range(1, 13))
    for month, value in trend:
        one = registry.compute(key, period=month)
        assert (value.value, value.n) == (one.value, one.n), month
    if key == "nps":
        values = [v.value for _m, v in trend]
        assert (values[0], values[1], values[2], values[6]) == (0, None, 0, -100)


def test_the_trend_is_a_few_queries_whatever_the_months(django_assert_max_num_queries):
    year = Period.parse("2026")
    with django_assert_max_num_queries(4):
        registry.compute_monthly("nps", period=year)


def test_a_metric_without_a_monthly_function_is_computed_month_by_month():
    months = registry.compute_monthly("response_rate", period=Period.parse("2026-Q1"))
    assert [m.start.month for m, _v in months] == [1, 2, 3]
    assert all(v.value is None for _m, v in months)
