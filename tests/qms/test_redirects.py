"""After a POST the portal goes back to the page the form came from, only if it is a path
on this site."""

import pytest
from django.test import RequestFactory

from qms.redirects import safe_next_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/objectives/mine/?kr=3", "/objectives/mine/?kr=3"),
        ("", "/fallback/"),
        ("-1", "/fallback/"),  # a bare word used to be read as a URL name: a server error
        ("mine", "/fallback/"),
        ("https://evil.example/", "/fallback/"),  # no open redirect
        ("//evil.example/path", "/fallback/"),
        ("/\\evil.example", "/fallback/"),
    ],
)
def test_next_is_a_local_path_or_the_fallback(given, expected):
    request = RequestFactory().post("/x/", {"next": given})
    assert safe_next_url(request, "/fallback/") == expected
