"""A walk-in at a place: scanning the QR code opens the survey, answers are stored with
the place, department, segment and time; one answer per device per place per day; the
address limit, the honeypot; suspect answers held and counted only once accepted; a low
score left with contact details opens a follow-up case for the place's department."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from customers.models import Consent
from qms.registry import Period, registry
from satisfaction.models import Answer, FollowUpCase, Response
from surveys.models import Survey
from tests.places.factories import make_collector

pytestmark = pytest.mark.django_db


def url(collector):
    return reverse("place:answer", args=[collector.code])


def answers(**extra):
    data = {"q_nps": "9", "q_csat": "5", "q_comment": ""}
    data.update(extra)
    return data


def test_scanning_opens_the_survey_at_the_place(client, front_desk):
    collector = make_collector(department=front_desk)
    response = client.get(url(collector))
    assert response.status_code == 200
    html = response.content.decode()
    assert "How likely are you to recommend us?" in html
    assert collector.place.name in html
    assert "May we contact you?" in html
    assert "<script>" not in html


def test_the_page_speaks_chinese_when_asked(client, front_desk):
    collector = make_collector(department=front_desk)
    response = client.get(url(collector), {"lang": "zh-hans"})
    assert response.headers["Content-Language"] == "zh-hans"
    assert "您向朋友推荐我们的可能性有多大？" in response.content.decode()


def test_unknown_code_speaks_both_languages(client):
    response = client.get(reverse("place:answer", args=["nope"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="not-found-en"' in html and 'data-testid="not-found-zh-hans"' in html


def test_an_anonymous_answer_carries_place_department_segment_and_time(client, front_desk):
    collector = make_collector(department=front_desk, with_segment=True)
    response = client.post(url(collector), answers(q_nps="8"))
    assert response.status_code == 200
    assert 'data-testid="thanks"' in response.content.decode()
    row = collector.responses.get()
    assert row.state == "accepted"
    assert row.department == front_desk
    assert row.segment == collector.place.segment
    assert row.customer is None
    stored = Response.objects.get()
    assert stored.invitation is None
    assert stored.wave_id == collector.wave_id
    assert stored.segment == collector.place.segment
    assert stored.customer is None and not stored.may_contact
    assert abs(stored.submitted_at - timezone.now()) < dt.timedelta(minutes=1)
    assert Answer.objects.filter(response=stored, question_code="nps").get().value_int == 8


def test_missing_required_answer_is_shown_and_nothing_stored(client, front_desk):
    collector = make_collector(department=front_desk)
    response = client.post(url(collector), {"q_csat": "4"})
    assert response.status_code == 200
    assert "Please answer this question." in response.content.decode()
    assert not Response.objects.exists()


def test_one_answer_per_device_per_place_per_day(client, front_desk):
    collector = make_collector(department=front_desk)
    assert client.post(url(collector), answers()).status_code == 200
    again = client.post(url(collector), answers())
    assert again.status_code == 409
    assert 'data-testid="already-today"' in again.content.decode()
    assert client.get(url(collector)).status_code == 200  # the page says so, politely
    assert Response.objects.count() == 1
    # Another phone answers.
    assert Client().post(url(collector), answers()).status_code == 200
    assert Response.objects.count() == 2
    # The same phone, the next day.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with mock.patch("places.abuse.timezone.localdate", return_value=tomorrow):
        assert client.post(url(collector), answers(q_nps="7")).status_code == 200
    assert Response.objects.count() == 3


def test_a_tampered_device_cookie_counts_as_none_and_the_limit_is_a_setting(client, front_desk):
    collector = make_collector(department=front_desk)
    with override_settings(PLACES_ANSWERS_PER_DEVICE_PER_DAY=2):
        assert client.post(url(collector), answers()).status_code == 200
        assert client.post(url(collector), answers(q_nps="10")).status_code == 200
        assert client.post(url(collector), answers()).status_code == 409


@override_settings(PLACES_ADDRESS_LIMIT=(2, 600))
def test_too_many_submissions_from_one_address(front_desk):
    collector = make_collector(department=front_desk)
    statuses = [Client().post(url(collector), answers()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_honeypot_is_thanked_and_stored_nowhere(client, front_desk):
    collector = make_collector(department=front_desk)
    response = client.post(url(collector), answers(website="http://spam.example"))
    assert response.status_code == 200
    assert 'data-testid="thanks"' in response.content.decode()
    assert not Response.objects.exists() and not collector.responses.exists()


def test_a_stopped_collector_says_closed(client, front_desk):
    from places import services

    collector = make_collector(department=front_desk)
    services.collector_stop(collector=collector)
    assert client.get(url(collector)).status_code == 410
    assert client.post(url(collector), answers()).status_code == 410


@override_settings(PLACES_SUSPECT={"burst": 3, "identical": 100, "window_minutes": 10})
def test_a_burst_is_held_and_excluded_from_metrics_until_accepted(
    front_desk, front_desk_head, housekeeping_head
):
    from places import services
    from places.models import PlaceResponse

    collector = make_collector(department=front_desk)
    place_id = collector.place_id
    for nps in ("10", "10", "9", "0", "0"):
        assert Client().post(url(collector), answers(q_nps=nps)).status_code == 200
    held = list(PlaceResponse.objects.filter(state="held").order_by("id"))
    assert len(held) == 2 and {h.reason for h in held} == {"burst"}
    assert Response.objects.count() == 3
    year = Period.parse(str(timezone.localdate().year))
    before = registry.compute("place_nps", period=year, place=str(place_id))
    assert before.n == 3 and before.value == 100.0
    # Another department's head may not decide; the place's head may.
    with pytest.raises(Exception, match="head of the department"):
        services.place_response_accept(row=held[0], user=housekeeping_head)
    services.place_response_accept(row=held[0], user=front_desk_head)
    services.place_response_reject(row=held[1], user=front_desk_head)
    after = registry.compute("place_nps", period=year, place=str(place_id))
    assert after.n == 4 and after.value == 50.0
    held[0].refresh_from_db()
    assert held[0].draft == {} and held[0].response.submitted_at == held[0].submitted_at


@override_settings(PLACES_SUSPECT={"burst": 100, "identical": 2, "window_minutes": 10})
def test_identical_answers_are_held(front_desk):
    from places.models import PlaceResponse

    collector = make_collector(department=front_desk)
    for _ in range(3):
        Client().post(url(collector), answers(q_nps="10", q_csat="5"), REMOTE_ADDR="10.0.0.9")
    assert PlaceResponse.objects.filter(state="held", reason="identical").count() == 1


def test_low_score_with_contact_consent_opens_a_case_for_the_places_department(
    client, front_desk, front_desk_head
):
    collector = make_collector(department=front_desk)
    response = client.post(
        url(collector),
        answers(
            q_nps="2",
            q_driver="queue",
            contact_consent="1",
            contact_name="Mei Chen",
            contact_email="mei@example.com",
        ),
    )
    assert response.status_code == 200
    case = FollowUpCase.objects.get()
    assert case.owner == front_desk_head
    assert case.customer.email == "mei@example.com"
    assert collector.place.name in case.reason
    assert Consent.objects.get(customer=case.customer, channel="surveys").granted
    stored = Response.objects.get()
    assert stored.customer == case.customer and stored.may_contact


def test_contact_details_without_consent_are_not_kept(client, front_desk, front_desk_head):
    collector = make_collector(department=front_desk)
    client.post(url(collector), answers(q_nps="2", contact_email="mei@example.com"))
    stored = Response.objects.get()
    assert stored.customer is None and not stored.may_contact
    assert not FollowUpCase.objects.exists()
    assert collector.responses.get().contact == {}


def test_an_anonymous_survey_offers_no_contact_details(client, front_desk):
    collector = make_collector(department=front_desk, identity_mode=Survey.IdentityMode.ANONYMOUS)
    html = client.get(url(collector)).content.decode()
    assert 'data-testid="contact-details"' not in html
    client.post(url(collector), answers(q_nps="1", contact_consent="1", contact_email="a@b.c"))
    assert not FollowUpCase.objects.exists()
    assert Response.objects.get().customer is None


def test_a_signed_in_read_only_viewer_saves_nothing(client_for, viewer, front_desk):
    collector = make_collector(department=front_desk)
    client = client_for(viewer)
    assert client.get(url(collector)).status_code == 200
    assert client.post(url(collector), answers()).status_code == 403
    assert not Response.objects.exists()


def test_walk_in_answers_count_in_the_scores_not_in_a_response_rate(
    front_desk, quality_manager, client_for
):
    """A place's wave sends no invitation: its answers appear in the survey's analysis
    (scores, responses) while its response rate stays empty instead of a share of
    answers over zero invitations."""
    from satisfaction.analysis import survey_report

    collector = make_collector(department=front_desk)
    for _ in range(3):
        assert Client().post(url(collector), answers(q_nps="10")).status_code == 200
    survey = collector.survey_version.survey
    report = survey_report(survey=survey)
    assert report.responses == 3
    assert report.overall["nps"].value == 100
    assert report.invited == 0 and report.response_rate.value is None
    page = client_for(quality_manager).get(
        reverse("satisfaction:survey-analysis", args=[survey.pk])
    )
    assert page.status_code == 200
