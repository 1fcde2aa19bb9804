"""Ward page: URL -> ward, empty state, back button, private contacts, duplicates, profile."""

from __future__ import annotations

import importlib.util

import pytest
from streamlit.testing.v1 import AppTest

from analysis import settings
from analysis.geography import load_area
from analysis.ingest.load import load_directory
from analysis.model import REASON, SERVICE_A, SERVICE_B, SERVICE_ID, SERVICE_NAME, WARD_CODE
from analysis.outputs.profile import render_ward_profile
from analysis.provision.pipeline import Analysis
from analysis.settings import REPO_ROOT
from analysis.taxonomy_file import load_taxonomy
from dashboard.components.service_table import PRIVATE_CONTACT, service_rows
from dashboard.data import DirectorySource
from dashboard.maps.offline import external_references
from dashboard.state import StateKeys
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")
CENTRAL = "E05010892"
HEADER = (
    "org_id,org_name,service_id,service_name,categories,delivery,postcode,area_served,"
    "area_value,contact_public,email,phone"
)
ROWS = (
    "open,Open Pantry,open1,Open Pantry Food,food,in person,BS8 1TH,wards,Central,yes,"
    "open@example.org,0117 000 0001",
    "secret,Quiet Refuge,secret1,Quiet Refuge Line,domestic_abuse,in person,BS8 1TH,wards,"
    "Central,no,hidden@example.org,0117 999 9999",
    "xss,<script>alert(1)</script>,xss1,<b>Bold</b> Kitchen,food,in person,BS8 1TH,"
    "at_location,,yes,,",
)


@pytest.fixture(scope="module")
def tiny_source() -> DirectorySource:
    """Three services in Central: one public, one private, one with HTML in its names."""
    data = "\n".join((HEADER, *ROWS)).encode()
    directory, report = load_directory(
        data, filename="tiny.csv", area=load_area(), taxonomy=load_taxonomy()
    )
    assert report.accepted == len(ROWS), report.summary()
    return DirectorySource(directory, report, "upload-tinytest", "tiny.csv", is_upload=True)


def _ward_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "ward"
    for name, value in params.items():
        at.query_params[name] = value
    return at


def test_ward_from_the_url_is_shown():
    at = _ward_app(ward=CENTRAL).run()
    assert not at.exception
    assert any("Central" in title.value for title in at.title)
    assert any(s.value.startswith("Services reaching the ward") for s in at.subheader)
    assert len(at.dataframe) >= 5  # zones, legend, deciles, provision, gaps, duplicates, ...
    assert at.selectbox[0].value == CENTRAL
    assert at.get("download_button")


def test_no_ward_asks_to_choose_one():
    at = _ward_app().run()
    assert not at.exception
    assert any("Choose a ward" in info.value for info in at.info)


def test_choosing_a_ward_in_the_select_opens_it():
    at = _ward_app().run()
    at.selectbox[0].select(CENTRAL).run()
    assert not at.exception
    assert any("Central" in title.value for title in at.title)
    assert at.query_params["ward"] == CENTRAL


def test_back_to_the_city_in_one_click_keeps_the_category():
    at = _ward_app(ward=CENTRAL, category="befriending").run()
    at.button(key="ward_back").click().run()
    assert at.query_params["page"] == "overview"
    assert at.query_params["category"] == "befriending"
    if importlib.util.find_spec("dashboard.pages.overview") is not None:
        assert not at.exception
        assert "ward_profile_download" not in {b.key for b in at.get("download_button")}


def test_private_contact_never_reaches_the_services_table(tiny_source):
    rows = service_rows(tiny_source.directory.services_with_organisations(), load_taxonomy())
    cells = " ".join(rows.astype(str).to_numpy().ravel())
    assert "open@example.org" in cells
    assert "hidden@example.org" not in cells and "0117 999 9999" not in cells
    assert PRIVATE_CONTACT in cells


def test_private_contact_is_not_on_the_ward_page(tiny_source):
    at = _ward_app(ward=CENTRAL)
    at.session_state[StateKeys.UPLOAD] = tiny_source
    at.run()
    assert not at.exception
    shown = " ".join(str(df.value.to_numpy().tolist()) for df in at.dataframe)
    assert "Quiet Refuge Line" in shown
    assert "hidden@example.org" not in shown and "0117 999 9999" not in shown
    assert "open@example.org" in shown


def test_ward_profile_download_is_self_contained():
    """The profile the ward page offers, built from the same inputs: robustness included."""
    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    analysis = Analysis(directory, area, taxonomy)
    html = render_ward_profile(
        analysis.metrics(),
        analysis.coverage,
        directory,
        area,
        taxonomy,
        ward_code=CENTRAL,
        robustness=analysis.robustness(),
    )
    assert "Central" in html
    assert external_references(html) == []


def test_the_ward_page_lists_the_duplicate_pairs_the_ward_holds_with_their_reason():
    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    pairs = Analysis(directory, area, taxonomy).metrics().duplicates
    held = pairs[pairs[WARD_CODE] == CENTRAL]
    assert 0 < len(held) < len(pairs)  # the ward holds some pairs, other wards the rest
    names = dict(zip(directory.services[SERVICE_ID], directory.services[SERVICE_NAME], strict=True))

    at = _ward_app(ward=CENTRAL).run()
    assert not at.exception
    title = f"Duplicated effort in this ward ({len(held)} pairs)"
    assert title in [shown(s.value) for s in at.subheader]
    [table] = [df.value for df in at.dataframe if "Same people as" in df.value.columns]
    assert sorted(zip(table["Service"], table["Same people as"], table["Why"], strict=True)) == (
        sorted(
            zip(
                held[SERVICE_A].map(names),
                held[SERVICE_B].map(names),
                held[REASON],
                strict=True,
            )
        )
    )
