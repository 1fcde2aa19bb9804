"""The ward page's neighbourhood map: palette colours, escaped tooltips, the legend table."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analysis.geography import load_area
from analysis.model import (
    AREA_CODE,
    LSOA_CODE,
    LSOA_NAME,
    MISSING,
    NEED,
    PROVISION_CLASS,
    PROVISION_CLASSES,
    WELL_PROVIDED,
)
from analysis.outputs.palette import (
    CLASS_COLOURS,
    NO_DATA_COLOUR,
    NONE_COLOUR,
    SEQUENTIAL,
    classify_measure,
)
from dashboard.maps.neighbourhoods import legend_rows, neighbourhood_features, neighbourhood_map
from dashboard.maps.offline import external_references, standalone_html

CENTRAL = "E05010892"


@pytest.fixture
def zones() -> gpd.GeoDataFrame:
    """Three 500 m squares near Bristol; the last has HTML in its name."""
    return gpd.GeoDataFrame(
        {
            LSOA_CODE: ["Z1", "Z2", "Z3"],
            LSOA_NAME: ["Zone 1", "Zone 2", "<b>Zone</b> & 3"],
        },
        geometry=[
            shapely.box(357000 + k * 500, 172000, 357500 + k * 500, 172500) for k in range(3)
        ],
        crs="EPSG:27700",
    )


def _rows(**columns) -> pd.DataFrame:
    return pd.DataFrame(
        {AREA_CODE: ["Z1", "Z2"], PROVISION_CLASS: [MISSING, WELL_PROVIDED], **columns}
    )


def test_ward_map_tooltips_are_escaped():
    area = load_area()
    zones = area.neighbourhoods[area.neighbourhoods["ward_code"] == CENTRAL]
    rows = zones[["lsoa_code"]].rename(columns={"lsoa_code": "area_code"})
    rows["area_name"] = "x"
    rows["class"] = "<img src=x onerror=alert(1)>"
    features = neighbourhood_features(zones, rows, classify_measure(rows["class"][:0], "class"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in set(features["tip_class"])


def test_class_fills_come_from_the_palette_and_a_zone_without_a_row_is_no_data(zones):
    features = neighbourhood_features(zones, _rows(), classify_measure([], PROVISION_CLASS))
    assert features["fill"].tolist() == [
        CLASS_COLOURS[MISSING],
        CLASS_COLOURS[WELL_PROVIDED],
        NO_DATA_COLOUR,
    ]
    assert features["tip_class"].tolist() == [MISSING, WELL_PROVIDED, "no data"]
    assert features["tip_name"].tolist() == ["Zone 1", "Zone 2", "&lt;b&gt;Zone&lt;/b&gt; &amp; 3"]
    assert features.crs.to_epsg() == 4326


def test_numeric_fills_use_the_citys_classes(zones):
    """Breaks from the whole city (0, 1..10): 0.5 is in the first class, 10 in the last."""
    classification = classify_measure(list(range(11)), NEED)
    features = neighbourhood_features(zones, _rows(**{NEED: [0.5, 10.0]}), classification)
    assert features["fill"].tolist() == [SEQUENTIAL[0], SEQUENTIAL[-1], NO_DATA_COLOUR]
    assert features["tip_value"].tolist() == ["0.50", "10.00", "no data"]
    zero = neighbourhood_features(zones, _rows(**{NEED: [0.0, 1.0]}), classification)
    assert zero["fill"].tolist()[0] == NONE_COLOUR


def test_legend_rows_are_the_classifications_legend():
    classification = classify_measure([0, 5, 7], NEED)
    legend = legend_rows(classification)
    assert legend.to_dict("list") == {
        "Colour": [NONE_COLOUR, SEQUENTIAL[0], SEQUENTIAL[-1]],
        "Means": ["none", "0 to 5", "5 to 7"],
    }
    classes = legend_rows(classify_measure([], PROVISION_CLASS))
    assert classes["Means"].tolist() == [
        "no need",
        "missing",
        "under-served",
        "adequate",
        "well provided",
    ]
    assert classes["Means"].tolist() == list(PROVISION_CLASSES)
    assert classes["Colour"].tolist() == list(CLASS_COLOURS.values())


def test_map_draws_every_neighbourhood_with_its_fill_offline(zones):
    classification = classify_measure([], PROVISION_CLASS)
    features = neighbourhood_features(zones, _rows(), classification)
    m = neighbourhood_map(features, "<i>Provision</i> (class)")
    page = m.get_root().render()
    data = re.search(r"_add\((\{.*?\})\);\n", page, flags=re.S)
    assert data is not None
    fills = [f["properties"]["fill"] for f in json.loads(data.group(1))["features"]]
    assert fills == [CLASS_COLOURS[MISSING], CLASS_COLOURS[WELL_PROVIDED], NO_DATA_COLOUR]
    assert "<i>Provision</i>" not in page
    assert "fitBounds" in page and "L.tileLayer" not in page
    # Leaflet's own grey background is as dark as "adequate"'s fill.
    assert ".leaflet-container { background: #fbfbf9; }" in page
    assert external_references(standalone_html(m)) == []
