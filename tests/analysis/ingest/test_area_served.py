"""Area served: the kind each row asks for, then circles, unions of circles, wards, the city."""

from __future__ import annotations

import math

import pytest

from analysis.ingest.area_served import (
    AreaChoice,
    build_area_served,
    catchment_m,
    match_wards,
    resolve_area,
)
from analysis.ingest.locate import area_shape
from tests.analysis.ingest.helpers import TAXONOMY, load_rows, problems

OK = {"org_name": "Heron Neighbours", "postcode": "BS8 1TH", "categories": "food", "capacity": "40"}
EASTON, LAWRENCE_HILL = "E05010896", "E05010907"


@pytest.fixture(scope="module")
def shape(bristol):
    return area_shape(bristol)


def test_each_kind(shape):
    centre = (358182.0, 173516.0)
    areas = build_area_served(
        ["at_location", "radius_km", "wards", "citywide", "at_location"],
        points=[(centre,), (centre,), (), (), ()],
        radius_m=[1500.0, 2000.0, math.nan, math.nan, 1500.0],
        ward_codes=[(), (), ("E05010896", "E05010907"), (), ()],
        shape=shape,
    )
    assert areas.crs.to_epsg() == 27700
    # 32-gons: within 0.7 % of the circle's area.
    assert areas[0].area == pytest.approx(math.pi * 1500**2, rel=0.007)
    assert areas[1].area == pytest.approx(math.pi * 2000**2, rel=0.007)
    assert areas[0].centroid.distance(areas[1].centroid) < 1
    wards = shape.ward_polygons["E05010896"].union(shape.ward_polygons["E05010907"])
    assert areas[2].symmetric_difference(wards).area < 1
    assert areas[3].equals(shape.outline)
    assert areas[4].is_empty  # a point was needed and there is none


def test_several_points_cover_the_union_of_their_circles(shape):
    points = ((358182.0, 173516.0), (361173.0, 173450.0))
    (area,) = build_area_served(
        ["at_location"], points=[points], radius_m=[1000.0], ward_codes=[()], shape=shape
    )
    assert area.area == pytest.approx(2 * math.pi * 1000**2, rel=0.007)


def test_equal_ward_lists_share_one_geometry(shape):
    areas = build_area_served(
        ["wards", "wards"],
        points=[(), ()],
        radius_m=[math.nan, math.nan],
        ward_codes=[("E05010896", "E05010907"), ("E05010907", "E05010896")],
        shape=shape,
    )
    assert areas[0] is areas[1]


@pytest.mark.parametrize(
    ("kind", "points", "radius", "wards", "message"),
    [
        ("moon", (), math.nan, (), "service 0 has unknown area kind 'moon'"),
        ("wards", (), math.nan, ("E05999999",), "service 0 lists unknown wards \\['E05999999'\\]"),
        ("radius_km", ((0.0, 0.0),), -1.0, (), "service 0 has no positive radius"),
    ],
)
def test_inputs_ingest_never_produces_are_refused(shape, kind, points, radius, wards, message):
    with pytest.raises(ValueError, match=message):
        build_area_served(
            [kind], points=[points], radius_m=[radius], ward_codes=[wards], shape=shape
        )


def resolve(shape, kind_text="", value="", *, delivery=("in person",), point=True, problem=False):
    return resolve_area(
        kind_text,
        value,
        delivery=delivery,
        has_point=point,
        has_location_problem=problem,
        shape=shape,
    )


def test_the_kind_is_inferred_from_the_value(shape):
    assert resolve(shape) == AreaChoice("at_location")
    assert resolve(shape, delivery=("phone", "online")) == AreaChoice("citywide")
    assert resolve(shape, value="2 km") == AreaChoice("radius_km", radius_km=2.0, needs_point=True)
    assert resolve(shape, value="City of Bristol") == AreaChoice("citywide")
    assert resolve(shape, value="national") == AreaChoice("citywide")
    choice = resolve(shape, value="Easton, LAWRENCE HILL ward; Atlantis")
    assert (choice.kind, choice.ward_codes) == ("wards", (EASTON, LAWRENCE_HILL))
    assert [(i.code, i.value) for i in choice.issues] == [("unmatched_wards", "Atlantis")]


def test_a_feed_s_service_areas_are_read_as_listed(shape):
    assert resolve(shape, value=("Bristol",)) == AreaChoice("citywide")
    choice = resolve(shape, value=("Easton", "Lawrence Hill"))
    assert (choice.kind, choice.ward_codes, choice.issues) == ("wards", (EASTON, LAWRENCE_HILL), ())


