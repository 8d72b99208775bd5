"""The customer's side: personal link pages, save and resume, one response per
invitation, friendly 404/410/429 pages, opt-out, and a submit with the broker down."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Consent
from qms.models import Message
from satisfaction import services
from satisfaction.models import Answer, FollowUpCase, Invitation, Response
from surveys import services as survey_services
from tests.satisfaction.factories import consenting_customer, sent_invitation

pytestmark = pytest.mark.django_db


def url(token):
    return reverse("satisfaction:respond", args=[token])


@pytest.fixture
def invited():
    return sent_invitation()


def answers(**extra):
    data = {"q_nps": "3", "q_csat": "2", "q_driver": "queue", "q_contact": "1", "action": "submit"}
    data.update(extra)
    return data


def test_opening_the_link_shows_the_survey_and_records_opened_at(client, invited):
    invitation, token = invited
    response = client.get(url(token))
    assert response.status_code == 200
    html = response.content.decode()
    # Scales are radio groups in a fieldset with a legend, for screen readers
    assert "<fieldset" in html and "<legend" in html
    assert 'type="radio"' in html
    assert "How likely are you to recommend us?" in html
    assert "<script>" not in html  # CSP: no inline scripts
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    assert invitation.state == Invitation.State.OPENED


def test_the_page_speaks_the_customers_language(client):
    _invitation, token = sent_invitation(customer=consenting_customer(language="zh-hans"))
    response = client.get(url(token))
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "您向朋友推荐我们的可能性有多大？" in html


def test_the_customers_language_does_not_outlive_the_request(client):
    from django.utils import translation

    _invitation, token = sent_invitation(customer=consenting_customer(language="zh-hans"))
    with translation.override("en"):
        response = client.get(url(token))
        assert translation.get_language() == "en"
    assert response["Content-Language"] == "zh-hans"


def test_unknown_or_tampered_token_is_a_friendly_404(client, invited):
    _invitation, token = invited
    for bad in ("nope", token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 500):
        response = client.get(url(bad))
        assert response.status_code == 404
        assert b"We do not recognise this link" in response.content


def test_expired_link_is_410(client, invited):
    invitation, token = invited
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(url(token))
    assert response.status_code == 410
    assert b"expired" in response.content
    assert client.post(url(token), answers()).status_code == 410
    assert not Response.objects.exists()


def test_submit_stores_typed_answers_and_shows_thanks(client, invited):
    invitation, token = invited
    response = client.post(url(token), answers(q_comment="Slow queue"))
    assert response.status_code == 200
    assert b'data-testid="thanks"' in response.content
    stored = Response.objects.get()
    assert stored.dissatisfied is True
    assert stored.may_contact is True
    by_code = {a.question_code: a for a in Answer.objects.all()}
    assert by_code["nps"].value_int == 3
    assert by_code["driver"].topic.slug == "queue-time"
    assert by_code["comment"].value_text == "Slow queue"
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.COMPLETED
    assert invitation.completed_at is not None
    assert invitation.next_action_at is None


def test_a_submit_costs_a_fixed_handful_of_queries(client, invited, django_assert_max_num_queries):
    # link + invitation + customer in one query, the wave and questions from the cache,
    # then BEGIN, response, answers, invitation, COMMIT (savepoints on some backends),
    # and one look-up of the webhook subscriptions per event the submit raises (response
    # received; follow-up opened when a rule fires)
    _invitation, token = invited
    client.get(url(token))  # fills the caches, like the customer opening the link
    with django_assert_max_num_queries(12) as counted:
        response = client.post(url(token), answers(q_nps="9", q_driver="", q_contact=""))
    assert response.status_code == 200
    assert not [q for q in counted.captured_queries if "satisfaction_wave" in q["sql"]]


def test_a_new_survey_title_shows_on_the_customers_page_at_once(
    client, invited, django_capture_on_commit_callbacks
):
    invitation, token = invited
    assert "Dining experience" in client.get(url(token)).content.decode()
    survey = invitation.wave.survey_version.survey
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.survey_update(survey=survey, title="Our restaurant")
    assert "Our restaurant" in client.get(url(token)).content.decode()


def test_used_link_is_410_and_a_retry_of_the_same_answers_is_thanked(client, invited):
    _invitation, token = invited
    client.post(url(token), answers(q_comment="Slow queue"))
    # Double click or retry: the same answers, already stored; thank-you page again
    again = client.post(url(token), answers(q_comment="Slow queue"))
    assert again.status_code == 200
    assert b'data-testid="thanks"' in again.content
    assert Response.objects.count() == 1
    assert client.get(url(token)).status_code == 410


def test_a_stale_second_tab_is_told_its_answers_were_not_saved(client, invited):
    _invitation, token = invited
    client.post(url(token), answers())
    # A second tab, opened before the first submitted, sends other answers
    stale = client.post(url(token), answers(q_nps="10", q_comment="Great"))
    assert stale.status_code == 409
    assert b'data-testid="answered-before"' in stale.content
    assert b"We keep the answers you sent first" in stale.content
    assert b'data-testid="thanks"' not in stale.content
    assert Response.objects.count() == 1
    assert Answer.objects.get(question_code="nps").value_int == 3
    assert not Answer.objects.filter(question_code="comment").exists()
    # its autosave is refused too, and says why
    autosave = client.post(url(token), {"q_nps": "10"}, headers={"X-Requested-With": "fetch"})
    assert autosave.status_code == 409
    assert autosave.json() == {"saved": False, "already_answered": True}


def test_a_second_tab_that_loses_the_race_is_told_the_truth(client, invited, monkeypatch):
    # Both tabs see an open invitation; the other tab's submit commits first.
    invitation, token = invited
    real_submit = services.response_submit

    def other_tab_first(*, invitation, questions, draft):
        other = Invitation.objects.select_related("wave__survey_version__survey", "customer")
        real_submit(invitation=other.get(pk=invitation.pk), questions=questions, draft={"nps": 9})
        return real_submit(invitation=invitation, questions=questions, draft=draft)

    monkeypatch.setattr(services, "response_submit", other_tab_first)
    response = client.post(url(token), answers(q_nps="2"))
    assert response.status_code == 409
    assert b'data-testid="answered-before"' in response.content
    assert Answer.objects.get(question_code="nps").value_int == 9


def test_the_database_refuses_a_second_response_even_when_python_checks_are_bypassed(invited):
    # Two tabs loaded the page before either submitted: both see an open invitation.
    from surveys import selectors as survey_selectors

    invitation, _token = invited
    tab_a = Invitation.objects.select_related("wave__survey_version__survey", "customer").get(
        pk=invitation.pk
    )
    tab_b = Invitation.objects.select_related("wave__survey_version__survey", "customer").get(
        pk=invitation.pk
    )
    questions = survey_selectors.version_questions(version=tab_a.wave.survey_version)
    first, created_a = services.response_submit(
        invitation=tab_a, questions=questions, draft={"nps": 9}
    )
    second, created_b = services.response_submit(
        invitation=tab_b, questions=questions, draft={"nps": 1}
    )
    assert created_a and not created_b
    assert first.pk == second.pk
    assert Response.objects.count() == 1
    assert Answer.objects.get(question_code="nps").value_int == 9


def test_required_questions_are_checked_and_the_answers_kept(client, invited):
    invitation, token = invited
    response = client.post(url(token), {"q_csat": "4", "action": "submit"})
    assert response.status_code == 200
    assert b"Please answer this question." in response.content
    assert b'id="error-summary"' in response.content
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.draft_answers == {"csat": 4}


def test_out_of_range_values_are_rejected(client, invited):
    _invitation, token = invited
    response = client.post(url(token), answers(q_nps="11"))
    assert b"Choose a value from 0 to 10." in response.content
    assert not Response.objects.exists()


def test_save_and_resume_on_the_same_link(client, invited):
    invitation, token = invited
    response = client.post(url(token), {"q_nps": "8", "action": "save"})
    assert response.status_code == 200
    assert b"Your answers are saved" in response.content
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.STARTED
    assert invitation.started_at is not None
    # Later, on another device: the saved answer is checked
    later = Client().get(url(token)).content.decode()
    assert re.search(r'id="id_q_nps_8"\s+value="8"\s+autocomplete="off"\s+checked', later)


def test_autosave_answers_json(client, invited):
    invitation, token = invited
    response = client.post(
        url(token), {"q_nps": "9", "action": "save"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.json() == {"saved": True}
    invitation.refresh_from_db()
    assert invitation.draft_answers == {"nps": 9}


def test_hidden_show_if_answers_are_dropped(client, invited):
    _invitation, token = invited
    # A promoter does not see the driver question: a stray value is not stored
    client.post(url(token), answers(q_nps="10"))
    assert not Answer.objects.filter(question_code="driver").exists()


def test_opt_out_records_consent_and_suppresses_future_invitations(client, invited):
    invitation, token = invited
    other = Invitation.objects.create(
        wave=invitation.wave,
        customer=invitation.customer,
        trigger_ref="later",
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        next_action_at=timezone.now() + dt.timedelta(days=3),
    )
    opt_out = reverse("satisfaction:opt-out", args=[token])
    assert client.get(opt_out).status_code == 200
    response = client.post(opt_out)
    assert b'data-testid="opted-out"' in response.content
    consent = Consent.objects.get(customer=invitation.customer, channel="surveys")
    assert consent.granted is False
    assert consent.method == Consent.Method.OPT_OUT_LINK
    other.refresh_from_db()
    assert other.state == Invitation.State.SUPPRESSED
    assert other.reason == Invitation.Reason.OPTED_OUT


def test_public_pages_are_rate_limited(client, invited, settings):
    settings.SATISFACTION_RATE_LIMITS = {"ip": (1000, 60), "token": (3, 60)}
    _invitation, token = invited
    statuses = [client.get(url(token)).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]
    assert b"Too many requests" in client.get(url(token)).content


def test_guessing_tokens_is_rate_limited_per_ip(client, settings):
    settings.SATISFACTION_RATE_LIMITS = {"ip": (5, 60), "token": (100, 60)}
    statuses = [client.get(url(f"guess{n}")).status_code for n in range(7)]
    assert statuses == [404] * 5 + [429] * 2


def test_submit_with_the_broker_down_saves_the_answers(
    client, invited, settings, monkeypatch, django_capture_on_commit_callbacks, quality_manager
):
    # Given a broker that refuses every connection
    from qms.celery import app

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(app, "send_task", refuse)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    invitation, token = invited
    # When a detractor submits (which opens a follow-up and queues an alert)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(token), answers())
    # Then the thank-you page shows, and the answers and the alert row are stored
    assert response.status_code == 200
    assert b'data-testid="thanks"' in response.content
    assert Response.objects.filter(invitation=invitation).exists()
    assert FollowUpCase.objects.count() == 1
    assert Message.objects.filter(kind="survey_follow_up", status="pending").exists()


def test_friendly_pages_carry_no_traceback_for_odd_input(client, invited):
    _invitation, token = invited
    response = client.post(
        url(token), {"q_nps": ["x", "y"], "q_driver": "<script>", "action": "submit"}
    )
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_links_use_the_short_path_once_it_is_mounted(client, settings):
    settings.ROOT_URLCONF = "tests.satisfaction.urls_short_links"
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        invitation, token = sent_invitation()
        body = Message.objects.get(key=f"invitation:{invitation.pk}").body
        assert f"/s/{token}/" in body and "/satisfaction/s/" not in body
        page = client.get(f"/s/{token}/")
        assert page.status_code == 200
        assert f'action="/s/{token}/"' in page.content.decode()
        assert client.post(f"/s/{token}/", answers(q_nps="9")).status_code == 200
        assert Response.objects.filter(invitation=invitation).exists()
    finally:
        clear_url_caches()


def test_a_free_text_answer_becomes_a_survey_comment_to_code(client, invited):
    from coding.models import Text

    invitation, token = invited
    client.post(url(token), answers(q_comment="Slow queue"))

    comment = Answer.objects.get(question_code="comment")
    text = Text.objects.get(kind=Text.Kind.SURVEY_COMMENT, object_id=comment.pk)
    assert text.body == "Slow queue"
    assert text.customer == invitation.customer
    assert text.status == Text.Status.PENDING


def test_a_database_failure_during_submit_asks_to_try_again_with_the_answers_kept(
    client, invited, monkeypatch
):
    """The submit's transaction fails: nothing is stored, and the customer sees their
    answers in the form with a request to send them again, never a bare error page."""
    from django.db import OperationalError

    def cut(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "response_submit", cut)
    invitation, token = invited
    response = client.post(url(token), answers(q_nps="3"))
    assert response.status_code == 503
    assert b'data-testid="try-again"' in response.content
    assert b"please send them again" in response.content
    assert re.search(rb'value="3"\s+[^>]*checked', response.content) or re.search(
        rb'checked[^>]*value="3"', response.content
    )
    assert not Response.objects.filter(invitation=invitation).exists()
    # And the retry, once the database is back, is stored and thanked
    monkeypatch.undo()
    response = client.post(url(token), answers(q_nps="3"))
    assert b'data-testid="thanks"' in response.content


@pytest.mark.skipif(
    not __import__("django.conf").conf.settings.IS_POSTGRES,
    reason="a server-side connection that goes away exists on PostgreSQL (SQLite is a file)",
)
@pytest.mark.django_db(transaction=True)
def test_a_persistent_connection_that_went_away_does_not_fail_the_submit(client, settings):
    """CONN_HEALTH_CHECKS: the server dropped the portal's idle persistent connection
    between two requests (a restart, a proxy timeout); the next submit reconnects."""
    from django.db import close_old_connections, connection, connections

    from tests.factories import QualityManagerFactory

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    QualityManagerFactory()
    invitation, token = sent_invitation()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    connection.close()  # the next request opens a persistent connection
    other = connections.create_connection("default")
    try:
        assert client.get(url(token)).status_code == 200
        with connection.cursor() as cursor:  # the connection the page kept open
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        # What Django's WSGI handler does when a request starts (the test client skips it):
        # the persistent connection is checked before its first use, and replaced.
        close_old_connections()
        response = client.post(url(token), answers())
    finally:
        other.close()
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()
    assert response.status_code == 200
    assert b'data-testid="thanks"' in response.content
    assert Response.objects.filter(invitation=invitation).exists()
