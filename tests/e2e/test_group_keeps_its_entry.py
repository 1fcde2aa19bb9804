"""End to end, in headless Chromium against the app served as ``make run`` serves it: a new
group is invited, signs in, claims its organisation, changes a service, and sees the
change published once a reviewer approves it. axe-core checks each page on the way (sign
in, set a password, claim, edit, queue): no serious or critical violation.

The reviewer's own account comes from the command line, as a site's first accounts do
(``python -m analysis users add EMAIL --role reviewer`` prints a one-time link).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from analysis.cli import main
from analysis.store.config import database_url
from analysis.store.editing import open_service
from analysis.store.engine import make_engine
from analysis.store.opening import open_store
from tests.e2e.axe import describe, serious_violations
from tests.e2e.conftest import shoot
from tests.e2e.test_browser import choose, no_exception, open_view
from tests.e2e.test_oidc_signin import as_shown

pytestmark = pytest.mark.browser

REVIEWER = "reviewer@support-body.example"
GROUP = "volunteers@ember-together.example"
PASSWORD = "lunch club on tuesdays"
ORGANISATION = "Ember Together"
SERVICE = "ember-together--benefits-help"
NEW_CAPACITY = "58"


@pytest.fixture
def second_page(chromium) -> Iterator:
    """Another person's browser: a context of its own (its own session and cookies)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def field(page, label: str):
    """The text or password input labelled ``label`` (its help button shares the label)."""
    return page.locator(f"input[aria-label='{label}'], textarea[aria-label='{label}']")


def go(page, title: str) -> None:
    """Open a page from the sidebar, as a signed-in person does (same browser session),
    afresh: from another page first when it is the one open."""
    drawn(page)
    sidebar = page.locator("[data-testid='stSidebar'] [role='radiogroup']")
    expect(sidebar).to_have_count(1)
    if sidebar.get_by_role("radio", name=title).is_checked():
        sidebar.get_by_text("City overview", exact=True).click()
        drawn(page)
    # When a role changes the page list, the radio is drawn anew: wait for its one option.
    expect(sidebar.get_by_text(title, exact=True)).to_have_count(1)
    sidebar.get_by_text(title, exact=True).click()
    drawn(page)
    expect(page.locator("[data-testid='stSidebar'] input[type='radio']:checked")).to_have_count(1)


def drawn(page) -> None:
    """Wait until the script has finished its run."""
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    no_exception(page)


def accessible(page, name: str) -> None:
    """No serious or critical axe-core violation on the page as it is; a screenshot."""
    drawn(page)
    shoot(page, f"keeping-{name}")
    violations = serious_violations(page)
    assert not violations, f"{name}: {describe(violations)}"


def set_password(page, link: str, *, name: str | None = None) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    accessible(page, "set-password")
    if name is not None:
        field(page, "Your name").fill(name)
    field(page, "New password").fill(PASSWORD)
    field(page, "The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_text("Your password is set and you are signed in")).to_be_visible()


def one_time_link(capsys, app_url: str, *args: str) -> str:
    assert main(["users", "add", *args, "--url", app_url]) == 0
    out = capsys.readouterr().out
    return next(line for line in out.splitlines() if line.startswith(app_url))


def test_a_new_group_is_invited_claims_edits_and_is_published_after_approval(
    page, second_page, app_url, capsys
):
    open_store(database_url()).dispose()  # the served app's database, demo loaded
    reviewer, group = page, second_page

    # The reviewer's account, from the command line; their first sign-in sets a password.
    set_password(reviewer, one_time_link(capsys, app_url, REVIEWER, "--role", "reviewer"))

    # The reviewer invites the group from the queue.
    go(reviewer, "Review queue")
    reviewer.get_by_role("tab", name="Invite a group").click()
    field(reviewer, "Their email").fill(GROUP)
    reviewer.get_by_role("button", name="Make the link").click()
    invitation = reviewer.locator("[data-testid='stCode'] code").first
    expect(invitation).to_contain_text("invitation=")
    link = invitation.inner_text().strip()
    assert link.startswith(f"{app_url}/?page=account&invitation=")

    # The group opens it, sets a password, and signs in.
    open_view(group, app_url, "page=account")
    expect(group.get_by_role("heading", name="Sign in")).to_be_visible()
    accessible(group, "sign-in")
    set_password(group, link, name="Sam Jones")
    assert "invitation" not in group.url  # the secret leaves the address bar

    # It claims its organisation.
    accessible(group, "claim")
    choose(group, re.compile("Your organisation"), ORGANISATION)
    field(group, "Your name").fill("Sam Jones")
    field(group, "Your role in the group").fill("Coordinator")
    field(group, "How a reviewer can contact you").fill("07700 900123")
    group.get_by_role("button", name="Ask to manage it").click()
    expect(
        group.get_by_text(as_shown(f"Your request to manage {ORGANISATION} is sent"))
    ).to_be_visible()

    # The reviewer approves the claim.
    go(reviewer, "Review queue")
    reviewer.get_by_role("tab", name=re.compile(r"Claims \(1\)")).click()
    expect(
        reviewer.get_by_text(as_shown("Sam Jones, Coordinator; contact: 07700 900123"))
    ).to_be_visible()
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer.get_by_text("The claim is approved")).to_be_visible()

    # The group sees the outcome, opens its entry and changes a service's capacity.
    go(group, "Your account")
    expect(group.locator("[data-testid='stDataFrame'] td", has_text="approved")).to_have_count(1)
    group.get_by_role("button", name=f"Edit {ORGANISATION}").click()
    expect(group.get_by_role("heading", name=ORGANISATION)).to_be_visible()
    choose(
        group,
        re.compile("What to edit"),
        f"Service: Benefits Help (active) · {SERVICE}",
    )
    capacity = field(group, "Capacity (people helped per week)")
    expect(capacity).to_have_value("45")
    accessible(group, "edit")
    capacity.fill(NEW_CAPACITY)
    capacity.press("Tab")
    drawn(group)
    group.get_by_role("button", name="Send for approval").click()
    expect(group.get_by_text(as_shown("Sent for approval"))).to_be_visible()
    expect(
        group.get_by_text(as_shown("Pending: a change to the service Benefits Help"))
    ).to_be_visible()
    assert _capacity() == 45.0  # the public still sees the published version

    # The reviewer sees the change field by field and approves it.
    go(reviewer, "Review queue")
    expect(
        reviewer.get_by_role("tab", name=re.compile(r"Changes to approve \(1\)"))
    ).to_be_visible()
    table = reviewer.locator("[data-testid='stDataFrame']").first
    expect(table).to_be_visible()
    accessible(reviewer, "queue")
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer.get_by_text("The proposal is approved")).to_be_visible()

    # Published: in the store, and the group's page says so.
    assert _capacity() == float(NEW_CAPACITY)
    go(group, "Your account")
    expect(group.get_by_role("heading", name="Your changes")).to_be_visible()
    shoot(group, "keeping-published")


def _capacity() -> float:
    engine = make_engine(database_url())
    try:
        return open_service(engine, SERVICE).record["capacity"]
    finally:
        engine.dispose()
