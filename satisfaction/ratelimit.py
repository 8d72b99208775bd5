"""Rate limits for the public survey pages, counted in the Django cache (fixed windows,
per client address and per token). No state in process memory beyond what the cache
keeps; point CACHE_URL at a shared cache in production so every web process counts
together (`manage.py check --deploy` warns when it is not). The client's address is read
by qms.clientip, which knows about reverse proxies (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from qms.clientip import client_ip

DEFAULT_LIMITS = {
    # (requests, window in seconds)
    "ip": (300, 60),
    "token": (60, 60),
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


def is_limited(request, token: str) -> bool:
    limits = _limits()
    ip_limit, ip_window = limits["ip"]
    token_limit, token_window = limits["token"]
    if _over(f"ip:{client_ip(request) or 'unknown'}", ip_limit, ip_window):
        return True
    digest = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()[:32]
    return _over(f"token:{digest}", token_limit, token_window)
