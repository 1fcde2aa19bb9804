"""The postcode page's map: the postcode, the distance searched, and the services within it.

Every string from a services file reaches a tooltip through
`analysis.escape.html_in_js_template` (Folium writes tooltips into a JavaScript template
literal). Colours come from `analysis.outputs.palette`.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd

from analysis import settings
from analysis.escape import html_in_js_template
from analysis.geography import PostcodeLocation
from analysis.model import (
    CATEGORIES,
    CRS_COMPUTE,
    CRS_DISPLAY,
    DISTANCE_M,
    LOCATION,
    ORG_NAME,
    SERVICE_NAME,
)
from analysis.outputs.palette import BLUE, VERMILLION
from analysis.provision.filters import stale_mask
from analysis.taxonomy import Taxonomy
from dashboard.components.service_table import category_labels
from dashboard.maps.base import ward_map
from dashboard.maps.markers import (
    STALE_WORDS,
    PlaceLegend,
    ServicePoint,
    add_service_markers,
    your_postcode_icon,
)
from dashboard.maps.offline import add_marker_cluster, offline_map

M_PER_DEGREE_LAT = 111_000
"""About 111 km to a degree of latitude; a degree of longitude shrinks with its cosine."""


def popup_html(row: pd.Series, taxonomy: Taxonomy, *, stale: bool = False) -> str:
    """A service's popup: name, organisation, categories, distance and, for an entry out
    of date, that it is; all escaped."""
    parts = [
        f"<b>{html_in_js_template(row[SERVICE_NAME])}</b>",
        html_in_js_template(row[ORG_NAME] if pd.notna(row[ORG_NAME]) else ""),
        html_in_js_template(category_labels(row[CATEGORIES], taxonomy)),
        f"{row[DISTANCE_M] / 1000:.2f} km away",
    ]
    if stale:
        parts.append(html_in_js_template(STALE_WORDS.capitalize()))
    return "<br>".join(parts)


def nearby_map(
    place: PostcodeLocation,
    radius_m: float,
    near_df: pd.DataFrame,
    taxonomy: Taxonomy,
    *,
    wards_gdf: gpd.GeoDataFrame | None = None,
    as_of: pd.Timestamp | None = None,
) -> folium.Map:
    """The postcode (a diamond), the distance (circle), the services within (dots, hatched
    when out of date) and a key.

    Parameters
    ----------
    place
        The postcode looked up, with its WGS84 point.
    radius_m
        The distance searched, in metres.
    near_df
        The services within it (`analysis.provision.nearby.services_near`): ``location``
        in EPSG:27700, ``distance_m``, names and categories.
    taxonomy
        For the categories' labels in the popups.
    wards_gdf
        Ward outlines and names (EPSG:27700) drawn underneath, so the map says where it
        is without a basemap.
    as_of
        The day out-of-date entries are judged on (`analysis.freshness`): they are drawn
        hatched and named so. None: every entry drawn alike.

    Notes
    -----
    Distances were measured in EPSG:27700; points are drawn in EPSG:4326.
    """
    if wards_gdf is not None:
        m = ward_map(wards_gdf)
    else:
        m = offline_map(location=[place.lat, place.lon], zoom_start=14, control_scale=True)
    folium.Circle(
        [place.lat, place.lon],
        radius=radius_m,
        color=BLUE,
        weight=2,
        fill=True,
        fill_opacity=0.05,
        tooltip=html_in_js_template(f"Within {radius_m / 1000:g} km of {place.postcode}"),
    ).add_to(m)
    folium.Marker(
        [place.lat, place.lon],
        icon=your_postcode_icon(place.postcode, VERMILLION),
        tooltip=html_in_js_template(f"Your postcode: {place.postcode}"),
        z_index_offset=1000,
    ).add_to(m)
    stale = pd.Series(False, index=near_df.index)
    if not near_df.empty:
        points = gpd.GeoSeries(list(near_df[LOCATION]), crs=CRS_COMPUTE).to_crs(CRS_DISPLAY)
        layer = add_marker_cluster(m) if len(near_df) >= settings.CLUSTER_MARKERS_FROM else m
        if as_of is not None:
            stale = stale_mask(near_df, as_of)
        service_points = [
            ServicePoint(
                point.y,
                point.x,
                str(row[SERVICE_NAME]),
                bool(old),
                # A tooltip, not a folium.Popup: Popup needs jQuery, which offline maps omit.
                tip_html=popup_html(row, taxonomy, stale=bool(old)),
            )
            for point, (_, row), old in zip(points, near_df.iterrows(), stale, strict=True)
        ]
        add_service_markers(m, layer, service_points)
    PlaceLegend(
        you=VERMILLION,
        circle=BLUE,
        distance=f"Within {radius_m / 1000:g} km",
        stale=bool(stale.any()),
    ).add_to(m)
    pad_lat = radius_m / M_PER_DEGREE_LAT
    pad_lon = pad_lat / max(0.2, math.cos(math.radians(place.lat)))
    m.fit_bounds(
        [[place.lat - pad_lat, place.lon - pad_lon], [place.lat + pad_lat, place.lon + pad_lon]]
    )
    return m
