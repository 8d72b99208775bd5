"""The department side: "our customers' needs" briefs, the deployment page, the head's
acknowledgement, staff reads, and department scoping (404 on other departments)."""

import pytest
from django.urls import reverse

from requirements import services
from tests.factories import MembershipFactory, UserFactory
from tests.requirements.conftest import make_deployed

pytestmark = pytest.mark.django_db
BRIEFS = reverse("requirements:brief-list")


def detail(deployment):
    return reverse("requirements:deployment-detail", args=[deployment.pk])


def test_staff_see_their_departments_briefs_only(
    client_for, deployed, fd_deployment, front_desk_staff
):
    page = client_for(front_desk_staff).get(BRIEFS).content.decode()
    assert "ID scan from 30 s to 10 s" in page
    assert "Rooms ready 1 hour" not in page


def test_brief_empty_states(client_for, outsider, front_desk_staff):
    assert "not in any department" in client_for(outsider).get(BRIEFS).content.decode()
    page = client_for(front_desk_staff).get(BRIEFS).content.decode()
    assert "No customer need has been deployed to your department yet" in page


def test_needs_not_yet_deployed_are_not_briefs(client_for, fd_deployment, front_desk_staff):
    assert fd_deployment.requirement.status == "accepted"
    assert client_for(front_desk_staff).get(detail(fd_deployment)).status_code == 404
    assert not client_for(front_desk_staff).get(BRIEFS).context["briefs"]


def test_head_acknowledges_from_the_deployment_page(
    client_for, deployed, fd_deployment, front_desk_head
):
    client = client_for(front_desk_head)
    page = client.get(detail(fd_deployment)).content.decode()
    assert "Acknowledge for my department" in page
    response = client.post(
        reverse("requirements:deployment-acknowledge", args=[fd_deployment.pk]),
        {"comment": "On it"},
        follow=True,
    )
    page = response.content.decode()
    assert "Acknowledged" in page and "On it" in page
    assert "Acknowledge for my department" not in page


def test_staff_mark_a_brief_read(client_for, deployed, fd_deployment, front_desk_staff):
    client = client_for(front_desk_staff)
    assert "Acknowledge for my department" not in client.get(detail(fd_deployment)).content.decode()
    response = client.post(
        reverse("requirements:brief-read", args=[fd_deployment.pk]), {"next": "briefs"}
    )
    assert response.url == BRIEFS
    page = client.get(detail(fd_deployment)).content.decode()
    assert "1 of 1 staff have read this revision" in page
    assert "You have read this brief" in page


def test_staff_cannot_acknowledge(client_for, deployed, fd_deployment, front_desk_staff):
    client_for(front_desk_staff).post(
        reverse("requirements:deployment-acknowledge", args=[fd_deployment.pk])
    )
    fd_deployment.refresh_from_db()
    assert not fd_deployment.is_acknowledged


def test_head_of_housekeeping_gets_404_for_the_front_desk(
    client_for, deployed, fd_deployment, housekeeping_head
):
    client = client_for(housekeeping_head)
    assert client.get(detail(fd_deployment)).status_code == 404
    ack = reverse("requirements:deployment-acknowledge", args=[fd_deployment.pk])
    assert client.post(ack).status_code == 404
    assert (
        client.post(reverse("requirements:brief-read", args=[fd_deployment.pk])).status_code == 404
    )
    fd_deployment.refresh_from_db()
    assert not fd_deployment.is_acknowledged


def test_staff_of_housekeeping_get_404_for_the_front_desk(
    client_for, deployed, fd_deployment, hk_staff
):
    assert client_for(hk_staff).get(detail(fd_deployment)).status_code == 404


def test_head_sees_who_has_read(
    client_for, deployed, fd_deployment, front_desk_head, front_desk_staff
):
    services.brief_mark_read(deployment=fd_deployment, actor=front_desk_staff)
    page = client_for(front_desk_head).get(detail(fd_deployment)).content.decode()
    assert "1 of 1 staff" in page
    assert str(front_desk_staff) in page


def test_deployment_history_is_scoped(
    client_for, deployed, fd_deployment, housekeeping_head, front_desk_head
):
    url = reverse("qms:history", args=["deployment", fd_deployment.pk])
    assert client_for(front_desk_head).get(url).status_code == 200
    assert client_for(housekeeping_head).get(url).status_code == 404


