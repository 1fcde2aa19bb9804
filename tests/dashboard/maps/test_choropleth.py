"""The overview choropleth: palette classes and colours, escaped text, the legend, hatching."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analysis import settings
from analysis.errors import CRSError
from analysis.model import (
    ADEQUATE,
    AREA_CODE,
    MISSING,
    NEED,
    PROVISION_CLASS,
    PROVISION_CLASSES,
    UNCERTAIN,
    UNDER_SERVED,
    WELL_PROVIDED,
)
from analysis.outputs.palette import (
    CLASS_COLOURS,
    NO_DATA_COLOUR,
    NONE_COLOUR,
    NONE_LABEL,
    SEQUENTIAL,
    classify_measure,
)
from dashboard.maps.base import HATCH_STYLE
from dashboard.maps.choropleth import Legend, choropleth_map, display_geometry, uncertain_legend
from dashboard.maps.markers import STALE_CLASS, STALE_LEGEND, STALE_WORDS, ServicePoint
from dashboard.maps.offline import external_references, standalone_html

HOSTILE = "<img src=x onerror=alert(1)> `${alert(2)}`"


@pytest.fixture
def wards_gdf() -> gpd.GeoDataFrame:
    """Four 1 km squares in a row near Bristol, one with HTML in its name."""
    return gpd.GeoDataFrame(
        {
            "ward_code": ["W1", "W2", "W3", "W4"],
            "ward_name": ["Ashley", HOSTILE, "Cotham", "Easton"],
        },
        geometry=[
            shapely.box(357000 + k * 1000, 172000, 358000 + k * 1000, 173000) for k in range(4)
        ],
        crs="EPSG:27700",
    )


def _layers(m) -> list[list[dict]]:
    """The features of every GeoJSON layer of the rendered map, in drawing order."""
    page = m.get_root().render()
    found = re.finditer(r"_add\((\{.*?\})\);\n", page, flags=re.S)
    return [json.loads(data.group(1))["features"] for data in found]


def _features(m) -> list[dict]:
    layers = _layers(m)
    assert layers
    return layers[0]


def _values(**columns) -> pd.DataFrame:
    return pd.DataFrame({AREA_CODE: ["W1", "W2", "W3", "W4"], **columns})


def test_class_map_fills_each_ward_with_its_class_colour(wards_gdf):
    classes = [MISSING, UNDER_SERVED, WELL_PROVIDED, "<b>odd</b>"]
    values = _values(**{PROVISION_CLASS: classes})
    m = choropleth_map(
        wards_gdf, values, classify_measure([], PROVISION_CLASS), title="Food: class"
    )
    props = [f["properties"] for f in _features(m)]
    assert [p["fill"] for p in props] == [
        CLASS_COLOURS[MISSING],
        CLASS_COLOURS[UNDER_SERVED],
        CLASS_COLOURS[WELL_PROVIDED],
        NO_DATA_COLOUR,  # not a class: no data, never a colour of its own
    ]
    assert [p["tip_class"] for p in props] == [MISSING, UNDER_SERVED, WELL_PROVIDED, "no data"]
    assert [p["dashed"] for p in props] == [True, False, False, False]


def test_numeric_map_uses_the_sequential_colours_and_none_for_zero(wards_gdf):
    values = _values(**{NEED: [0.0, 1.0, 10.0, float("nan")]})
    classification = classify_measure([0.0, 1.0, 10.0], NEED)
    props = [
        f["properties"]
        for f in _features(choropleth_map(wards_gdf, values, classification, title="Need"))
    ]
    assert [p["fill"] for p in props] == [
        NONE_COLOUR,
        SEQUENTIAL[0],
        SEQUENTIAL[-1],
        NO_DATA_COLOUR,
    ]
    assert [p["tip_class"] for p in props] == [NONE_LABEL, "0 to 1", "1 to 10", "no data"]
    assert [p["tip_value"] for p in props] == ["0", "1", "10", "–"]
    assert [p["dashed"] for p in props] == [True, False, False, False]


def test_tooltips_are_escaped_and_raw_names_kept_for_the_click(wards_gdf):
    values = _values(**{NEED: [1.0, 2.0, 3.0, 4.0]})
    services = [ServicePoint(51.45, -2.6, HOSTILE), ServicePoint(51.46, -2.6, HOSTILE, stale=True)]
    m = choropleth_map(
        wards_gdf,
        values,
        classify_measure([1, 2, 3, 4], NEED),
        title="<i>Need</i>",
        services=services,
    )
    props = _features(m)[1]["properties"]
    assert props["ward_name"] == HOSTILE
    assert props["tip_name"] == "&lt;img src=x onerror=alert(1)&gt; `${alert(2)}`"
    page = m.get_root().render()
    assert "<img src=x" not in page and "<i>Need</i>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &#96;&#36;{alert(2)}&#96;" in page  # marker
    # The hatched marker's name, escaped as HTML inside its JSON icon.
    assert 'aria-label=\\"\\u0026lt;img src=x onerror=alert(1)\\u0026gt;' in page
    assert external_references(standalone_html(m)) == []


def test_many_services_are_clustered(wards_gdf):
    values = _values(**{NEED: [1.0, 2.0, 3.0, 4.0]})
    few = [ServicePoint(51.45, -2.6, "S1")]
    many = [
        ServicePoint(51.45, -2.6 + i / 1000, f"S{i}") for i in range(settings.CLUSTER_MARKERS_FROM)
    ]
    classification = classify_measure([1, 2, 3, 4], NEED)
    assert (
        "markerClusterGroup"
        not in choropleth_map(wards_gdf, values, classification, title="Need", services=few)
        .get_root()
        .render()
    )
    assert (
        "markerClusterGroup"
        in choropleth_map(wards_gdf, values, classification, title="Need", services=many)
        .get_root()
        .render()
    )


def test_legend_lists_each_class_escaped_with_dashed_swatches_for_none_and_missing():
    legend = Legend(
        "<b>Food</b>",
        [(NONE_LABEL, NONE_COLOUR), ("1 to <2>", SEQUENTIAL[0]), (MISSING, CLASS_COLOURS[MISSING])],
    )
    dashed, plain = '<div><span class="sn-swatch sn-dashed" ', '<div><span class="sn-swatch" '
    assert legend.markup == (
        '<div class="sn-legend-title">&lt;b&gt;Food&lt;/b&gt;</div>'
        f'{dashed}style="background:{NONE_COLOUR}"></span>none</div>'
        f'{plain}style="background:{SEQUENTIAL[0]}"></span>1 to &lt;2&gt;</div>'
        f'{dashed}style="background:{CLASS_COLOURS[MISSING]}"></span>missing</div>'
    )


def _legend(m) -> Legend:
    (legend,) = [child for child in m._children.values() if isinstance(child, Legend)]
    return legend


def test_map_legend_follows_the_classification(wards_gdf):
    values = _values(**{PROVISION_CLASS: [MISSING] * 4})
    classification = classify_measure([], PROVISION_CLASS)
    m = choropleth_map(wards_gdf, values, classification, title="Class", font_px=18)
    legend = _legend(m)
    assert legend.font_px == 18
    assert [label for label, _ in classification.legend()] == list(PROVISION_CLASSES)
    for label, colour in classification.legend():
        assert f'style="background:{colour}"></span>{label}</div>' in legend.markup
    page = m.get_root().render()
    assert "font: 18px/1.35" in page and "div.innerHTML" in page


def test_display_geometry_is_simplified_wgs84_and_refuses_another_crs(wards_gdf):
    shown = display_geometry(wards_gdf)
    assert shown.crs.to_epsg() == 4326
    lon, lat = shown.geometry.iloc[0].exterior.coords[0]
    assert -2.7 < lon < -2.5 and 51.4 < lat < 51.5
    with pytest.raises(
        CRSError, match=r"wards_gdf is in EPSG:4326, expected EPSG:27700\. Fix: convert"
    ):
        display_geometry(wards_gdf.to_crs("EPSG:4326"))


def _hatched_wards(hatch: list[dict], wards_gdf: gpd.GeoDataFrame) -> list[str]:
    """The ward each hatch feature lies in (drawn in WGS84, like the map)."""
    shown = display_geometry(wards_gdf)
    found = []
    for feature in hatch:
        lines = shapely.geometry.shape(feature["geometry"])
        assert lines.geom_type == "MultiLineString" and not lines.is_empty  # no marker pins
        inside = [
            code
            for code, ward in zip(shown["ward_code"], shown.geometry, strict=True)
            if ward.buffer(1e-6).contains(lines)
        ]
        assert len(inside) == 1, inside
        found += inside
    return found


def test_uncertain_wards_and_only_they_are_hatched_and_the_legend_names_the_hatching(wards_gdf):
    values = _values(
        **{
            PROVISION_CLASS: [MISSING, UNDER_SERVED, WELL_PROVIDED, ADEQUATE],
            UNCERTAIN: [False, True, False, True],
        }
    )
    m = choropleth_map(
        wards_gdf, values, classify_measure([], PROVISION_CLASS), title="Food", uncertain_above=0.4
    )
    wards_layer, hatch = _layers(m)
    assert [f["properties"]["ward_code"] for f in wards_layer] == ["W1", "W2", "W3", "W4"]
    assert _hatched_wards(hatch, wards_gdf) == ["W2", "W4"]
    page = m.get_root().render()
    hatch_style = json.dumps(dict(sorted(HATCH_STYLE.items())))
    assert f"return {hatch_style};" in page
    assert '"interactive": false' in page  # a click goes through the lines to the ward
    legend = _legend(m)
    assert uncertain_legend(0.4) == "Hatched: uncertain, over 40% of the supply estimated"
    hatched = f'<div><span class="sn-swatch sn-hatched"></span>{uncertain_legend(0.4)}</div>'
    assert legend.markup.endswith(hatched)  # after every class's swatch
    assert legend.markup.count("sn-hatched") == 1


@pytest.mark.parametrize("flags", [[False] * 4, None], ids=["none uncertain", "no column"])
def test_a_map_with_no_uncertain_ward_has_no_hatching_and_no_hatch_legend(wards_gdf, flags):
    columns = {PROVISION_CLASS: [MISSING, UNDER_SERVED, WELL_PROVIDED, ADEQUATE]}
    if flags is not None:
        columns[UNCERTAIN] = flags
    m = choropleth_map(
        wards_gdf, _values(**columns), classify_measure([], PROVISION_CLASS), title="Food"
    )
    assert len(_layers(m)) == 1  # the wards only
    assert "sn-hatched" not in _legend(m).markup and "Hatched" not in _legend(m).markup
    assert f"return {json.dumps(dict(sorted(HATCH_STYLE.items())))};" not in m.get_root().render()


def test_out_of_date_services_and_only_they_are_hatched_and_the_legend_says_so(wards_gdf):
    values = _values(**{NEED: [1.0, 2.0, 3.0, 4.0]})
    services = [
        ServicePoint(51.45, -2.6, "Current club"),
        ServicePoint(51.46, -2.61, "Old club", stale=True),
    ]
    m = choropleth_map(
        wards_gdf, values, classify_measure([1, 2, 3, 4], NEED), title="Need", services=services
    )
    page = m.get_root().render()
    assert page.count(f'class=\\"{STALE_CLASS}\\"') == 1  # inside the icon's JSON
    assert f"Old club ({STALE_WORDS})" in page and f"Current club ({STALE_WORDS})" not in page
    assert "repeating-linear-gradient" in page
    assert _legend(m).markup.endswith(
        f'<span class="sn-dot sn-hatched"></span>{STALE_LEGEND}</div>'
    )
    assert external_references(standalone_html(m)) == []
    current_only = choropleth_map(
        wards_gdf, values, classify_measure([1, 2, 3, 4], NEED), title="Need", services=services[:1]
    )
    assert STALE_CLASS not in current_only.get_root().render()
    assert "sn-dot" not in _legend(current_only).markup
