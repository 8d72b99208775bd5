"""qms.clientip: the one reading of the client's address (axes, survey rate limits)."""

import pytest
from django.test import RequestFactory

from qms.clientip import client_ip


def request(remote="127.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_directly_exposed_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        # the client wrote the left part; the proxy appended the real address
        (1, "10.9.9.9, 198.51.100.1", "198.51.100.1"),
        (1, "not-an-address, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_behind_proxies_the_address_is_counted_from_the_right(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request("127.0.0.1", forwarded)) == expected


@pytest.mark.parametrize("forwarded", [None, "", "garbage"])
def test_without_a_usable_header_the_socket_address_is_used(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request("192.0.2.4", forwarded)) == "192.0.2.4"


def test_a_chain_shorter_than_the_proxies_is_not_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request("192.0.2.4", "198.51.100.1")) == "192.0.2.4"


def test_axes_reads_the_address_through_the_helper(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(request("127.0.0.1", "6.6.6.6, 198.51.100.1")) == ("198.51.100.1")


def test_deploy_check_warns_about_a_per_process_cache(settings):
    from qms.checks import shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache(None)] == ["qms.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert shared_cache(None) == []


def test_a_request_without_an_address_has_none(settings):
    # django-axes stores the address in an inet column: no text placeholder
    bare = RequestFactory().get("/")
    del bare.META["REMOTE_ADDR"]
    assert client_ip(bare) is None
