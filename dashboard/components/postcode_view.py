"""Near a postcode: a map of the services within a distance, and the lists beside it.

Every string from a services file reaches a tooltip through
`analysis.escape.html_in_js_template` (Folium writes tooltips into a JavaScript template
literal).
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis import settings
from analysis.escape import html_in_js_template, markdown_text
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
from analysis.taxonomy import Taxonomy
from dashboard.components.service_table import category_labels, service_table
from dashboard.maps.base import ward_map
from dashboard.maps.offline import add_marker_cluster, offline_map


def popup_html(row: pd.Series, taxonomy: Taxonomy) -> str:
    """A service's popup: name, organisation, categories and distance, all escaped."""
    parts = (
        f"<b>{html_in_js_template(row[SERVICE_NAME])}</b>",
        html_in_js_template(row[ORG_NAME] if pd.notna(row[ORG_NAME]) else ""),
        html_in_js_template(category_labels(row[CATEGORIES], taxonomy)),
        f"{row[DISTANCE_M] / 1000:.2f} km away",
    )
    return "<br>".join(parts)


def nearby_map(
    place: PostcodeLocation,
    radius_m: float,
    near_df: pd.DataFrame,
    taxonomy: Taxonomy,
    *,
    wards_gdf: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The postcode (a dark-ringed dot), the distance (circle) and services within (pins).

    With ``wards_gdf`` (EPSG:27700) the ward outlines and names are drawn underneath, so the
    map says where it is without a basemap. Distances were measured in EPSG:27700; points
    are drawn in EPSG:4326.
    """
    if wards_gdf is not None:
        m = ward_map(wards_gdf)
    else:
        m = offline_map(location=[place.lat, place.lon], zoom_start=14, control_scale=True)
    folium.Circle(
        [place.lat, place.lon],
        radius=radius_m,
        color="#0072B2",
        weight=2,
        fill=True,
        fill_opacity=0.05,
        tooltip=html_in_js_template(f"Within {radius_m / 1000:g} km of {place.postcode}"),
    ).add_to(m)
    folium.CircleMarker(
        [place.lat, place.lon],
        radius=9,
        color="#000000",
        weight=3,
        fill=True,
        fill_color="#D55E00",
        fill_opacity=1,
        tooltip=html_in_js_template(f"Your postcode: {place.postcode}"),
    ).add_to(m)
    if not near_df.empty:
        points = gpd.GeoSeries(list(near_df[LOCATION]), crs=CRS_COMPUTE).to_crs(CRS_DISPLAY)
        layer = add_marker_cluster(m) if len(near_df) >= settings.CLUSTER_MARKERS_FROM else m
        for point, (_, row) in zip(points, near_df.iterrows(), strict=True):
            folium.Marker(
                [point.y, point.x],
                # A tooltip, not a folium.Popup: Popup needs jQuery, which offline maps omit.
                tooltip=folium.Tooltip(popup_html(row, taxonomy)),
            ).add_to(layer)
    # One degree of latitude is about 111 km; longitude shrinks with the cosine.
    pad_lat = radius_m / 111_000
    pad_lon = pad_lat / max(0.2, math.cos(math.radians(place.lat)))
    m.fit_bounds(
        [[place.lat - pad_lat, place.lon - pad_lon], [place.lat + pad_lat, place.lon + pad_lon]]
    )
    return m


def category_summary(near_df: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Per category: how many services are within reach and how far the nearest is."""
    rows = []
    for category in taxonomy.categories:
        hits = near_df[near_df[CATEGORIES].map(lambda cats, c=category.id: c in cats)]
        rows.append(
            {
                "Category": category.label,
                "Services nearby": len(hits),
                "Nearest (km)": round(hits[DISTANCE_M].min() / 1000, 2) if len(hits) else None,
            }
        )
    return pd.DataFrame(rows)


def show_by_category(near_df: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """One expandable list per category that has services nearby."""
    for category in taxonomy.categories:
        hits = near_df[near_df[CATEGORIES].map(lambda cats, c=category.id: c in cats)]
        if hits.empty:
            continue
        with st.expander(f"{markdown_text(category.label)}: {len(hits):,} nearby"):
            service_table(hits, taxonomy, key=f"near_{category.id}")
