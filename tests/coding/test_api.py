"""The coding API: texts and codings (read, confirm, correct), the queue, keywords,
model versions and candidate topics, with the same roles as the pages."""

import pytest

from coding import services
from coding.models import Coding, Text

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(battery, make_text):
    texts = [make_text(body) for body in ("phone dies by noon", "dead by lunch")]
    services.code_pending()
    Text.objects.filter(pk__in=[t.pk for t in texts]).update(
        suggested_topic=battery, suggestions=[[battery.pk, 0.4]]
    )
    return texts


def test_queue_and_groups(api_client_for, quality_manager, queued, django_assert_max_num_queries):
    api = api_client_for(quality_manager)
    with django_assert_max_num_queries(8):
        response = api.get("/api/coding/texts/queue/")
    assert response.status_code == 200
    assert {t["id"] for t in response.json()["results"]} == {t.pk for t in queued}
    groups = api.get("/api/coding/texts/queue/groups/").json()
    assert groups == [{"topic": "battery-life", "topic_name": "Battery life", "count": 2}]


def test_confirm_and_correct_a_text(api_client_for, quality_manager, queued, screen):
    api = api_client_for(quality_manager)
    text = queued[0]
    response = api.post(
        f"/api/coding/texts/{text.pk}/code/", {"topics": ["battery-life"]}, format="json"
    )
    assert response.status_code == 200
    assert [c["origin"] for c in response.json()["codings"]] == ["person"]
    response = api.post(
        f"/api/coding/texts/{text.pk}/code/", {"topics": ["screen-durability"]}, format="json"
    )
    assert [c["topic"] for c in response.json()["codings"]] == ["screen-durability"]


def test_code_several_texts_at_once(api_client_for, quality_manager, queued):
    response = api_client_for(quality_manager).post(
        "/api/coding/texts/code/",
        {"texts": [t.pk for t in queued], "topics": ["battery-life"]},
        format="json",
    )
    assert response.json() == {"coded": 2}
    assert Coding.objects.filter(origin=Coding.Origin.PERSON).count() == 2


def test_viewer_reads_but_cannot_code(api_client_for, viewer, queued):
    api = api_client_for(viewer)
    assert api.get("/api/coding/texts/").status_code == 200
    response = api.post(
        f"/api/coding/texts/{queued[0].pk}/code/", {"topics": ["battery-life"]}, format="json"
    )
    assert response.status_code == 403
    assert not Coding.objects.filter(origin=Coding.Origin.PERSON).exists()


def test_outsider_gets_403(api_client_for, outsider):
    assert api_client_for(outsider).get("/api/coding/texts/").status_code == 403


def test_keywords_models_and_candidates(api_client_for, quality_manager, battery, viewer):
    api = api_client_for(quality_manager)
    response = api.post(
        "/api/coding/keywords/",
        {"topic": "battery-life", "phrase": "掉电", "language": "zh"},
        format="json",
    )
    assert response.status_code == 201
    assert battery.keywords.filter(phrase="掉电").exists()
    assert (
        api_client_for(viewer)
        .post("/api/coding/keywords/", {"topic": "battery-life", "phrase": "x"}, format="json")
        .status_code
        == 403
    )
    assert api.get("/api/coding/models/").status_code == 200
    assert api.get("/api/coding/candidates/").json()["results"] == []
