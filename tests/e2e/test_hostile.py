"""Hostile names and links, end to end: nothing a file or a link holds ever runs or injects.

A directory whose names, descriptions, websites, emails, categories, column header, sheet
and file name carry every payload family is uploaded and opened on every page, with every
layer and toggle on, in presentation mode too; every HTML export is opened from disk; and
shared links carry payloads in every query parameter. Each view fails the test on any JS
dialog, any request to another host or policy refusal (the ``page`` fixture), any element
the app did not make (`injected`), or a map that stays blank.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from analysis.model import NEED
from dashboard.state import MEASURES
from tests.e2e.conftest import REPO_ROOT, shoot
from tests.e2e.test_browser import POSTCODE, WARD, choose, no_exception, open_view

pytestmark = pytest.mark.browser

# One of each family; each sets a flag or makes a marked element if it ever runs.
PAYLOADS = (
    '<script>window.__pwned=1;alert("script")</script>',
    "<img src=x data-pwn onerror=\"window.__pwned=1;alert('img')\">",
    "<svg data-pwn onload=\"window.__pwned=1;alert('svg')\">",
    '${window.__pwned=1,alert("template")}',
    '`+alert("backtick")+`',
    '`;window.__pwned=1;alert("semicolons");`',
    "\"'><b data-pwn>quote</b>",
    "');window.__pwned=1;alert('quote');//",
    "javascript:window.__pwned=1;alert('url')",
    "[Session expired — sign in again](https://evil.example/login)",
    "![pixel](https://evil.example/track.png)",
    "C:\\u{zz}\\x01 :red[alarm] $x^2$",
)
EVERY_PAYLOAD = " ".join(PAYLOADS)
HEADER_PAYLOAD = "[notes](https://evil.example/h) <img src=x data-pwn onerror=alert(9)>"
FILE_NAME = "services ![p](https:evil.example) <svg data-pwn onload=alert(8)>.csv"
SHEET_NAMES = ("<svg data-pwn onload=alert(7)>", "${window.__pwned=1}")
POSTCODES = ("BS8 1TH", "BS1 1BT")
CENTRAL = "Central"

# Run in every frame: what an injection would leave behind.
INJECTED = """() => {
  const found = [];
  const marks = '[data-pwn],[onerror],[onload],[onclick],[onmouseover],'
    + 'a[href*="evil.example"],img[src*="evil.example"],iframe[src*="evil.example"],'
    + 'a[href^="javascript:" i],base[href]';
  for (const el of document.querySelectorAll(marks)) found.push(el.outerHTML.slice(0, 160));
  for (const el of document.querySelectorAll('script')) {
    if (el.textContent.includes('__pwned') && !el.textContent.includes('&#36;'))
      found.push('script: ' + el.textContent.slice(0, 80));
  }
  if (window.__pwned) found.push('window.__pwned is set');
  if (/pwn/i.test(document.title)) found.push('title: ' + document.title);
  return found;
}"""


def injected(page) -> list[str]:
    """What payloads left in any frame of the page (empty when nothing ran or was injected)."""
    found = []
    for frame in page.frames:
        try:
            found += [f"{frame.url}: {item}" for item in frame.evaluate(INJECTED)]
        except Exception as error:  # a frame detached while being read: look again later
            if "detached" not in str(error).lower():
                raise
    return found


def maps_drawn(page, expected: int = 0) -> int:
    """How many map frames have drawn their shapes; fails when a map frame stays blank."""
    frames = page.locator("iframe[title*='st_folium']")
    if expected:  # the frames appear just after the script run that makes them
        frames.nth(expected - 1).wait_for(state="attached", timeout=45_000)
    count = frames.count()
    for index in range(count):
        frame = page.frame_locator("iframe[title*='st_folium']").nth(index)
        frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=45_000)
    return count


def settle(page) -> None:
    """Wait for the rerun an action started (if it has not started yet) to finish."""
    app = page.locator("[data-testid='stApp']")
    with contextlib.suppress(Exception):  # it already ran, or the action started none
        app.and_(page.locator("[data-test-script-state='running']")).wait_for(timeout=1500)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()


def check(page, name: str, *, maps: int = 0) -> None:
    """The view is clean: drawn maps, no exception box, nothing injected; saves a screenshot."""
    settle(page)
    assert maps_drawn(page, maps) >= maps, f"{name}: fewer maps drawn than {maps}"
    page.wait_for_timeout(500)  # let late scripts (tooltips, labels) run
    no_exception(page)
    assert not injected(page), injected(page)
    shoot(page, name)


def hostile_csv() -> bytes:
    """Ten demo rows with payloads in every text field, a payload header and bad categories."""
    with (REPO_ROOT / "data" / "sample" / "services.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:10]
    for number, row in enumerate(rows):
        payload = PAYLOADS[number % len(PAYLOADS)]
        row.update(
            org_id="",
            service_id="",
            org_name=f"{payload} org {number}",
            service_name=f"{PAYLOADS[(number + 3) % len(PAYLOADS)]} service {number}",
            org_description=EVERY_PAYLOAD,
            service_description=EVERY_PAYLOAD,
            website=PAYLOADS[8] if number % 2 else PAYLOADS[9],
            email=PAYLOADS[number % len(PAYLOADS)],
            categories=f"food; {PAYLOADS[(number + 5) % len(PAYLOADS)]}",
            audience=PAYLOADS[(number + 7) % len(PAYLOADS)],
            postcode=POSTCODES[number % 2],
            latitude="",
            longitude="",
            area_served="at_location",
            area_value="",
            contact_public="yes",
        )
        row[HEADER_PAYLOAD] = PAYLOADS[number % len(PAYLOADS)]
    rows.append({**rows[0]})  # a repeated row, so a rejected-rows file exists too
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def hostile_xlsx() -> bytes:
    """The same rows in a workbook whose sheets carry payload names."""
    from openpyxl import Workbook

    table = list(csv.reader(io.StringIO(hostile_csv().decode("utf-8"))))
    book = Workbook()
    book.active.title = SHEET_NAMES[0]
    for line in table:
        book.active.append(line)
    book.create_sheet(SHEET_NAMES[1]).append(["anything"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(page, name: str, data: bytes, mime: str) -> None:
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    page.get_by_text("Report on the file").wait_for()


def download(page, button: str, folder: Path, name: str) -> Path:
    """Click a download button and save what it gives under ``folder``."""
    with page.expect_download() as caught:
        page.get_by_role("button", name=button).first.click()
    path = folder / name
    caught.value.save_as(path)
    return path


def open_from_disk(page, path: Path, name: str, *, maps: bool) -> None:
    """Open an exported file as a person would (file://), with no server at all."""
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    if maps:
        page.locator("path.leaflet-interactive").first.wait_for(state="attached")
        for shape in page.locator("path.leaflet-interactive").all()[-6:]:
            shape.dispatch_event("mouseover")  # the services' tooltips hold the payloads
    page.wait_for_timeout(500)
    assert not injected(page), injected(page)
    assert page.get_by_text("__pwned", exact=False).count() > 0, "the payloads were not shown"
    shoot(page, name)


def test_a_hostile_directory_is_shown_as_text_everywhere(page, app_url, tmp_path):
    open_view(page, app_url, "page=data")
    upload(page, "hostile.xlsx", hostile_xlsx(), "application/octet-stream")
    page.get_by_text("read sheet", exact=False).first.wait_for()
    check(page, "10a-hostile-xlsx-report")

    upload(page, FILE_NAME, hostile_csv(), "text/csv")
    page.get_by_text("Columns not used", exact=False).first.wait_for(state="attached")
    page.get_by_text("Category terms not recognised").wait_for()
    check(page, "10b-hostile-csv-report")
    download(page, "Download the rejected rows (CSV)", tmp_path, "rejected.csv")
    page.get_by_role("button", name="Use this data (a what-if, in this session only)").click()
    page.get_by_text("This file is the data in use, in this browser session only.").wait_for()
    check(page, "10c-hostile-in-use")

    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("City overview").click()
    page.wait_for_url(re.compile(r"page=overview"))
    page.get_by_text("Show services on the map").click()
    check(page, "10d-hostile-overview-services", maps=1)
    for marker in (
        page.frame_locator("iframe[title*='st_folium']")
        .first.locator("path.leaflet-interactive")
        .all()[-3:]
    ):
        marker.dispatch_event("mouseover")
    check(page, "10e-hostile-overview-hovered", maps=1)
    choose(page, re.compile("measure", re.IGNORECASE), MEASURES[NEED])
    check(page, "10f-hostile-overview-need", maps=1)
    map_html = download(page, "Map (HTML)", tmp_path, "overview-map.html")
    download(page, "Table (CSV)", tmp_path, "overview.csv")

    sidebar.get_by_text("Ward profile").click()
    page.wait_for_url(re.compile(r"page=ward"))
    choose(page, WARD, CENTRAL)
    page.get_by_text("Services reaching the ward").wait_for()
    page.get_by_text("data-pwn onerror", exact=False).first.wait_for(state="attached")
    check(page, "10g-hostile-ward", maps=1)
    profile = download(page, "Download the ward profile (printable HTML)", tmp_path, "ward.html")

    sidebar.get_by_text("Near a postcode").click()
    page.wait_for_url(re.compile(r"page=postcode"))
    box = page.get_by_role("textbox", name=POSTCODE).first
    box.fill(POSTCODES[0])
    box.press("Enter")
    page.wait_for_url(re.compile(r"postcode=BS8"))
    page.get_by_text("Services within", exact=False).first.wait_for()
    choose(page, re.compile("your group", re.IGNORECASE), "Food and essential shopping")
    page.keyboard.press("Escape")
    for expander in page.locator("[data-testid='stExpander'] summary").all():
        expander.click()
    check(page, "10h-hostile-postcode", maps=1)
    page.get_by_text("window.__pwned", exact=False).first.wait_for(state="attached")
    for marker in (
        page.frame_locator("iframe[title*='st_folium']")
        .first.locator("img.leaflet-marker-icon")
        .all()[:3]
    ):
        marker.dispatch_event("mouseover")
    check(page, "10i-hostile-postcode-hovered", maps=1)

    page.goto(re.sub(r"page=\w+", "page=overview", page.url) + "&present=1")
    check(page, "10j-hostile-presentation", maps=1)

    open_from_disk(page, map_html, "10k-export-map-from-disk", maps=True)
    open_from_disk(page, profile, "10l-export-profile-from-disk", maps=False)


def _link(**params: str) -> str:
    return "&".join(f"{name}={quote(value, safe='')}" for name, value in params.items())


# Query parameters in groups, each group's every parameter carrying every payload at once;
# all of them fall back to the overview, whose map must draw.
LINK_GROUPS = {
    "view": ("page", "category", "measure"),
    "place": ("ward", "postcode", "km", "present"),
    # "providers" and "rp" are the old method's thresholds: their values are echoed back.
    "filters": ("delivery", "kind", "active", "stale", "under", "well", "providers", "rp"),
}


@pytest.mark.parametrize("group", LINK_GROUPS)
def test_a_shared_link_with_payloads_injects_nothing(page, app_url, group):
    open_view(page, app_url, _link(**dict.fromkeys(LINK_GROUPS[group], EVERY_PAYLOAD)))
    check(page, f"11-link-{group}", maps=1)


@pytest.mark.parametrize("page_name", ["ward", "postcode", "data"])
def test_every_page_shows_link_payloads_as_text(page, app_url, page_name):
    query = _link(page=page_name, ward=EVERY_PAYLOAD, postcode=PAYLOADS[9], km=PAYLOADS[3])
    open_view(page, app_url, query)
    page.get_by_text("values that were not understood", exact=False).first.wait_for()
    check(page, f"12-link-on-{page_name}")
    assert page.get_by_text("evil.example", exact=False).count() > 0  # shown, as text
