"""API: scoping, create for quality managers, the workflow endpoint, measures."""

import datetime as dt

import pytest
from django.utils import timezone

from actions.models import CorrectiveAction
from tests.actions.factories import ActionFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def test_list_is_scoped(
    api_client_for, quality_manager, viewer, housekeeping_head, front_desk, housekeeping
):
    fd = ActionFactory(department=front_desk)
    hk = ActionFactory(department=housekeeping)
    for user, expected in (
        (quality_manager, {fd.pk, hk.pk}),
        (viewer, {fd.pk, hk.pk}),
        (housekeeping_head, {hk.pk}),
    ):
        data = api_client_for(user).get("/api/actions/").json()
        assert {row["id"] for row in data["results"]} == expected


def test_staff_read_their_departments_actions(
    api_client_for, front_desk_staff, front_desk, housekeeping
):
    fd = ActionFactory(department=front_desk)
    hk = ActionFactory(department=housekeeping)
    api = api_client_for(front_desk_staff)
    assert api.get(f"/api/actions/{fd.pk}/").status_code == 200
    assert api.get(f"/api/actions/{hk.pk}/").status_code == 404


def test_outsider_gets_nothing(api_client_for, outsider, front_desk):
    action = ActionFactory(department=front_desk)
    api = api_client_for(outsider)
    assert api.get("/api/actions/").json()["results"] == []
    assert api.get(f"/api/actions/{action.pk}/").status_code == 404


def test_retrieve_has_sources_criteria_and_transitions(api_client_for, quality_manager, action):
    data = api_client_for(quality_manager).get(f"/api/actions/{action.pk}/").json()
    assert data["reference"] == action.reference
    assert data["transitions"][0]["to_status"] == "open"
    assert data["criteria"] == [] and data["sources"] == []
    # The log's keys stay `by` and `at` (the model names them `actor` and `created_at`).
    first = data["transitions"][0]
    assert set(first) == {"id", "from_status", "to_status", "by", "at", "note"}
    assert first["by"] == quality_manager.pk and first["at"]


def test_create_is_for_quality_managers(
    api_client_for, quality_manager, front_desk_head, front_desk
):
    from tests.actions.factories import make_complaint

    complaint = make_complaint(department=front_desk)
    payload = {
        "title": "Queue",
        "department": front_desk.pk,
        "owner": front_desk_head.pk,
        "due_date": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        "source_kind": "complaint",
        "complaint_ref": complaint.reference,
    }
    assert api_client_for(front_desk_head).post("/api/actions/", payload).status_code == 403
    response = api_client_for(quality_manager).post("/api/actions/", payload)
    assert response.status_code == 201, response.json()
    action = CorrectiveAction.objects.get()
    assert response.json()["reference"] == action.reference
    assert action.sources.get().complaint == complaint


def test_create_reports_a_missing_source(
    api_client_for, quality_manager, front_desk_head, front_desk
):
    response = api_client_for(quality_manager).post(
        "/api/actions/",
        {
            "title": "Queue",
            "department": front_desk.pk,
            "owner": front_desk_head.pk,
            "due_date": timezone.localdate().isoformat(),
            "source_kind": "survey_finding",
        },
    )
    assert response.status_code == 400
    assert "wave" in response.json()["detail"]


def test_transition_endpoint_runs_the_guards(
    api_client_for, quality_manager, front_desk_head, action
):
    api = api_client_for(quality_manager)
    url = f"/api/actions/{action.pk}/transition/"
    assert api.post(url, {"to": "containment"}).json()["status"] == "containment"
    response = api.post(url, {"to": "root_cause"})
    assert response.status_code == 400
    assert "containment" in response.json()["detail"]
    assert api_client_for(front_desk_head).post(url, {"to": "cancelled"}).status_code == 403


def test_measure_owner_and_head_update_status(
    api_client_for, front_desk_head, front_desk_staff, housekeeping_head, action, viewer
):
    measure = MeasureFactory(action=action, owner=front_desk_staff)
    url = f"/api/action-measures/{measure.pk}/"
    response = api_client_for(front_desk_staff).patch(url, {"status": "doing"})
    assert response.status_code == 200 and response.json()["status"] == "doing"
    response = api_client_for(front_desk_head).patch(url, {"status": "done"})
    assert response.json()["status"] == "done" and response.json()["done_at"]
    assert api_client_for(housekeeping_head).patch(url, {"status": "todo"}).status_code == 404
    assert api_client_for(viewer).patch(url, {"status": "todo"}).status_code == 403
    bad = api_client_for(front_desk_head).patch(url, {"status": "nope"})
    assert bad.status_code == 400


def test_measures_are_read_only_otherwise(api_client_for, quality_manager, action):
    measure = MeasureFactory(action=action)
    api = api_client_for(quality_manager)
    assert api.put(f"/api/action-measures/{measure.pk}/", {}).status_code == 405
    assert api.delete(f"/api/action-measures/{measure.pk}/").status_code == 405


@pytest.mark.parametrize("url", ["/api/actions/", "/api/action-measures/"])
def test_list_endpoints_query_count_is_flat(
    api_client_for, quality_manager, front_desk, django_assert_max_num_queries, url
):
    api = api_client_for(quality_manager)
    MeasureFactory(action=ActionFactory(department=front_desk))
    with django_assert_max_num_queries(10) as few:
        assert api.get(url).status_code == 200
    for a in ActionFactory.create_batch(15, department=front_desk):
        MeasureFactory(action=a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(url).status_code == 200


def test_schema_lists_the_endpoints(api_client_for, quality_manager):
    schema = api_client_for(quality_manager).get("/api/schema/").content.decode()
    assert "/api/actions/{id}/transition/" in schema
    assert "/api/action-measures/" in schema
