"""Distances: every neighbourhood point within each circle service's radius, exactly.

The k-d tree search behind `analysis.provision.coverage.compute_coverage`: the exact
distance (metres, EPSG:27700) from each of a service's venues to each zone's
representative point within its radius, one tree query per shared radius, and the nearest
venue per (service, zone) for a service with several.
"""

from __future__ import annotations

import numpy as np
import shapely
from scipy import sparse
from scipy.spatial import cKDTree


def circle_pairs(
    rows: np.ndarray, locations: np.ndarray, radius_m: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(service, zone, distance) for every zone point within each circle service's radius."""
    owner = np.concatenate([np.full(len(locations[r]), r) for r in rows] or [np.empty(0, int)])
    venues = np.concatenate([locations[r] for r in rows] or [np.empty(0, object)])
    if not len(venues):
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    zone_xy = shapely.get_coordinates(points)
    venue_xy = shapely.get_coordinates(venues)
    venue, zone, distance = _within(venue_xy, radius_m[owner], cKDTree(zone_xy))
    order = _grouped_order(venue, zone, (len(venue_xy), len(zone_xy)))
    service, zone, distance = owner[venue[order]].astype(np.int64), zone[order], distance[order]
    if len(np.unique(owner)) == len(owner):
        return service, zone, distance  # one venue each: one pair per (service, zone)
    # A service with several venues keeps, per zone, its nearest one.
    order = np.lexsort((distance, service * len(zone_xy) + zone))
    service, zone, distance = service[order], zone[order], distance[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (service[1:] != service[:-1]) | (zone[1:] != zone[:-1])
    return service[first], zone[first], distance[first]


def _grouped_order(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The order that groups distinct (row, column) pairs by row, columns ascending.

    A sparse table built from the pairs' positions sorts them by row in linear time
    (a counting sort), where a general sort of tens of millions would not.
    """
    table = sparse.csr_array((np.arange(1, len(rows) + 1), (rows, columns)), shape=shape)
    table.sort_indices()
    return table.data - 1


def _within(
    xy: np.ndarray, radius: np.ndarray, tree: cKDTree
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point, tree point, distance) for every tree point within each point's radius.

    Points sharing a radius (a category's catchment) are matched tree to tree in one call;
    the few with a radius of their own, one by one.
    """
    found = []
    radii, group = np.unique(radius, return_inverse=True)
    for k, r in enumerate(radii):
        members = np.flatnonzero(group == k)
        near = cKDTree(xy[members]).sparse_distance_matrix(tree, r, output_type="ndarray")
        found.append((members[near["i"]], near["j"].astype(np.int64), near["v"]))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))
