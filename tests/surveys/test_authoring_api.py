"""Survey authoring through the API: an integration runs the survey programme without
the pages — a bilingual survey with questions of every type, choices and a show-if
condition, reordered, an alert rule, published with the builder's check; a wave created,
started and closed, its invitations read."""

import pytest

from satisfaction import services as satisfaction_services
from satisfaction.models import Invitation, Wave
from surveys.models import AlertRule, Question, SurveyVersion
from tests.satisfaction.factories import consenting_customer

pytestmark = pytest.mark.django_db

CHOICES = [
    {"text_en": "Long queue", "text_zh_hans": "排队太久"},
    {"text_en": "Dirty room", "text_zh_hans": "房间不干净"},
]


def question(kind, n, **extra):
    return {
        "kind": kind,
        "text_en": f"Question {n}",
        "text_zh_hans": f"问题 {n}",
        **extra,
    }


def test_the_whole_programme_without_the_pages(api_client_for, quality_manager):
    api = api_client_for(quality_manager)
    created = api.post(
        "/api/satisfaction/surveys/",
        {"title": "After your stay", "title_zh_hans": "住宿之后", "languages": "both"},
        format="json",
    )
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    assert created.json()["code"] == "after-your-stay"
    draft = api.post(f"/api/satisfaction/surveys/{survey_id}/draft/")
    assert draft.status_code == 201 and draft.json()["number"] == 1
    version_id = draft.json()["id"]
    add = f"/api/satisfaction/survey-versions/{version_id}/questions/"
    made = {}
    for n, kind in enumerate(Question.Kind.values, start=1):
        extra = {}
        if kind in Question.CHOICE_KINDS:
            extra["choices"] = CHOICES
        if kind == "rating":
            extra.update(scale_max=4, low_label_en="Bad", low_label_zh_hans="差")
            extra.update(high_label_en="Great", high_label_zh_hans="好")
        answer = api.post(add, question(kind, n, **extra), format="json")
        assert answer.status_code == 201, (kind, answer.content)
        made[kind] = answer.json()
    assert [c["code"] for c in made["driver"]["choices"]] == ["long-queue", "dirty-room"]
    # Show the comment only to detractors; a value the NPS cannot take is refused.
    comment = f"/api/satisfaction/survey-questions/{made['text']['id']}/"
    wrong = api.patch(comment, {"show_if_question": "nps", "show_if_values": ["11"]}, format="json")
    assert wrong.status_code == 400 and "show_if_values" in wrong.json()
    shown = api.patch(
        comment, {"show_if_question": "nps", "show_if_values": ["0", "1", "2"]}, format="json"
    )
    assert shown.status_code == 200, shown.content
    assert shown.json()["show_if_question"] == "nps"
    assert shown.json()["show_if_values"] == [0, 1, 2]
    # Reorder: the comment cannot go above the NPS it reads; the consent can go first.
    ids = [made[k]["id"] for k in Question.Kind.values]
    url = f"/api/satisfaction/survey-versions/{version_id}/reorder/"
    text_first = [made["text"]["id"], *[i for i in ids if i != made["text"]["id"]]]
    assert api.post(url, {"order": text_first}, format="json").status_code == 400
    consent_first = [made["consent"]["id"], *[i for i in ids if i != made["consent"]["id"]]]
    reordered = api.post(url, {"order": consent_first}, format="json")
    assert [q["kind"] for q in reordered.json()["questions"]][:2] == ["consent", "nps"]
    # Publishing checks the texts as the builder does: the Chinese introduction is
    # missing once the English one is written.
    texts = api.patch(
        f"/api/satisfaction/survey-versions/{version_id}/",
        {"intro_en": "Tell us about your stay."},
        format="json",
    )
    assert texts.status_code == 200, texts.content
    publish = f"/api/satisfaction/survey-versions/{version_id}/publish/"
    refused = api.post(publish)
    assert refused.status_code == 400 and "introduction" in refused.json()["detail"]
    api.patch(
        f"/api/satisfaction/survey-versions/{version_id}/",
        {"intro_zh_hans": "请告诉我们您的住宿体验。"},
        format="json",
    )
    published = api.post(publish)
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    assert api.patch(comment, {"text_en": "Later"}, format="json").status_code == 400
    # Alert rules: the defaults were set; add one on the driver's choice.
    rule = api.post(
        "/api/satisfaction/alert-rules/",
        {
            "survey": survey_id,
            "question_code": "driver",
            "condition": "choice_is",
            "choice_code": "dirty-room",
            "deadline_hours": 4,
        },
        format="json",
    )
    assert rule.status_code == 201, rule.content
    bad_rule = api.post(
        "/api/satisfaction/alert-rules/",
        {"survey": survey_id, "question_code": "nps", "condition": "at_most", "value": 12},
        format="json",
    )
    assert bad_rule.status_code == 400
    assert AlertRule.objects.filter(survey_id=survey_id, choice_code="dirty-room").exists()
    # A wave: created, started (its audience frozen), invitations read, closed.
    customer = consenting_customer()
    wave = api.post(
        "/api/satisfaction/waves/",
        {"survey": survey_id, "name": "June", "send_window_start": "00:00"},
        format="json",
    )
    assert wave.status_code == 201, wave.content
    wave_id = wave.json()["id"]
    assert wave.json()["status"] == "draft"
    assert api.post(f"/api/satisfaction/waves/{wave_id}/close/").status_code == 400
    assert api.post(f"/api/satisfaction/waves/{wave_id}/schedule/").json()["status"] == (
        "scheduled"
    )
    satisfaction_services.waves_process_due()
    assert Wave.objects.get(pk=wave_id).status == Wave.Status.RUNNING
    invitations = api.get(f"/api/satisfaction/invitations/?wave={wave_id}").json()
    assert [(i["customer"], i["state"]) for i in invitations["results"]] == [
        (customer.pk, "scheduled")
    ]
    closed = api.post(f"/api/satisfaction/waves/{wave_id}/close/")
    assert closed.json()["status"] == "closed"
    assert Invitation.objects.get(wave_id=wave_id).state == Invitation.State.SUPPRESSED
    # A new draft copies the published version.
    second = api.post(f"/api/satisfaction/surveys/{survey_id}/draft/").json()
    assert second["number"] == 2 and len(second["questions"]) == len(Question.Kind.values)
    assert SurveyVersion.objects.filter(survey_id=survey_id).count() == 2


def test_viewers_read_heads_are_refused_only_quality_managers_write(
    api_client_for, viewer, front_desk_head
):
    reader = api_client_for(viewer)
    assert reader.get("/api/satisfaction/survey-versions/").status_code == 200
    assert reader.get("/api/satisfaction/alert-rules/").status_code == 200
    assert reader.get("/api/satisfaction/invitations/").status_code == 200
    created = reader.post("/api/satisfaction/surveys/", {"title": "Nope"}, format="json")
    assert created.status_code == 403
    assert reader.post("/api/satisfaction/waves/", {}, format="json").status_code == 403
    head = api_client_for(front_desk_head)
    for url in ("surveys", "survey-versions", "survey-questions", "alert-rules", "invitations"):
        assert head.get(f"/api/satisfaction/{url}/").status_code == 403
