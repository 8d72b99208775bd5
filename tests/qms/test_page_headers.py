"""Every portal page has the same header (qms/kit/page.html): its one <h1>, not empty,
inside the page header, with the page's actions beside it, so a user always finds the
title and the main actions in the same place. Checked on each kind of page the demo
logins reach by following links (the smoke crawl's walk)."""

from collections import deque
from html.parser import HTMLParser

import pytest

from qms.models import User
from tests.smoke.test_crawl import _links, _shape, demo  # noqa: F401 (the demo fixture)

pytestmark = pytest.mark.django_db

NOT_OURS = ("/api/",)


class _Headings(HTMLParser):
    """The page's <h1>s: their text and whether each sits in the page header."""

    def __init__(self):
        super().__init__()
        self.stack, self.h1s, self.portal = [], [], False
        self._text = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-testid") == "nav":
            self.portal = True
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            return
        self.stack.append(attrs.get("data-testid"))
        if tag == "h1":
            self._text = []

    def handle_endtag(self, tag):
        if tag == "h1" and self._text is not None:
            self.h1s.append(("page-header" in self.stack, " ".join("".join(self._text).split())))
            self._text = None
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def _pages(client):
    queue, seen, shapes = deque(["/"]), {"/"}, set()
    while queue and len(shapes) < 300:
        path = queue.popleft()
        if _shape(path) in shapes or path.startswith(NOT_OURS):
            continue
        shapes.add(_shape(path))
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        html = (b"".join(response) if response.streaming else response.content).decode()
        yield path, html
        for link in _links(path, html):
            if link not in seen:
                seen.add(link)
                queue.append(link)


@pytest.mark.parametrize("username", ["quality", "frontdesk"])
def test_every_page_has_one_title_in_the_page_header(client_for, demo, username):  # noqa: F811
    client = client_for(User.objects.get(username=username))
    problems, checked = [], 0
    for path, html in _pages(client):
        parser = _Headings()
        parser.feed(html)
        if not parser.portal:  # a page that is not the portal's frame (e.g. a print view)
            continue
        checked += 1
        if len(parser.h1s) != 1:
            problems.append(f"{path}: {len(parser.h1s)} <h1>")
        elif not parser.h1s[0][0]:
            problems.append(f"{path}: the <h1> “{parser.h1s[0][1]}” is not in the page header")
        elif not parser.h1s[0][1]:
            problems.append(f"{path}: the <h1> is empty")
        elif 'data-testid="page-actions"' not in html:
            problems.append(f"{path}: no page actions block")
    assert checked > 30, f"only {checked} pages checked"
    assert not problems, "\n".join(problems)
