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
        "not in the postcode table of Bristol, City of: its district BS1 has postcodes in the "
        "area, so this one is new, retired or mistyped, or lies just over the boundary"
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


def test_the_margin_keeps_edge_points_inside_and_says_so(shape):
    lon, lat = _outside_by(shape, 500)
    point, _, outside, (finding,) = one(shape, lat=f"{lat:.6f}", lon=f"{lon:.6f}")
    assert point is not None and not outside
    gap = shape.outline.distance(shapely.Point(point))
    assert (finding.code, finding.severity, finding.field) == (
        "near_boundary",
        "warning",
        "latitude",
    )
    assert finding.reason == (
        f"the point lies {gap:,.0f} m outside the boundary of Bristol, City of, within the "
        "1.0 km margin for points on the edge, so it counts as in the area"
    )
    # A point of the area's own postcode table is in the area by definition: not told.
    inside = [
        code
        for code, xy in shape.postcode_points.items()
        if shape.outline.contains(shapely.Point(xy))
    ]
    assert one(shape, postcode=inside[0])[3] == ()
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


EXPECTED = lonlat_to_bng(-2.6033, 51.459)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("51.459,-2.6033", ""),
        ("51.459, -2.6033", ""),
        ("51.459 -2.6033", ""),
        ("(51.459, -2.6033)", ""),
        ("51.459N 2.6033W", ""),
        ("POINT(-2.6033 51.459)", ""),
        ("SRID=4326;POINT (-2.6033 51.459)", ""),
        ('{"type": "Point", "coordinates": [-2.6033, 51.459]}', ""),
        ("51.459,-2.6033", "51.459,-2.6033"),  # one column mapped to both fields
        ("", "51.459,-2.6033"),
    ],
)
def test_a_point_in_one_cell(shape, lat, lon):
    point, _, outside, findings = one(shape, lat=lat, lon=lon)
    assert point == pytest.approx(EXPECTED) and not outside and findings == ()


@pytest.mark.parametrize(
    ("lat", "fix"),
    [
        ("-2.6033, 51.459", "write the point as latitude, longitude, e.g. 51.4602, -2.5885"),
        (
            "POINT(51.459 -2.6033)",
            "write the point as longitude, latitude, e.g. POINT(-2.5885 51.4602)",
        ),
    ],
)
def test_a_pair_in_the_other_order_is_read_the_way_that_lands_in_the_uk(shape, lat, fix):
    point, _, _, (finding,) = one(shape, lat=lat)
    assert point == pytest.approx(EXPECTED)
    assert (finding.code, finding.field, finding.value, finding.severity) == (
        "pair_order",
        "latitude",
        lat,
        "warning",
    )
    assert "only in that order does the point lie in the UK" in finding.reason
    assert finding.fix == fix


def test_a_single_number_is_not_a_pair(shape):
    _, _, _, (finding,) = one(shape, lat="51.459")
    assert (finding.code, finding.reason) == ("bad_coordinates", "longitude is missing")


def test_a_postcode_district_alone_is_its_centroid_flagged_approximate(shape, bristol):
    codes = bristol.postcodes["postcode"]
    in_district = bristol.postcodes[codes.str.startswith("BS13 ")]
    point, postcode, outside, (finding,) = one(shape, postcode=" bs13 ")
    assert point == pytest.approx((in_district["easting"].mean(), in_district["northing"].mean()))
    assert (postcode, outside) == ("BS13", False)
    assert (finding.code, finding.field, finding.severity) == (
        "approximate_location",
        "postcode",
        "warning",
    )
    assert finding.reason == (
        f"BS13 is a postcode district, not a full postcode: the point used is the centroid of "
        f"its {len(in_district):,} postcode(s) in Bristol, City of, an approximate location"
    )
    assert finding.fix == (
        f"give the full postcode (e.g. {in_district['postcode'].min()}) or the coordinates "
        "for the exact place"
    )
    # A sector is finer: the centroid of its own postcodes.
    in_sector = bristol.postcodes[codes.str.startswith("BS13 7")]
    point, postcode, _, (finding,) = one(shape, postcode="BS13 7")
    assert postcode == "BS13 7" and finding.reason.startswith("BS13 7 is a postcode sector")
    assert point == pytest.approx((in_sector["easting"].mean(), in_sector["northing"].mean()))


def test_postcodes_and_districts_of_another_area(shape):
    point, postcode, _, (finding,) = one(shape, postcode="GL1 1AA")
    assert (point, postcode, finding.code) == (None, "GL1 1AA", "postcode_not_found")
    assert finding.reason == (
        "this postcode is in another area (not in Bristol, City of) or does not exist: no "
        "postcode of Bristol, City of is in district GL1 (its postcodes start with BS1–BS11, "
        "BS13–BS16, BS31, BS98, BS99)"
    )
    assert finding.fix.startswith("check it for typos; for a service in another area, load")
    # A district of the same letters that is not the area's (BS20 is North Somerset).
    _, _, _, (finding,) = one(shape, postcode="BS20")
    assert finding.code == "postcode_not_found"
    assert finding.reason.startswith("only a postcode district, and it is in another area")


def test_messages_give_the_loaded_areas_examples():
    from tests.analysis.tiny import make_area

    tiny = area_shape(make_area())
    _, _, _, (finding,) = one(tiny, postcode="XYZ")
    assert finding.fix == "write a full postcode such as TS1 1AA, or give latitude and longitude"
    _, _, _, (finding,) = one(tiny, lat="north", lon="-2")
    assert "e.g. latitude 50.0000 and longitude -2.0000" in finding.fix
    _, _, _, (finding,) = one(tiny, postcode="BS8 1TH")
    assert finding.reason == (
        "this postcode is in another area (not in Tinyshire) or does not exist: no postcode "
        "of Tinyshire is in district BS8 (its postcodes start with TS1)"
    )
    _, _, _, (finding,) = one(tiny, lat="51.459", lon="-2.6033")
    assert finding.code == "outside_area"
    assert "latitude about 50.00 and longitude about -2.00 in Tinyshire" in finding.fix
    assert "Bristol" not in " ".join((finding.reason, finding.fix))


def test_several_places_listed_in_the_cells(shape):
    located = locate_rows(
        [
            Place("BS8 1TH; BS5 0HE"),
            Place("", "51.459; 51.4627", "-2.6033; -2.5591"),
            Place("BS8 1TH; XYZ"),
        ],
        [(), (), ()],
        shape=shape,
    )
    assert [len(points) for points in located.points] == [2, 2, 1]
    assert located.points[0][1] == shape.postcode_points["BS5 0HE"]
    assert located.points[1][0] == pytest.approx(EXPECTED)
    assert located.postcodes == ["BS8 1TH", "", "BS8 1TH"]
    (finding,) = located.findings[2]
    assert (finding.field, finding.value, finding.reason) == (
        "postcode",
        "XYZ",
        "place 2 of 2 listed: not a UK postcode",
    )
    # Two numbers with ';' and no longitude are one point, not two latitudes; WKT's
    # 'SRID=4326;' separates no places.
    for cell in ("51.459; -2.6033", "SRID=4326;POINT(-2.6033 51.459)"):
        located = locate_rows([Place("", cell)], [()], shape=shape)
        assert len(located.points[0]) == 1 and located.findings == {}
        assert located.points[0][0] == pytest.approx(EXPECTED)
