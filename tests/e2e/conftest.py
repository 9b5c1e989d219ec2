"""End-to-end fixtures: Debian's chromium driven by Playwright, the app on pytest-django's
live server, the synthetic territory reference loaded in a transactional database.

Run with `make test-e2e`. Playwright never downloads a browser here: it launches the
chromium named by PTCE_CHROMIUM (default /usr/bin/chromium). There is no network: every
request to another host (map tiles) is aborted, and the maps draw on their own background.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PTCE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path(os.environ.get("PTCE_SHOTS_DIR", "/tmp/ptce-shots"))
LOCAL = re.compile(r"^https?://(localhost|127\.0\.0\.1)(:\d+)?/")


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API keeps an event loop in the test thread; the ORM calls the
    fixtures make there stay synchronous and safe. Only for these tests."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(_allow_orm_beside_playwright):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium not found at {CHROMIUM} (make test-e2e installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_territory(transactional_db, tmp_path):
    from ptce.territories import indexes
    from ptce.territories.importers.reference import load_reference
    from tests.territories.builders import write_dataset

    load_reference(write_dataset(tmp_path / "territory"))
    indexes.reset()  # the live server runs in a thread of this process: same cache


@pytest.fixture
def page(browser, live_server):
    """A French-speaking browser tab on the live server; collects console errors."""
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 860}, base_url=live_server.url
    )
    tab = context.new_page()
    tab.console_errors = []
    tab.on(
        "console",
        lambda message: (
            tab.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    tab.route(
        lambda url: not LOCAL.match(url),
        lambda route: route.abort(),
    )
    yield tab
    context.close()


@pytest.fixture
def shoot():
    """Save a full-page screenshot under /tmp/ptce-shots (never in the repository)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name):
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot
