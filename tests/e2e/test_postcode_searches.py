"""End-to-end: a community group searches several postcodes in a row on the postcode page.

Each search must show the postcode just typed, its ward and the postcode in the URL: none
may snap back to the one before (typed with Enter, and pasted).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shoot
from tests.e2e.test_browser import no_exception, open_view, query_of

pytestmark = pytest.mark.browser

BOX = "input[aria-label='Postcode']"
# Three postcodes of the demo area, in three different wards.
SEARCHES = (
    ("BS5 6HN", "Easton"),
    ("BS1 5TR", "Hotwells and Harbourside"),
    ("BS13 7AA", "Bedminster"),
)


def search(page, postcode: str, ward: str) -> None:
    """Wait until the page shows ``postcode``, its ``ward`` and the URL holds it."""
    main = page.locator("[data-testid='stMain']")
    page.wait_for_url(re.compile(r"postcode=" + postcode.replace(" ", r"(\+|%20)")))
    expect(main.get_by_text(f"Postcode: {postcode}", exact=True)).to_be_visible()
    expect(main.get_by_text(re.compile(rf"^Ward: {re.escape(ward)}\b"))).to_be_visible()
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    # Still so once the script has settled: nothing put the previous postcode back.
    expect(page.locator(BOX)).to_have_value(postcode)
    assert query_of(page)["postcode"] == postcode
    no_exception(page)


def test_three_postcodes_typed_in_a_row(page, app_url):
    open_view(page, app_url, "page=postcode")
    box = page.locator(BOX)
    for postcode, ward in SEARCHES:
        box.click()
        box.press("Control+a")
        box.press_sequentially(postcode)
        box.press("Enter")
        search(page, postcode, ward)
    shoot(page, "postcode-three-typed")


def test_next_postcode_typed_while_the_page_is_still_drawing(page, app_url):
    """A quick next search stops the run of the one before midway: it must still win."""
    open_view(page, app_url, "page=postcode")
    box = page.locator(BOX)
    box.fill(SEARCHES[0][0])
    box.press("Enter")
    search(page, *SEARCHES[0])
    box.fill(SEARCHES[1][0])
    box.press("Enter")
    page.locator("[data-testid='stApp'][data-test-script-state='running']").wait_for()
    page.wait_for_timeout(300)
    box.fill(SEARCHES[2][0])
    box.press("Enter")
    search(page, *SEARCHES[2])
    page.wait_for_timeout(1_000)  # nor may a rerun the map asks for undo it
    search(page, *SEARCHES[2])


def test_postcodes_pasted_after_a_link(page, app_url):
    open_view(page, app_url, "page=postcode&postcode=BS5%206HN")
    search(page, *SEARCHES[0])
    box = page.locator(BOX)
    for postcode, ward in (*SEARCHES[1:], SEARCHES[0]):
        box.fill(postcode)
        box.press("Enter")
        search(page, postcode, ward)
    shoot(page, "postcode-pasted")