def test_a_given_kind_is_checked_against_its_value(shape):
    assert resolve(shape, "Citywide", "Bristol") == AreaChoice("citywide")
    choice = resolve(shape, "at_location", "Easton")
    assert (choice.kind, choice.needs_point) == ("at_location", True)
    assert [i.code for i in choice.issues] == ["area_value_ignored"]
    (issue,) = resolve(shape, "moon").issues
    assert (issue.field, issue.severity, issue.fix) == (
        "area_served",
        "error",
        "use one of: at_location, radius_km, wards, citywide (or leave it empty)",
    )
    for kind, value, code in (("radius_km", "0", "bad_radius"), ("wards", "", "no_ward_matched")):
        choice = resolve(shape, kind, value)
        assert (choice.kind, [i.code for i in choice.issues]) == (None, [code])


def test_a_circle_without_a_point(shape):
    # Asked for and no location at all: rejected.
    (issue,) = resolve(shape, "radius_km", "2", point=False).issues
    assert (issue.code, issue.field, issue.severity) == ("no_location", "postcode", "error")
    # Asked for, with a location that cannot be used: the location problem rejects it.
    choice = resolve(shape, "radius_km", "2", point=False, problem=True)
    assert choice.needs_point and choice.issues == ()
    # Not asked for: kept, flagged.
    for problem in (False, True):
        (issue,) = resolve(shape, point=False, problem=problem).issues
        assert (issue.code, issue.severity) == ("no_location", "warning")
    assert resolve(shape, "wards", "Easton", point=False).issues == ()


def test_match_wards_by_name_or_code(shape):
    assert match_wards("e05010896;; Lawrence Hill Ward | Nowhere", shape) == (
        (EASTON, LAWRENCE_HILL),
        ("Nowhere",),
    )


def test_catchment_of_each_kind():
    options = {"taxonomy": TAXONOMY, "uncategorised_catchment_km": 0.5}
    # The first category's catchment.
    assert catchment_m(AreaChoice("at_location"), ("mental_health", "food"), **options) == 3000.0
    assert catchment_m(AreaChoice("at_location"), (), **options) == 500.0
    assert catchment_m(AreaChoice("radius_km", radius_km=0.8), ("food",), **options) == 800.0
    assert math.isnan(catchment_m(AreaChoice("citywide"), ("food",), **options))


# ---- end to end: the area served of rows read from a file -----------------------------------


def test_unknown_area_kind(bristol):
    _, report = load_rows(bristol, {**OK, "Area served": "moon"})
    assert problems(report, "unknown_area_kind") == [
        "row 2, column 'Area served', value 'moon': not a kind of area served. Fix: use one "
        "of: at_location, radius_km, wards, citywide (or leave it empty)"
    ]


def test_bad_radius(bristol):
    _, report = load_rows(bristol, {**OK, "area_served": "radius_km", "area_value": "far"})
    assert problems(report, "bad_radius") == [
        "row 2, column 'area_value', value 'far': area served is radius_km but this is not a "
        "radius above 0. Fix: write the radius in kilometres, e.g. 2"
    ]


def test_no_ward_matched(bristol):
    _, report = load_rows(bristol, {**OK, "area_served": "wards", "area_value": "Atlantis"})
    assert problems(report, "no_ward_matched") == [
        "row 2, column 'area_value', value 'Atlantis': names no ward of Bristol, City of. "
        "Fix: list ward names or codes separated by ';', e.g. 'Ashley; Avonmouth and "
        "Lawrence Weston'"
    ]
    _, report = load_rows(bristol, {**OK, "area_served": "wards"})
    assert problems(report, "no_ward_matched")[0].startswith(
        "row 2, column 'area_value', value '': no wards are listed."
    )


def test_explicit_at_location_without_location(bristol):
    _, report = load_rows(bristol, {**OK, "postcode": "", "area_served": "at_location"})
    assert report.rejected == 1
    assert problems(report, "no_location") == [
        "row 2, column 'postcode', value '': area served is at_location but the row has no "
        "postcode or coordinates. Fix: give a postcode (or latitude and longitude), or set "
        "area_served to wards or citywide"
    ]


