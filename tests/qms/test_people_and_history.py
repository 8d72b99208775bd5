"""People and roles pages, and the audit trail of who changed what."""

import pytest
from django.urls import reverse

from qms.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_people_list_is_for_quality_managers_and_viewers(
    client_for, quality_manager, viewer, front_desk_head
):
    assert client_for(quality_manager).get(reverse("qms:person-list")).status_code == 200
    assert client_for(viewer).get(reverse("qms:person-list")).status_code == 200
    assert client_for(front_desk_head).get(reverse("qms:person-list")).status_code == 403


def test_people_filter_by_role_and_search(client_for, quality_manager, viewer, front_desk_head):
    client = client_for(quality_manager)
    viewers = client.get(reverse("qms:person-list"), {"role": "viewer"}).context["people"]
    assert [p.username for p in viewers] == ["viewer"]
    found = client.get(reverse("qms:person-list"), {"q": "Frida"}).context["people"]
    assert [p.username for p in found] == ["fd-head"]


def test_people_list_query_count_is_flat(
    client_for, quality_manager, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    with django_assert_max_num_queries(10) as few:
        assert client.get(reverse("qms:person-list")).status_code == 200
    UserFactory.create_batch(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("qms:person-list")).status_code == 200


def test_people_csv_export(client_for, quality_manager):
    UserFactory(username="eve", email="=cmd@example.com")
    response = client_for(quality_manager).get(reverse("qms:person-list"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "eve" in body
    # A value a spreadsheet would run as a formula is quoted.
    assert "'=cmd@example.com" in body


def test_a_person_sees_own_profile_but_not_others(client_for, front_desk_head, quality_manager):
    client = client_for(front_desk_head)
    assert client.get(reverse("qms:person-detail", args=[front_desk_head.pk])).status_code == 200
    assert client.get(reverse("qms:person-detail", args=[quality_manager.pk])).status_code == 404


def test_quality_manager_creates_a_person_who_can_sign_in(client_for, quality_manager, client):
    response = client_for(quality_manager).post(
        reverse("qms:person-create"),
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Person",
            "email": "newbie@example.com",
            "role": "member",
            "is_active": "on",
            "password": "a-long-enough-pass-42",
        },
    )
    person = User.objects.get(username="newbie")
    assert response.url == reverse("qms:person-detail", args=[person.pk])
    assert person.check_password("a-long-enough-pass-42")


def test_weak_initial_password_is_refused(client_for, quality_manager):
    response = client_for(quality_manager).post(
        reverse("qms:person-create"),
        {"username": "weak", "role": "member", "password": "123"},
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="weak").exists()


def test_quality_manager_cannot_demote_themselves(client_for, quality_manager):
    response = client_for(quality_manager).post(
        reverse("qms:person-update", args=[quality_manager.pk]),
        {"username": "qm", "role": "viewer", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "own role" in str(response.context["form"].non_field_errors())
    quality_manager.refresh_from_db()
    assert quality_manager.role == User.Role.QUALITY_MANAGER


def test_history_shows_who_changed_what_and_when(client_for, quality_manager, front_desk):
    client = client_for(quality_manager)
    new_head = UserFactory(first_name="Nora", last_name="Newhead")
    client.post(
        reverse("qms:department-update", args=[front_desk.pk]),
        {"name": "Reception", "code": "FD", "head": new_head.pk},
    )
    response = client.get(reverse("qms:history", args=["department", front_desk.pk]))
    assert response.status_code == 200
    newest = response.context["revisions"][0]
    assert newest.record.history_user == quality_manager
    changes = {c.field: (str(c.old), str(c.new)) for c in newest.changes}
    assert changes["name"] == ("Front desk", "Reception")
    # Related records are shown by name, not by id.
    assert changes["head"] == ("None", "Nora Newhead")
    assert b"Reception" in response.content


def test_history_follows_the_record_scoping(client_for, front_desk_head, housekeeping):
    response = client_for(front_desk_head).get(
        reverse("qms:history", args=["department", housekeeping.pk])
    )
    assert response.status_code == 404


def test_history_of_an_unknown_kind_of_record_is_404(client_for, quality_manager):
    assert client_for(quality_manager).get("/history/nothing/1/").status_code == 404


def test_history_query_count_is_flat(
    client_for, quality_manager, front_desk, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    url = reverse("qms:history", args=["department", front_desk.pk])
    front_desk.head = UserFactory()
    front_desk.save()
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for n in range(15):
        front_desk.name = f"Front desk {n}"
        front_desk.head = UserFactory()
        front_desk.save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_person_changes_their_password(client_for, front_desk_head):
    client = client_for(front_desk_head)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "a-test-password-123",
            "new_password1": "another-long-pass-77",
            "new_password2": "another-long-pass-77",
        },
    )
    assert response.url == reverse("password_change_done")
    front_desk_head.refresh_from_db()
    assert front_desk_head.check_password("another-long-pass-77")


def test_a_wrong_old_password_is_explained(client_for, front_desk_head):
    response = client_for(front_desk_head).post(
        reverse("password_change"),
        {
            "old_password": "nope",
            "new_password1": "x-long-pass-77",
            "new_password2": "x-long-pass-77",
        },
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors


def test_history_shows_many_to_many_changes_by_name(client_for, quality_manager):
    """Records that keep a list (a requirement's topics) show which items changed."""
    from customers.models import Topic
    from requirements.models import Requirement

    queue = Topic.objects.create(name="Queue time", slug="queue-time")
    cleanliness = Topic.objects.create(name="Cleanliness", slug="cleanliness")
    requirement = Requirement.objects.create(title="Short queues", kind="stated")
    requirement.topics.set([queue])
    requirement.title = "Short queues at checkout"
    requirement.save()
    requirement.topics.set([queue, cleanliness])
    requirement.save()
    response = client_for(quality_manager).get(
        reverse("qms:history", args=["requirement", requirement.pk])
    )
    assert response.status_code == 200
    changes = [c for r in response.context["revisions"] for c in r.changes]
    topics = next(c for c in changes if c.field == "topics")
    assert (topics.old, topics.new) == ("Queue time", "Cleanliness, Queue time")
