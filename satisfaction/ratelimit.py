"""Rate limits for the public survey pages, counted in the Django cache (fixed windows,
per client IP and per token). No state in process memory beyond what the cache keeps;
point CACHE_URL at a shared cache in production so every web process counts together."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_LIMITS = {
    # (requests, window in seconds)
    "ip": (300, 60),
    "token": (40, 60),
}


def _limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "SATISFACTION_RATE_LIMITS", {})}


def _over(key: str, limit: int, window: int) -> bool:
    bucket = f"satisfaction-rl:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return limit < 1
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count > limit


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_limited(request, token: str) -> bool:
    limits = _limits()
    ip_limit, ip_window = limits["ip"]
    token_limit, token_window = limits["token"]
    if _over(f"ip:{client_ip(request)}", ip_limit, ip_window):
        return True
    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    return _over(f"token:{digest}", token_limit, token_window)
