"""Helpers the service modules share."""

from __future__ import annotations

import hashlib

from django.conf import settings


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def base_url() -> str:
    return getattr(settings, "QMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