def test_a_bad_location_rejects_when_the_area_needs_a_point(bristol):
    rows = [{**OK, "postcode": "BS99 9ZZ", "area_served": kind} for kind in ("radius_km",)]
    rows[0]["area_value"] = "2"
    _, report = load_rows(bristol, *rows, {**OK, "postcode": "BS99 9ZZ", "service_name": "B"})
    assert (report.accepted, report.rejected) == (1, 1)
    first, second = problems(report, "postcode_not_found")
    assert [p.severity for p in report.problems if p.code == "postcode_not_found"] == [
        "error",
        "warning",
    ]
    assert first == (
        "row 2, column 'postcode', value 'BS99 9ZZ': not in the postcode table of Bristol, "
        "City of: its district BS99 has postcodes in the area, so this one is new, retired or "
        "mistyped, or lies just over the boundary. Fix: check it for typos, or give latitude "
        "and longitude"
    )


def test_area_served_defaults(bristol):
    rows = [
        {**OK, "service_name": "venue"},
        {**OK, "service_name": "line", "delivery": "phone; online"},
        {**OK, "service_name": "radius", "area_value": "800 m"},
        {**OK, "service_name": "wards", "area_value": "easton, LAWRENCE HILL ward"},
        {**OK, "service_name": "city", "area_value": "City of Bristol"},
        {**OK, "service_name": "national", "area_value": "UK-wide"},
    ]
    directory, report = load_rows(bristol, *rows)
    assert report.problems == ()
    services = directory.services.set_index("service_name")
    assert services["area_kind"].to_dict() == {
        "venue": "at_location",
        "line": "citywide",
        "radius": "radius_km",
        "wards": "wards",
        "city": "citywide",
        "national": "citywide",
    }
    assert services.loc["radius", "radius_m"] == pytest.approx(800)
    assert services.loc["wards", "ward_codes"] == ("E05010896", "E05010907")
    assert services.loc["venue", "radius_m"] == 1500  # food's catchment


def test_a_bad_location_without_an_area_keeps_the_row_with_an_empty_area(bristol):
    directory, report = load_rows(bristol, {**OK, "postcode": "XYZ"})
    assert report.accepted == 1
    assert problems(report, "no_location") == [
        "row 2, column 'postcode', value '': no usable location and no area served: the "
        "service is kept, but covers nobody until it has one. Fix: correct the location, or "
        "give an area served (wards or citywide)"
    ]
    assert directory.services.iloc[0]["geometry"].is_empty


def test_a_phone_service_based_elsewhere_is_a_remote_option_not_local_provision(bristol):
    from analysis.provision.coverage import is_remote

    phone = {**OK, "delivery": "phone", "service_name": "Line"}
    directory, report = load_rows(
        bristol,
        {**phone, "postcode": "", "latitude": "51.5074", "longitude": "-0.1278"},  # London
        {**phone, "postcode": "GL1 1AA", "service_name": "Line 2"},  # another area's postcode
        {**phone, "service_name": "Line 3"},  # based in Bristol
        {
            **OK,
            "postcode": "",
            "latitude": "51.5074",
            "longitude": "-0.1278",
            "service_name": "Hall",
        },
    )
    assert report.rejected == 0
    services = directory.services.set_index("service_name")
    remote = problems(report, "remote_outside_area")
    assert len(remote) == 2
    assert remote[0].startswith(
        "row 2, column 'latitude', value '51.5074, -0.1278': a phone or online service based "
        "outside the area (the point lies "
    )
    assert remote[0].endswith(
        " km outside Bristol, City of): it is counted as a remote option for all of Bristol, "
        "City of, not as provision located here. Fix: nothing, if people anywhere in the area "
        "can use it; if it serves only part of the area, give its area_served (wards); if it "
        "is in person, say so in delivery"
    )
    assert remote[1].startswith(
        "row 3, column 'postcode', value 'GL1 1AA': a phone or online service based outside "
        "the area (this postcode is in another area (not in Bristol, City of) or does not "
        "exist: no "
    )
    assert services.loc[["Line", "Line 2", "Line 3"], "area_kind"].tolist() == ["citywide"] * 3
    assert is_remote(services.reset_index()).tolist() == [True, True, True, False]
    assert "remote_outside_area" in services.loc["Line", "flags"]
    assert "remote_outside_area" not in services.loc["Line 3", "flags"]
    # In person, the same place stays a place outside the area, told as such.
    assert services.loc["Hall", "area_kind"] == "at_location"
    assert [p.row for p in report.problems if p.code == "outside_area"] == [5]
