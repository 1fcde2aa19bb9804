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

# st.caption draws the theme's textColor (.streamlit/config.toml) at 60% opacity: 4.22:1
# on the sidebar and 4.4:1 on white, under WCAG AA's 4.5:1. Set aside on the page checks so
# they still catch everything else; test_captions_have_enough_contrast keeps it failing
# until it is fixed, and then this exclusion goes.
CAPTION = "[data-testid='stCaptionContainer']"


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
    violations = serious_violations(page, exclude=[CAPTION])
    assert not violations, describe(violations)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="color-contrast (serious): st.caption text is .streamlit/config.toml's textColor "
    "at 60% opacity, 4.22:1 on the sidebar and 4.4:1 on white (AA needs 4.5:1)",
)
def test_captions_have_enough_contrast(page, app_url):
    # The overview has captions on both backgrounds: the sidebar's and the page's.
    open_drawn(page, app_url, VIEWS["overview"])
    contrast = [rule for rule in serious_violations(page) if rule["id"] == "color-contrast"]
    assert not contrast, describe(contrast)
