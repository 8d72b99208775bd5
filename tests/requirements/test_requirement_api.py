"""API: requirements (CRUD and lifecycle by the quality manager, scoped reads) and
deployments (scoped list, acknowledge by the head, read by staff; 404 elsewhere)."""

import pytest

from requirements.models import Requirement
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.requirements.conftest import make_deployed
from tests.requirements.factories import RequirementFactory, SegmentFactory

pytestmark = pytest.mark.django_db
REQUIREMENTS = "/api/requirements/"
DEPLOYMENTS = "/api/deployments/"


def test_quality_manager_creates_and_walks_a_requirement(
    api_client_for, quality_manager, front_desk
):
    SegmentFactory(code="retail-shoppers")
    api = api_client_for(quality_manager)
    response = api.post(
        REQUIREMENTS,
        {
            "title": "Checkout wait under 5 minutes",
            "kind": "stated",
            "segment": "retail-shoppers",
            "acceptance_criterion": "Checkout wait under 5 minutes",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["kano"] == "performance"
    assert api.post(f"{REQUIREMENTS}{pk}/accept/").status_code == 400
    assert api.post(f"{REQUIREMENTS}{pk}/submit/").json()["status"] == "under_review"
    no = api.post(f"{REQUIREMENTS}{pk}/review/", {"can_meet": False}, format="json")
    assert no.status_code == 400 and "note" in no.json()["detail"]
    api.post(f"{REQUIREMENTS}{pk}/review/", {"can_meet": True}, format="json")
    assert api.post(f"{REQUIREMENTS}{pk}/accept/").json()["status"] == "accepted"
    assert api.post(f"{REQUIREMENTS}{pk}/deploy/").status_code == 400
    created = api.post(
        DEPLOYMENTS,
        {"requirement": pk, "department": "FD", "commitment": "Two more tills"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert api.post(f"{REQUIREMENTS}{pk}/deploy/").json()["status"] == "deployed"
    assert api.post(f"{REQUIREMENTS}{pk}/retire/", {}, format="json").status_code == 400
    retired = api.post(f"{REQUIREMENTS}{pk}/retire/", {"reason": "Done"}, format="json")
    assert retired.json()["status"] == "retired"


def test_statutory_without_reference_is_a_400(api_client_for, quality_manager):
    response = api_client_for(quality_manager).post(
        REQUIREMENTS, {"title": "Food safety", "kind": "statutory"}, format="json"
    )
    assert response.status_code == 400
    assert "reference" in response.json()


def test_others_cannot_write(api_client_for, viewer, front_desk_head):
    for user in (viewer, front_desk_head):
        response = api_client_for(user).post(
            REQUIREMENTS, {"title": "x", "kind": "stated"}, format="json"
        )
        assert response.status_code == 403


def test_delete_only_proposals(api_client_for, quality_manager, accepted):
    api = api_client_for(quality_manager)
    assert api.delete(f"{REQUIREMENTS}{accepted.pk}/").status_code == 400
    proposal = RequirementFactory()
    assert api.delete(f"{REQUIREMENTS}{proposal.pk}/").status_code == 204


def test_requirement_reads_are_scoped(
    api_client_for, viewer, front_desk_staff, deployed, quality_manager, housekeeping
):
    RequirementFactory(title="Not deployed anywhere")
    assert api_client_for(viewer).get(REQUIREMENTS).json()["count"] == 2
    staff_view = api_client_for(front_desk_staff).get(REQUIREMENTS).json()
    assert [r["title"] for r in staff_view["results"]] == ["Zero-wait check-in"]
    other = make_deployed(quality_manager=quality_manager, departments=[housekeeping], title="HK")
    assert api_client_for(front_desk_staff).get(f"{REQUIREMENTS}{other.pk}/").status_code == 404


def test_deployment_list_is_scoped(api_client_for, deployed, front_desk_head, viewer):
    assert api_client_for(viewer).get(DEPLOYMENTS).json()["count"] == 2
    mine = api_client_for(front_desk_head).get(DEPLOYMENTS).json()["results"]
    assert [d["department"] for d in mine] == ["FD"]


def test_head_acknowledges_through_the_api(
    api_client_for, deployed, fd_deployment, front_desk_head
):
    response = api_client_for(front_desk_head).post(
        f"{DEPLOYMENTS}{fd_deployment.pk}/acknowledge/", {"comment": "Yes"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["is_acknowledged"] is True


def test_head_of_housekeeping_gets_404_for_the_front_desk(
    api_client_for, deployed, fd_deployment, housekeeping_head
):
    api = api_client_for(housekeeping_head)
    assert api.get(f"{DEPLOYMENTS}{fd_deployment.pk}/").status_code == 404
    assert api.post(f"{DEPLOYMENTS}{fd_deployment.pk}/acknowledge/").status_code == 404
    assert api.post(f"{DEPLOYMENTS}{fd_deployment.pk}/read/").status_code == 404


def test_staff_read_but_do_not_acknowledge(
    api_client_for, deployed, fd_deployment, front_desk_staff
):
    api = api_client_for(front_desk_staff)
    assert api.post(f"{DEPLOYMENTS}{fd_deployment.pk}/acknowledge/").status_code == 403
    response = api.post(f"{DEPLOYMENTS}{fd_deployment.pk}/read/")
    assert response.status_code == 200
    assert response.json()["read_by_me"] is True
    assert response.json()["read_count"] == 1


def test_quality_manager_changes_a_commitment(
    api_client_for, quality_manager, deployed, fd_deployment
):
    response = api_client_for(quality_manager).patch(
        f"{DEPLOYMENTS}{fd_deployment.pk}/", {"commitment": "ID scan in 5 s"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["commitment"] == "ID scan in 5 s"


def test_a_body_that_is_not_an_object_is_a_400_and_changes_nothing(
    api_client_for, quality_manager, deployed, fd_deployment
):
    # Found by schemathesis: a bare JSON number used to be a server error
    api = api_client_for(quality_manager)
    for body in ("-1.5", "[1, 2]", '"text"'):
        response = api.patch(
            f"{DEPLOYMENTS}{fd_deployment.pk}/", body, content_type="application/json"
        )
        assert response.status_code == 400, body
    before = fd_deployment.commitment
    fd_deployment.refresh_from_db()
    assert fd_deployment.commitment == before


def test_list_endpoints_query_counts_are_flat(
    api_client_for, quality_manager, django_assert_max_num_queries
):
    api = api_client_for(quality_manager)
    department = DepartmentFactory()
    make_deployed(quality_manager=quality_manager, departments=[department], title="first")
    with django_assert_max_num_queries(10) as few_requirements:
        assert api.get(REQUIREMENTS).status_code == 200
    with django_assert_max_num_queries(10) as few_deployments:
        assert api.get(DEPLOYMENTS).status_code == 200
    for n in range(10):
        MembershipFactory(department=department, user=UserFactory())
        make_deployed(
            quality_manager=quality_manager,
            departments=[department, DepartmentFactory()],
            title=f"n{n}",
        )
    with django_assert_max_num_queries(len(few_requirements.captured_queries)):
        response = api.get(REQUIREMENTS)
    assert response.status_code == 200
    assert response.json()["count"] == 11
    with django_assert_max_num_queries(len(few_deployments.captured_queries)):
        response = api.get(DEPLOYMENTS)
    assert response.status_code == 200
    assert response.json()["count"] == 21


def test_schema_lists_the_endpoints(api_client_for, quality_manager):
    schema = api_client_for(quality_manager).get("/api/schema/").content.decode()
    assert "/api/requirements/{id}/review/" in schema
    assert "/api/deployments/{id}/acknowledge/" in schema


def test_requirement_filters(api_client_for, viewer, deployed):
    RequirementFactory(title="Other", status=Requirement.Status.PROPOSED)
    api = api_client_for(viewer)
    assert api.get(REQUIREMENTS, {"department": "FD"}).json()["count"] == 1
    assert api.get(REQUIREMENTS, {"status": "proposed"}).json()["count"] == 1
    assert api.get(REQUIREMENTS, {"segment": "nope"}).status_code == 404
