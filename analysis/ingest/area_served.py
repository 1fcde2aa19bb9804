"""Each service's area served as a polygon in British National Grid (EPSG:27700).

The data model's four kinds (DESIGN.md):

- ``at_location``: a circle around the service's location, of the default catchment of
  its **first** listed category (``catchment_km`` in the taxonomy; a fixed default when it
  has none). A service with several locations (Open Referral UK) covers the union of the
  circles around them.
- ``radius_km``: a circle of the given radius around the location (or locations).
- ``wards``: the union of the listed wards.
- ``citywide``: the union of every ward of the area.

A service whose area needs a point but has none gets an empty polygon: it covers nobody
until it is given a location (ingest flags it ``no_location``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from analysis.ingest.locate import AreaShape
from analysis.model import CRS_COMPUTE

# Segments per quarter circle: 8 gives a 32-gon whose area is within 0.7 % of the circle's.
QUAD_SEGMENTS = 8


def build_area_served(
    kinds: Sequence[str],
    *,
    points: Sequence[Sequence[tuple[float, float]]],
    radius_m: Sequence[float],
    ward_codes: Sequence[Sequence[str]],
    shape: AreaShape,
) -> gpd.GeoSeries:
    """Build the area served of each service.

    Parameters
    ----------
    kinds
        Area-served kind per service: ``at_location``, ``radius_km``, ``wards`` or
        ``citywide``.
    points
        Per service, its points (easting, northing) in EPSG:27700; may be empty.
    radius_m
        Per service, the circle's radius in metres (used by ``at_location`` and
        ``radius_km``).
    ward_codes
        Per service, the ward codes it serves (used by ``wards``).
    shape
        The area's outline and ward polygons (`analysis.ingest.locate.area_shape`).

    Returns
    -------
    geopandas.GeoSeries
        One polygon per service in EPSG:27700, positionally aligned with the inputs.

    Raises
    ------
    ValueError
        When a kind is unknown, a ward code is not one of the area's, or a circle's
        radius is not a positive number.

    Notes
    -----
    Circles are 32-sided polygons (area within 0.7 % of the true circle). Identical ward
    lists share one geometry object, and every citywide service shares the outline.
    """
    count = len(kinds)
    geometries = np.empty(count, dtype=object)
    single = [
        i for i in range(count) if kinds[i] in ("at_location", "radius_km") and len(points[i]) == 1
    ]
    if single:
        radii = np.asarray([radius_m[i] for i in single], dtype=float)
        bad = ~np.isfinite(radii) | (radii <= 0)
        if bad.any():
            raise ValueError(f"service {single[int(np.argmax(bad))]} has no positive radius")
        centres = shapely.points(np.asarray([points[i][0] for i in single], dtype=float))
        circles = shapely.buffer(centres, radii, quad_segs=QUAD_SEGMENTS)
        geometries[single] = circles
    ward_cache: dict[tuple[str, ...], BaseGeometry] = {}
    empty = Polygon()
    for i in range(count):
        kind = kinds[i]
        if kind in ("at_location", "radius_km"):
            if len(points[i]) == 1:
                continue
            if not points[i]:
                geometries[i] = empty
                continue
            radius = float(radius_m[i])
            if not math.isfinite(radius) or radius <= 0:
                raise ValueError(f"service {i} has no positive radius")
            geometries[i] = shapely.union_all(
                shapely.buffer(
                    shapely.points(np.asarray(points[i])), radius, quad_segs=QUAD_SEGMENTS
                )
            )
        elif kind == "wards":
            key = tuple(sorted(ward_codes[i]))
            if key not in ward_cache:
                unknown = [code for code in key if code not in shape.ward_polygons]
                if unknown or not key:
                    raise ValueError(f"service {i} lists unknown wards {unknown or '(none)'}")
                ward_cache[key] = shapely.union_all([shape.ward_polygons[c] for c in key])
            geometries[i] = ward_cache[key]
        elif kind == "citywide":
            geometries[i] = shape.outline
        else:
            raise ValueError(f"service {i} has unknown area kind {kind!r}")
    return gpd.GeoSeries(geometries, crs=CRS_COMPUTE)
