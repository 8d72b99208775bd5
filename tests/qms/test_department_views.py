"""Department pages: who sees which department, who may change them."""

import pytest
from django.urls import reverse

from qms.models import Department, Membership
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_quality_manager_lists_every_department(
    client_for, quality_manager, front_desk, housekeeping
):
    response = client_for(quality_manager).get(reverse("qms:department-list"))
    assert response.status_code == 200
    assert [d.code for d in response.context["departments"]] == ["FD", "HK"]


def test_department_head_lists_only_own_department(client_for, front_desk_head, housekeeping):
    response = client_for(front_desk_head).get(reverse("qms:department-list"))
    assert [d.code for d in response.context["departments"]] == ["FD"]


def test_head_gets_404_for_another_departments_page(client_for, front_desk_head, housekeeping):
    response = client_for(front_desk_head).get(
        reverse("qms:department-detail", args=[housekeeping.pk])
    )
    assert response.status_code == 404
    assert b"Housekeeping" not in response.content


def test_staff_reads_own_department_but_cannot_edit(client_for, front_desk_staff, front_desk):
    client = client_for(front_desk_staff)
    assert client.get(reverse("qms:department-detail", args=[front_desk.pk])).status_code == 200
    assert client.get(reverse("qms:department-update", args=[front_desk.pk])).status_code == 403
    assert client.post(reverse("qms:department-delete", args=[front_desk.pk])).status_code == 403
    assert Department.objects.filter(pk=front_desk.pk).exists()


def test_anonymous_visitor_is_sent_to_login(client, front_desk):
    response = client.get(reverse("qms:department-detail", args=[front_desk.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_search_finds_by_name_or_code(client_for, quality_manager, front_desk, housekeeping):
    client = client_for(quality_manager)
    by_name = client.get(reverse("qms:department-list"), {"q": "house"})
    by_code = client.get(reverse("qms:department-list"), {"q": "fd"})
    assert [d.code for d in by_name.context["departments"]] == ["HK"]
    assert [d.code for d in by_code.context["departments"]] == ["FD"]


def test_empty_list_tells_the_quality_manager_what_to_do(client_for, quality_manager):
    response = client_for(quality_manager).get(reverse("qms:department-list"))
    assert b"There are no departments yet" in response.content


def test_list_is_paginated(client_for, quality_manager):
    DepartmentFactory.create_batch(30)
    response = client_for(quality_manager).get(reverse("qms:department-list"))
    assert len(response.context["departments"]) == 25
    assert response.context["is_paginated"]


def test_list_query_count_does_not_grow_with_departments(
    client_for, quality_manager, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    DepartmentFactory.create_batch(2, head=UserFactory())
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("qms:department-list")).status_code == 200
    for _ in range(20):
        parent = DepartmentFactory(head=UserFactory())
        MembershipFactory(department=DepartmentFactory(parent=parent))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("qms:department-list")).status_code == 200


def test_detail_query_count_does_not_grow_with_staff(
    client_for, quality_manager, front_desk, django_assert_max_num_queries
):
    client = client_for(quality_manager)
    url = reverse("qms:department-detail", args=[front_desk.pk])
    MembershipFactory(department=front_desk)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    MembershipFactory.create_batch(15, department=front_desk)
    DepartmentFactory.create_batch(5, parent=front_desk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_csv_export_lists_the_departments_in_scope(client_for, front_desk_head, housekeeping):
    response = client_for(front_desk_head).get(reverse("qms:department-list"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0] == "Code,Name,Parent,Head,Staff"
    assert "FD,Front desk" in body
    assert "HK" not in body


def test_quality_manager_creates_a_department(client_for, quality_manager, front_desk):
    response = client_for(quality_manager).post(
        reverse("qms:department-create"),
        {"name": "IT", "code": "IT", "parent": front_desk.pk, "description": ""},
    )
    department = Department.objects.get(code="IT")
    assert response.url == reverse("qms:department-detail", args=[department.pk])
    assert department.parent == front_desk


def test_duplicate_code_is_refused_on_the_form(client_for, quality_manager, front_desk):
    response = client_for(quality_manager).post(
        reverse("qms:department-create"), {"name": "Other", "code": "FD"}
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Department.objects.count() == 1


def test_a_department_cannot_move_under_its_own_child(client_for, quality_manager, front_desk):
    child = DepartmentFactory(parent=front_desk)
    response = client_for(quality_manager).post(
        reverse("qms:department-update", args=[front_desk.pk]),
        {"name": "Front desk", "code": "FD", "parent": child.pk},
    )
    assert response.status_code == 200
    assert "cannot sit under itself" in str(response.context["form"].non_field_errors())
    front_desk.refresh_from_db()
    assert front_desk.parent is None


def test_delete_asks_for_confirmation_then_deletes(client_for, quality_manager, front_desk):
    client = client_for(quality_manager)
    url = reverse("qms:department-delete", args=[front_desk.pk])
    confirm = client.get(url)
    assert b"This cannot be undone" in confirm.content
    assert Department.objects.filter(pk=front_desk.pk).exists()
    client.post(url)
    assert not Department.objects.filter(pk=front_desk.pk).exists()


def test_a_department_with_sub_departments_is_not_deleted(client_for, quality_manager, front_desk):
    DepartmentFactory(parent=front_desk)
    response = client_for(quality_manager).post(
        reverse("qms:department-delete", args=[front_desk.pk]), follow=True
    )
    assert b"still has sub-departments" in response.content
    assert Department.objects.filter(pk=front_desk.pk).exists()


def test_quality_manager_adds_and_removes_a_staff_member(
    client_for, quality_manager, front_desk, mailoutbox, django_capture_on_commit_callbacks
):
    person = UserFactory(email="new@example.com")
    client = client_for(quality_manager)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("qms:membership-create", args=[front_desk.pk]), {"user": person.pk})
    membership = Membership.objects.get(user=person, department=front_desk)
    remove_url = reverse("qms:membership-delete", args=[front_desk.pk, membership.pk])
    assert client.get(remove_url).status_code == 200
    client.post(remove_url)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_adding_the_same_person_twice_says_so(
    client_for, quality_manager, front_desk_staff, front_desk
):
    response = client_for(quality_manager).post(
        reverse("qms:membership-create", args=[front_desk.pk]), {"user": front_desk_staff.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Membership.objects.filter(department=front_desk).count() == 1


def test_parent_and_sub_departments_are_linked_only_for_those_who_may_open_them(
    client_for, quality_manager, front_desk, front_desk_head
):
    hotel = DepartmentFactory(name="Hotel", code="HOTEL")
    front_desk.parent = hotel
    front_desk.save()
    DepartmentFactory(name="Night desk", code="ND", parent=front_desk)
    head_page = client_for(front_desk_head).get(f"/departments/{front_desk.pk}/").text
    assert "Hotel" in head_page and "Night desk" in head_page  # named
    assert f'href="/departments/{hotel.pk}/"' not in head_page  # but not a dead link
    qm_page = client_for(quality_manager).get(f"/departments/{front_desk.pk}/").text
    assert f'href="/departments/{hotel.pk}/"' in qm_page
