"""Postcode page: normalised postcode, its ward, format and not-in-area errors, duplicates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely import Point
from streamlit.testing.v1 import AppTest

from analysis import settings
from analysis.geography import load_area, lookup_postcode
from analysis.ingest.load import load_directory
from analysis.model import (
    CATEGORY,
    LOCATION,
    REASON,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    SERVICE_NAME,
)
from analysis.provision.pipeline import Analysis
from analysis.settings import REPO_ROOT
from analysis.taxonomy_file import load_taxonomy
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


DUPLICATE_COLUMNS = ["Category", "Service", "Same people as", "Need shared", "Why"]


def _duplicates_table(at: AppTest) -> pd.DataFrame:
    [table] = [df.value for df in at.dataframe if list(df.value.columns) == DUPLICATE_COLUMNS]
    return table


def test_duplicate_pairs_near_the_postcode_are_listed_with_their_reason():
    """Pairs whose two services both lie within the distance, and no other pair, each with
    the reason: how much of the need they reach is shared (and how far apart they are)."""
    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    place = lookup_postcode(area, "BS8 1TH")
    services = directory.services
    here = Point(place.easting, place.northing)
    distance = services[LOCATION].map(
        lambda venue: np.inf if venue is None or venue.is_empty else venue.distance(here)
    )
    near = set(services.loc[distance <= 500, SERVICE_ID])
    pairs = Analysis(directory, area, taxonomy).metrics().duplicates
    both = pairs[SERVICE_A].isin(near) & pairs[SERVICE_B].isin(near)
    one = pairs[SERVICE_A].isin(near) != pairs[SERVICE_B].isin(near)
    expected = pairs[both]
    assert len(expected) > 0 and one.any()  # some pairs to list, some to leave out
    names = dict(zip(services[SERVICE_ID], services[SERVICE_NAME], strict=True))
    labels = {category.id: category.label for category in taxonomy.categories}

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(page="postcode", postcode="BS8 1TH", km="0.5")
    at.run()
    assert not at.exception
    assert f"Duplicated effort within 0.5 km ({len(expected)} pairs)" in [
        shown(s.value) for s in at.subheader
    ]
    table = _duplicates_table(at)
    listed = sorted(
        zip(table["Category"], table["Service"], table["Same people as"], table["Why"], strict=True)
    )
    assert listed == sorted(
        zip(
            expected[CATEGORY].map(labels),
            expected[SERVICE_A].map(names),
            expected[SERVICE_B].map(names),
            expected[REASON],
            strict=True,
        )
    )
    for share, why in zip(table["Need shared"], table["Why"], strict=True):
        assert why.startswith(f"{share} of the need they reach is shared")
    assert table["Need shared"].str.rstrip("%").astype(int).is_monotonic_decreasing


def test_each_postcode_typed_is_searched_and_kept_in_the_link():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "postcode"
    at.run()
    for typed, postcode, ward in (
        ("bs56hn", "BS5 6HN", "Easton"),
        ("BS1 5TR", "BS1 5TR", "Hotwells and Harbourside"),
        ("bs13 7aa", "BS13 7AA", "Bedminster"),
    ):
        at.text_input(key="postcode").input(typed).run()
        assert not at.exception
        assert at.text_input(key="postcode").value == postcode
        assert at.query_params["postcode"] == postcode
        assert f"Ward: {ward}" in _texts(at)
