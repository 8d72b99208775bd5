"""The coding queue and the pages around it: who sees what, one-click and group coding,
keywords, candidate topics and the model page."""

import pytest

from coding import services
from coding.models import CandidateTopic, Coding, Text

pytestmark = pytest.mark.django_db

QUEUE = "/coding/"


@pytest.fixture
def queued(battery, screen, make_text):
    """Three texts the rules could not code, two suggested as battery life."""
    texts = [make_text(body) for body in ("phone dies by noon", "dead by lunch", "glass broke")]
    services.code_pending()
    Text.objects.filter(pk__in=[texts[0].pk, texts[1].pk]).update(
        suggested_topic=battery, suggested_confidence=0.4, suggestions=[[battery.pk, 0.4]]
    )
    return texts


def test_queue_groups_texts_by_suggestion_most_frequent_first(
    client_for, quality_manager, queued, battery, make_text, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    with django_assert_max_num_queries(15) as few:
        response = client.get(QUEUE)
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(g.topic, g.count) for g in groups] == [(battery, 2), (None, 1)]
    assert response.context["current"].topic == battery
    assert b'data-testid="keyboard-help"' in response.content
    assert b'accesskey="s"' in response.content
    # More texts, same number of queries.
    for body in ("dies fast", "no power at noon", "dead again", "flat by two"):
        Text.objects.filter(pk=make_text(body).pk).update(
            status=Text.Status.QUEUED, suggested_topic=battery, suggestions=[[battery.pk, 0.3]]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(QUEUE).status_code == 200


def test_one_click_confirms_the_suggestion(client_for, quality_manager, queued, battery):
    text = queued[0]
    response = client_for(quality_manager).post(
        "/coding/code/", {"one": f"{text.pk}:{battery.pk}", "next": QUEUE}
    )
    assert response.status_code == 302
    coding = text.codings.get()
    assert (coding.topic, coding.origin, coding.confirmed_by) == (
        battery,
        Coding.Origin.PERSON,
        quality_manager,
    )
    text.refresh_from_db()
    assert text.status == Text.Status.CODED


def test_a_group_is_coded_in_one_go(client_for, quality_manager, queued, screen):
    client_for(quality_manager).post(
        "/coding/code/",
        {"texts": [queued[0].pk, queued[1].pk], "topic": screen.pk, "mode": "replace"},
    )
    assert Coding.objects.filter(topic=screen, origin=Coding.Origin.PERSON).count() == 2
    assert Text.objects.filter(status=Text.Status.QUEUED).count() == 1


def test_nothing_ticked_says_what_to_do(client_for, quality_manager, queued, screen):
    response = client_for(quality_manager).post("/coding/code/", {"topic": screen.pk}, follow=True)
    assert "Tick the texts to code." in response.content.decode()
    assert not Coding.objects.filter(origin=Coding.Origin.PERSON).exists()


def test_department_head_sees_and_codes_only_the_departments_texts(
    client_for, front_desk_head, front_desk, housekeeping, make_text, battery
):
    ours = make_text("rude receptionist", kind=Text.Kind.COMPLAINT, department=front_desk)
    theirs = make_text("dirty towels", kind=Text.Kind.COMPLAINT, department=housekeeping)
    services.code_pending()
    client = client_for(front_desk_head)

    page = client.get(QUEUE)
    assert [t.pk for t in page.context["texts"]] == [ours.pk]
    client.post("/coding/code/", {"one": f"{theirs.pk}:{battery.pk}"})
    assert not theirs.codings.exists()
    assert client.get(f"/coding/texts/{theirs.pk}/").status_code == 404
    assert client.get("/coding/model/").status_code == 403


def test_outsider_and_staff_cannot_open_the_queue(client_for, outsider, front_desk_staff):
    assert client_for(outsider).get(QUEUE).status_code == 403
    assert client_for(front_desk_staff).get(QUEUE).status_code == 403


def test_keywords_are_edited_in_rows(client_for, quality_manager, battery, viewer):
    url = f"/coding/topics/{battery.pk}/keywords/"
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-0-phrase": "only lasts",
        "form-0-language": "en",
        "form-1-phrase": "一天充三次",
        "form-1-language": "zh",
        "form-2-phrase": "",
        "form-2-language": "",
    }
    response = client_for(quality_manager).post(url, data)
    assert response.status_code == 302
    assert set(battery.keywords.values_list("phrase", flat=True)) == {"only lasts", "一天充三次"}
    assert client_for(viewer).get(url).status_code == 403


