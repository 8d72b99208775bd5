"""Every page a demo user can reach by following links works: each of the five demo
logins walks the portal from the home page (GET links only, breadth first) and no page
answers with a server error, a broken link or an unbounded number of queries."""

import os
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from qms.models import User

pytestmark = pytest.mark.django_db

PAGES_PER_USER = 220
QUERY_BUDGET = 60  # a page that needs more than this has a query in a loop
# Pages that put together a block from every app (the home dashboard's tiles, the
# metrics registry with each metric's definition and choices, a requirement's page and
# trace, the evidence pack) cost more, but a fixed number whatever the data: their own
# tests hold the count flat as records grow (tests/qms/test_dashboard_flat.py,
# tests/requirements/test_trace.py, tests/qms/test_evidence.py). The wider budget still
# catches a query put in a loop over records.
WIDE_PAGES = re.compile(
    r"^/(|metrics/|customers/requirements/\d+/(trace/)?|evidence/(download/)?)(\?.*)?$"
)
WIDE_QUERY_BUDGET = 120


def _budget(path: str) -> int:
    return WIDE_QUERY_BUDGET if WIDE_PAGES.match(path) else QUERY_BUDGET


SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/accounts/logout", "/i18n/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def _links(base, html):
    parser = _Links()
    parser.feed(html)
    for href in parser.links:
        url = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP_PREFIXES):
            continue
        yield path


def _shape(path):
    """Pages that differ only by ids or query values are the same page twice."""
    parts = urlsplit(path)
    segments = ["#" if s.isdigit() else s for s in parts.path.split("/")]
    keys = sorted(q.split("=")[0] for q in parts.query.split("&") if q)
    return "/".join(segments) + "?" + "&".join(keys)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo organisation, loaded once for this module (it takes seconds) inside a
    transaction that is rolled back after the module's last test, so no other test sees
    it. Each test runs in its own savepoint within it (django_db), so what a test
    writes (the form test posts) is undone before the next one; tests read the demo."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(DEBUG=True), open(os.devnull, "w") as devnull:
            call_command("load_demo", stdout=devnull)
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("username", ["quality", "frontdesk", "housekeeping", "staff", "auditor"])
def test_every_linked_page_works_for_each_demo_login(client_for, demo, username):
    client = client_for(User.objects.get(username=username))
    queue, seen_shapes, visited, problems = deque([("/", "")]), set(), 0, []
    shape_counts = {}
    while queue and visited < PAGES_PER_USER:
        path, referrer = queue.popleft()
        shape = _shape(path)
        # Each kind of page a few times (different records), not every record
        if shape_counts.get(shape, 0) >= 3:
            continue
        shape_counts[shape] = shape_counts.get(shape, 0) + 1
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        visited += 1
        if response.status_code >= 500 or response.status_code == 404:
            problems.append(f"{response.status_code} {path} (linked from {referrer or 'start'})")
            continue
        if len(queries) > _budget(path):
            problems.append(f"{len(queries)} queries {path}")
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        body = b"".join(response) if response.streaming else response.content
        for link in _links(path, body.decode("utf-8", "replace")):
            if link not in seen_shapes:
                seen_shapes.add(link)
                queue.append((link, path))
    assert visited > 20, f"{username} reached only {visited} pages"
    assert not problems, "\n".join(problems)


class _Forms(HTMLParser):
    """POST forms of a page: action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea"):
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken":
                self._current["fields"][name] = attrs.get("type", tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


SKIP_FORMS = ("/accounts/logout", "/i18n/", "/accounts/password")
BAD_VALUES = ("", "-1", "x" * 3000, "<script>alert(1)</script>", "2026-13-45", "1e309", "\x00")


@pytest.mark.parametrize("username", ["quality", "frontdesk"])
def test_every_form_answers_bad_input_without_a_server_error(client_for, demo, username):
    """Each kind of POST form the demo user can reach, sent empty and with odd values in
    every field: a clear answer (a page with errors, a redirect, 403/404), never a 5xx."""
    client = client_for(User.objects.get(username=username))
    queue, seen, shape_counts, forms = deque(["/"]), {"/"}, {}, {}
    while queue and len(seen) < 400:
        path = queue.popleft()
        shape = _shape(path)
        if shape_counts.get(shape, 0) >= 2:
            continue
        shape_counts[shape] = shape_counts.get(shape, 0) + 1
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        html = response.content.decode("utf-8", "replace")
        parser = _Forms()
        parser.feed(html)
        for form in parser.forms:
            action = urldefrag(urljoin(path, form["action"] or path))[0]
            action = urlsplit(action).path + (
                f"?{urlsplit(action).query}" if urlsplit(action).query else ""
            )
            if not action.startswith(SKIP_FORMS):
                forms.setdefault(_shape(action), (action, form["fields"]))
        for link in _links(path, html):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert len(forms) > 10, f"only {len(forms)} forms found"
    problems = []
    for action, fields in forms.values():
        for bad in BAD_VALUES:
            data = dict.fromkeys(fields, bad)
            response = client.post(action, data)
            if response.status_code >= 500:
                problems.append(f"{response.status_code} POST {action} with {bad[:20]!r}")
                break
    assert not problems, "\n".join(problems)
