"""A wave's send window: invitations and reminders go out only between its start and end
time, read in the customer's own time zone where the customer record names one, else in
the organisation's (settings.TIME_ZONE)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.utils import timezone


@lru_cache(maxsize=256)
def _named(name: str) -> dt.tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str = "") -> dt.tzinfo:
    """The customer's zone by name; empty or unknown: the organisation's."""
    return (_named(name) if name else None) or timezone.get_default_timezone()


def zone_name(name: str = "") -> str:
    return str(zone(name))


def in_window(wave, now: dt.datetime, zone_name: str = "") -> bool:
    local = now.astimezone(zone(zone_name)).time()
    start, end = wave.send_window_start, wave.send_window_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # a window across midnight


def next_window_open(wave, now: dt.datetime, zone_name: str = "") -> dt.datetime:
    """The next time the window opens after `now`, in the zone (an aware datetime)."""
    local = now.astimezone(zone(zone_name))
    candidate = local.replace(
        hour=wave.send_window_start.hour,
        minute=wave.send_window_start.minute,
        second=0,
        microsecond=0,
    )
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    # A wall-clock time on the next day: re-attach the zone so a DST change is respected.
    return candidate.replace(tzinfo=None).replace(tzinfo=zone(zone_name))


def first_send(wave, at: dt.datetime, zone_name: str = "") -> dt.datetime:
    """When an invitation due at `at` goes out: at once inside the window, else when the
    window next opens."""
    if in_window(wave, at, zone_name):
        return at
    return next_window_open(wave, at, zone_name)
