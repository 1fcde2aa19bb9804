"""The dashboard on another authority, and the choice of area when several are built.

The second area is the synthetic "Testshire" of `tests.analysis.reference.synthetic_sources`,
built with ``build-area`` into a temporary reference folder (never into ``data/reference``):
two wards (West, East), four postcodes (TS1 1AA, TS1 1AB, TS2 2AA, TS2 2AB).
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from analysis import settings
from analysis.geography import load_area
from analysis.reference.build import build_area
from analysis.settings import REPO_ROOT
from analysis.taxonomy_file import load_taxonomy
from dashboard.components.upload import handle_upload
from dashboard.context import PageContext
from dashboard.data import current_source, place_name
from dashboard.state import StateKeys, ViewState
from tests.analysis.reference import synthetic_sources as syn
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")
TESTSHIRE_POSTCODES = {"TS1 1AA", "TS1 1AB", "TS2 2AA", "TS2 2AB"}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A reference folder holding one built area, ``testshire``."""
    folder = tmp_path_factory.mktemp("built")
    build_area(syn.write_sources(folder / "raw"), syn.LAD, folder / "reference" / "testshire")
    return folder / "reference"


@pytest.fixture
def testshire_only(reference, tmp_path, monkeypatch):
    """The dashboard serves Testshire (as ``serve --area`` sets it), the only area built."""
    monkeypatch.setenv(settings.AREA_ENV, str(reference / "testshire"))
    monkeypatch.setenv(settings.REFERENCE_ENV, str(tmp_path / "empty"))
    return reference / "testshire"


@pytest.fixture
def two_areas(reference, monkeypatch):
    """The default area (bundled Bristol) and Testshire under the reference folder."""
    monkeypatch.delenv(settings.AREA_ENV, raising=False)
    monkeypatch.setenv(settings.REFERENCE_ENV, str(reference))


