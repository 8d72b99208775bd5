"""Browser tests: Playwright's sync API driving Debian's Chromium (/usr/bin/chromium)
against pytest-django's live_server. Playwright's own browser download does not work on
this machine, so the system Chromium is used.

Check the page with Playwright's waiting assertions (`expect(locator).to_have_text(...)`,
`.to_be_visible()`, `.to_have_count(...)`, `expect(page).to_have_url(...)`), not with
instant reads (`inner_text()`, `is_visible()`, `count()`) that race the page after a click.

Without Chromium the tests are skipped locally with a clear reason; CI sets
QMS_REQUIRE_BROWSER=1, which turns a missing browser into a failure.
"""

import os
import shutil

import pytest

from tests.factories import TEST_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (factories) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("QMS_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do (page.set_default_timeout below): the
    # live server shares two cores with the browser and the test.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized screen with touch, for pages customers open on their phones."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, username, password=TEST_PASSWORD):
    """Sign in through the real login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def nav(page, key):
    """Follow the main navigation's entry `key`, opening its menu first if it is in one."""
    group = page.locator(f"details[data-nav-group]:has([data-nav='{key}'])")
    if group.count() and not group.evaluate("details => details.open"):
        group.locator("summary").click()
    page.locator(f"[data-nav='{key}']").click()
