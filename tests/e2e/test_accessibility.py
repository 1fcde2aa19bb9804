"""Accessibility: axe-core finds no serious or critical violation on any page of the app.

Each page is opened as a visitor would open a link to it, and checked once the script has
run and every map has drawn (axe checks what is on the page when it runs, maps included:
it is loaded into their frames too). Needs axe-core from npm (``npm ci``; ``make test``
installs it first); without it these tests fail, saying so.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlencode

import pytest

from tests.e2e.axe import describe, serious_violations

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title*='st_folium']"
MAP_DRAWN = "path.leaflet-interactive"
MAP_TIMEOUT_MS = 45_000
# The demo's Central ward and a postcode in it, as in test_browser.py.
WARD = "E05010892"
POSTCODE = "BS1 1BT"


class View(NamedTuple):
    """A page's URL query and a heading that shows it was drawn."""

    query: str
    heading: str


VIEWS = {
    "overview": View("", "overview by ward"),
    "ward": View(urlencode({"page": "ward", "ward": WARD}), f"Central ({WARD})"),
    "postcode": View(urlencode({"page": "postcode", "postcode": POSTCODE}), "Near a postcode"),
    "data": View("page=data", "Your data"),
    "changes": View("page=changes", "What changed"),
    "sign in": View("page=account", "Sign in"),
    "suggest": View("page=suggest", "Suggest a group we're missing"),
}


def open_drawn(page, app_url: str, view: View) -> None:
    """Open ``view`` and wait until its script has run and each of its maps has drawn."""
    page.goto(f"{app_url}/?{view.query}")
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("heading", name=view.heading).first.wait_for()
    # Map components and the data grid fetch their code after the script has run.
    page.wait_for_load_state("networkidle")
    maps = page.frame_locator(MAP_FRAME)
    for index in range(page.locator(MAP_FRAME).count()):
        maps.nth(index).locator(MAP_DRAWN).first.wait_for(state="visible", timeout=MAP_TIMEOUT_MS)
    assert page.locator("[data-testid='stException']").count() == 0


@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
def test_page_has_no_serious_violations(page, app_url, view):
    open_drawn(page, app_url, view)
    violations = serious_violations(page)
    assert not violations, describe(violations)
