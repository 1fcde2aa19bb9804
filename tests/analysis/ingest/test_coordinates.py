"""Points as files write them: pairs, WKT, GeoJSON, coordinate objects and arrays."""

from __future__ import annotations

import pytest

from analysis.ingest.coordinates import Point, is_in_uk, parse_point_text, point_from_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("51.45,-2.58", Point(51.45, -2.58, "pair")),
        ("-2.58,51.45", Point(51.45, -2.58, "pair", reordered=True)),
        ("51.45°N, 2.58°W", Point(51.45, -2.58, "pair")),
        ("2.58W 51.45N", Point(51.45, -2.58, "pair")),  # the letters say which is which
        ("33.9S 18.4E", Point(-33.9, 18.4, "pair")),
        ("POINT(-2.58 51.45)", Point(51.45, -2.58, "wkt")),
        ("point z (-2.58 51.45 12)", Point(51.45, -2.58, "wkt")),
        ("POINT(51.45 -2.58)", Point(51.45, -2.58, "wkt", reordered=True)),
        ('{"type":"Point","coordinates":[-2.58,51.45]}', Point(51.45, -2.58, "geojson")),
        ("48.85, 2.35", Point(48.85, 2.35, "pair")),  # Paris: neither order in the UK, as written
    ],
)
def test_points_in_text(text, expected):
    assert parse_point_text(text) == expected


@pytest.mark.parametrize("text", ["", "51.45", "51,45", "BS8 1TH", "POINT(-2.58)", "{not json"])
def test_text_that_holds_no_point(text):
    assert parse_point_text(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"lat": 51.45, "lng": -2.58}, Point(51.45, -2.58, "object")),
        ({"Latitude": "51.45", "Longitude": "-2.58"}, Point(51.45, -2.58, "object")),
        ({"lat": 51.45, "lon": -2.58}, Point(51.45, -2.58, "object")),
        ({"type": "Point", "coordinates": ["-2.58", "51.45"]}, Point(51.45, -2.58, "geojson")),
        (
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-2.58, 51.45]}},
            Point(51.45, -2.58, "geojson"),
        ),
        ([-2.58, 51.45], Point(51.45, -2.58, "array")),
        ([51.45, -2.58], Point(51.45, -2.58, "array", reordered=True)),
    ],
)
def test_points_in_json_values(value, expected):
    assert point_from_value(value) == expected


@pytest.mark.parametrize("value", [{"lat": 51.45}, {"lat": True, "lng": 1}, [1, 2, 3, 4], "51,2"])
def test_json_values_that_are_no_point(value):
    assert point_from_value(value) is None


def test_the_uk_box():
    assert is_in_uk(51.45, -2.58) and is_in_uk(60.15, -1.15) and is_in_uk(54.6, -5.93)
    assert not is_in_uk(-2.58, 51.45) and not is_in_uk(48.85, 2.35)
