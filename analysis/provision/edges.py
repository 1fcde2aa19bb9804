"""The authority's edge: the share of a service's circle that lies inside the authority.

A service near or beyond the boundary serves people outside the analysis too, so only
the share of its catchment's area inside counts (`analysis.provision.accessibility`).

The area of a true circle (not a polygon drawn for it) inside the outline is exact. The
outline's rings, exteriors anticlockwise and holes clockwise, fan into triangles (centre,
edge) whose signed intersections with the circle sum to the area inside - each in closed
form, a triangle part and circular sectors (`circle_triangle_area`). An edge that does not
reach the circle contributes just the sector of the angle it subtends, and those angles sum
to a full turn when the centre is inside and to nothing when it is outside. So the area is
the whole circle (centre inside) or nothing, corrected by the edges within reach:
``area = pi r^2 [centre inside] + sum over near edges of (exact - sector)``. Only those
edges are found (an index of the outline's segments) and measured, vectorised over
(circle, edge) pairs. A service with several venues is measured on the union of its
circles drawn as fine polygons (512 sides each), the one place an area is approximated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

SIMPLIFY_M = 5.0
"""The outline is simplified by this many metres: the shares move by far less than 1 %."""
ON_EDGE_M = 1e-6
"""A centre this close to the outline has no clear inside: its share is measured on a
fine polygon instead."""


@dataclass(frozen=True, eq=False)
class Outline:
    """The authority's outline (EPSG:27700), indexed for circle-in-authority shares.

    Attributes
    ----------
    outline
        The union of the wards, simplified by `SIMPLIFY_M`, exteriors anticlockwise.
    edge_tree
        An index of the outline's edges (every straight segment of every ring).
    edge_start, edge_end
        The edges' end points (x, y), in the rings' orientation.
    """

    outline: shapely.Geometry
    edge_tree: STRtree
    edge_start: np.ndarray
    edge_end: np.ndarray

    @classmethod
    def of_wards(cls, wards: np.ndarray) -> Outline:
        """Index the union of ``wards`` (polygons) by its edges."""
        wards = np.asarray(wards, dtype=object)
        # Wards that tile the authority edge to edge merge by their shared edges, far
        # faster than a general union; any gap or overlap takes the general way.
        tiled = bool(shapely.coverage_is_valid(wards))
        union = shapely.coverage_union_all(wards) if tiled else shapely.union_all(wards)
        outline = shapely.orient_polygons(shapely.simplify(union, SIMPLIFY_M))
        starts, ends = _edges(outline)
        shapely.prepare(outline)
        return cls(
            outline=outline,
            edge_tree=STRtree(shapely.linestrings(np.stack([starts, ends], axis=1))),
            edge_start=starts,
            edge_end=ends,
        )

    def shares(self, venues: list[np.ndarray], radius_m: np.ndarray) -> np.ndarray:
        """Per service, the share of its circles' union inside the authority (0-1).

        ``venues`` holds each service's location points; ``radius_m`` its radius.
        """
        radius = np.asarray(radius_m, dtype=float)
        out = np.ones(len(venues))
        single = np.array([len(v) == 1 for v in venues], dtype=bool)
        if single.any():
            points = np.array([v[0] for v, one in zip(venues, single, strict=True) if one])
            out[single] = self._single_shares(points, radius[single])
        for position in np.flatnonzero(~single):
            out[position] = self._union_share(venues[position], radius[position])
        return out

    def _single_shares(self, points: np.ndarray, radius: np.ndarray) -> np.ndarray:
        area, on_edge = self._area_inside(points, radius)
        share = np.clip(area / (np.pi * radius**2), 0.0, 1.0)
        for position in np.flatnonzero(on_edge):
            share[position] = self._union_share(points[position : position + 1], radius[position])
        return share

    def _area_inside(self, centres: np.ndarray, radius: np.ndarray):
        """The exact area (m²) of each circle (centre point, radius) inside the outline,
        and whether its centre lies on the outline."""
        # Edges in each circle's bounding box: any of them beyond the circle adds nothing
        # (its exact part is its sector), so boxes, cheaper to search, are enough.
        centre_xy = shapely.get_coordinates(centres)
        boxes = shapely.box(*(centre_xy - radius[:, None]).T, *(centre_xy + radius[:, None]).T)
        circle, edge = self.edge_tree.query(boxes)
        xy = centre_xy[circle]
        a, b = self.edge_start[edge] - xy, self.edge_end[edge] - xy
        distance = _distance_to_origin(a, b)
        on_edge = np.zeros(len(centres), dtype=bool)
        on_edge[circle[distance < ON_EDGE_M]] = True
        meets = distance < radius[circle]
        circle, a, b = circle[meets], a[meets], b[meets]
        r = radius[circle]
        exact = _edge_parts(a, b, r)
        correction = exact - 0.5 * r**2 * _angle(a, b)
        whole = np.where(shapely.contains(self.outline, centres), np.pi * radius**2, 0.0)
        area = whole + np.bincount(circle, weights=correction, minlength=len(centres))
        return area, on_edge

    def _union_share(self, points: np.ndarray, radius: float) -> float:
        """Several venues: the share of their circles' union (drawn as fine polygons)."""
        if not len(points) or not np.isfinite(radius) or radius <= 0:
            return 1.0
        circle = shapely.union_all(shapely.buffer(points, radius, quad_segs=128))
        return float(shapely.intersection(circle, self.outline).area / circle.area)


