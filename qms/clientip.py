"""The client's address: the one way the portal reads it (login lockout, the public
survey pages' rate limits, and anything else that keys on an address).

Behind reverse proxies every request comes from the last proxy; the client's address is
then in `X-Forwarded-For`, which each proxy extends with the address it was called from
(nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`). Everything left
of what the trusted proxies wrote was written by the client and can be anything, so the
address is counted from the right: with `TRUSTED_PROXY_COUNT` proxies in front of the
portal, it is the `TRUSTED_PROXY_COUNT`-th entry from the right (django-ipware, fixed
proxy count). With 0 (the default: gunicorn exposed directly, or `make run`) the header
is ignored and the address is the socket's (`REMOTE_ADDR`).
"""

from __future__ import annotations

from django.conf import settings
from ipware import get_client_ip

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


def trusted_proxy_count() -> int:
    return max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0), 0)


def client_ip(request) -> str | None:
    """The client's address as text, None if the request has none (a request built in
    code; django-axes stores the address in an `inet` column, which takes no other
    placeholder)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = trusted_proxy_count()
    if proxies:
        # ipware counts the hops listed after the client in the header; the last proxy
        # is the socket's peer and is not in the header, hence `proxies - 1`.
        address, _routable = get_client_ip(
            request,
            proxy_count=proxies - 1,
            request_header_order=(FORWARDED_HEADER,),
            strict=False,
        )
        if address:
            return address
    return remote or None
