"""Survey pages: who may do what, the editor and wave flows, and flat query counts."""

import pytest
from django.urls import reverse

from satisfaction.models import Invitation, Wave
from surveys.models import Question, Survey, SurveyVersion
from tests.satisfaction.factories import (
    SegmentFactory,
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave():
    return running_wave(published_survey(code="dining"))


def test_department_heads_and_staff_cannot_manage_surveys(
    client_for, front_desk_head, front_desk_staff, outsider, wave
):
    survey = wave.survey_version.survey
    urls = [
        reverse("satisfaction:survey-list"),
        reverse("surveys:survey-create"),
        reverse("satisfaction:survey-detail", args=[survey.pk]),
        reverse("satisfaction:survey-analysis", args=[survey.pk]),
        reverse("satisfaction:wave-detail", args=[wave.pk]),
        reverse("satisfaction:wave-create", args=[survey.pk]),
        reverse("surveys:version-detail", args=[wave.survey_version.pk]),
    ]
    for user in (front_desk_head, front_desk_staff, outsider):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(reverse("surveys:survey-create"), {}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, wave):
    response = client.get(reverse("satisfaction:survey-list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_viewers_read_the_analysis_but_cannot_change_anything(client_for, viewer, wave):
    client = client_for(viewer)
    survey = wave.survey_version.survey
    assert client.get(reverse("satisfaction:survey-analysis", args=[survey.pk])).status_code == 200
    assert client.get(reverse("surveys:survey-create")).status_code == 403
    assert (
        client.post(
            reverse("satisfaction:wave-action", args=[wave.pk]), {"action": "close"}
        ).status_code
        == 403
    )
    assert client.get(reverse("satisfaction:response-export", args=[survey.pk])).status_code == 403


def test_quality_manager_designs_publishes_and_sends_a_survey(client_for, quality_manager):
    client = client_for(quality_manager)
    response = client.post(
        reverse("surveys:survey-create"),
        {
            "template": "",
            "title": "Hotel stay",
            "title_zh_hans": "酒店入住",
            "languages": "both",
            "purpose": "transactional",
            "identity_mode": "identified",
            "description": "",
        },
    )
    # The code reports use is made from the title; nobody types it.
    survey = Survey.objects.get(code="hotel-stay")
    version = survey.versions.get()
    assert response["Location"] == reverse("surveys:version-detail", args=[version.pk])
    add = reverse("surveys:question-create", args=[version.pk])
    response = client.post(
        add,
        {
            "kind": "nps",
            "text_en": "Would you recommend us?",
            "text_zh_hans": "您会推荐我们吗？",
            "required": "on",
            "scale_max": 5,
            "choices-TOTAL_FORMS": "0",
            "choices-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content
    nps = survey.versions.get().questions.get(code="nps")
    response = client.post(
        add,
        {
            "kind": "driver",
            "text_en": "What disappointed you?",
            "text_zh_hans": "最让您失望的是什么？",
            "scale_max": 5,
            "choices-TOTAL_FORMS": "2",
            "choices-INITIAL_FORMS": "0",
            "choices-0-text_en": "Waiting",
            "choices-0-text_zh_hans": "排队",
            "choices-1-text_en": "Noise",
            "choices-1-text_zh_hans": "噪音",
            "show_if_question": nps.pk,
            "show_if_values": [f"{nps.pk}:{n}" for n in range(7)],
        },
    )
    assert response.status_code == 302, response.content
    why = Question.objects.get(code="driver")
    assert why.show_if_values == [0, 1, 2, 3, 4, 5, 6]
    assert list(why.choices.values_list("code", flat=True)) == ["waiting", "noise"]
    assert client.get(reverse("satisfaction:version-preview", args=[version.pk])).status_code == 200
    client.post(reverse("surveys:version-publish", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == SurveyVersion.Status.PUBLISHED
    # A published version offers no editing
    assert (
        client.post(
            add,
            {
                "kind": "text",
                "text_en": "X",
                "scale_max": 5,
                "choices-TOTAL_FORMS": "0",
                "choices-INITIAL_FORMS": "0",
            },
        ).status_code
        == 200
    )
    assert not Question.objects.filter(text_en="X").exists()
    segment = SegmentFactory(code="guests")
    consenting_customer(segment=segment)
    response = client.post(
        reverse("satisfaction:wave-create", args=[survey.pk]),
        {
            "name": "November guests",
            "kind": "one_off",
            "segment": segment.pk,
            "language": "",
            "starts_at": "2026-01-01T09:00",
            "send_window_start": "00:00",
            "send_window_end": "23:59",
            "expires_after_days": 14,
            "max_reminders": 2,
            "reminder_interval_days": 3,
            "contact_cap_days": "",
        },
    )
    assert response.status_code == 302, response.content
    wave = Wave.objects.get(name="November guests")
    client.post(reverse("satisfaction:wave-action", args=[wave.pk]), {"action": "schedule"})
    wave.refresh_from_db()
    assert wave.status == Wave.Status.SCHEDULED
    page = client.get(reverse("satisfaction:wave-detail", args=[wave.pk]))
    assert page.status_code == 200


def test_new_draft_from_the_survey_page(client_for, quality_manager, wave):
    client = client_for(quality_manager)
    survey = wave.survey_version.survey
    response = client.post(reverse("surveys:version-draft-create", args=[survey.pk]))
    draft = survey.versions.get(status="draft")
    assert response["Location"] == reverse("surveys:version-detail", args=[draft.pk])


def test_analysis_page_shows_the_driver_pareto(client_for, viewer, wave):
    for driver in ("queue", "queue", "food"):
        answered(wave, {"nps": 3, "driver": driver, "comment": "Too slow"})
    page = client_for(viewer).get(
        reverse("satisfaction:survey-analysis", args=[wave.survey_version.survey_id])
    )
    html = page.content.decode()
    assert 'id="pareto-data"' in html and 'type="application/json"' in html
    assert "Queue time" in html
    assert "66.7 %" in html


def test_comments_hide_identities_unless_the_survey_is_identified(client_for, viewer):
    wave = running_wave(published_survey(identity_mode=Survey.IdentityMode.CONFIDENTIAL))
    customer = consenting_customer(name="Secret Person")
    answered(wave, {"nps": 8, "comment": "Nice"}, customer=customer)
    page = client_for(viewer).get(
        reverse("satisfaction:comment-list", args=[wave.survey_version.survey_id])
    )
    assert b"Nice" in page.content
    assert b"Secret Person" not in page.content


def test_csv_export_streams_answers(client_for, quality_manager, wave):
    answered(wave, {"nps": 7, "comment": "=cmd()"})
    response = client_for(quality_manager).get(
        reverse("satisfaction:response-export", args=[wave.survey_version.survey_id])
    )
    body = b"".join(response.streaming_content).decode()
    assert "nps" in body and "'=cmd()" in body


def _many_answers(wave, count):
    for n in range(count):
        answered(wave, {"nps": n % 11, "comment": f"c{n}"})


@pytest.mark.parametrize(
    "name",
    ["survey-list", "comment-list", "invitation-list", "followup-list", "survey-detail"],
)
def test_list_pages_have_flat_query_counts(
    client_for, quality_manager, wave, name, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    survey = wave.survey_version.survey

    def url():
        if name in ("comment-list", "survey-detail"):
            return reverse(f"satisfaction:{name}", args=[survey.pk])
        if name == "invitation-list":
            return reverse(f"satisfaction:{name}", args=[wave.pk])
        return reverse(f"satisfaction:{name}")

    _many_answers(wave, 2)
    client.get(url())  # warm up the session and caches
    with django_assert_max_num_queries(14) as few:
        assert client.get(url()).status_code == 200
    _many_answers(wave, 12)
    published_survey(code="another")
    running_wave(survey.versions.get(number=1), name="Second")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url()).status_code == 200


def test_analysis_page_query_count_is_flat(client_for, viewer, wave, django_assert_max_num_queries):
    client = client_for(viewer)
    url = reverse("satisfaction:survey-analysis", args=[wave.survey_version.survey_id])
    _many_answers(wave, 2)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    _many_answers(wave, 15)
    Invitation.objects.filter(wave=wave).update(state="completed")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_follow_up_owner_updates_the_case(client_for, quality_manager, front_desk_staff):
    from satisfaction.models import FollowUpCase

    customer = consenting_customer(account_owner=front_desk_staff)
    answered(running_wave(published_survey()), {"nps": 1}, customer=customer)
    case = FollowUpCase.objects.get()
    client = client_for(front_desk_staff)
    url = reverse("satisfaction:followup-detail", args=[case.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"state": "contacted", "note": "Left a message"})
    case.refresh_from_db()
    assert case.state == "contacted"


def test_follow_up_cases_of_others_are_404(client_for, front_desk_staff, quality_manager):
    from satisfaction.models import FollowUpCase

    answered(running_wave(published_survey()), {"nps": 1})
    case = FollowUpCase.objects.get()
    assert case.owner == quality_manager
    response = client_for(front_desk_staff).get(
        reverse("satisfaction:followup-detail", args=[case.pk])
    )
    assert response.status_code == 404


def test_navigation_shows_surveys_to_quality_managers_only(
    client_for, quality_manager, front_desk_head
):
    assert b'data-nav="surveys"' in client_for(quality_manager).get("/").content
    assert b'data-nav="surveys"' not in client_for(front_desk_head).get("/").content
