"""Postcode page: normalised postcode, its ward, format and not-in-area errors, escaping."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analysis.settings import REPO_ROOT
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