def test_brief_list_query_count_is_flat(
    client_for, quality_manager, front_desk, front_desk_staff, django_assert_max_num_queries
):
    client = client_for(front_desk_staff)
    make_deployed(quality_manager=quality_manager, departments=[front_desk], title="first")
    client.get(BRIEFS)
    with django_assert_max_num_queries(12) as few:
        assert client.get(BRIEFS).status_code == 200
    for n in range(12):
        MembershipFactory(department=front_desk, user=UserFactory())
        make_deployed(quality_manager=quality_manager, departments=[front_desk], title=f"n{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(BRIEFS)
    assert response.status_code == 200
    assert len(response.context["briefs"]) == 13


def test_edit_commitment_by_quality_manager(
    client_for, quality_manager, deployed, fd_deployment, front_desk_head
):
    url = reverse("requirements:deployment-update", args=[fd_deployment.pk])
    assert client_for(front_desk_head).get(url).status_code == 403
    response = client_for(quality_manager).post(
        url, {"commitment": "ID scan in 5 s", "ack_days": 3}
    )
    assert response.status_code == 302
    fd_deployment.refresh_from_db()
    assert fd_deployment.commitment == "ID scan in 5 s"


def test_a_head_who_is_not_staff_is_not_offered_mark_read(
    client_for, deployed, fd_deployment, front_desk_head
):
    from requirements import services

    services.deployment_acknowledge(deployment=fd_deployment, actor=front_desk_head)
    page = client_for(front_desk_head).get(BRIEFS).content.decode()
    assert "Mark read" not in page


def test_detail_pages_query_counts_are_flat(
    client_for, quality_manager, front_desk, django_assert_max_num_queries
):
    from tests.factories import DepartmentFactory
    from tests.requirements.factories import TopicFactory

    client = client_for(quality_manager)
    requirement = make_deployed(quality_manager=quality_manager, departments=[front_desk])
    deployment = requirement.deployments.get()
    # One topic from the start, so the baseline already reads the coded evidence behind it.
    requirement.topics.add(TopicFactory())
    requirement_url = reverse("requirements:requirement-detail", args=[requirement.pk])
    client.get(requirement_url)
    with django_assert_max_num_queries(20) as few_requirement:
        assert client.get(requirement_url).status_code == 200
    with django_assert_max_num_queries(20) as few_deployment:
        assert client.get(detail(deployment)).status_code == 200
    for _ in range(10):
        staff = MembershipFactory(department=front_desk, user=UserFactory()).user
        services.brief_mark_read(deployment=deployment, actor=staff)
        requirement.topics.add(TopicFactory())
        services.deployment_create(
            requirement=requirement,
            department=DepartmentFactory(),
            commitment="More",
            actor=quality_manager,
        )
    with django_assert_max_num_queries(len(few_requirement.captured_queries)):
        assert client.get(requirement_url).status_code == 200
    with django_assert_max_num_queries(len(few_deployment.captured_queries)):
        response = client.get(detail(deployment))
    assert response.status_code == 200
    assert "10 of 10 staff" in response.content.decode()


def test_acknowledge_and_mark_read_are_post_only(
    client_for, deployed, fd_deployment, front_desk_head
):
    client = client_for(front_desk_head)
    for name in ("requirements:deployment-acknowledge", "requirements:brief-read"):
        response = client.get(reverse(name, args=[fd_deployment.pk]))
        assert response.status_code == 405
        assert response["Allow"] == "POST, OPTIONS"


def test_a_refused_mark_read_goes_back_where_it_was_asked_from(
    client_for, deployed, fd_deployment, front_desk_head
):
    """A head who is not on the staff cannot mark it read: the reason, and back to the
    briefs when asked from there (to the deployment page otherwise)."""
    client = client_for(front_desk_head)
    url = reverse("requirements:brief-read", args=[fd_deployment.pk])
    response = client.post(url, {"next": "briefs"}, follow=True)
    assert response.redirect_chain[-1][0] == BRIEFS
    messages = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert messages == [("error", "Only staff of the department mark its briefs read.")]
    assert client.post(url).url == detail(fd_deployment)
    assert not fd_deployment.reads.exists()


def test_brief_and_coverage_lists_answer_404_to_a_page_past_the_end(
    client_for, quality_manager, deployed, fd_deployment, front_desk_staff
):
    assert client_for(front_desk_staff).get(BRIEFS, {"page": "99"}).status_code == 404
    client = client_for(quality_manager)
    for url in (
        reverse("requirements:coverage-list"),
        reverse("requirements:coverage-department", args=[fd_deployment.department_id]),
    ):
        assert client.get(url, {"page": "99"}).status_code == 404
        assert client.get(url, {"page": "x"}).status_code == 404
