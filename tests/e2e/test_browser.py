"""End-to-end: the app as ``make run`` serves it, driven in headless Chromium.

Each test saves a screenshot under ``test-artefacts/``. The ``page`` fixture fails a test
if any JS dialog opens or any request leaves localhost (the maps must work offline).
Skipped, with the reason, when ``/usr/bin/chromium`` is not installed.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from analysis.model import NEED
from dashboard.state import MEASURES
from tests.e2e.conftest import REPO_ROOT, shoot

pytestmark = pytest.mark.browser

MAP_FRAME = "iframe[title*='st_folium']"
CATEGORY = re.compile("categor", re.IGNORECASE)
MEASURE = re.compile("measure|show", re.IGNORECASE)
WARD = re.compile("ward", re.IGNORECASE)
POSTCODE = re.compile("postcode", re.IGNORECASE)


def open_view(page, app_url: str, query: str) -> None:
    """Open ``/?query`` and wait until the script has run once."""
    page.goto(f"{app_url}/?{query}")
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    page.locator("[data-testid='stMain']").wait_for()


def query_of(page) -> dict[str, str]:
    """The page's current URL query, one value per name."""
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


def no_exception(page) -> None:
    """No Streamlit exception box is on the page."""
    assert page.locator("[data-testid='stException']").count() == 0


def wait_for_map(page) -> None:
    """Wait until a Leaflet layer is drawn inside the st_folium iframe."""
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=45_000)


def select_box(page, name: re.Pattern):
    """The Streamlit select box whose label matches ``name``."""
    return (
        page.locator("[data-testid='stSelectbox']")
        .filter(has=page.get_by_role("combobox", name=name))
        .first
    )


def shown_value(page, name: re.Pattern) -> str:
    """What a select box shows: its text, or its combobox input's value."""
    box = select_box(page, name)
    combobox = box.get_by_role("combobox").first
    return f"{box.inner_text()} {combobox.input_value()} {combobox.get_attribute('value') or ''}"


def choose(page, name: re.Pattern, option: str, *, attempts: int = 3) -> None:
    """Pick ``option`` in a select box by typing it, as a keyboard user would; again when a
    rerun of the page redrew the box meanwhile (its option list then detaches)."""
    from playwright.sync_api import Error

    for attempt in range(attempts):
        try:
            combobox = page.get_by_role("combobox", name=name).first
            combobox.click()
            combobox.fill(option)
            page.get_by_role("option", name=option, exact=True).first.click(timeout=10_000)
            return
        except Error:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()


def test_overview_draws_the_map(page, app_url):
    open_view(page, app_url, "page=overview")
    wait_for_map(page)
    no_exception(page)
    shoot(page, "01-overview")


def test_category_change_updates_the_url(page, app_url):
    open_view(page, app_url, "page=overview&category=food")
    wait_for_map(page)
    choose(page, CATEGORY, "Befriending and loneliness")
    page.wait_for_url(re.compile(r"category=befriending"))
    assert query_of(page)["page"] == "overview"
    wait_for_map(page)
    no_exception(page)
    shoot(page, "02-category-changed")


def test_ward_link_shows_the_ward(page, app_url):
    open_view(page, app_url, "page=ward&ward=E05010892")
    page.get_by_text("Central", exact=False).first.wait_for()
    assert query_of(page)["ward"] == "E05010892"
    no_exception(page)
    shoot(page, "03-ward-central")


def test_postcode_shows_its_ward(page, app_url):
    open_view(page, app_url, "page=postcode")
    box = page.get_by_role("textbox", name=POSTCODE).first
    box.fill("BS1 1BT")
    box.press("Enter")
    page.wait_for_url(re.compile(r"postcode=BS1"))
    page.locator("[data-testid='stMain']").get_by_text("Central").first.wait_for()
    no_exception(page)
    shoot(page, "04-postcode")


def test_bad_upload_shows_the_report(page, app_url, tmp_path):
    lines = (REPO_ROOT / "data" / "sample" / "services.csv").read_text().splitlines()
    bad = tmp_path / "bad_postcode.csv"
    bad.write_text("\n".join([lines[0], lines[2].replace("BS1 3BE", "ZZ99 9ZZ"), lines[3]]))
    empty = tmp_path / "empty.csv"
    empty.write_text("")

    open_view(page, app_url, "page=data")
    page.get_by_text("fictional", exact=False).first.wait_for()
    upload = page.locator("[data-testid='stFileUploader'] input[type='file']")

    upload.set_input_files(str(empty))
    page.locator("[data-testid='stAlertContentError']").get_by_text("is empty").wait_for()
    shoot(page, "05a-upload-empty")

    upload.set_input_files(str(bad))
    page.get_by_text("1 of 2 rows were rejected").wait_for()
    page.get_by_role("button", name="Download the rejected rows (CSV)").wait_for()
    page.get_by_role("button", name="Use this data (a what-if, in this session only)").wait_for()
    no_exception(page)
    shoot(page, "05b-upload-bad-postcode")


