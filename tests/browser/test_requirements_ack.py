"""A department head signs in, opens the customer need deployed to their department,
acknowledges it and sees it acknowledged; another department's deployment is 404."""

import pytest
from playwright.sync_api import expect

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
    expect(page.get_by_test_id("commitment")).to_have_text(
        "ID scan from 30 s to 10 s", use_inner_text=True
    )
    expect(page.get_by_test_id("ack-status")).to_contain_text(
        "Waiting for acknowledgement", use_inner_text=True
    )
    page.get_by_label("Comment (optional)").fill("Scanners ordered")
    page.get_by_role("button", name="Acknowledge for my department").click()
    status = page.get_by_test_id("ack-status")
    expect(status).to_contain_text("Acknowledged", use_inner_text=True)
    expect(status).to_contain_text("Frida Head", use_inner_text=True)
    expect(page.get_by_role("button", name="Acknowledge for my department")).to_have_count(0)

    response = page.goto(f"/customers/deployments/{hk.pk}/")
    assert response.status == 404
    assert "Rooms ready" not in page.content()
