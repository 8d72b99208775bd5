"""Time zones picked from a list: IANA names (zoneinfo), the usual ones first, so nobody
types `Asia/Shanghai` by hand."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Listed first: the zones the portal's customers mostly live in.
COMMON_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
)


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_choices(*, blank_label=None) -> list:
    """Choices for a select: the common zones, then every other zone A–Z, grouped."""
    names = zone_names()
    common = [(z, z) for z in COMMON_ZONES if z in names]
    rest = [(z, z) for z in sorted(names - set(COMMON_ZONES)) if "/" in z or z == "UTC"]
    choices = [(_("Common"), common), (_("All time zones"), rest)]
    if blank_label is not None:
        choices.insert(0, ("", blank_label))
    return choices


def validate_zone(value: str) -> None:
    if value and value not in zone_names():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as Asia/Shanghai."),
            params={"value": value[:60]},
        )
