"""The overview choropleth: wards coloured by one measure, with fixed classes and a legend.

Classes and colours come from `analysis.outputs.palette` (the same as the ward page's
neighbourhood map and the printable ward profile): numeric breaks over every category's
values of the measure, so switching category or filter recolours the wards without moving
the class boundaries; zero has a class of its own ("none"), drawn with a dashed outline so
that colour is not the only cue, as is "missing"; the ``class`` measure uses the
provision classes' Okabe-Ito colours with the class name in the tooltip, the legend and
the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd
from folium.elements import MacroElement
from folium.map import FitBounds
from folium.template import Template

from analysis import settings
from analysis.crs import ensure_crs
from analysis.escape import html_text
from analysis.model import (
    AREA_CODE,
    CRS_COMPUTE,
    CRS_DISPLAY,
    PROVISION_CLASS,
    UNCERTAIN,
    WARD_CODE,
    WARD_NAME,
)
from analysis.outputs.palette import DASHED_LABELS, Classification, format_number
from dashboard.maps.base import (
    DASHED,
    FILL,
    HATCH_STYLE,
    TIP_CLASS,
    TIP_NAME,
    TIP_VALUE,
    WardLabels,
    hatch_lines,
    label_points,
)
from dashboard.maps.markers import STALE_LEGEND, ServicePoint, add_service_markers
from dashboard.maps.offline import add_marker_cluster, offline_map


class Legend(MacroElement):
    """A legend control in the map's bottom-left corner: a swatch and a text label per class."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .sn-legend { background: #fff; color: #14202b; padding: 6px 9px;
            border: 1px solid #767676; border-radius: 4px;
            font: {{ this.font_px }}px/1.35 system-ui, -apple-system, "Segoe UI", Roboto,
            Arial, sans-serif; max-width: 16em; }
          .sn-legend-title { font-weight: 600; margin-bottom: 3px; }
          .sn-swatch { display: inline-block; width: 1.1em; height: 0.9em;
            margin-right: 6px; vertical-align: -1px; border: 1px solid #444; }
          .sn-dashed { border: 2px dashed #222; }
          .sn-dot { display: inline-block; width: 0.8em; height: 0.8em; margin: 0 8px 0 2px;
            vertical-align: -1px; border: 2px solid #000; border-radius: 50%; }
          .sn-hatched { background: repeating-linear-gradient(135deg, #fff 0 3px,
            #14202b 3px 4px); }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function (map) {
                var legend = L.control({position: "bottomleft"});
                legend.onAdd = function () {
                    var div = L.DomUtil.create("div", "sn-legend");
                    div.setAttribute("role", "group");
                    div.innerHTML = {{ this.markup|tojson }};
                    return div;
                };
                legend.addTo(map);
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        title: str,
        items: list[tuple[str, str]],
        *,
        font_px: int = 13,
        hatched: str | None = None,
        stale: str | None = None,
    ):
        super().__init__()
        self._name = "Legend"
        self.font_px = int(font_px)
        rows = "".join(
            f'<div><span class="sn-swatch{" sn-dashed" if label in DASHED_LABELS else ""}" '
            f'style="background:{colour}"></span>{html_text(label)}</div>'
            for label, colour in items
        )
        if hatched:
            rows += f'<div><span class="sn-swatch sn-hatched"></span>{html_text(hatched)}</div>'
        if stale:
            rows += f'<div><span class="sn-dot sn-hatched"></span>{html_text(stale)}</div>'
        self.markup = f'<div class="sn-legend-title">{html_text(title)}</div>{rows}'


def uncertain_legend(share: float) -> str:
    """The legend's words for the hatching of uncertain areas."""
    return f"Hatched: uncertain, over {share:.0%} of the supply estimated"


def _uncertain_codes(values_df: pd.DataFrame) -> set[str]:
    """Area codes whose result is uncertain (most of their supply imputed)."""
    if UNCERTAIN not in values_df.columns:
        return set()
    flagged = values_df[values_df[UNCERTAIN].fillna(False).astype(bool)]
    return set(flagged[AREA_CODE].astype(str))


def _add_hatching(m: folium.Map, areas: gpd.GeoDataFrame) -> None:
    """Hatch ``areas`` (EPSG:27700) on ``m``: lines on top, not clickable."""
    lines = hatch_lines(areas.geometry).to_crs(CRS_DISPLAY)
    lines = lines[~lines.is_empty]
    if lines.empty:
        return
    folium.GeoJson(
        gpd.GeoDataFrame(geometry=lines),
        name="Uncertain",
        style_function=lambda _feature: dict(HATCH_STYLE),
        interactive=False,
        control=False,
    ).add_to(m)


def display_geometry(
    wards_gdf: gpd.GeoDataFrame, *, tolerance_m: float = settings.DISPLAY_SIMPLIFY_M
):
    """Wards simplified for drawing (EPSG:27700 in, EPSG:4326 out), topology kept."""
    ensure_crs(wards_gdf, CRS_COMPUTE, name="wards_gdf")
    simple = wards_gdf.copy()
    simple[simple.geometry.name] = wards_gdf.geometry.simplify(tolerance_m, preserve_topology=True)
    return simple.to_crs(CRS_DISPLAY)


def choropleth_map(
    wards_gdf: gpd.GeoDataFrame,
    values_df: pd.DataFrame,
    classification: Classification,
    *,
    title: str,
    services: Sequence[ServicePoint] = (),
    font_px: int = 13,
    uncertain_above: float = settings.UNCERTAIN_IMPUTED_SHARE,
) -> folium.Map:
    """Draw the wards coloured by one measure.

    Parameters
    ----------
    wards_gdf
        ``ward_code``, ``ward_name`` and geometry, in EPSG:27700.
    values_df
        One row per ward: ``area_code`` and the classified measure column
        (``classification.measure``), e.g. the metrics table filtered to one category.
    classification
        From `analysis.outputs.palette.classify_measure`.
    title
        Legend title (plain text, escaped here).
    services
        Service markers in WGS84 (plain text names; out-of-date ones hatched), clustered
        when there are `settings.CLUSTER_MARKERS_FROM` or more.
    font_px
        Legend text size (bigger in presentation mode).
    uncertain_above
        The imputed share above which a ward is uncertain (for the legend's words);
        wards flagged ``uncertain`` in ``values_df`` are hatched.

    Returns
    -------
    folium.Map
        From `dashboard.maps.offline.offline_map`; each feature has ``ward_code`` and
        ``ward_name`` (raw, for the click handler) and escaped tooltip fields.
    """
    measure = classification.measure
    values = values_df.set_index(AREA_CODE)[measure]
    shapes = display_geometry(wards_gdf)
    codes = shapes[WARD_CODE].astype(str)
    raw = codes.map(values)
    labels = raw.map(classification.label_of)
    value_text = raw.map(str) if measure == PROVISION_CLASS else raw.map(format_number)
    features = gpd.GeoDataFrame(
        {
            WARD_CODE: codes,
            WARD_NAME: shapes[WARD_NAME].astype(str),
            TIP_NAME: shapes[WARD_NAME].astype(str).map(html_text),
            TIP_VALUE: value_text.map(html_text),
            TIP_CLASS: labels.map(html_text),
            FILL: labels.map(classification.colour_of),
            DASHED: labels.isin(DASHED_LABELS),
        },
        geometry=shapes.geometry.values,
        crs=shapes.crs,
    )
    west, south, east, north = features.total_bounds
    m = offline_map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=12,
        zoom_snap=0.25,
        control_scale=True,
    )

    def style(feature: dict) -> dict:
        props = feature["properties"]
        return {
            "fillColor": props[FILL],
            "fillOpacity": 0.8,
            "color": "#222222" if props[DASHED] else "#4d4d4d",
            "weight": 2 if props[DASHED] else 0.8,
            "dashArray": "5 4" if props[DASHED] else None,
        }

    fields, aliases = [TIP_NAME, TIP_VALUE, TIP_CLASS], ["Ward", html_text(title), "Class"]
    if measure == PROVISION_CLASS:
        fields, aliases = [TIP_NAME, TIP_CLASS], ["Ward", "Class"]
    folium.GeoJson(
        features,
        name="Wards",
        style_function=style,
        highlight_function=lambda _feature: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
    ).add_to(m)
    points = label_points(wards_gdf.geometry).to_crs(CRS_DISPLAY)
    order = wards_gdf.geometry.area.to_numpy().argsort(kind="stable")[::-1]
    names = wards_gdf[WARD_NAME].astype(str)
    labels_xy = list(zip(points.y, points.x, names, strict=True))
    WardLabels([labels_xy[i] for i in order]).add_to(m)
    if services:
        layer = add_marker_cluster(m) if len(services) >= settings.CLUSTER_MARKERS_FROM else m
        add_service_markers(m, layer, list(services))
    uncertain = _uncertain_codes(values_df)
    if uncertain:
        _add_hatching(m, wards_gdf[wards_gdf[WARD_CODE].astype(str).isin(uncertain)])
    Legend(
        title,
        classification.legend(),
        font_px=font_px,
        hatched=uncertain_legend(uncertain_above) if uncertain else None,
        stale=STALE_LEGEND if any(point.stale for point in services) else None,
    ).add_to(m)
    fit = FitBounds([[south, west], [north, east]])
    fit.options["animate"] = False
    fit.add_to(m)
    return m
