"""Fixtures for the browser tests: one headless chromium per session, a fresh
context (cookies, storage) per login, everything closed at teardown."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse ORM calls made from the test body ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KPIPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def playwright_instance(django_db_setup):
    """Playwright's sync API, with the plan snapshot carried over.

    Once Playwright has started, its event loop counts as "running" in the test
    thread, so asgiref hands Django a different (context-var) connection object
    than the one the session setup stored `_test_serialized_contents` on. Without
    copying the snapshot across, serialized_rollback silently restores nothing
    and every browser test after the first starts from an empty database.
    """
    from django.db import connections
    from playwright import sync_api

    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_api.sync_playwright() as p:
        for alias, contents in snapshots.items():
            connections[alias]._test_serialized_contents = contents
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not os.path.exists(CHROMIUM):
        # The browser tests are part of the suite: bin/test installs Debian's chromium.
        pytest.fail(f"no chromium at {CHROMIUM}: install Debian's chromium or set KPIPLAN_CHROMIUM")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def viewport_width():
    """The window's width; a test parametrizes it (390: a phone, 1366: an office PC)."""
    return 1280


@pytest.fixture
def new_context(browser, live_server, viewport_width):
    """A factory of isolated browser contexts (one per logged-in user)."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, locale="th-TH",
                                      viewport={"width": viewport_width, "height": 900 if viewport_width > 600 else 844})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded evidence goes to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def screenshots_dir():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
