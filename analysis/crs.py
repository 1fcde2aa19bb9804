"""CRS checks and conversions: compute in British National Grid, draw in WGS84."""

from __future__ import annotations

import geopandas as gpd
from pyproj import CRS, Transformer

from analysis.errors import CRSError
from analysis.model import CRS_COMPUTE, CRS_DISPLAY


def ensure_crs(gdf: gpd.GeoDataFrame, expected: str, *, name: str = "frame") -> None:
    """Raise `CRSError` unless ``gdf`` is in the ``expected`` CRS.

    The message names both CRSs and the fix, so a caller never guesses.
    """
    if gdf.crs is None:
        raise CRSError(
            f"{name} has no CRS; expected {expected}. "
            f"Fix: set it with .set_crs('{expected}') if the coordinates are already in it."
        )
    if CRS.from_user_input(gdf.crs) != CRS.from_user_input(expected):
        raise CRSError(
            f"{name} is in {gdf.crs.to_string()}, expected {expected}. "
            f"Fix: convert it first with .to_crs('{expected}')."
        )


def to_compute(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in British National Grid (EPSG:27700, metres)."""
    if gdf.crs is None:
        raise CRSError(
            "frame has no CRS, so it cannot be converted to British National Grid. "
            "Fix: set the CRS the coordinates are in with .set_crs(...)."
        )
    return gdf.to_crs(CRS_COMPUTE)


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in WGS84 longitude/latitude (EPSG:4326) for maps and files."""
    ensure_crs(gdf, CRS_COMPUTE, name="frame to display")
    return gdf.to_crs(CRS_DISPLAY)


_BNG_TO_WGS84 = Transformer.from_crs(CRS_COMPUTE, CRS_DISPLAY, always_xy=True)
_WGS84_TO_BNG = Transformer.from_crs(CRS_DISPLAY, CRS_COMPUTE, always_xy=True)


def bng_to_lonlat(easting, northing):
    """Convert British National Grid metres to WGS84 (lon, lat); arrays or scalars."""
    return _BNG_TO_WGS84.transform(easting, northing)


def lonlat_to_bng(lon, lat):
    """Convert WGS84 (lon, lat) degrees to British National Grid (easting, northing)."""
    return _WGS84_TO_BNG.transform(lon, lat)
