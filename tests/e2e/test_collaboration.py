"""End to end, in headless Chromium against the served app: a reviewer marks a pair of
similar services "could work together" in the queue, both organisations' editors agree on
their account pages, and then each sees the other's contact details (never before), and
the public ward and postcode pages show the collaboration. axe-core checks the queue's
pairs and the introductions: no serious or critical violation.

Accounts come from the command line (``python -m analysis users add``); each editor is
made one of their organisation's editors with the store's own function, as a reviewer's
approved claim would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from analysis.store.access import command_line
from analysis.store.accounts import account_by_email
from analysis.store.claims import grant_editor
from analysis.store.config import database_url
from analysis.store.engine import make_engine
from analysis.store.opening import open_store
from tests.e2e.test_browser import choose, open_view
from tests.e2e.test_group_keeps_its_entry import accessible, drawn, field, go, one_time_link
from tests.e2e.test_group_keeps_its_entry import set_password as _set_password
from tests.e2e.test_oidc_signin import as_shown

pytestmark = pytest.mark.browser

KEEPER = command_line("tests")
REVIEWER = "pairs-reviewer@support-body.example"
EMBER_EDITOR = "pairs@ember-together.example"
LARKSPUR_EDITOR = "pairs@larkspur-pantry.example"
EMBER, LARKSPUR = "Ember Together", "Larkspur Pantry Mutual Aid"
LARKSPUR_EMAIL = "hello@larkspur-pantry-mutual-aid.example.org"
EMBER_EMAIL = "hello@ember-together.example.org"
WORKING_TOGETHER = f"Working together: {EMBER} and {LARKSPUR}"
SLOW_S = 90_000
"""The first page to need the analysis computes it (a minute on two shared cores)."""


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """Wait for the analysis-heavy pages longer than Playwright's 5 s, for this test only."""
    expect.set_options(timeout=SLOW_S)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def browsers(chromium) -> Iterator[tuple]:
    """Two more people's browsers, each a context of its own (its own session)."""
    contexts = [chromium.new_context(viewport={"width": 1400, "height": 1000}) for _ in "ab"]
    pages = [context.new_page() for context in contexts]
    for page in pages:
        page.set_default_timeout(SLOW_S)
    yield tuple(pages)
    for context in contexts:
        context.close()


def _editor(capsys, app_url: str, email: str, organisation_id: str) -> str:
    """An editor's invitation link; the account keeps ``organisation_id``."""
    link = one_time_link(capsys, app_url, email)
    engine = make_engine(database_url())
    try:
        account = account_by_email(engine, KEEPER, email)
        grant_editor(engine, KEEPER, account.id, organisation_id)
    finally:
        engine.dispose()
    return link


def test_a_reviewer_introduces_two_groups_who_both_agree_and_are_shown_working_together(
    page, browsers, app_url, capsys
):
    open_store(database_url()).dispose()  # the served app's database, demo loaded
    reviewer, (ember, larkspur) = page, browsers
    reviewer.set_default_timeout(SLOW_S)
    _set_password(reviewer, one_time_link(capsys, app_url, REVIEWER, "--role", "reviewer"))
    ember_link = _editor(capsys, app_url, EMBER_EDITOR, "ember-together")
    larkspur_link = _editor(capsys, app_url, LARKSPUR_EDITOR, "larkspur-pantry-mutual-aid")

    # The reviewer finds the pair in the queue and offers an introduction.
    go(reviewer, "Review queue")
    reviewer.get_by_role("tab", name="Similar services").click()
    drawn(reviewer)
    field(reviewer, "Find a service or organisation").fill("Energy Bills Help")
    field(reviewer, "Find a service or organisation").press("Enter")
    drawn(reviewer)
    choose(reviewer, re.compile("Ward"), "Ashley")
    drawn(reviewer)
    # The innermost block holding the pair's title and a form: the pair's own (the demo
    # lists Benefits Help twice, so either of its two pairs with Energy Bills Help).
    title = reviewer.get_by_text(
        as_shown(f"Benefits Help ({EMBER}) and Energy Bills Help ({LARKSPUR})")
    )
    form = (
        reviewer.locator("[data-testid='stVerticalBlock']")
        .filter(has=title)
        .filter(has=reviewer.locator("[data-testid='stForm']"))
        .last.locator("[data-testid='stForm']")
    )
    expect(form).to_be_visible()
    accessible(reviewer, "pairs-queue")
    form.get_by_text("Could work together (offer both groups an introduction)").click()
    form.get_by_role("button", name="Decide").click()
    expect(reviewer.get_by_text(as_shown("offered an introduction"))).to_be_visible()

    # Ember's editor agrees; nothing of Larkspur's is shown yet.
    _set_password(ember, ember_link)
    go(ember, "Your account")
    expect(ember.get_by_role("heading", name="Introductions")).to_be_visible()
    expect(
        ember.get_by_text(as_shown("You run Benefits Help; they run Energy Bills Help"))
    ).to_be_visible()
    accessible(ember, "introduction")
    ember.get_by_role("button", name="Agree to be introduced").click()
    drawn(ember)
    expect(ember.get_by_text(as_shown(f"Waiting for {LARKSPUR} to answer"))).to_be_visible()
    expect(ember.get_by_text(as_shown(LARKSPUR_EMAIL))).to_have_count(0)

    # The public does not see it yet.
    open_view(larkspur, app_url, "page=ward&ward=E05010885")
    drawn(larkspur)
    expect(larkspur.get_by_text(as_shown(WORKING_TOGETHER))).to_have_count(0)

    # Larkspur's editor agrees, and sees Ember's contact details at once.
    _set_password(larkspur, larkspur_link)
    go(larkspur, "Your account")
    larkspur.get_by_role("button", name="Agree to be introduced").click()
    expect(
        larkspur.get_by_text(as_shown(f"You agreed to be introduced to {EMBER}"))
    ).to_be_visible()
    drawn(larkspur)
    expect(
        larkspur.get_by_text(as_shown(f"Both groups agreed: here is how to reach {EMBER}"))
    ).to_be_visible()
    expect(larkspur.get_by_text(as_shown(EMBER_EMAIL))).to_be_visible()

    # Ember's editor now sees Larkspur's.
    go(ember, "Your account")
    expect(ember.get_by_text(as_shown(LARKSPUR_EMAIL))).to_be_visible()
    expect(ember.get_by_text(as_shown(LARKSPUR_EDITOR))).to_be_visible()

    # The public ward and postcode pages show the collaboration, and no contact.
    public = reviewer.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        visitor = public.new_page()
        visitor.set_default_timeout(SLOW_S)
        open_view(visitor, app_url, "page=ward&ward=E05010885")
        drawn(visitor)
        expect(visitor.get_by_text(as_shown(WORKING_TOGETHER))).to_be_visible()
        expect(visitor.get_by_text(as_shown(LARKSPUR_EDITOR))).to_have_count(0)
        open_view(visitor, app_url, "page=postcode&postcode=BS1+3FD")
        drawn(visitor)
        expect(visitor.get_by_text(as_shown(WORKING_TOGETHER))).to_be_visible()
    finally:
        public.close()
