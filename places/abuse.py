"""Abuse without logins (docs/architecture.md section 13): a signed cookie counts a
device's answers per place per day, a cache counter limits submissions per client
address (read by qms.clientip), and a honeypot field catches form-filling robots.
Suspect patterns that pass these (bursts, identical answers) are held by the service."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from qms.clientip import client_ip

COOKIE = "qms_place_days"
SALT = "places.device"
HONEYPOT = "website"
DEFAULT_ADDRESS_LIMIT = (30, 600)  # submissions per address and place, window in seconds


def per_device_per_day() -> int:
    return int(getattr(settings, "PLACES_ANSWERS_PER_DEVICE_PER_DAY", 1))


def _today() -> str:
    return timezone.localdate().isoformat()


def device_counts(request) -> dict:
    """{place id: answers today} from the signed cookie (a tampered cookie counts 0)."""
    try:
        raw = request.get_signed_cookie(COOKIE, salt=SALT)
        data = json.loads(raw)
    except (KeyError, signing.BadSignature, ValueError):
        return {}
    today = _today()
    if not isinstance(data, dict) or data.get("day") != today:
        return {}
    counts = data.get("n")
    return counts if isinstance(counts, dict) else {}


def device_used_up(request, place_id: int) -> bool:
    return int(device_counts(request).get(str(place_id), 0)) >= per_device_per_day()


def device_count(request, response, place_id: int) -> None:
    counts = device_counts(request)
    counts[str(place_id)] = int(counts.get(str(place_id), 0)) + 1
    response.set_signed_cookie(
        COOKIE,
        json.dumps({"day": _today(), "n": counts}),
        salt=SALT,
        max_age=2 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def address_limited(request, place_id: int) -> bool:
    limit, window = getattr(settings, "PLACES_ADDRESS_LIMIT", DEFAULT_ADDRESS_LIMIT)
    bucket = f"places-rl:{client_ip(request) or 'unknown'}:{place_id}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return limit < 1
    try:
        count = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count > limit


def is_robot(request) -> bool:
    return bool(request.POST.get(HONEYPOT, "").strip())