def circle_triangle_area(a: np.ndarray, b: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Signed area of the circle (centre 0, ``radius``) ∩ triangle (0, a, b), per row.

    The edge a → b is cut where it crosses the circle; each of its (up to three) parts
    contributes its triangle with the centre when inside the circle, or the circular
    sector it subtends when outside. Positive for an anticlockwise edge.
    """
    d = b - a
    qa = np.einsum("ij,ij->i", d, d)
    qb = np.einsum("ij,ij->i", a, d)
    qc = np.einsum("ij,ij->i", a, a) - radius**2
    disc = qb**2 - qa * qc
    root = np.sqrt(np.maximum(disc, 0.0))
    safe = np.where(qa > 0, qa, 1.0)
    crosses = (disc > 0) & (qa > 0)
    t1 = np.where(crosses, np.clip((-qb - root) / safe, 0.0, 1.0), 1.0)
    t2 = np.where(crosses, np.clip((-qb + root) / safe, 0.0, 1.0), 1.0)
    p1, p2 = a + t1[:, None] * d, a + t2[:, None] * d
    return _part(a, p1, radius) + _part(p1, p2, radius) + _part(p2, b, radius)


def _part(p: np.ndarray, q: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Signed area for an edge part wholly inside or wholly outside the circle."""
    cross = p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]
    dot = np.einsum("ij,ij->i", p, q)
    middle = (p + q) / 2
    inside = np.einsum("ij,ij->i", middle, middle) < radius**2  # a tangent edge is outside
    sector = 0.5 * radius**2 * np.arctan2(cross, dot)
    return np.where(inside, 0.5 * cross, sector)


def _edge_parts(a: np.ndarray, b: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """`circle_triangle_area`, with edges wholly inside the circle taken as triangles."""
    within = (np.einsum("ij,ij->i", a, a) <= radius**2) & (np.einsum("ij,ij->i", b, b) <= radius**2)
    out = 0.5 * (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])
    crossing = ~within
    out[crossing] = circle_triangle_area(a[crossing], b[crossing], radius[crossing])
    return out


def _angle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed angle (radians) from ``a`` to ``b`` seen from the origin, per row."""
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return np.arctan2(cross, np.einsum("ij,ij->i", a, b))


def _distance_to_origin(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from the origin to the segment a-b, per row."""
    d = b - a
    length = np.einsum("ij,ij->i", d, d)
    t = np.clip(-np.einsum("ij,ij->i", a, d) / np.where(length > 0, length, 1.0), 0.0, 1.0)
    nearest = a + t[:, None] * d
    return np.sqrt(np.einsum("ij,ij->i", nearest, nearest))


def _edges(outline: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Every ring edge of the outline: start and end points, in the rings' orientation."""
    rings = shapely.get_rings(shapely.get_parts(outline))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring[1:] == ring[:-1]
    return coords[:-1][same_ring], coords[1:][same_ring]
