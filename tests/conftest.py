"""Fixtures shared by every test tier: the directory database of the test session, the
browser for end-to-end tests, and how many examples the property tests try (``--slow``
for five times as many)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

QUICK_EXAMPLES = 50
SLOW_EXAMPLES = 250


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        help=f"property tests try {SLOW_EXAMPLES} examples each instead of {QUICK_EXAMPLES}",
    )


def pytest_configure(config: pytest.Config) -> None:
    settings.register_profile("quick", max_examples=QUICK_EXAMPLES, deadline=None)
    settings.register_profile("slow", max_examples=SLOW_EXAMPLES, deadline=None)
    settings.load_profile("slow" if config.getoption("--slow") else "quick")


CHROMIUM = Path("/usr/bin/chromium")
# No sandbox (root in a container), no GPU, and nothing Chromium would fetch on its own, so
# any request a test sees comes from the page under test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; skips the test when it is not installed."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"browser test needs Debian's chromium at {CHROMIUM} "
            "(apt-get install chromium); it is not installed"
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def chromium(chromium_path: Path) -> Iterator:
    """A headless Chromium (Playwright ``Browser``) shared by the session's browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def session_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The default store of every test (the dashboard's, a served app's): a SQLite file of
    this test session — never ``var/`` nor a database named outside the tests."""
    from analysis.store.config import DATABASE_URL_ENV, sqlite_url

    path = tmp_path_factory.mktemp("directory") / "safetynet.sqlite3"
    before = os.environ.get(DATABASE_URL_ENV)
    os.environ[DATABASE_URL_ENV] = sqlite_url(path)
    yield path
    if before is None:
        os.environ.pop(DATABASE_URL_ENV, None)
    else:
        os.environ[DATABASE_URL_ENV] = before
