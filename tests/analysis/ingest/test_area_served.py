"""Area served polygons: circles, unions of circles, wards, the whole city, empty areas."""

from __future__ import annotations

import math

import pytest

from analysis.ingest.area_served import build_area_served
from analysis.ingest.locate import area_shape


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
