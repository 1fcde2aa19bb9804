"""End to end, in headless Chromium against the served app: two people, each in a browser
of their own and with no account, report a service closed from the postcode page; a
reviewer signs in, sees it "reported closed" in the queue and resolves it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from analysis.store.config import database_url
from analysis.store.engine import make_engine
from analysis.store.feedback import reported_closed
from analysis.store.opening import open_store
from tests.e2e.test_browser import choose, open_view
from tests.e2e.test_group_keeps_its_entry import (
    accessible,
    drawn,
    go,
    one_time_link,
    second_page,  # noqa: F401  (the fixture: another person's browser)
    set_password,
)
from tests.e2e.test_oidc_signin import as_shown

pytestmark = pytest.mark.browser

REVIEWER = "feedback-reviewer@support-body.example"
SERVICE = "ember-together--money-advice-2"
SERVICE_LABEL = "Money Advice (Ember Together)"


def report_closed(page, app_url: str, words: str) -> None:
    """Send a "this has closed" report on `SERVICE` from the postcode page, with no account."""
    open_view(page, app_url, "page=postcode&postcode=BS8%201TH")
    expect(page.get_by_role("heading", name="Tell us about a service")).to_be_visible()
    choose(page, re.compile("Which service"), SERVICE_LABEL)
    page.get_by_text("This has closed", exact=True).click()
    page.locator("textarea[aria-label^='Anything to add']").fill(words)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text(as_shown(f"Thank you: your report on {SERVICE_LABEL}"))).to_be_visible()


def test_two_people_report_a_service_closed_and_a_reviewer_resolves_it(
    page,
    second_page,  # noqa: F811
    app_url,
    capsys,
):
    open_store(database_url()).dispose()  # the served app's database, demo loaded
    report_closed(page, app_url, "The door had a sign: closed for good.")
    accessible(page, "feedback-sent")
    assert _reported_closed() == set()  # one person may be mistaken
    report_closed(second_page, app_url, "Nobody there on Tuesday.")
    assert _reported_closed() == {SERVICE}

    reviewer = page  # the first person's browser, now signing in as a reviewer
    set_password(reviewer, one_time_link(capsys, app_url, REVIEWER, "--role", "reviewer"))
    go(reviewer, "Review queue")
    expect(reviewer.get_by_text("Reported closed by 2 people — check it")).to_be_visible()
    expect(reviewer.get_by_text(as_shown("Their words: Nobody there on Tuesday."))).to_be_visible()
    accessible(reviewer, "feedback-queue")
    reviewer.locator("input[aria-label^='What you did']").first.fill("Rang them: still open")
    reviewer.get_by_role("button", name="Resolve", exact=True).first.click()
    drawn(reviewer)
    expect(
        reviewer.get_by_text(as_shown('Resolved its "closed" reports on Money Advice'))
    ).to_be_visible()
    expect(reviewer.get_by_text("Reported closed by 2 people — check it")).to_have_count(0)
    assert _reported_closed() == set()


def _reported_closed() -> set[str]:
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            return reported_closed(connection)
    finally:
        engine.dispose()
