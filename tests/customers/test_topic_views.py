"""Topics (shared vocabulary) and segments: QM creates and edits, readers read."""

import pytest
from django.urls import reverse

from customers.models import Segment, Topic
from tests.customers.factories import SegmentFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_quality_manager_creates_and_edits_a_topic(client_for, quality_manager):
    client = client_for(quality_manager)
    response = client.post(
        reverse("customers:topic-create"),
        {"name": "Battery life", "slug": "battery-life", "is_active": "on"},
    )
    assert response.status_code == 302
    topic = Topic.objects.get(slug="battery-life")
    response = client.post(
        reverse("customers:topic-update", args=[topic.pk]),
        {"name": "Battery runtime", "slug": "battery-life"},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Battery runtime"
    assert not topic.is_active


def test_duplicate_topic_code_is_refused_on_the_form(client_for, quality_manager):
    TopicFactory(slug="battery-life")
    response = client_for(quality_manager).post(
        reverse("customers:topic-create"), {"name": "Battery", "slug": "battery-life"}
    )
    assert response.status_code == 200
    assert "already exists" in response.text
    assert Topic.objects.count() == 1


def test_readers_see_topics_but_cannot_edit(client_for, front_desk_head, viewer):
    topic = TopicFactory(name="Queue time")
    for user in (front_desk_head, viewer):
        client = client_for(user)
        response = client.get(reverse("customers:topic-list"))
        assert "Queue time" in response.text
        assert reverse("customers:topic-update", args=[topic.pk]) not in response.text
        assert client.get(reverse("customers:topic-create")).status_code == 403
        assert (
            client.post(
                reverse("customers:topic-update", args=[topic.pk]), {"name": "X", "slug": "x"}
            ).status_code
            == 403
        )


def test_topic_search(client_for, viewer):
    TopicFactory(name="Queue time", slug="queue-time")
    TopicFactory(name="Battery life", slug="battery-life")
    response = client_for(viewer).get(reverse("customers:topic-list"), {"q": "queue"})
    assert [t.name for t in response.context["topics"]] == ["Queue time"]


def test_segments_list_and_create(client_for, quality_manager, front_desk_head):
    SegmentFactory(name="Hotel guests", code="hotel-guests")
    response = client_for(front_desk_head).get(reverse("customers:segment-list"))
    assert "Hotel guests" in response.text
    assert client_for(front_desk_head).get(reverse("customers:segment-create")).status_code == 403
    response = client_for(quality_manager).post(
        reverse("customers:segment-create"), {"name": "Young families", "code": "young-families"}
    )
    assert response.status_code == 302
    response = client_for(quality_manager).post(
        reverse("customers:segment-create"), {"name": "Again", "code": "young-families"}
    )
    assert response.status_code == 200
    assert "already exists" in response.text
    assert Segment.objects.count() == 2


def test_topic_rename_is_in_its_history(client_for, quality_manager, viewer):
    topic = TopicFactory(name="Battery", slug="battery-life")
    client_for(quality_manager).post(
        reverse("customers:topic-update", args=[topic.pk]),
        {"name": "Battery life", "slug": "battery-life", "is_active": "on"},
    )
    response = client_for(viewer).get(reverse("qms:history", args=["topic", topic.pk]))
    assert response.status_code == 200
    assert "Battery life" in response.text
    assert topic.history.count() == 2


def test_topic_and_segment_lists_answer_404_to_a_page_past_the_end(client_for, viewer):
    TopicFactory()
    SegmentFactory()
    client = client_for(viewer)
    for name in ("customers:topic-list", "customers:segment-list"):
        assert client.get(reverse(name), {"page": "99"}).status_code == 404
        assert client.get(reverse(name), {"page": "x"}).status_code == 404
    response = client.get(reverse("customers:topic-list"), {"q": "nothing-like-it"})
    assert "No topic matches your search." in response.text
    assert "Clear filters" not in response.text


def test_a_new_topic_or_segment_needs_no_typed_code(client_for, quality_manager):
    """The code is optional on the new-topic and new-segment forms: left empty, it is
    made from the name (a free one; a Chinese name gives a plain "topic-…")."""
    client = client_for(quality_manager)
    url = reverse("customers:topic-create")
    assert "Optional: left empty, it is made from the name." in client.get(url).text
    for name in ("Check-in wait", "Check-in wait!", "等待时间"):
        assert client.post(url, {"name": name, "is_active": "on"}).status_code == 302
    assert sorted(Topic.objects.values_list("slug", flat=True)) == [
        "check-in-wait",
        "check-in-wait-2",
        "topic",
    ]
    response = client.post(reverse("customers:segment-create"), {"name": "Young families"})
    assert response.status_code == 302
    assert Segment.objects.get(name="Young families").code == "young-families"
