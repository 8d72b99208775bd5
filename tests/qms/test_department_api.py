"""The department API applies the same scoping as the pages."""

import pytest

from qms.models import Department

pytestmark = pytest.mark.django_db


def test_head_lists_only_own_department(api_client_for, front_desk_head, housekeeping):
    response = api_client_for(front_desk_head).get("/api/departments/")
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["results"]] == ["FD"]


def test_head_gets_404_for_another_department(api_client_for, front_desk_head, housekeeping):
    response = api_client_for(front_desk_head).get(f"/api/departments/{housekeeping.pk}/")
    assert response.status_code == 404
    assert "Housekeeping" not in response.content.decode()


def test_head_cannot_change_even_own_department(api_client_for, front_desk_head, front_desk):
    response = api_client_for(front_desk_head).patch(
        f"/api/departments/{front_desk.pk}/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 403
    front_desk.refresh_from_db()
    assert front_desk.name == "Front desk"


def test_anonymous_gets_403(client, front_desk):
    assert client.get("/api/departments/").status_code == 403


def test_quality_manager_creates_and_updates(api_client_for, quality_manager, front_desk):
    api = api_client_for(quality_manager)
    created = api.post(
        "/api/departments/", {"name": "IT", "code": "IT", "parent": front_desk.pk}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    updated = api.patch(f"/api/departments/{pk}/", {"name": "IT & systems"}, format="json")
    assert updated.status_code == 200
    assert Department.objects.get(pk=pk).name == "IT & systems"


def test_rule_violation_is_a_400_with_a_readable_message(
    api_client_for, quality_manager, front_desk
):
    from tests.factories import DepartmentFactory

    child = DepartmentFactory(parent=front_desk)
    response = api_client_for(quality_manager).patch(
        f"/api/departments/{front_desk.pk}/", {"parent": child.pk}, format="json"
    )
    assert response.status_code == 400
    assert "cannot sit under itself" in response.json()["detail"]


def test_deleting_a_department_with_children_is_a_400(api_client_for, quality_manager, front_desk):
    from tests.factories import DepartmentFactory

    DepartmentFactory(parent=front_desk)
    response = api_client_for(quality_manager).delete(f"/api/departments/{front_desk.pk}/")
    assert response.status_code == 400
    assert Department.objects.filter(pk=front_desk.pk).exists()


def test_list_query_count_is_flat(api_client_for, quality_manager, django_assert_max_num_queries):
    from tests.factories import DepartmentFactory, UserFactory

    api = api_client_for(quality_manager)
    DepartmentFactory.create_batch(2)
    with django_assert_max_num_queries(10) as few:
        assert api.get("/api/departments/").status_code == 200
    DepartmentFactory.create_batch(20, head=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get("/api/departments/").status_code == 200


def test_people_api_is_for_organisation_wide_roles(api_client_for, viewer, front_desk_head):
    assert api_client_for(viewer).get("/api/people/").status_code == 200
    assert api_client_for(front_desk_head).get("/api/people/").status_code == 403


def test_me_returns_the_signed_in_person(api_client_for, front_desk_head):
    response = api_client_for(front_desk_head).get("/api/people/me/")
    assert response.json()["username"] == "fd-head"


def test_metric_value_endpoint(api_client_for, viewer, front_desk, front_desk_head):
    response = api_client_for(viewer).get(
        "/api/metrics/department_head_coverage/value/", {"period": "2026-Q3"}
    )
    assert response.status_code == 200
    assert response.json()["value"] == 100.0
    assert response.json()["period_start"] == "2026-07-01"


def test_metric_with_bad_period_is_400(api_client_for, viewer):
    response = api_client_for(viewer).get(
        "/api/metrics/department_head_coverage/value/", {"period": "someday"}
    )
    assert response.status_code == 400
    assert "is not a period" in response.json()["detail"]


def test_schema_and_docs_are_served(client_for, quality_manager):
    client = client_for(quality_manager)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/departments/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_schema_and_docs_need_a_sign_in(client, viewer, front_desk_staff):
    """Decision: the API's schema and docs are not public (README, API)."""
    assert client.get("/api/schema/").status_code == 403
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    for person in (viewer, front_desk_staff):
        client.force_login(person)
        assert client.get("/api/schema/").status_code == 200
        assert client.get("/api/docs/").status_code == 200
