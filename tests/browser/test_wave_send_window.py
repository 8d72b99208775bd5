"""A quality manager starts a wave outside its send window and sees, on a desktop and on
a phone, when the invitations will go."""

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from satisfaction import services
from satisfaction.models import Wave
from tests.browser.conftest import login
from tests.satisfaction.factories import consenting_customer, published_survey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_a_wave_started_outside_the_send_window_says_when_it_will_go(
    request, screen, quality_manager, settings
):
    page = request.getfixturevalue(screen)
    settings.TIME_ZONE = "Asia/Shanghai"
    version = published_survey(title="Hotel stay pulse")
    consenting_customer()
    consenting_customer(time_zone="Europe/London")
    now = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai"))
    opens, closes = now + dt.timedelta(hours=2), now + dt.timedelta(hours=3)
    login(page, "qm")
    page.goto(f"/satisfaction/surveys/{version.survey.pk}/waves/new/")
    # The page says what the window is and in which time zone, before anything is sent
    help_box = page.get_by_test_id("send-window-help")
    expect(help_box).to_contain_text("09:00–20:00")
    expect(help_box).to_contain_text("Asia/Shanghai")
    page.get_by_label("Name").fill("Evening guests")
    page.get_by_label("Send from (local time)").fill(f"{opens:%H:%M}")
    page.get_by_label("Send until (local time)").fill(f"{closes:%H:%M}")
    page.get_by_role("button", name="Create wave").click()
    expect(page.get_by_test_id("send-plan")).to_contain_text(
        f"held until {opens:%H:%M} Asia/Shanghai"
    )
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_test_id("wave-status")).to_have_text("Scheduled", use_inner_text=True)
    # The worker starts the wave; outside the window nothing goes, and the page says when
    services.waves_process_due()
    services.invitations_process_due()
    page.reload()
    expect(page.get_by_test_id("wave-status")).to_have_text("Running", use_inner_text=True)
    plan = page.get_by_test_id("send-plan")
    expect(plan).to_contain_text(f"1 invitation held until {opens:%H:%M} Asia/Shanghai")
    expect(plan).to_contain_text(f"1 invitation held until {opens:%H:%M} Europe/London")
    expect(page.get_by_test_id("send-window")).to_contain_text(
        f"{opens:%H:%M}–{closes:%H:%M} in each customer's time zone"
    )
    assert Wave.objects.get(name="Evening guests").sent_count == 0
