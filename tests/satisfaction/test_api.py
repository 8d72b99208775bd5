"""The satisfaction API: read surveys and waves, trigger a transactional invitation,
list responses; with roles and flat query counts."""

import pytest

from satisfaction.models import Invitation, Wave
from tests.satisfaction.factories import (
    answered,
    consenting_customer,
    published_survey,
    running_wave,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def transactional_wave():
    return running_wave(published_survey(code="stay"), kind=Wave.Kind.TRANSACTIONAL)


def test_surveys_and_waves_are_readable_by_viewers_only(
    api_client_for, viewer, front_desk_head, transactional_wave
):
    api = api_client_for(viewer)
    surveys = api.get("/api/satisfaction/surveys/")
    assert surveys.status_code == 200
    assert surveys.json()["results"][0]["code"] == "stay"
    detail = api.get(f"/api/satisfaction/surveys/{transactional_wave.survey_version.survey_id}/")
    codes = [q["code"] for q in detail.json()["versions"][0]["questions"]]
    assert codes == ["nps", "csat", "driver", "contact", "comment"]
    # The texts the customer reads, in both languages
    assert detail.json()["languages"] == "en"
    assert detail.json()["versions"][0]["thanks_zh_hans"].startswith("谢谢")
    assert api.get("/api/satisfaction/waves/").json()["results"][0]["kind"] == "transactional"
    head = api_client_for(front_desk_head)
    assert head.get("/api/satisfaction/surveys/").status_code == 403
    assert head.get("/api/satisfaction/waves/").status_code == 403


def test_trigger_creates_one_invitation_and_is_idempotent(
    api_client_for, quality_manager, transactional_wave
):
    customer = consenting_customer()
    api = api_client_for(quality_manager)
    payload = {
        "wave": transactional_wave.pk,
        "customer": customer.pk,
        "reference": "stay:42",
        "delay_hours": 24,
    }
    first = api.post("/api/satisfaction/invitation-requests/", payload, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["state"] == "scheduled"
    again = api.post("/api/satisfaction/invitation-requests/", payload, format="json")
    assert again.status_code == 200
    assert Invitation.objects.filter(wave=transactional_wave).count() == 1


def test_trigger_is_for_quality_managers_only(api_client_for, viewer, transactional_wave):
    response = api_client_for(viewer).post(
        "/api/satisfaction/invitation-requests/",
        {"wave": transactional_wave.pk, "customer": consenting_customer().pk},
        format="json",
    )
    assert response.status_code == 403


def test_trigger_on_a_one_off_wave_is_a_400(api_client_for, quality_manager):
    wave = running_wave(published_survey())
    response = api_client_for(quality_manager).post(
        "/api/satisfaction/invitation-requests/",
        {"wave": wave.pk, "customer": consenting_customer().pk},
        format="json",
    )
    assert response.status_code == 400
    assert "transactional" in response.json()["detail"]


def test_responses_export_list(api_client_for, quality_manager, viewer, transactional_wave):
    answered(transactional_wave, {"nps": 3, "driver": "queue"})
    url = f"/api/satisfaction/surveys/{transactional_wave.survey_version.survey_id}/responses/"
    rows = api_client_for(quality_manager).get(url).json()["results"]
    assert {r["question_code"] for r in rows} == {"nps", "driver"}
    assert next(r for r in rows if r["question_code"] == "driver")["topic"] == "queue-time"
    assert api_client_for(viewer).get(url).status_code == 403


@pytest.mark.parametrize("path", ["surveys", "waves"])
def test_list_endpoints_have_flat_query_counts(
    api_client_for, viewer, path, django_assert_max_num_queries
):
    api = api_client_for(viewer)
    running_wave(published_survey(code="a"))
    with django_assert_max_num_queries(6) as few:
        assert api.get(f"/api/satisfaction/{path}/").status_code == 200
    for code in ("b", "c", "d"):
        running_wave(published_survey(code=code))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(f"/api/satisfaction/{path}/").status_code == 200


def test_responses_endpoint_query_count_is_flat(
    api_client_for, quality_manager, transactional_wave, django_assert_max_num_queries
):
    api = api_client_for(quality_manager)
    url = f"/api/satisfaction/surveys/{transactional_wave.survey_version.survey_id}/responses/"
    answered(transactional_wave, {"nps": 3, "driver": "queue"})
    with django_assert_max_num_queries(8) as few:
        assert api.get(url).status_code == 200
    for _ in range(5):
        answered(transactional_wave, {"nps": 2, "driver": "food", "comment": "x"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(url).status_code == 200


def test_the_schema_includes_the_satisfaction_endpoints(client_for, quality_manager):
    schema = client_for(quality_manager).get("/api/schema/").content.decode()
    assert "/api/satisfaction/invitation-requests/" in schema
    assert "/api/satisfaction/surveys/{id}/responses/" in schema
