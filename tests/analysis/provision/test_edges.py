"""The share of a circle inside the authority, against shapely on finely drawn circles."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from analysis.geography import load_area
from analysis.provision.edges import Outline, circle_triangle_area

# A 256-segment polygon has the area of its circle to within 1e-4 of it; exact values
# are within that of the polygon's.
FINE = 256
TOLERANCE = 2e-4


def reference_shares(outline: shapely.Geometry, points, radius) -> np.ndarray:
    circles = shapely.buffer(points, radius, quad_segs=FINE)
    return shapely.area(shapely.intersection(circles, outline)) / (np.pi * radius**2)


def square(x: float, y: float, side: float) -> shapely.Polygon:
    return shapely.box(x, y, x + side, y + side)


DONUT = square(0, 0, 10_000).difference(square(4_000, 4_000, 2_000))
ISLANDS = shapely.MultiPolygon([square(0, 0, 5_000), square(8_000, 0, 1_000)])


@pytest.mark.parametrize("shape", [DONUT, ISLANDS], ids=["with a hole", "two parts"])
def test_shares_match_fine_polygons_on_shapes_with_holes_and_parts(shape):
    outline = Outline.of_wards(np.array([shape], dtype=object))
    rng = np.random.default_rng(7)
    points = shapely.points(rng.uniform(-3_000, 13_000, 300), rng.uniform(-3_000, 13_000, 300))
    radius = rng.uniform(300, 6_000, 300)
    got = outline.shares([np.array([p]) for p in points], radius)
    expected = reference_shares(shape, points, radius)
    assert np.mean((expected > 0) & (expected < 1)) > 0  # partial circles were measured
    np.testing.assert_allclose(got, expected, atol=TOLERANCE)


def test_whole_inside_outside_around_an_island_and_on_the_edge():
    outline = Outline.of_wards(np.array([ISLANDS], dtype=object))
    cases = {
        "inside": (2_500, 2_500, 1_000, 1.0),
        "outside": (20_000, 20_000, 1_000, 0.0),
        # Centre outside, the whole small island inside the circle.
        "around the island": (8_500, 1_500, 2_000, 1_000**2 / (np.pi * 2_000**2)),
        # Touching the island's bottom edge at one point, cutting its two lower corners.
        "tangent to an edge": (
            8_500,
            2_000,
            2_000,
            float(reference_shares(ISLANDS, shapely.Point(8_500, 2_000), 2_000.0)),
        ),
        # Centre on the edge: a straight edge halves a small circle.
        "on the edge": (5_000, 2_500, 500, 0.5),
    }
    points = np.array([np.array([shapely.Point(x, y)]) for x, y, _, _ in cases.values()])
    radius = np.array([r for _, _, r, _ in cases.values()], dtype=float)
    got = outline.shares(list(points), radius)
    expected = [share for *_, share in cases.values()]
    np.testing.assert_allclose(got, expected, atol=TOLERANCE)


def test_shares_on_bristol_match_fine_polygons():
    wards = load_area().wards.geometry.to_numpy()
    outline = Outline.of_wards(wards)
    rng = np.random.default_rng(3)
    west, south, east, north = outline.outline.bounds
    points = shapely.points(
        rng.uniform(west - 3_000, east + 3_000, 200), rng.uniform(south - 3_000, north + 3_000, 200)
    )
    radius = rng.uniform(200, 6_000, 200)
    got = outline.shares([np.array([p]) for p in points], radius)
    np.testing.assert_allclose(
        got, reference_shares(outline.outline, points, radius), atol=TOLERANCE
    )


def test_circle_triangle_area_by_hand():
    radius = np.array([1.0, 1.0, 2.0])
    # A small triangle inside the unit circle; a long edge subtending a right angle
    # outside it (a quarter circle); a clockwise edge (negative).
    a = np.array([[0.5, 0.0], [10.0, 0.0], [0.0, 1.0]])
    b = np.array([[0.0, 0.5], [0.0, 10.0], [1.0, 0.0]])
    expected = [0.125, np.pi / 4, -0.5]
    np.testing.assert_allclose(circle_triangle_area(a, b, radius), expected, rtol=1e-12)


def test_an_edge_tangent_to_the_circle_adds_its_sector_not_its_triangle():
    # The edge y = 1 from x = -1 to 1 touches the unit circle at (0, 1): 90° of sector.
    a, b = np.array([[1.0, 1.0]]), np.array([[-1.0, 1.0]])
    np.testing.assert_allclose(circle_triangle_area(a, b, np.array([1.0])), [np.pi / 4])


@pytest.mark.parametrize(
    "wards",
    [
        [shapely.box(0, 0, 5_000, 5_000), shapely.box(5_000, 0, 10_000, 5_000)],  # edge to edge
        [shapely.box(0, 0, 6_000, 5_000), shapely.box(5_000, 0, 10_000, 5_000)],  # overlapping
    ],
    ids=["tiling", "overlapping"],
)
def test_the_outline_is_the_union_of_the_wards_however_they_meet(wards):
    outline = Outline.of_wards(np.array(wards, dtype=object))
    assert outline.outline.equals(shapely.box(0, 0, 10_000, 5_000).normalize())
    share = outline.shares([np.array([shapely.Point(10_000, 2_500)])], np.array([1_000.0]))
    np.testing.assert_allclose(share, [0.5], atol=1e-12)
