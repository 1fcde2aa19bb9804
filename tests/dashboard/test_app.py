"""Every page opens from its minimal URL without an exception."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis.geography import REPO_ROOT
from dashboard.state import PAGES

APP = str(REPO_ROOT / "dashboard" / "app.py")


@pytest.mark.parametrize("page", PAGES)
def test_page_opens(page):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
