"""Every page opens from its minimal URL without an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis.settings import REPO_ROOT
from dashboard.state import PAGES

APP = str(REPO_ROOT / "dashboard" / "app.py")


@pytest.mark.parametrize("page", PAGES)
def test_page_opens(page):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_damaged_reference_data_stops_every_page_with_the_file_named(page, tmp_path, monkeypatch):
    import shutil

    from analysis.geography import default_area_path
    from analysis.settings import AREA_ENV
    from tests.dashboard.shown import shown

    folder = tmp_path / "area"
    shutil.copytree(default_area_path(), folder)
    wards = folder / "wards.geojson"
    wards.write_bytes(wards.read_bytes()[:1000])
    monkeypatch.setenv(AREA_ENV, str(folder))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    at.run()
    assert not at.exception
    [error] = at.error
    assert "The reference data could not be loaded" in shown(error.value)
    assert "wards.geojson could not be read" in shown(error.value)
    assert "Fix: rebuild it with" in shown(error.value)
    assert not at.get("iframe") and not at.dataframe  # the page stopped: no partial map or table
