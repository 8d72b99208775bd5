"""Where to go after a POST: the page the form says it came from, if that is safe."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, fallback: str) -> str:
    """`request.POST["next"]` when it is a path on this site, else `fallback`.

    Only absolute paths are taken: another host would be an open redirect, and a bare word
    ("-1", "mine") would be read as a URL pattern name and fail."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
