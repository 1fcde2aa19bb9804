"""The ward map: CRS and column checks, escaped text, labels, basemap only when asked; hatching."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely

from analysis.errors import CRSError
from dashboard.maps.base import HATCH_SPACING_M, OSM_TILES, hatch_lines, ward_map
from dashboard.maps.offline import external_references, standalone_html


@pytest.fixture
def wards_gdf() -> gpd.GeoDataFrame:
    """Two 1 km squares in British National Grid near Bristol."""
    return gpd.GeoDataFrame(
        {"ward_code": ["E05000001", "E05000002"], "ward_name": ["Ashley", "<b>Bold</b> & 'Co'"]},
        geometry=[
            shapely.box(357000, 172000, 358000, 173000),
            shapely.box(358000, 172000, 359000, 173000),
        ],
        crs="EPSG:27700",
    )


def _geojson_features(page: str) -> list[dict]:
    data = re.search(r"_add\((\{.*?\})\);\n", page, flags=re.S)
    assert data is not None
    return json.loads(data.group(1))["features"]


def test_ward_map_draws_each_ward_with_raw_and_escaped_text(wards_gdf):
    page = ward_map(wards_gdf).get_root().render()
    features = _geojson_features(page)
    assert [f["properties"]["ward_code"] for f in features] == ["E05000001", "E05000002"]
    bold = features[1]["properties"]
    assert bold["ward_name"] == "<b>Bold</b> & 'Co'"  # raw, for the app to read back
    assert bold["tooltip_name"] == "&lt;b&gt;Bold&lt;/b&gt; &amp; &#x27;Co&#x27;"
    # Drawn in WGS84: Bristol is near 51.45 N, 2.6 W.
    lon, lat = features[0]["geometry"]["coordinates"][0][0]
    assert -2.7 < lon < -2.5 and 51.4 < lat < 51.5
    assert "<b>" not in page and "\\u003cb\\u003e" in page  # raw name only as JSON data
    assert "\\u003cspan\\u003e\\u0026lt;b\\u0026gt;Bold" in page  # escaped label


PLAIN = ".leaflet-container { background: #fbfbf9; }"


def test_ward_map_has_labels_fit_bounds_and_no_basemap_by_default(wards_gdf):
    page = ward_map(wards_gdf).get_root().render()
    assert page.count("sn-ward-label") >= 2  # style and label class
    assert "L.divIcon" in page and "interactive: false" in page
    assert re.search(
        r"\.fitBounds\(\s*\[\[51\.4\d+, -2\.6\d+\], \[51\.4\d+, -2\.5\d+\]\],"
        r"\s*\{\"animate\": false\}",
        page,
    )
    assert "tile.openstreetmap.org" not in page and "L.tileLayer" not in page
    assert PLAIN in page  # no basemap: the light class colours need a light ground


def test_ward_map_adds_openstreetmap_with_attribution_when_asked(wards_gdf):
    page = ward_map(wards_gdf, basemap=True).get_root().render()
    assert PLAIN not in page
    assert "L.tileLayer" in page and OSM_TILES in page
    assert "OpenStreetMap</a> contributors" in page.replace("\\u003c", "<").replace("\\u003e", ">")
    assert external_references(page) == []  # tiles are fetched by script, on request only


def test_ward_map_refuses_another_crs(wards_gdf):
    with pytest.raises(CRSError, match=r"wards_gdf is in EPSG:4326, expected EPSG:27700.*to_crs"):
        ward_map(wards_gdf.to_crs("EPSG:4326"))


def test_ward_map_names_missing_columns(wards_gdf):
    with pytest.raises(ValueError, match=r"no column 'name'.*Fix: pass label_col="):
        ward_map(wards_gdf, label_col="name")


def test_ward_map_refuses_no_wards(wards_gdf):
    with pytest.raises(ValueError, match=r"no rows"):
        ward_map(wards_gdf.iloc[:0])


def test_hatch_lines_are_diagonal_lines_clipped_to_each_shape_and_nothing_else(wards_gdf):
    """A square's diagonal hatch touches two corners: the clipping's points are dropped."""
    shapes = gpd.GeoSeries(
        [wards_gdf.geometry.iloc[0], shapely.box(357000, 172000, 357001, 172001)],
        index=[7, 8],
        crs="EPSG:27700",
    )
    square, tiny = hatch_lines(shapes)
    assert list(hatch_lines(shapes).index) == [7, 8]
    assert square.geom_type == "MultiLineString"
    parts = list(square.geoms)
    assert all(part.geom_type == "LineString" for part in parts)
    assert all(shapes.iloc[0].buffer(1e-6).contains(part) for part in parts)
    for part in parts:
        (x0, y0), (x1, y1) = part.coords
        assert abs((x1 - x0) - (y1 - y0)) < 1e-6  # 45 degrees
    # Lines every 250 m across a 1 km square: the offsets (x - y) of its lines are spaced so.
    offsets = sorted({round(part.coords[0][0] - part.coords[0][1], 6) for part in parts})
    steps = {round(b - a, 6) for a, b in zip(offsets, offsets[1:], strict=False)}
    assert steps == {HATCH_SPACING_M}
    assert len(parts) == 2 * 1000 / HATCH_SPACING_M - 1  # the diagonal and 3 each side of it
    assert tiny.is_empty or tiny.geom_type == "MultiLineString"
    with pytest.raises(CRSError):
        hatch_lines(shapes.to_crs("EPSG:4326"))


MAP = "() => Object.values(window).find(value => value instanceof L.Map)"


@pytest.mark.browser
def test_overlapping_labels_hide_until_zoomed_in(tmp_path, chromium):
    wards_gdf = gpd.GeoDataFrame(
        {
            "ward_code": ["E05000001", "E05000002", "E05000003"],
            "ward_name": ["Big Ward", "Long Ward Name One", "Long Ward Name Two"],
        },
        geometry=[
            shapely.box(357000, 172000, 363000, 178000),
            shapely.box(363000, 174900, 363150, 175050),
            shapely.box(363150, 174900, 363300, 175050),
        ],
        crs="EPSG:27700",
    )
    html_path = tmp_path / "wards.html"
    html_path.write_text(standalone_html(ward_map(wards_gdf)), encoding="utf-8")
    visible = """() => [...document.querySelectorAll('.sn-ward-label span')]
        .filter(span => span.style.visibility !== 'hidden').map(span => span.textContent)"""
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(html_path.as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        shown = page.evaluate(visible)
        assert "Big Ward" in shown and len(shown) == 2  # the two small wards' labels clash
        page.evaluate(
            f"() => ({MAP})().setView([51.4725, -2.5319], ({MAP})().getZoom() + 3, "
            "{animate: false})"
        )
        page.wait_for_function(f"({visible})().length === 3", timeout=5_000)
    finally:
        page.close()
