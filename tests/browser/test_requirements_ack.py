"""A department head signs in, opens the customer need deployed to their department,
acknowledges it and sees it acknowledged; another department's deployment is 404."""

import pytest

from requirements import services
from tests.browser.conftest import login, nav
from tests.requirements.conftest import make_deployed

pytestmark = pytest.mark.django_db(transaction=True)


def test_head_acknowledges_a_deployed_need(
    page, quality_manager, front_desk, front_desk_head, housekeeping, housekeeping_head
):
    requirement = make_deployed(
        quality_manager=quality_manager,
        departments=[front_desk, housekeeping],
        title="Zero-wait check-in",
    )
    fd = requirement.deployments.get(department=front_desk)
    hk = requirement.deployments.get(department=housekeeping)
    services.deployment_update(
        deployment=fd, actor=quality_manager, commitment="ID scan from 30 s to 10 s", ack_days=7
    )

    login(page, "fd-head")
    nav(page, "needs")
    page.get_by_role("link", name="Zero-wait check-in").click()
    assert page.get_by_test_id("commitment").inner_text() == "ID scan from 30 s to 10 s"
    assert "Waiting for acknowledgement" in page.get_by_test_id("ack-status").inner_text()
    page.get_by_label("Comment (optional)").fill("Scanners ordered")
    page.get_by_role("button", name="Acknowledge for my department").click()
    status = page.get_by_test_id("ack-status")
    assert "Acknowledged" in status.inner_text()
    assert "Frida Head" in status.inner_text()
    assert page.get_by_role("button", name="Acknowledge for my department").count() == 0

    response = page.goto(f"/customers/deployments/{hk.pk}/")
    assert response.status == 404
    assert "Rooms ready" not in page.content()
