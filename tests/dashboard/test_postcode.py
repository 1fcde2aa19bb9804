"""Postcode page: normalised postcode, its ward, format and not-in-area errors, escaping."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis.geography import load_area, lookup_postcode
from analysis.ingest.load import load_directory
from analysis.provision.nearby import services_near
from analysis.settings import REPO_ROOT
from analysis.taxonomy import load_taxonomy
from dashboard.components.postcode_view import nearby_map
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")


def _postcode_app(postcode: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "postcode"
    at.query_params["postcode"] = postcode
    return at.run()


def _texts(at: AppTest) -> str:
    return " ".join(shown(m.value) for m in at.markdown)


def test_postcode_is_normalised_and_its_ward_shown():
    at = _postcode_app("bs81th")
    assert not at.exception
    assert "BS8 1TH" in _texts(at)
    assert "Ward: Central" in _texts(at)
    assert at.button(key="postcode_open_ward")
    assert at.query_params["postcode"] == "BS8 1TH"


def test_open_ward_button_goes_to_the_ward_page():
    at = _postcode_app("BS8 1TH")
    at.button(key="postcode_open_ward").click().run()
    assert at.query_params["page"] == "ward"
    assert at.query_params["ward"] == "E05010892"
    assert not at.exception


def test_malformed_postcode_gets_the_format_error():
    at = _postcode_app("XYZ")
    assert not at.exception
    assert len(at.error) == 1
    assert "does not look like a postcode" in shown(at.error[0].value)
    assert "'XYZ' is not a UK postcode" in shown(at.error[0].value)


def test_unknown_postcode_gets_the_not_in_area_error():
    at = _postcode_app("BS1 6QU")
    assert not at.exception
    assert len(at.error) == 1
    assert "not found in" in at.error[0].value
    assert "not in the postcode table" in at.error[0].value
    assert "does not look like a postcode" not in at.error[0].value


def test_empty_postcode_asks_for_one():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "postcode"
    at.run()
    assert not at.exception
    assert any("Type a postcode" in info.value for info in at.info)


def test_user_text_in_popups_is_escaped():
    area, taxonomy = load_area(), load_taxonomy()
    data = (
        b"org_id,org_name,service_id,service_name,categories,delivery,postcode,area_served\n"
        b"x,<script>alert(1)</script>,x1,<b>Bold</b> Kitchen `${alert(2)}`,food,in person,"
        b"BS8 1TH,at_location\n"
    )
    directory, _ = load_directory(data, filename="x.csv", area=area, taxonomy=taxonomy)
    place = lookup_postcode(area, "BS8 1TH")
    near = services_near(directory, place.easting, place.northing, 1000)
    page = nearby_map(place, 1000, near, taxonomy, wards_gdf=area.wards).get_root().render()
    assert "Clifton" in page  # ward names drawn under the circle
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "<b>Bold</b>" not in page
    assert "${alert(2)}" not in page and "`${" not in page
