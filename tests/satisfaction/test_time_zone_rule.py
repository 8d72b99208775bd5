"""The time-zone rule: an answer's day (and month) is its submission time in TIME_ZONE,
for tallied and fresh answers alike. Changing TIME_ZONE moves tallied answers with the
fresh ones: the analysis stops reading tallies of another zone at once, and the scanner
(or `manage.py rebuild_tallies`) counts them again in the new zone."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from qms.registry import Period, registry
from satisfaction import analysis, services
from satisfaction.models import AnswerTally, TallyMark
from tests.satisfaction.factories import answered, published_survey, running_wave

pytestmark = pytest.mark.django_db

UTC = dt.UTC
MARCH, APRIL = Period.parse("2026-03"), Period.parse("2026-04")
BOTH = Period(MARCH.start, APRIL.end)


@pytest.fixture
def answers():
    wave = running_wave(published_survey(code="dining"))
    # 20:00 UTC on 31 March is 04:00 on 1 April in Shanghai (UTC+8).
    for score, moment in (
        (10, dt.datetime(2026, 3, 15, 12, 0, tzinfo=UTC)),
        (0, dt.datetime(2026, 3, 31, 20, 0, tzinfo=UTC)),
        (9, dt.datetime(2026, 4, 10, 12, 0, tzinfo=UTC)),
    ):
        answered(wave, {"nps": score}, submitted_at=moment)
    return wave


def _numbers():
    month = [
        (
            registry.compute("nps", period=p, survey="dining").n,
            registry.compute("nps", period=p, survey="dining").value,
        )
        for p in (MARCH, APRIL)
    ]
    trend = [
        (p.start, v.n, v.value)
        for p, v in registry.compute_monthly("nps", period=BOTH, survey="dining")
    ]
    report = analysis.survey_report(survey=answers_survey(), period=MARCH)
    return month, trend, report.responses


def answers_survey():
    from surveys.models import Survey

    return Survey.objects.get(code="dining")


def test_changing_the_zone_moves_tallied_answers_like_fresh_ones(answers):
    with override_settings(TIME_ZONE="UTC"):
        fresh_utc = _numbers()
        services.tally_refresh()
        assert AnswerTally.objects.exists()
        assert _numbers() == fresh_utc
    assert fresh_utc[0] == [(2, 0.0), (1, 100.0)]

    with override_settings(TIME_ZONE="Asia/Shanghai"):
        # Tallies counted in UTC are not read: the late-March answer is in April at once.
        before_scanner = _numbers()
        assert before_scanner[0] == [(1, 100.0), (2, 0.0)]
        assert before_scanner[2] == 1
        # The scanner sees the zone changed and rebuilds the tallies in the new zone.
        result = services.tally_refresh()
        assert result.get("rebuilt") is True
        assert set(TallyMark.objects.values_list("time_zone", flat=True)) == {"Asia/Shanghai"}
        assert _numbers() == before_scanner
        april_days = AnswerTally.objects.filter(kind="nps", day__gte=APRIL.start)
        assert sum(april_days.values_list("n", flat=True)) == 2

    with override_settings(TIME_ZONE="UTC"):
        assert _numbers() == fresh_utc
        out = io.StringIO()
        call_command("rebuild_tallies", stdout=out)
        assert "UTC" in out.getvalue()
        assert _numbers() == fresh_utc
        assert set(TallyMark.objects.values_list("time_zone", flat=True)) == {"UTC"}


def test_the_scanner_does_not_rebuild_when_the_zone_is_unchanged(answers):
    services.tally_refresh()
    first = list(AnswerTally.objects.values_list("id", flat=True))
    assert "rebuilt" not in services.tally_refresh()
    assert list(AnswerTally.objects.values_list("id", flat=True)) == first
