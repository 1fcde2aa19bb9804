"""The ward page's map: the ward's neighbourhoods coloured by one measure, with a legend table.

Classes and colours come from `analysis.outputs.palette`, as on the overview map, so a
colour means the same on both. No basemap: the neighbourhood outlines carry the
geography. Text from the reference data reaches the tooltip through
`analysis.escape.html_text` (folium's ``GeoJsonTooltip`` puts property values into
``innerHTML``).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.escape import html_text
from analysis.model import AREA_CODE, CRS_DISPLAY, LSOA_CODE, LSOA_NAME, PROVISION_CLASS
from analysis.outputs.palette import NO_DATA_LABEL, Classification
from dashboard.maps.base import FILL, TIP_CLASS, TIP_CODE, TIP_NAME, TIP_VALUE, PlainBackground
from dashboard.maps.offline import offline_map

LEGEND_COLOUR = "Colour"
LEGEND_MEANS = "Means"


def legend_rows(classification: Classification) -> pd.DataFrame:
    """The legend as a table: each class's colour code and what it means in words."""
    legend = classification.legend()
    return pd.DataFrame(
        {
            LEGEND_COLOUR: [colour for _, colour in legend],
            LEGEND_MEANS: [label for label, _ in legend],
        }
    )


def neighbourhood_features(
    area_zones: gpd.GeoDataFrame, rows: pd.DataFrame, classification: Classification
) -> gpd.GeoDataFrame:
    """The ward's neighbourhoods in EPSG:4326 with escaped tooltip fields and a fill colour.

    Parameters
    ----------
    area_zones
        The ward's neighbourhoods (``lsoa_code``, ``lsoa_name``, geometry), EPSG:27700.
    rows
        Their rows of the neighbourhood metrics table (``area_code``, ``class`` and the
        classified measure); a neighbourhood without a row shows "no data".
    classification
        From `analysis.outputs.palette.classify_measure`: its measure is the column shown.
    """
    measure = classification.measure
    zones = area_zones[[LSOA_CODE, LSOA_NAME, area_zones.geometry.name]]
    merged = zones.merge(rows, left_on=LSOA_CODE, right_on=AREA_CODE, how="left")
    value = merged[measure]
    shown = value.astype(str) if measure == PROVISION_CLASS else value.map(_tooltip_number)
    return gpd.GeoDataFrame(
        {
            TIP_NAME: merged[LSOA_NAME].fillna("").astype(str).map(html_text),
            TIP_CODE: merged[LSOA_CODE].astype(str).map(html_text),
            TIP_VALUE: shown.fillna(NO_DATA_LABEL).astype(str).map(html_text),
            TIP_CLASS: merged[PROVISION_CLASS].fillna(NO_DATA_LABEL).astype(str).map(html_text),
            FILL: [classification.colour_of_value(v) for v in value],
        },
        geometry=merged.geometry.values,
        crs=area_zones.crs,
    ).to_crs(CRS_DISPLAY)


def neighbourhood_map(features: gpd.GeoDataFrame, measure_label: str) -> folium.Map:
    """The neighbourhoods coloured by the measure, no basemap, fitted to the ward.

    Parameters
    ----------
    features
        From `neighbourhood_features` (EPSG:4326).
    measure_label
        The measure's name in the tooltip (plain text, escaped here).
    """
    west, south, east, north = features.total_bounds
    m = offline_map(location=[(south + north) / 2, (west + east) / 2], zoom_start=14)
    PlainBackground().add_to(m)
    folium.GeoJson(
        features,
        name="Neighbourhoods",
        style_function=lambda f: {
            "fillColor": f["properties"][FILL],
            "fillOpacity": 0.8,
            "color": "#333333",
            "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=[TIP_NAME, TIP_CODE, TIP_VALUE, TIP_CLASS],
            aliases=["Neighbourhood", "Code", html_text(measure_label), "Class"],
            sticky=True,
        ),
    ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


def _tooltip_number(value: object) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return NO_DATA_LABEL
    return f"{number:,.2f}" if np.isfinite(number) else NO_DATA_LABEL
