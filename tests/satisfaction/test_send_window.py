"""The send window is visible and kept in each customer's own time zone: a customer in
Shanghai gets the invitation at 09:00 Shanghai time even when the organisation's clock
says otherwise, and the wave page says when held invitations will go."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from qms.models import Message
from satisfaction import selectors, services
from satisfaction.models import Invitation
from tests.satisfaction.factories import consenting_customer, published_survey, running_wave

pytestmark = pytest.mark.django_db

UTC = dt.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _wave(starts_at, **fields):
    return running_wave(
        published_survey(),
        starts_at=starts_at,
        send_window_start=dt.time(9, 0),
        send_window_end=dt.time(20, 0),
        **fields,
    )


def test_the_window_is_read_in_the_customers_own_time_zone(settings):
    settings.TIME_ZONE = "UTC"
    shanghai = consenting_customer(time_zone="Asia/Shanghai")
    london = consenting_customer()  # no zone of their own: the organisation's (UTC)
    # 02:00 UTC is 10:00 in Shanghai: inside the window there, outside it in UTC
    now = dt.datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    wave = _wave(now)
    assert services.invitations_process_due(now=now) == {"send": 1, "defer": 1}
    assert wave.invitations.get(customer=shanghai).state == Invitation.State.SENT
    held = wave.invitations.get(customer=london)
    assert held.state == Invitation.State.SCHEDULED
    assert held.next_action_at == dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert Message.objects.filter(kind="survey_invitation").count() == 1


def test_an_invitation_outside_the_customers_window_waits_for_nine_oclock_there(settings):
    settings.TIME_ZONE = "UTC"
    customer = consenting_customer(time_zone="Asia/Shanghai")
    # 14:00 UTC is 22:00 in Shanghai: held until 09:00 Shanghai (01:00 UTC next day)
    now = dt.datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    wave = _wave(now)
    assert services.invitations_process_due(now=now) == {"defer": 1}
    invitation = wave.invitations.get(customer=customer)
    assert invitation.next_action_at.astimezone(SHANGHAI) == dt.datetime(
        2026, 1, 6, 9, 0, tzinfo=SHANGHAI
    )
    assert services.invitations_process_due(now=invitation.next_action_at) == {"send": 1}


def test_the_send_plan_says_when_held_invitations_go_by_time_zone(settings):
    settings.TIME_ZONE = "UTC"
    consenting_customer(time_zone="Asia/Shanghai")
    consenting_customer(time_zone="Asia/Shanghai")
    consenting_customer()
    now = dt.datetime(2026, 1, 5, 14, 0, tzinfo=UTC)  # 22:00 Shanghai, 14:00 UTC
    wave = _wave(now)
    plan = selectors.wave_send_plan(wave=wave, now=now)
    assert [(p.count, p.zone, p.held, p.at.strftime("%H:%M")) for p in plan] == [
        (1, "UTC", False, "14:00"),
        (2, "Asia/Shanghai", True, "09:00"),
    ]


def test_the_wave_page_says_when_held_invitations_will_go(client_for, quality_manager, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    consenting_customer()
    consenting_customer(time_zone="Europe/London")
    local_now = dt.datetime.now(SHANGHAI)
    # A window that opened an hour from now: nothing may go yet
    opens = (local_now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    closes = (local_now + dt.timedelta(hours=3)).time().replace(second=0, microsecond=0)
    wave = running_wave(
        published_survey(),
        starts_at=local_now,
        send_window_start=opens,
        send_window_end=closes,
    )
    page = client_for(quality_manager).get(reverse("satisfaction:wave-detail", args=[wave.pk]))
    html = page.content.decode()
    assert f"1 invitation held until {opens:%H:%M} Asia/Shanghai" in html
    assert f"1 invitation held until {opens:%H:%M} Europe/London" in html
    assert "in each customer's time zone; customers without one: Asia/Shanghai" in html


def test_a_draft_wave_says_its_invitations_will_be_held(client_for, quality_manager, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    now = dt.datetime.now(SHANGHAI)
    opens = (now + dt.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    wave = services.wave_create(
        survey_version=published_survey(),
        name="Evening",
        starts_at=now,
        send_window_start=opens,
        send_window_end=(now + dt.timedelta(hours=3)).time(),
    )
    page = client_for(quality_manager).get(reverse("satisfaction:wave-detail", args=[wave.pk]))
    assert f"held until {opens:%H:%M} Asia/Shanghai" in page.content.decode()


def test_the_new_wave_page_names_the_default_window_and_time_zone(
    client_for, quality_manager, settings
):
    settings.TIME_ZONE = "Asia/Shanghai"
    version = published_survey()
    page = client_for(quality_manager).get(
        reverse("satisfaction:wave-create", args=[version.survey.pk])
    )
    help_text = page.content.decode()
    assert "09:00–20:00" in help_text
    assert "organisation's time zone, Asia/Shanghai" in help_text