def test_shared_link_reopens_the_view(page, app_url):
    open_view(page, app_url, "page=overview&category=befriending&measure=need")
    wait_for_map(page)
    assert "Befriending and loneliness" in shown_value(page, CATEGORY)
    assert MEASURES[NEED] in shown_value(page, MEASURE)
    query = query_of(page)
    assert (query["category"], query["measure"]) == ("befriending", "need")
    no_exception(page)
    shoot(page, "06-shared-link")


def test_uncertain_wards_are_hatched_and_the_legend_says_so(page, app_url):
    """The demo's category with the most uncertain wards: one hatch per uncertain ward."""
    from analysis import settings
    from analysis.geography import load_area
    from analysis.ingest.load import load_directory
    from analysis.provision.pipeline import Analysis
    from analysis.taxonomy_file import load_taxonomy
    from dashboard.maps.base import HATCH_STYLE
    from dashboard.maps.choropleth import uncertain_legend

    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    uncertain = Analysis(directory, area, taxonomy).metrics().table.groupby("category")["uncertain"]
    counts = uncertain.sum()
    category = counts.idxmax()
    assert counts[category] > 0, "the demo has no uncertain ward"

    open_view(page, app_url, f"page=overview&category={category}&measure=class")
    wait_for_map(page)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".sn-legend").get_by_text(
        uncertain_legend(settings.UNCERTAIN_IMPUTED_SHARE)
    ).wait_for()
    # Ward outlines are interactive; the hatch lines, drawn over them, are not.
    assert frame.locator("path.leaflet-interactive").count() == len(area.wards)
    hatches = frame.locator(".leaflet-overlay-pane path:not(.leaflet-interactive)")
    assert hatches.count() == counts[category]
    for index in range(hatches.count()):
        assert hatches.nth(index).get_attribute("stroke") == HATCH_STYLE["color"]
    no_exception(page)
    shoot(page, "07-uncertain-hatched")


def test_out_of_date_services_are_hatched_on_the_map(page, app_url):
    """The services layer of a demo category small enough not to cluster: every service
    not checked for over a year is a hatched dot, the others plain ones."""
    import pandas as pd

    from analysis import settings
    from analysis.geography import load_area
    from analysis.ingest.load import load_directory
    from analysis.model import CATEGORIES, LOCATION
    from analysis.provision.filters import stale_mask
    from analysis.taxonomy_file import load_taxonomy
    from dashboard.maps.markers import STALE_CLASS, STALE_LEGEND

    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    services = directory.services[directory.services[LOCATION].notna()]
    stale = stale_mask(services, pd.Timestamp.today().normalize())
    by_category = pd.DataFrame(
        {"category": services[CATEGORIES].map(list), "stale": stale}
    ).explode("category")
    counts = by_category.groupby("category")["stale"].agg(["size", "sum"])
    fits = counts[(counts["size"] < settings.CLUSTER_MARKERS_FROM) & (counts["sum"] > 0)]
    fits = fits[fits["sum"] < fits["size"]]
    assert not fits.empty, "no demo category has both current and out-of-date services"
    category = fits["size"].idxmax()
    expected = counts.loc[category]

    open_view(page, app_url, f"page=overview&category={category}&measure=class")
    wait_for_map(page)
    page.get_by_text("Show services on the map").click()
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(f".{STALE_CLASS}").first.wait_for(state="visible", timeout=45_000)
    assert frame.locator(f".{STALE_CLASS}").count() == expected["sum"]
    assert (
        frame.locator(f".{STALE_CLASS}[role='img'][aria-label*='out of date']").count()
        == (expected["sum"])
    )
    # Current services stay plain white dots (Leaflet circle markers).
    plain = frame.locator(".leaflet-overlay-pane path.leaflet-interactive[fill='#ffffff']")
    assert plain.count() == expected["size"] - expected["sum"]
    frame.locator(".sn-legend").get_by_text(STALE_LEGEND).wait_for()
    no_exception(page)
    shoot(page, "08-out-of-date-hatched")
