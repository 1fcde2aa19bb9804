"""The authority's edge: the share of a service's circle that lies inside the authority.

A service near or beyond the boundary serves people outside the analysis too, so only
the share of its catchment's area inside counts (`analysis.provision.accessibility`).

The area of a true circle (never a polygon drawn for it) inside the outline is exact: the
outline's rings are cut into pieces of a few dozen edges, and for each piece the circle
meets, the signed areas of the circle's intersection with the triangles (centre, edge) are
summed — the classic decomposition of a polygon into a fan of triangles, each intersected
with the circle in closed form (a triangle part and circular sectors). Only circles within
reach of an edge are measured: any other lies wholly inside (share 1) or, centre outside,
wholly outside (0). Everything is vectorised over (circle, edge) pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import STRtree

SIMPLIFY_M = 5.0
"""The outline is simplified by this many metres: the shares move by far less than 1 %."""
PIECE_VERTICES = 64
"""The outline is cut into pieces of at most about this many vertices, so that a circle
is measured against the few edges near it rather than the whole authority's."""


@dataclass(frozen=True, eq=False)
class Outline:
    """The authority's outline (EPSG:27700), indexed for circle-in-authority shares.

    Attributes
    ----------
    outline
        The union of the wards, simplified by `SIMPLIFY_M`.
    edge_tree
        An index of the outline's edges (every straight segment of every ring).
    piece_tree
        An index of the outline cut into small polygons (`PIECE_VERTICES`).
    piece_edges
        Per piece, the start of its edges in ``edge_start`` / ``edge_end`` (CSR offsets).
    edge_start, edge_end
        Edge end points (x, y) of every piece, exteriors anticlockwise and holes
        clockwise, so that signed areas add up to the area inside.
    """

    outline: shapely.Geometry
    edge_tree: STRtree
    piece_tree: STRtree
    piece_edges: np.ndarray
    edge_start: np.ndarray
    edge_end: np.ndarray

    @classmethod
    def of_wards(cls, wards: np.ndarray) -> Outline:
        """Index the union of ``wards`` (polygons): its edges, and its area as pieces."""
        outline = shapely.simplify(shapely.union_all(np.asarray(wards, dtype=object)), SIMPLIFY_M)
        pieces = shapely.orient_polygons(
            np.array(
                [piece for part in shapely.get_parts(outline) for piece in _subdivide(part)],
                dtype=object,
            )
        )
        starts, ends, owner = _edges(pieces)
        shapely.prepare(outline)
        return cls(
            outline=outline,
            edge_tree=STRtree(_segments(outline)),
            piece_tree=STRtree(pieces),
            piece_edges=np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(pieces)))]),
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
        share = shapely.contains(self.outline, points).astype(float)
        near_edge = self.edge_tree.query(points, predicate="dwithin", distance=radius)[0]
        near_piece = self.piece_tree.query(points, predicate="dwithin", distance=radius)[0]
        # Outside, a circle crossing no edge may still hold pieces (all of a small
        # authority): those are measured too.
        around = np.setdiff1d(np.unique(near_piece), np.flatnonzero(share > 0))
        measure = np.union1d(np.unique(near_edge), around).astype(int)
        if len(measure):
            inside = self.area_inside(points[measure], radius[measure])
            share[measure] = inside / (np.pi * radius[measure] ** 2)
        return np.clip(share, 0.0, 1.0)

    def area_inside(self, centres: np.ndarray, radius: np.ndarray) -> np.ndarray:
        """The exact area (m²) of each circle (centre point, radius) inside the outline."""
        circle, piece = self.piece_tree.query(centres, predicate="dwithin", distance=radius)
        counts = self.piece_edges[piece + 1] - self.piece_edges[piece]
        pair = np.repeat(np.arange(len(circle)), counts)
        edge = _ranges(self.piece_edges[piece], counts)
        xy = shapely.get_coordinates(centres)[circle[pair]]
        a, b = self.edge_start[edge] - xy, self.edge_end[edge] - xy
        areas = circle_triangle_area(a, b, radius[circle[pair]])
        return np.bincount(circle[pair], weights=areas, minlength=len(centres))

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
    inside = np.einsum("ij,ij->i", middle, middle) <= radius**2
    sector = 0.5 * radius**2 * np.arctan2(cross, dot)
    return np.where(inside, 0.5 * cross, sector)


def _ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The concatenated ranges [start_i, start_i + count_i)."""
    offsets = np.repeat(start - np.concatenate([[0], np.cumsum(count)[:-1]]), count)
    return np.arange(int(count.sum())) + offsets


def _subdivide(polygon: shapely.Geometry, limit: int = PIECE_VERTICES) -> list:
    """``polygon`` cut by quadrants of its bounds until each piece has ≤ ``limit`` vertices."""
    if shapely.get_num_coordinates(polygon) <= limit:
        return [polygon]
    west, south, east, north = polygon.bounds
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    quadrants = [
        (west, south, middle_x, middle_y),
        (middle_x, south, east, middle_y),
        (west, middle_y, middle_x, north),
        (middle_x, middle_y, east, north),
    ]
    pieces = []
    for box in quadrants:
        for piece in shapely.get_parts(shapely.clip_by_rect(polygon, *box)):
            if shapely.get_type_id(piece) == 3 and piece.area > 0:  # a polygon
                pieces += _subdivide(piece, limit)
    return pieces


def _edges(pieces: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring edge of every piece: start and end points, and the piece it belongs to."""
    rings = shapely.get_rings(pieces, return_index=True)
    coords, ring = shapely.get_coordinates(rings[0], return_index=True)
    same_ring = ring[1:] == ring[:-1]
    owner = rings[1][ring[:-1][same_ring]]
    return coords[:-1][same_ring], coords[1:][same_ring], owner


def _segments(outline: shapely.Geometry) -> np.ndarray:
    """The outline's straight segments, each its own line (for a fine-grained index)."""
    coords, ring = shapely.get_coordinates(
        shapely.get_rings(shapely.get_parts(outline)), return_index=True
    )
    same_ring = ring[1:] == ring[:-1]
    starts, ends = coords[:-1][same_ring], coords[1:][same_ring]
    return shapely.linestrings(np.stack([starts, ends], axis=1))
