"""Offline geocoding: postcodes, coordinates, swaps, signs, the margin and the outside."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from analysis.crs import bng_to_lonlat, lonlat_to_bng
from analysis.ingest.cells import Place
from analysis.ingest.locate import area_shape, locate, locate_rows


@pytest.fixture(scope="module")
def shape(bristol):
    return area_shape(bristol)


def one(shape, postcode="", lat="", lon=""):
    located = locate([postcode], [lat], [lon], shape=shape)
    point = None if math.isnan(located.easting[0]) else (located.easting[0], located.northing[0])
    return point, located.postcode[0], bool(located.outside[0]), located.findings


def test_area_shape_lookups(shape):
    assert shape.name == "Bristol, City of"
    assert {"bristolcityof", "bristol", "cityofbristol"} <= shape.authority_keys
    assert shape.ward_keys["easton"] == shape.ward_keys["e05010896"] == "E05010896"
    assert shape.postcode_points["BS8 1TH"] == (358182.0, 173516.0)
    assert shape.outline_with_margin.area > shape.outline.area


def test_postcode_any_case_and_spacing(shape):
    point, postcode, outside, findings = one(shape, postcode=" bs81th ")
    assert (point, postcode, outside, findings) == ((358182.0, 173516.0), "BS8 1TH", False, ())


def test_coordinates_are_preferred_to_the_postcode(shape):
    point, postcode, _, findings = one(shape, "BS8 1TH", "51.459", "-2.6033")
    expected = lonlat_to_bng(-2.6033, 51.459)
    assert point == pytest.approx(expected) and postcode == "BS8 1TH" and findings == ()


def test_comma_decimals_and_degree_signs(shape):
    point, _, _, findings = one(shape, lat="51,459°", lon="-2,6033")
    assert point == pytest.approx(lonlat_to_bng(-2.6033, 51.459)) and findings == ()


def test_postcode_problems(shape):
    _, _, _, (finding,) = one(shape, postcode="XYZ")
    assert (finding.code, finding.field, finding.value) == ("bad_postcode", "postcode", "XYZ")
    assert finding.reason == "not a UK postcode"
    _, postcode, _, (finding,) = one(shape, postcode="BS1 6QU")
    assert postcode == "BS1 6QU"
    assert finding.reason == (
        "not in the postcode table of Bristol, City of: it lies outside the area, or is new "
        "or retired"
    )


def test_swapped_coordinates_are_corrected_and_reported(shape):
    point, _, outside, (finding,) = one(shape, lat="-2.6033", lon="51.459")
    assert point == pytest.approx(lonlat_to_bng(-2.6033, 51.459)) and not outside
    assert (finding.code, finding.value, finding.severity) == (
        "swapped_lat_lon",
        "-2.6033, 51.459",
        "warning",
    )
    assert finding.fix == "swap the latitude and longitude columns"


def test_a_missing_minus_sign_is_restored_and_reported(shape):
    point, _, _, (finding,) = one(shape, lat="51.459", lon="2.6033")
    assert point == pytest.approx(lonlat_to_bng(-2.6033, 51.459))
    assert finding.code == "lon_sign" and finding.fix == "write the longitude as -2.6033"


def test_points_outside_are_kept_and_reported(shape):
    point, _, outside, (finding,) = one(shape, lat="51.5074", lon="-0.1278")  # London
    assert point is not None and outside
    assert finding.code == "outside_area"
    assert finding.reason.startswith("the point lies ") and finding.reason.endswith(
        " km outside Bristol, City of"
    )
    # With a usable postcode, the postcode's point is used instead.
    point, _, outside, (finding,) = one(shape, "BS8 1TH", "51.5074", "-0.1278")
    assert point == (358182.0, 173516.0) and not outside
    assert finding.reason.endswith("; the postcode's point is used instead")


def _outside_by(shape, metres):
    """A point about ``metres`` outside the outline, found along its boundary."""
    centre = shape.outline.centroid
    for x, y in shapely.get_coordinates(shape.outline.boundary)[::50]:
        dx, dy = x - centre.x, y - centre.y
        scale = metres / math.hypot(dx, dy)
        point = shapely.Point(x + dx * scale, y + dy * scale)
        if abs(shape.outline.distance(point) - metres) < 0.2 * metres:
            return bng_to_lonlat(point.x, point.y)
    raise AssertionError("no such point")


def test_the_margin_keeps_edge_points_inside(shape):
    lon, lat = _outside_by(shape, 500)
    point, _, outside, findings = one(shape, lat=f"{lat:.6f}", lon=f"{lon:.6f}")
    assert point is not None and not outside and findings == ()
    lon, lat = _outside_by(shape, 3000)
    point, _, outside, (finding,) = one(shape, lat=f"{lat:.6f}", lon=f"{lon:.6f}")
    assert point is not None and outside and finding.code == "outside_area"


@pytest.mark.parametrize(
    ("lat", "lon", "field", "value", "reason"),
    [
        ("51.45", "", "longitude", "", "longitude is missing"),
        ("", "-2.6", "latitude", "", "latitude is missing"),
        ("north", "-2.6", "latitude", "north", "not a number"),
        ("0", "0", "latitude", "0, 0", "0, 0 is the usual placeholder for an unknown location"),
        ("173516", "358182", "latitude", "173516", "not between -90 and 90 degrees"),
        ("51.45", "-200", "longitude", "-200", "not between -180 and 180 degrees"),
    ],
)
def test_unusable_coordinates(shape, lat, lon, field, value, reason):
    point, _, _, (finding,) = one(shape, lat=lat, lon=lon)
    assert point is None
    assert (finding.code, finding.field, finding.value, finding.reason) == (
        "bad_coordinates",
        field,
        value,
        reason,
    )


def test_unusable_coordinates_fall_back_to_the_postcode(shape):
    point, _, _, (finding,) = one(shape, "BS8 1TH", "north", "-2.6")
    assert point == (358182.0, 173516.0)
    assert finding.reason == "not a number; the postcode's point is used instead"


def test_coordinates_far_from_their_postcode_are_reported(shape):
    point, _, _, (finding,) = one(shape, "BS8 1TH", "51.4627", "-2.5591")
    assert point == pytest.approx(lonlat_to_bng(-2.5591, 51.4627))
    assert finding.code == "location_mismatch"
    assert finding.reason.startswith("the coordinates lie 3.1 km from postcode BS8 1TH")


def test_many_records_at_once(shape):
    located = locate(["BS8 1TH", "", "XYZ"], ["", "51.459", ""], ["", "-2.6033", ""], shape=shape)
    assert located.has_point().tolist() == [True, True, False]
    assert [f.position for f in located.findings] == [2]
    assert np.isnan(located.easting[2])


def test_rows_with_further_locations(shape):
    located = locate_rows(
        [Place("bs8 1th"), Place(), Place("XYZ")],
        [(Place("BS5 0HE"), Place("nowhere")), (), ()],
        shape=shape,
    )
    assert located.postcodes == ["BS8 1TH", "", ""]
    assert [len(points) for points in located.points] == [2, 0, 0]
    assert located.points[0][0] == (358182.0, 173516.0)
    assert sorted(located.findings) == [0, 2]
    (other,) = located.findings[0]
    assert (other.position, other.field, other.value, other.reason) == (
        0,
        "other_locations",
        "nowhere",
        "another location of the service: not a UK postcode",
    )
    (main,) = located.findings[2]
    assert (main.field, main.code) == ("postcode", "bad_postcode")
