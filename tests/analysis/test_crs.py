"""CRS checks and conversions, against points ONS publishes in both systems."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from analysis.crs import bng_to_lonlat, ensure_crs, lonlat_to_bng, to_compute, to_display
from analysis.errors import CRSError
from analysis.model import CRS_COMPUTE, CRS_DISPLAY

# Ward label points from ONS's WD25 boundary file (its BNG_E, BNG_N, LONG and LAT fields):
# (easting, northing, lon, lat). ONS rounds to the metre and to 1e-6 degrees.
ASHLEY = (359752, 174590, -2.580818, 51.46883)
AVONMOUTH = (353066, 179256, -2.677691, 51.51027)
KNOWN = [ASHLEY, AVONMOUTH]
METRES = 2.0  # the metre rounding plus the accuracy of the Helmert datum shift


def _points(crs=CRS_COMPUTE) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Ashley", "Avonmouth"]},
        geometry=[shapely.Point(e, n) for e, n, _, _ in KNOWN],
        crs=crs,
    )


@pytest.mark.parametrize(("easting", "northing", "lon", "lat"), KNOWN)
def test_lonlat_to_bng_matches_the_published_grid_reference(easting, northing, lon, lat):
    x, y = lonlat_to_bng(lon, lat)
    assert abs(x - easting) < METRES and abs(y - northing) < METRES


@pytest.mark.parametrize(("easting", "northing", "lon", "lat"), KNOWN)
def test_bng_to_lonlat_matches_the_published_coordinates(easting, northing, lon, lat):
    x, y = bng_to_lonlat(easting, northing)
    # At 51.5 N a degree of longitude is about 69 km and of latitude 111 km.
    assert abs(x - lon) * 69_000 < METRES and abs(y - lat) * 111_000 < METRES


def test_conversions_take_arrays_and_round_trip_to_the_millimetre():
    eastings = np.array([e for e, _, _, _ in KNOWN], dtype=float)
    northings = np.array([n for _, n, _, _ in KNOWN], dtype=float)
    lon, lat = bng_to_lonlat(eastings, northings)
    assert lon.shape == (2,)
    back_e, back_n = lonlat_to_bng(lon, lat)
    assert np.abs(back_e - eastings).max() < 0.001
    assert np.abs(back_n - northings).max() < 0.001


def test_to_display_draws_in_wgs84():
    shown = to_display(_points())
    assert CRS.from_user_input(shown.crs) == CRS.from_user_input(CRS_DISPLAY)
    point = shown.geometry.iloc[0]
    assert abs(point.x - ASHLEY[2]) * 69_000 < METRES
    assert abs(point.y - ASHLEY[3]) * 111_000 < METRES
    assert shown["name"].tolist() == ["Ashley", "Avonmouth"]


def test_to_display_refuses_a_frame_not_in_british_national_grid():
    with pytest.raises(
        CRSError,
        match=r"^frame to display is in EPSG:4326, expected EPSG:27700\. "
        r"Fix: convert it first with \.to_crs\('EPSG:27700'\)\.$",
    ):
        to_display(_points().to_crs(CRS_DISPLAY))


def test_to_compute_converts_any_crs_and_refuses_none():
    back = to_compute(to_display(_points()))
    assert back.geometry.iloc[1].distance(shapely.Point(AVONMOUTH[:2])) < 0.001
    with pytest.raises(
        CRSError, match=r"^frame has no CRS, so it cannot be converted to British National Grid"
    ):
        to_compute(_points(crs=None))


def test_ensure_crs_names_both_crss_and_the_fix():
    with pytest.raises(
        CRSError,
        match=r"^wards_gdf is in EPSG:4326, expected EPSG:27700\. "
        r"Fix: convert it first with \.to_crs\('EPSG:27700'\)\.$",
    ):
        ensure_crs(_points(CRS_DISPLAY), CRS_COMPUTE, name="wards_gdf")
    with pytest.raises(
        CRSError,
        match=r"^points has no CRS; expected EPSG:27700\. Fix: set it with "
        r"\.set_crs\('EPSG:27700'\) if the coordinates are already in it\.$",
    ):
        ensure_crs(_points(crs=None), CRS_COMPUTE, name="points")


def test_ensure_crs_accepts_the_same_crs_however_it_is_written():
    ensure_crs(_points(CRS.from_epsg(27700).to_wkt()), CRS_COMPUTE)
    ensure_crs(_points(27700), "epsg:27700")
