"""Coverage per department and per requirement: acknowledged, read by N of M staff."""

import pytest
from django.urls import reverse

from requirements import services
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.requirements.conftest import make_deployed

pytestmark = pytest.mark.django_db
COVERAGE = reverse("requirements:coverage-list")


def test_coverage_per_department(
    client_for, viewer, deployed, fd_deployment, front_desk_head, front_desk_staff
):
    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    services.brief_mark_read(deployment=fd_deployment, actor=front_desk_staff)
    response = client_for(viewer).get(COVERAGE)
    rows = {d.code: d for d in response.context["departments"]}
    assert (rows["FD"].need_count, rows["FD"].acknowledged_count) == (1, 1)
    assert (rows["FD"].staff_count, rows["FD"].read_count) == (1, 1)
    assert (rows["HK"].need_count, rows["HK"].acknowledged_count, rows["HK"].read_count) == (
        1,
        0,
        0,
    )


def test_reads_of_an_old_revision_do_not_count(
    client_for, viewer, deployed, fd_deployment, front_desk_staff, quality_manager
):
    services.brief_mark_read(deployment=fd_deployment, actor=front_desk_staff)
    services.requirement_update(requirement=deployed, actor=quality_manager, title="Faster")
    rows = {d.code: d for d in client_for(viewer).get(COVERAGE).context["departments"]}
    assert rows["FD"].read_count == 0


def test_department_coverage_page(client_for, front_desk_head, deployed, fd_deployment):
    url = reverse("requirements:coverage-department", args=[fd_deployment.department_id])
    page = client_for(front_desk_head).get(url).content.decode()
    assert "Zero-wait check-in" in page
    assert "0 of 1 deployed needs acknowledged" in page


def test_heads_see_only_their_departments(client_for, housekeeping_head, deployed, fd_deployment):
    client = client_for(housekeeping_head)
    codes = {d.code for d in client.get(COVERAGE).context["departments"]}
    assert codes == {"HK"}
    url = reverse("requirements:coverage-department", args=[fd_deployment.department_id])
    assert client.get(url).status_code == 404


def test_outsiders_get_404(client_for, outsider):
    assert client_for(outsider).get(COVERAGE).status_code == 404


def test_coverage_query_counts_are_flat(client_for, quality_manager, django_assert_max_num_queries):
    client = client_for(quality_manager)
    first = DepartmentFactory()
    make_deployed(quality_manager=quality_manager, departments=[first], title="first")
    department_url = reverse("requirements:coverage-department", args=[first.pk])
    client.get(COVERAGE)
    with django_assert_max_num_queries(12) as few_list:
        assert client.get(COVERAGE).status_code == 200
    with django_assert_max_num_queries(12) as few_detail:
        assert client.get(department_url).status_code == 200
    departments = [DepartmentFactory(head=UserFactory()) for _ in range(8)]
    for department in departments:
        MembershipFactory(department=department)
    for n in range(8):
        make_deployed(
            quality_manager=quality_manager, departments=[first, *departments], title=f"n{n}"
        )
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        assert client.get(COVERAGE).status_code == 200
    with django_assert_max_num_queries(len(few_detail.captured_queries)):
        assert client.get(department_url).status_code == 200
