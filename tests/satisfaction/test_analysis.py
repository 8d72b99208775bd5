"""NPS, CSAT, CES, response rate and driver shares, through the metrics registry."""

import datetime as dt

import pytest
from django.utils import timezone

from qms.registry import Period, registry
from satisfaction import analysis
from tests.satisfaction.factories import (
    SegmentFactory,
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db


def this_year():
    return Period.parse(str(timezone.localdate().year))


@pytest.fixture
def wave():
    return running_wave(published_survey(code="dining"))


def test_nps_with_no_answers_is_none(wave):
    value = registry.compute("nps", period=this_year(), survey="dining")
    assert value.value is None
    assert value.n == 0


def test_nps_when_everyone_skipped_the_question_is_none(wave):
    # NPS is required in the fixture survey; make a version where it is skipped
    from surveys.models import Question

    Question.objects.filter(code="nps").update(required=False)
    answered(wave, {"csat": 5})
    answered(wave, {"csat": 4})
    value = registry.compute("nps", period=this_year(), survey="dining")
    assert value.value is None and value.n == 0
    assert registry.compute("csat", period=this_year(), survey="dining").value == 100.0


def test_nps_all_promoters_is_100(wave):
    for score in (9, 10, 10):
        answered(wave, {"nps": score})
    value = registry.compute("nps", period=this_year(), survey="dining")
    assert value.value == 100.0
    assert value.n == 3
    assert value.detail["margin_of_error"] == 0.0


def test_nps_counts_promoters_minus_detractors_over_valid_answers(wave):
    for score in (10, 9, 8, 7, 6, 0):
        answered(wave, {"nps": score})
    value = registry.compute("nps", period=this_year(), survey=str(wave.survey_version.survey_id))
    # 2 promoters, 2 passives, 2 detractors
    assert value.value == 0.0
    assert value.n == 6
    assert value.detail["promoters"] == 2
    assert value.detail["detractors"] == 2
    assert value.detail["margin_of_error"] > 0


def test_csat_and_ces(wave):
    from surveys import services as survey_services
    from surveys.models import Question

    draft = survey_services.version_draft_get_or_create(survey=wave.survey_version.survey)
    survey_services.question_create(
        version=draft, code="effort", kind=Question.Kind.CES, text_en="E"
    )
    draft = survey_services.version_publish(version=draft)
    wave2 = running_wave(draft, name="W2")
    for csat, ces in ((5, 7), (4, 6), (2, 1), (1, 2)):
        answered(wave2, {"nps": 8, "csat": csat, "effort": ces})
    csat = registry.compute("csat", period=this_year(), survey="dining")
    assert csat.value == 50.0 and csat.n == 4
    ces = registry.compute("ces", period=this_year(), survey="dining", question_code="effort")
    assert ces.value == 4.0
    assert ces.detail["share_easy"] == 50.0


def test_metrics_filter_by_period_and_segment(wave):
    diners = SegmentFactory(code="diners")
    answered(wave, {"nps": 10}, customer=consenting_customer(segment=diners))
    answered(wave, {"nps": 0})
    answered(
        wave,
        {"nps": 0},
        customer=consenting_customer(segment=diners),
        submitted_at=timezone.now() - dt.timedelta(days=800),
    )
    assert registry.compute("nps", period=this_year(), segment="diners").value == 100.0
    assert registry.compute("nps", period=this_year()).value == 0.0


def test_driver_share_among_dissatisfied_respondents(wave):
    # 5 dissatisfied: 2 name the queue, 1 the food, 2 name nothing; 3 satisfied
    for driver in ("queue", "queue", "food", None, None):
        draft = {"nps": 4}
        if driver:
            draft["driver"] = driver
        answered(wave, draft)
    for _ in range(3):
        answered(wave, {"nps": 10, "csat": 5})
    value = registry.compute(
        "driver_share", period=this_year(), survey="dining", topic="queue-time"
    )
    assert value.value == 40.0
    assert value.n == 5
    base, rows = analysis.driver_shares(survey=wave.survey_version.survey)
    assert base == 5
    assert [(r["topic"], r["count"]) for r in rows] == [("queue-time", 2), ("food-quality", 1)]
    assert rows[-1]["cumulative"] == 100.0


def test_response_rate(wave):
    answered(wave, {"nps": 9})
    from satisfaction.models import Invitation

    Invitation.objects.create(
        wave=wave,
        customer=consenting_customer(),
        state=Invitation.State.SENT,
        scheduled_at=timezone.now(),
        sent_at=timezone.now(),
    )
    value = registry.compute("response_rate", period=this_year(), survey="dining")
    assert value.value == 50.0
    assert value.n == 2


def test_the_report_query_count_does_not_grow_with_data(wave, django_assert_max_num_queries):
    survey = wave.survey_version.survey
    answered(
        wave, {"nps": 3, "driver": "queue"}, customer=consenting_customer(segment=SegmentFactory())
    )
    with django_assert_max_num_queries(16) as few:
        analysis.survey_report(survey=survey)
    for score in range(11):
        answered(
            wave,
            {"nps": score, "csat": 3, "driver": "food"},
            customer=consenting_customer(segment=SegmentFactory()),
            submitted_at=timezone.now() - dt.timedelta(days=31 * score),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        report = analysis.survey_report(survey=survey)
    assert report.overall["nps"].n == 12
    assert len(report.by_segment) >= 2


def test_the_metrics_are_registered_with_their_parameters():
    keys = {m.key: m for m in registry.all()}
    for key in ("nps", "csat", "ces", "response_rate", "driver_share"):
        assert keys[key].app_label == "satisfaction"
    assert "topic" in keys["driver_share"].parameters
    assert set(keys["nps"].parameters) == {"survey", "question_code", "segment"}


def _summary(report):
    return (
        {k: (v.value, v.n, v.moe) for k, v in report.overall.items()},
        [(r["wave"].pk, r["scores"]["nps"].value, r["sent"]) for r in report.by_wave],
        [(r["month"], r["scores"]["csat"].value) for r in report.by_month],
        [(r["segment"], r["scores"]["nps"].n) for r in report.by_segment],
        [(d["key"], d["count"], d["share"]) for d in report.drivers],
        report.dissatisfied,
        report.responses,
    )


def test_tallies_give_the_same_numbers_as_the_raw_answers(wave):
    """The analysis reads tallies below the watermark and raw answers above it; the
    numbers are the same however far the tally scanner has got."""
    from satisfaction import services
    from satisfaction.models import AnswerTally

    survey = wave.survey_version.survey
    diners = SegmentFactory(code="diners")
    for n, score in enumerate((10, 9, 3, 0, 6, 8)):
        answered(
            wave,
            {"nps": score, "csat": 1 + n % 5, "driver": "queue" if n % 2 else "food"},
            customer=consenting_customer(segment=diners if n % 2 else None),
            submitted_at=timezone.now() - dt.timedelta(days=40 * n),
        )
    raw = _summary(analysis.survey_report(survey=survey))

    def metrics():
        return [
            registry.compute(key, period=this_year(), segment="diners")
            for key in ("nps", "csat", "driver_share")
        ]

    raw_metrics = metrics()
    # Tally everything but the newest answers
    services.tally_refresh(now=timezone.now() - dt.timedelta(days=100), lag=dt.timedelta(0))
    assert AnswerTally.objects.exists()
    assert _summary(analysis.survey_report(survey=survey)) == raw
    # Tally the rest; running the scanner twice counts nothing twice
    later = timezone.now() + dt.timedelta(minutes=5)
    services.tally_refresh(now=later)
    services.tally_refresh(now=later)
    assert _summary(analysis.survey_report(survey=survey)) == raw
    assert metrics() == raw_metrics
    assert raw_metrics[0].n == 3


def test_response_rate_of_a_period_reads_the_counts_of_waves_sent_inside_it(
    wave, django_assert_max_num_queries
):
    """Invitations sent by the scanner keep the wave's count and sending times; the
    period's rate reads them (a flat number of queries) and agrees with counting rows."""
    from satisfaction import services
    from satisfaction.models import Invitation, Response
    from surveys import selectors as survey_selectors
    from tests.satisfaction.factories import sent_invitation

    sent = [sent_invitation(wave)[0] for _ in range(3)]
    wave.refresh_from_db()
    assert wave.sent_count == 3 and wave.first_sent_at and wave.last_sent_at
    invitation = Invitation.objects.select_related("wave__survey_version__survey", "customer").get(
        pk=sent[0].pk
    )
    services.response_submit(
        invitation=invitation,
        questions=survey_selectors.version_questions(version=wave.survey_version),
        draft={"nps": 9},
    )
    assert Response.objects.count() == 1
    with django_assert_max_num_queries(4):
        value = registry.compute("response_rate", period=this_year(), survey="dining")
    assert (value.value, value.n) == (33.3, 3)
    exact = analysis.invitation_counts(survey="dining", period=this_year(), by_wave=True)
    assert exact[wave.pk]["sent"] == 3 and exact[wave.pk]["completed"] == 1


def test_response_rate_counts_rows_of_a_wave_sending_across_the_period_edge(wave):
    from satisfaction.models import Invitation, Wave
    from tests.satisfaction.factories import sent_invitation

    first, _token = sent_invitation(wave)
    sent_invitation(wave)
    last_year = timezone.now().replace(year=timezone.now().year - 1)
    Invitation.objects.filter(pk=first.pk).update(sent_at=last_year)
    Wave.objects.filter(pk=wave.pk).update(first_sent_at=last_year)
    value = registry.compute("response_rate", period=this_year(), survey="dining")
    assert value.n == 1  # only the invitation sent this year