def _run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    """Every text a person reads on the page and in the sidebar."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error")
    texts = [shown(element.value) for kind in kinds for element in getattr(at, kind)]
    texts += [button.label for button in at.button]
    return texts


def _notice(at: AppTest) -> str:
    """The one message saying the area has no services (a warning; on the data page, where
    the data in use is described, an info)."""
    [notice] = [
        shown(element.value)
        for element in [*at.warning, *at.info]
        if "No services are loaded" in element.value
    ]
    return notice


# One other area --------------------------------------------------------------------------


def test_the_overview_names_the_area_and_says_the_demo_is_bristols(testshire_only):
    at = _run("overview")
    assert not at.error
    assert at.header[0].value == "Testshire: overview by ward"
    assert "Area: Testshire" in _texts(at)
    assert not [box for box in at.selectbox if box.key == StateKeys.NAV_AREA]
    notice = _notice(at)
    assert notice.startswith("No services are loaded for Testshire. The demo data is fictional")
    assert "services in Bristol, so it is not shown on Testshire's maps" in notice
    assert "Upload a directory of Testshire's services on the Your data page" in notice
    # No demo service on this map: both wards have no local help, and the table says so.
    [table] = at.dataframe
    assert sorted(table.value["Ward"]) == ["East", "West"]
    assert set(table.value["Class"]) == {"missing"}
    assert not any("fictional" in text for text in _texts(at) if text != notice)


def test_no_copy_names_bristol_except_the_demo_notice(testshire_only):
    for page, params in [
        ("overview", {}),
        ("ward", {"ward": "E05999001"}),
        ("postcode", {"postcode": "TS1 1AA"}),
        ("data", {}),
    ]:
        at = _run(page, **params)
        notice = _notice(at)
        sidebar = [shown(c.value) for c in at.sidebar.caption]
        for text in _texts(at):
            if text == notice or text in sidebar and "the demo data is Bristol's" in text:
                continue
            assert "Bristol" not in text, (page, text)


def test_the_ward_page_names_the_area(testshire_only):
    at = _run("ward", ward="E05999001")
    assert at.title[0].value == "West (E05999001)"
    assert at.button(key=StateKeys.WARD_BACK).label == "← Back to Testshire"
    assert not at.error


def test_the_postcode_page_gives_an_example_of_the_area_and_finds_its_postcodes(testshire_only):
    at = _run("postcode")
    box = at.text_input(key=StateKeys.POSTCODE)
    assert box.placeholder.removeprefix("e.g. ") in TESTSHIRE_POSTCODES
    assert at.title[0].value == "Near a postcode in Testshire"
    assert any("Type a postcode in Testshire" in info.value for info in at.info)
    at = _run("postcode", postcode="ts2 2aa")
    assert not at.error
    assert "Ward: East (E05999002)" in " ".join(_texts(at))
    at = _run("postcode", postcode="BS8 1TH")
    [error] = at.error
    said = shown(error.value)
    assert said.startswith("BS8 1TH was not found among the postcodes of Testshire")
    assert "TS1, TS2" in said and "--area" not in said  # the area's districts, no CLI words


def test_the_data_page_says_what_to_upload_and_an_upload_for_the_area_is_used(testshire_only):
    at = _run("data")
    assert not [w for w in at.warning if "No services are loaded" in w.value]
    assert "Upload a directory of Testshire's services" in _notice(at)
    area, taxonomy = load_area(testshire_only), load_taxonomy()
    ctx = PageContext(ViewState(page="data"), area, taxonomy, current_source(area))
    data = (
        b"org_name,service_name,categories,delivery,postcode,area_served\n"
        b"Heron Neighbours,Pantry,food,in person,TS1 1AA,at_location\n"
        b"Wren Collective,Larder,food,in person,TS2 2AB,at_location\n"
    )
    outcome = handle_upload(data, "testshire.csv", ctx)
    assert outcome.error is None, outcome.error
    assert (outcome.source.report.accepted, outcome.source.report.rejected) == (2, 0)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[StateKeys.UPLOAD] = outcome.source
    at.query_params["page"] = "overview"
    at.run()
    assert not at.exception
    assert not [w for w in at.warning if "No services are loaded" in w.value]
    [table] = at.dataframe
    assert set(table.value["Class"]) != {"missing"}  # the upload's pantries reach the wards


def test_the_example_postcode_is_the_one_nearest_the_middle_of_the_postcodes(reference):
    area = load_area(reference / "testshire")
    # The four postcodes' mean point is (X0 + 1,150 m, Y0 + 500 m): TS2 2AA is 430 m from it,
    # the others 696 m or more.
    assert area.example_postcode == "TS2 2AA"
    assert place_name(area.name) == "Testshire"
    assert place_name("Bristol, City of") == "Bristol"
    assert place_name("Herefordshire, County of") == "Herefordshire"
    assert place_name("County Durham") == "County Durham"


# Several areas ---------------------------------------------------------------------------


def test_several_built_areas_are_offered_in_the_sidebar(two_areas):
    at = _run("overview")
    [box] = [box for box in at.sidebar.selectbox if box.key == StateKeys.NAV_AREA]
    assert box.options == ["Bristol", "Testshire"]
    assert box.value == "bristol"
    assert at.header[0].value == "Bristol: overview by ward"
    assert not [w for w in at.warning if "No services are loaded" in w.value]
    assert "area" not in at.query_params  # the default area keeps links short


def test_choosing_another_area_opens_it_without_the_last_areas_ward(two_areas):
    at = _run("ward", ward="E05010892", postcode="BS8 1TH")
    assert at.title[0].value == "Central (E05010892)"
    at.selectbox(key=StateKeys.NAV_AREA).set_value("testshire").run()
    assert not at.exception
    assert at.query_params["area"] == "testshire"
    assert "ward" not in at.query_params and "postcode" not in at.query_params
    assert at.query_params["page"] == "ward"
    assert any("Choose a ward of Testshire" in info.value for info in at.info)
    assert at.selectbox(key=StateKeys.WARD_CHOICE).options[1:] == ["East", "West"]
    at.selectbox(key=StateKeys.NAV_AREA).set_value("bristol").run()
    assert "area" not in at.query_params
    assert at.selectbox(key=StateKeys.WARD_CHOICE).value == ""


def test_a_link_opens_its_area_and_an_unknown_area_is_named(two_areas):
    at = _run("overview", area="testshire")
    assert at.header[0].value == "Testshire: overview by ward"
    assert at.selectbox(key=StateKeys.NAV_AREA).value == "testshire"
    at = _run("overview", area="atlantis")
    assert at.header[0].value == "Bristol: overview by ward"
    [warning] = [shown(w.value) for w in at.warning if "not understood" in w.value]
    assert "area 'atlantis' (areas: bristol, testshire)" in warning


def test_an_upload_stays_with_its_area(two_areas):
    bristol = load_area()
    ctx = PageContext(ViewState(page="data"), bristol, load_taxonomy(), None)
    lines = settings.DEMO_SERVICES_PATH.read_text(encoding="utf-8").splitlines()
    outcome = handle_upload("\n".join(lines[:4]).encode(), "ours.csv", ctx)
    assert outcome.error is None, outcome.error

    def services_caption(at: AppTest) -> str:
        [caption] = [c.value for c in at.sidebar.caption if c.value.startswith("Services:")]
        return shown(caption)

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = "data"
    at.session_state[StateKeys.UPLOAD] = outcome.source
    at.run()
    assert services_caption(at) == "Services: Uploaded: ours.csv"
    at.selectbox(key=StateKeys.NAV_AREA).set_value("testshire").run()
    assert services_caption(at) == "Services: none for Testshire yet (the demo data is Bristol's)"
    assert _notice(at).startswith("No services are loaded for Testshire")
    at.selectbox(key=StateKeys.NAV_AREA).set_value("bristol").run()
    assert services_caption(at) == "Services: Uploaded: ours.csv"
    assert not [i for i in [*at.warning, *at.info] if "No services are loaded" in i.value]


def test_an_area_that_cannot_be_loaded_still_offers_the_others(reference, tmp_path, monkeypatch):
    root = tmp_path / "reference"
    shutil.copytree(reference / "testshire", root / "broken")
    wards = root / "broken" / "wards.geojson"
    wards.write_bytes(wards.read_bytes()[:200])
    monkeypatch.delenv(settings.AREA_ENV, raising=False)
    monkeypatch.setenv(settings.REFERENCE_ENV, str(root))
    at = _run("overview", area="broken")
    [error] = at.error
    assert "The reference data could not be loaded" in shown(error.value)
    assert "wards.geojson could not be read" in shown(error.value)
    at.selectbox(key=StateKeys.NAV_AREA).set_value("bristol").run()
    assert not at.exception and not at.error
    assert at.header[0].value == "Bristol: overview by ward"