def test_candidate_page_makes_a_topic_from_top_terms(client_for, quality_manager, make_text):
    for i in range(5):
        make_text(f"wifi hotspot drops {i}")
        make_text(f"camera lens fogs up {i}")
    services.code_pending()
    candidate = next(c for c in services.candidates_refresh() if "wifi" in c.top_terms)
    client = client_for(quality_manager)

    page = client.get("/coding/candidates/")
    assert page.status_code == 200
    assert b"Make this a topic" in page.content
    prefix = f"c{candidate.pk}"
    client.post(
        f"/coding/candidates/{candidate.pk}/topic/",
        {f"{prefix}-name": "Wi-Fi", f"{prefix}-keywords": candidate.top_terms[:2]},
    )
    candidate.refresh_from_db()
    assert candidate.status == CandidateTopic.Status.ACCEPTED
    assert candidate.topic.keywords.count() == 2


def test_model_page_shows_versions_and_per_topic_measures(
    client_for, quality_manager, battery, screen, make_text
):
    from tests.coding.test_services import _train

    _train(battery, screen, make_text, quality_manager)
    page = client_for(quality_manager).get("/coding/model/")
    assert page.status_code == 200
    assert b'data-testid="versions"' in page.content
    assert b'data-testid="model-summary"' in page.content


def test_keywords_are_edited_on_the_topics_page(client_for, quality_manager, battery):
    client = client_for(quality_manager)
    topic_page = f"/customers/topics/{battery.pk}/edit/"
    page = client.get(topic_page)
    assert page.status_code == 200
    assert b'data-testid="topic-keywords"' in page.content
    assert "续航" in page.content.decode()
    response = client.post(
        f"/coding/topics/{battery.pk}/keywords/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-phrase": "dies by noon",
            "form-0-language": "en",
            "next": topic_page,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == topic_page
    assert list(battery.keywords.values_list("phrase", flat=True)) == ["dies by noon"]


def test_tickets_imported_as_text_only_are_coded(client_for, quality_manager, battery):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from research.models import Ticket
    from tests.customers.factories import CustomerFactory

    CustomerFactory(external_ref="C-1")
    upload = SimpleUploadedFile(
        "tickets.csv",
        (
            "external_id,customer,opened_at,description,agent_notes\n"
            "WO-1,C-1,2026-03-01,My battery drains by noon,batt calib\n"
            "WO-2,C-1,2026-03-02,手机掉电快,\n"
            "WO-3,C-1,2026-03-02,,\n"
        ).encode(),
        content_type="text/csv",
    )
    client_for(quality_manager).post("/customers/tickets/import/", {"file": upload})
    assert Ticket.objects.filter(topic__isnull=True).count() == 3

    services.code_pending()

    coded = Text.objects.filter(codings__topic=battery, codings__origin="rule")
    assert sorted(t.source.external_id for t in coded) == ["WO-1", "WO-2"]
    assert Text.objects.get(object_id=Ticket.objects.get(external_id="WO-3").pk).status == "empty"


def test_texts_that_fit_no_topic_leave_the_queue_and_teach_the_model(
    client_for, quality_manager, queued
):
    from coding import learning

    client_for(quality_manager).post(
        "/coding/code/", {"texts": [queued[2].pk], "none": "1", "next": QUEUE}
    )

    queued[2].refresh_from_db()
    assert queued[2].status == Text.Status.NO_TOPIC
    assert ("glass broke", learning.NO_TOPIC) in services.training_examples()
