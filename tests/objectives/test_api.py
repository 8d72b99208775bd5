"""API: objectives, key results and check-ins, scoped by department; check-ins are
append-only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from objectives.models import CheckIn, KeyResult, Objective
from tests.objectives.factories import (
    CheckInFactory,
    DepartmentObjectiveFactory,
    KeyResultFactory,
    ObjectiveFactory,
    RequirementFactory,
    this_year,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def fd_kr(front_desk, front_desk_head):
    objective = DepartmentObjectiveFactory(department=front_desk, owner=front_desk_head)
    return KeyResultFactory(objective=objective)


@pytest.fixture
def hk_kr(housekeeping, housekeeping_head):
    objective = DepartmentObjectiveFactory(department=housekeeping, owner=housekeeping_head)
    return KeyResultFactory(objective=objective)


def queries(api, url):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


class TestCheckIns:
    def test_the_head_checks_in_on_their_department(self, api_client_for, front_desk_head, fd_kr):
        response = api_client_for(front_desk_head).post(
            "/api/check-ins/", {"key_result": fd_kr.pk, "value": "42.5", "confidence": 7}
        )
        assert response.status_code == 201, response.data
        assert response.data["by"] == front_desk_head.pk
        assert CheckIn.objects.get().value == Decimal("42.5")

    def test_another_departments_key_result_is_not_found(
        self, api_client_for, front_desk_head, hk_kr
    ):
        response = api_client_for(front_desk_head).post(
            "/api/check-ins/", {"key_result": hk_kr.pk, "value": "1"}
        )
        assert response.status_code == 404
        assert not CheckIn.objects.exists()

    def test_staff_cannot_check_in(self, api_client_for, front_desk_staff, fd_kr):
        response = api_client_for(front_desk_staff).post(
            "/api/check-ins/", {"key_result": fd_kr.pk, "value": "1"}
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_no_update_or_delete(self, api_client_for, quality_manager, method):
        checkin = CheckInFactory(value=Decimal("5"))
        api = api_client_for(quality_manager)
        response = getattr(api, method)(f"/api/check-ins/{checkin.pk}/", {"value": "6"})
        assert response.status_code == 405
        checkin.refresh_from_db()
        assert checkin.value == Decimal("5")

    def test_list_is_scoped(self, api_client_for, front_desk_head, fd_kr, hk_kr):
        CheckInFactory(key_result=fd_kr)
        CheckInFactory(key_result=hk_kr)
        data = api_client_for(front_desk_head).get("/api/check-ins/").data
        assert [row["key_result"] for row in data["results"]] == [fd_kr.pk]

    def test_list_query_count_does_not_grow(self, api_client_for, quality_manager, fd_kr):
        api = api_client_for(quality_manager)
        CheckInFactory(key_result=fd_kr)
        few = queries(api, "/api/check-ins/")
        for _ in range(10):
            CheckInFactory(key_result=KeyResultFactory())
        assert queries(api, "/api/check-ins/") == few


class TestObjectives:
    def test_list_is_scoped_and_has_progress(self, api_client_for, front_desk_head, fd_kr, hk_kr):
        data = api_client_for(front_desk_head).get("/api/objectives/").data["results"]
        ids = {row["id"] for row in data}
        assert fd_kr.objective_id in ids
        assert hk_kr.objective_id not in ids
        assert {"progress", "health", "stale"} <= set(data[0])

    def test_another_departments_objective_is_not_found(
        self, api_client_for, front_desk_head, hk_kr
    ):
        api = api_client_for(front_desk_head)
        assert api.get(f"/api/objectives/{hk_kr.objective_id}/").status_code == 404
        response = api.patch(f"/api/objectives/{hk_kr.objective_id}/", {"title": "Mine now"})
        assert response.status_code == 404
        assert api.get(f"/api/key-results/{hk_kr.pk}/").status_code == 404

    def test_organisation_objective_without_requirement_is_a_400(
        self, api_client_for, quality_manager
    ):
        response = api_client_for(quality_manager).post(
            "/api/objectives/",
            {
                "level": "organisation",
                "period_label": this_year(),
                "title": "Profit +10%",
                "owner": quality_manager.pk,
            },
            format="json",
        )
        assert response.status_code == 400
        assert "customer requirement" in response.data["detail"]

    def test_create_organisation_objective_and_key_result(
        self, api_client_for, quality_manager, fake_metric
    ):
        api = api_client_for(quality_manager)
        need = RequirementFactory()
        response = api.post(
            "/api/objectives/",
            {
                "level": "organisation",
                "period_label": this_year(),
                "title": "Satisfaction 95%",
                "owner": quality_manager.pk,
                "requirements": [need.pk],
            },
            format="json",
        )
        assert response.status_code == 201, response.data
        objective_id = response.data["id"]
        response = api.post(
            "/api/key-results/",
            {
                "objective": objective_id,
                "title": "CSAT",
                "mode": "computed",
                "metric_key": "fake_csat",
                "metric_params": {"segment": "retail"},
                "direction": "increase",
                "baseline": "80",
                "target": "95",
            },
            format="json",
        )
        assert response.status_code == 201, response.data
        bad = api.post(
            "/api/key-results/",
            {
                "objective": objective_id,
                "title": "CSAT",
                "mode": "computed",
                "metric_key": "nope",
                "direction": "increase",
                "baseline": "80",
                "target": "95",
            },
            format="json",
        )
        assert bad.status_code == 400
        assert "no metric called" in bad.data["detail"]

    def test_head_updates_own_department_objective(self, api_client_for, front_desk_head, fd_kr):
        response = api_client_for(front_desk_head).patch(
            f"/api/objectives/{fd_kr.objective_id}/", {"title": "Checkout in 4 minutes"}
        )
        assert response.status_code == 200, response.data
        assert Objective.objects.get(pk=fd_kr.objective_id).title == "Checkout in 4 minutes"

    def test_list_query_count_does_not_grow(self, api_client_for, quality_manager):
        api = api_client_for(quality_manager)
        KeyResultFactory(objective=ObjectiveFactory())
        few = queries(api, "/api/objectives/")
        for _ in range(8):
            objective = DepartmentObjectiveFactory()
            KeyResultFactory(objective=objective)
            KeyResultFactory(objective=objective)
        assert queries(api, "/api/objectives/") == few


class TestKeyResults:
    def test_list_query_count_does_not_grow(self, api_client_for, quality_manager):
        api = api_client_for(quality_manager)
        KeyResultFactory()
        few = queries(api, "/api/key-results/")
        for _ in range(8):
            KeyResultFactory(mode=KeyResult.Mode.MANUAL)
        assert queries(api, "/api/key-results/") == few

    def test_head_cannot_add_to_another_department(self, api_client_for, front_desk_head, hk_kr):
        response = api_client_for(front_desk_head).post(
            "/api/key-results/",
            {
                "objective": hk_kr.objective_id,
                "title": "x",
                "mode": "manual",
                "direction": "increase",
                "baseline": "0",
                "target": "1",
            },
            format="json",
        )
        assert response.status_code == 404


def test_the_schema_builds_without_warnings(capsys):
    from django.core.management import call_command

    call_command("spectacular", "--file", "/dev/null", "--fail-on-warn")
