"""Accessibility: axe-core (vendored, static/vendor/axe-core-*) runs in Chromium over every
page the quality manager reaches in the demo by following links (the menu and in-page
links, breadth first, bounded: up to two pages of each kind, up to PAGES_PER_USER), over
each kind of page the other demo logins reach that the quality manager's walk did not,
and over the customer's survey pages in English and Simplified Chinese at phone size: no
serious or critical violation of WCAG 2.1 A/AA.

The crawl (tests/smoke/test_crawl.py) is repeated here with Django's test client to list
the pages."""

import os
from collections import deque
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from qms.models import User
from tests.satisfaction.factories import sent_invitation
from tests.smoke.test_crawl import PAGES_PER_USER, _links, _shape

pytestmark = pytest.mark.django_db(transaction=True)

# Loaded from the portal's own static files, so the page's content security policy holds.
AXE = (
    "/static/"
    + str(
        next(Path(__file__).resolve().parents[2].glob("static/vendor/axe-core-*/axe.min.js"))
    ).split("/static/", 1)[1]
)
DEMO_LOGINS = ["quality", "frontdesk", "housekeeping", "staff", "auditor"]
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} -- ${v.nodes.slice(0, 3)
      .map((n) => n.target.join(" ") + " " + (n.failureSummary || "").split("\\n").slice(1, 2))
      .join(" | ")}`);
}"""


@pytest.fixture
def demo(live_server):
    with override_settings(DEBUG=True), open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)


# The API's Swagger UI is drf-spectacular's page, not the portal's (its <html> has no lang).
NOT_OURS = ("/api/",)


def crawl(client: Client, per_kind: int = 1) -> list[str]:
    """The pages the smoke crawl reaches, up to `per_kind` of each kind (path shape)."""
    queue, seen, pages = deque(["/"]), {"/"}, []
    kinds: dict[str, int] = {}
    while queue and len(pages) < PAGES_PER_USER:
        path = queue.popleft()
        if kinds.get(_shape(path), 0) >= per_kind or path.startswith(NOT_OURS):
            continue
        kinds[_shape(path)] = kinds.get(_shape(path), 0) + 1
        response = client.get(path)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        pages.append(path)
        body = b"".join(response) if response.streaming else response.content
        for link in _links(path, body.decode("utf-8", "replace")):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def violations(page, path) -> list[tuple[str, str]]:
    """(violation, path) pairs of serious or critical violations on the page."""
    page.goto(path)
    page.add_script_tag(url=AXE)
    return [(v, path) for v in page.evaluate(RUN_AXE)]


def report(problems: list[tuple[str, str]]) -> str:
    """Each violation once, with up to three pages it is on."""
    pages: dict[str, list[str]] = {}
    for violation, path in problems:
        pages.setdefault(violation, []).append(path)
    return "\n".join(
        f"{violation}\n    on {len(paths)} page(s), e.g. {', '.join(paths[:3])}"
        for violation, paths in pages.items()
    )


def signed_in_context(browser, live_server, user, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, **options)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context, client


def test_every_page_of_every_demo_login_has_no_serious_accessibility_violation(
    browser, live_server, demo
):
    checked, problems, pages = set(), [], 0
    for username in DEMO_LOGINS:
        user = User.objects.get(username=username)
        context, client = signed_in_context(
            browser, live_server, user, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        # Every page of the quality manager; of the others, the kinds not yet seen.
        every = username == "quality"
        for path in crawl(client, per_kind=2 if every else 1):
            if not every and _shape(path) in checked:
                continue
            checked.add(_shape(path))
            pages += 1
            problems += violations(page, path)
        if every:
            assert pages > 100, f"the quality manager reached only {pages} pages"
        context.close()
    assert len(checked) > 40, f"only {len(checked)} kinds of page checked"
    assert not problems, report(problems)


def test_the_customers_survey_pages_have_no_serious_accessibility_violation(
    browser, live_server, demo
):
    _invitation, token = sent_invitation()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = []
    for language in ("en", "zh-hans"):
        problems += violations(page, f"/s/{token}/?lang={language}")
    problems += violations(page, "/s/no-such-link/")
    # Submitting with nothing answered shows the errors; then the thank-you page
    page.goto(f"/s/{token}/?lang=zh-hans")
    page.locator("button[value=submit]").click()
    page.wait_for_load_state()
    page.add_script_tag(url=AXE)
    problems += [(v, "the page with errors") for v in page.evaluate(RUN_AXE)]
    context.close()
    assert not problems, report(problems)
