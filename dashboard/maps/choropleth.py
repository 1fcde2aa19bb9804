"""The overview choropleth: wards coloured by one measure, with fixed classes and a legend.

Classes are fixed per measure, not per category or filter: numeric breaks come from
`mapclassify` over every category's values of the measure, so switching category or
filter recolours the wards without moving the class boundaries. Zero has a class of its
own ("none"), drawn with a dashed outline so that colour is not the only cue; the
`class` measure uses a fixed categorical palette (Okabe-Ito) with the class name in the
tooltip, the legend and the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from folium.elements import MacroElement
from folium.map import FitBounds
from folium.template import Template

from analysis import settings
from analysis.crs import ensure_crs
from analysis.escape import html_in_js_template, html_text
from analysis.model import AREA_CODE, CRS_COMPUTE, CRS_DISPLAY, PROVISION_CLASS, PROVISION_CLASSES
from dashboard.maps.base import WardLabels, label_points
from dashboard.maps.offline import add_marker_cluster, offline_map

NONE_LABEL = "none"
NO_DATA_LABEL = "no data"

# Okabe-Ito, safe for the common colour-vision deficiencies.
CLASS_COLOURS: dict[str, str] = {
    "missing": "#D55E00",  # vermillion
    "under-served": "#E69F00",  # orange
    "adequate": "#F0F0F0",  # light grey: nothing to act on
    "overlap": "#0072B2",  # blue
}
# ColorBrewer YlGnBu (5 classes), colour-blind safe and readable in greyscale.
SEQUENTIAL = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NONE_COLOUR = "#ffffff"
NO_DATA_COLOUR = "#bdbdbd"
# A dashed outline marks "none" and "missing", so they read without colour.
_DASHED = {"missing", NONE_LABEL}


@dataclass(frozen=True)
class Classification:
    """How one measure's values map to classes, colours and legend labels.

    Attributes
    ----------
    measure
        The measure (a metrics-table column).
    breaks
        Upper bounds of the numeric classes (empty for ``class``).
    labels
        Legend label of each class, in legend order.
    colours
        Fill colour of each class, same order as ``labels``.
    """

    measure: str
    breaks: tuple[float, ...]
    labels: tuple[str, ...]
    colours: tuple[str, ...]

    def label_of(self, value: object) -> str:
        """The class label of one value."""
        if self.measure == PROVISION_CLASS:
            return str(value) if value in PROVISION_CLASSES else NO_DATA_LABEL
        number = _as_float(value)
        if number is None:
            return NO_DATA_LABEL
        if number <= 0:
            return NONE_LABEL
        for upper, label in zip(self.breaks, self.labels[1:], strict=False):
            if number <= upper:
                return label
        return self.labels[len(self.breaks)] if self.breaks else NONE_LABEL

    def colour_of(self, label: str) -> str:
        """The fill colour of a class label."""
        if label == NO_DATA_LABEL:
            return NO_DATA_COLOUR
        return dict(zip(self.labels, self.colours, strict=True)).get(label, NO_DATA_COLOUR)

    def legend(self) -> list[tuple[str, str]]:
        """``(label, colour)`` per class, in order."""
        return list(zip(self.labels, self.colours, strict=True))


def _as_float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_number(value: object) -> str:
    """A number as people read it: thousands separated, at most two decimals."""
    number = _as_float(value)
    if number is None:
        return "–"
    if abs(number) >= 100 or number == int(number):
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def classify_measure(all_values: Sequence[float] | pd.Series, measure: str, *, k: int = 5):
    """Fixed classes for ``measure`` from its values over ALL categories.

    Parameters
    ----------
    all_values
        Every value of the measure in the metrics table (all wards, all categories), so
        the breaks do not depend on the category shown. Ignored for ``class``.
    measure
        A metrics-table column; ``class`` gets the categorical palette.
    k
        Number of classes above zero (at most 5).

    Returns
    -------
    Classification
        "none" (zero) first, then up to ``k`` classes of the positive values by
        quantiles (``mapclassify.Quantiles``: about as many wards in each), fewer when
        there are fewer distinct positive values.
    """
    if measure == PROVISION_CLASS:
        return Classification(
            measure,
            (),
            tuple(PROVISION_CLASSES),
            tuple(CLASS_COLOURS[name] for name in PROVISION_CLASSES),
        )
    values = pd.to_numeric(pd.Series(all_values, dtype=float), errors="coerce").to_numpy()
    positive = values[np.isfinite(values) & (values > 0)]
    distinct = np.unique(positive)
    k = max(1, min(k, len(SEQUENTIAL), len(distinct)))
    if len(distinct) == 0:
        breaks: tuple[float, ...] = ()
    elif len(distinct) <= k:
        breaks = tuple(float(v) for v in distinct)
    else:
        breaks = tuple(sorted({float(b) for b in mapclassify.Quantiles(positive, k=k).bins}))
    labels = [NONE_LABEL]
    lower = 0.0
    for upper in breaks:
        labels.append(f"{format_number(lower)} to {format_number(upper)}")
        lower = upper
    palette = _palette(len(breaks))
    return Classification(measure, breaks, tuple(labels), (NONE_COLOUR, *palette))


def _palette(n: int) -> tuple[str, ...]:
    if n <= 0:
        return ()
    if n == 1:
        return (SEQUENTIAL[2],)
    picks = np.linspace(0, len(SEQUENTIAL) - 1, n).round().astype(int)
    return tuple(SEQUENTIAL[i] for i in picks)


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

    def __init__(self, title: str, items: list[tuple[str, str]], *, font_px: int = 13):
        super().__init__()
        self._name = "Legend"
        self.font_px = int(font_px)
        rows = "".join(
            f'<div><span class="sn-swatch{" sn-dashed" if label in _DASHED else ""}" '
            f'style="background:{colour}"></span>{html_text(label)}</div>'
            for label, colour in items
        )
        self.markup = f'<div class="sn-legend-title">{html_text(title)}</div>{rows}'


def display_geometry(
    wards_gdf: gpd.GeoDataFrame, *, tolerance_m: float = settings.DISPLAY_SIMPLIFY_M
):
    """Wards simplified for drawing (EPSG:27700 in, EPSG:4326 out), topology kept."""
    ensure_crs(wards_gdf, CRS_COMPUTE, name="wards_gdf")
    simple = wards_gdf.copy()
    simple["geometry"] = wards_gdf.geometry.simplify(tolerance_m, preserve_topology=True)
    return simple.to_crs(CRS_DISPLAY)


def choropleth_map(
    wards_gdf: gpd.GeoDataFrame,
    values_df: pd.DataFrame,
    classification: Classification,
    *,
    title: str,
    services: Sequence[tuple[float, float, str]] = (),
    font_px: int = 13,
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
        From `classify_measure`.
    title
        Legend title (plain text, escaped here).
    services
        ``(lat, lon, name)`` service markers in WGS84 (plain text names), clustered when
        there are `settings.CLUSTER_MARKERS_FROM` or more.
    font_px
        Legend text size (bigger in presentation mode).

    Returns
    -------
    folium.Map
        From `dashboard.maps.offline.offline_map`; each feature has ``ward_code`` and
        ``ward_name`` (raw, for the click handler) and escaped tooltip fields.
    """
    measure = classification.measure
    values = values_df.set_index(AREA_CODE)[measure]
    shapes = display_geometry(wards_gdf)
    codes = shapes["ward_code"].astype(str)
    raw = codes.map(values)
    labels = raw.map(classification.label_of)
    value_text = raw.map(str) if measure == PROVISION_CLASS else raw.map(format_number)
    features = gpd.GeoDataFrame(
        {
            "ward_code": codes,
            "ward_name": shapes["ward_name"].astype(str),
            "tip_name": shapes["ward_name"].astype(str).map(html_text),
            "tip_value": value_text.map(html_text),
            "tip_class": labels.map(html_text),
            "fill": labels.map(classification.colour_of),
            "dashed": labels.isin(_DASHED),
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
            "fillColor": props["fill"],
            "fillOpacity": 0.8,
            "color": "#222222" if props["dashed"] else "#4d4d4d",
            "weight": 2 if props["dashed"] else 0.8,
            "dashArray": "5 4" if props["dashed"] else None,
        }

    fields, aliases = ["tip_name", "tip_value", "tip_class"], ["Ward", html_text(title), "Class"]
    if measure == PROVISION_CLASS:
        fields, aliases = ["tip_name", "tip_class"], ["Ward", "Class"]
    folium.GeoJson(
        features,
        name="Wards",
        style_function=style,
        highlight_function=lambda _feature: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
    ).add_to(m)
    points = label_points(wards_gdf.geometry).to_crs(CRS_DISPLAY)
    order = wards_gdf.geometry.area.to_numpy().argsort(kind="stable")[::-1]
    names = wards_gdf["ward_name"].astype(str)
    labels_xy = list(zip(points.y, points.x, names, strict=True))
    WardLabels([labels_xy[i] for i in order]).add_to(m)
    if services:
        layer = add_marker_cluster(m) if len(services) >= settings.CLUSTER_MARKERS_FROM else m
        for lat, lon, name in services:
            folium.CircleMarker(
                [round(lat, 6), round(lon, 6)],
                radius=5,
                color="#000000",
                weight=1.5,
                fill=True,
                fill_color="#ffffff",
                fill_opacity=1,
                tooltip=html_in_js_template(name),
            ).add_to(layer)
    Legend(title, classification.legend(), font_px=font_px).add_to(m)
    fit = FitBounds([[south, west], [north, east]])
    fit.options["animate"] = False
    fit.add_to(m)
    return m
