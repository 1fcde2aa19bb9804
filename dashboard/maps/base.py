"""The ward map: outlines with a light fill, ward names as labels, name and code on hover.

Readable with no basemap (the default, as tiles come from the internet): the outlines and
labels carry the geography. Built on `dashboard.maps.offline.offline_map`, so it draws offline in
the app and in exported HTML.
"""

from __future__ import annotations

from typing import Final

import folium
import geopandas as gpd
import numpy as np
import shapely
from folium.elements import MacroElement
from folium.map import FitBounds
from folium.template import Template
from shapely.ops import polylabel

from analysis.crs import ensure_crs
from analysis.escape import html_text
from analysis.model import CRS_COMPUTE, CRS_DISPLAY, WARD_CODE, WARD_NAME
from dashboard.maps.offline import offline_map

LABEL_CLASS = "sn-ward-label"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

# Escaped copies of the name and code for the tooltip: folium's GeoJsonTooltip puts property
# values into innerHTML as they are. The raw values stay in the feature for the app to read.
_TOOLTIP_NAME = "tooltip_name"
_TOOLTIP_CODE = "tooltip_code"

# Properties of the coloured maps' features (choropleth, neighbourhoods): escaped tooltip
# text, and the fill colour and outline the style function reads.
TIP_NAME: Final = "tip_name"
TIP_CODE: Final = "tip_code"
TIP_VALUE: Final = "tip_value"
TIP_CLASS: Final = "tip_class"
FILL: Final = "fill"
DASHED: Final = "dashed"

HATCH_SPACING_M: Final = 250.0
"""Gap between the diagonal lines that hatch an uncertain area on a map, in metres."""
HATCH_STYLE: Final = {"color": "#14202b", "weight": 1.2, "opacity": 0.75}


def hatch_lines(geometries: gpd.GeoSeries, spacing_m: float = HATCH_SPACING_M) -> gpd.GeoSeries:
    """Diagonal lines across each (EPSG:27700) polygon, clipped to it: a hatch pattern.

    Drawn as geometry rather than an SVG pattern so that it needs no map plugin and shows
    the same in the app, in exported HTML and in print. Only the lines are kept: where a
    line merely touches a corner the clipping also gives a point, which a map would draw
    as a marker pin.
    """
    ensure_crs(geometries, CRS_COMPUTE, name="geometries")
    hatched = []
    for shape in geometries:
        west, south, east, north = shape.bounds
        size = (east - west) + (north - south)
        starts = np.arange(west - (north - south), east + spacing_m, spacing_m)
        lines = shapely.multilinestrings([[(x, south), (x + size, south + size)] for x in starts])
        parts = shapely.get_parts(shapely.intersection(lines, shape))
        hatched.append(
            shapely.MultiLineString(
                [part for part in parts if part.geom_type == "LineString" and not part.is_empty]
            )
        )
    return gpd.GeoSeries(hatched, index=geometries.index, crs=geometries.crs)


_OUTLINE = {"color": "#1f3b57", "weight": 1.5, "fillColor": "#9ec3e0", "fillOpacity": 0.25}
_HIGHLIGHT = {"weight": 3, "fillOpacity": 0.5}


class PlainBackground(MacroElement):
    """A near-white map background, for maps drawn without a basemap: Leaflet's own grey
    is as dark as the light class colours, which would vanish against it."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>.leaflet-container { background: #fbfbf9; }</style>
        {% endmacro %}
        """
    )


class WardLabels(MacroElement):
    """Ward names as permanent, non-interactive labels centred on given points.

    Parameters
    ----------
    labels
        ``(lat, lon, name)`` per ward, in WGS84 degrees; names are plain text and are
        escaped here.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
            .{{ this.label_class }} { pointer-events: none; }
            .{{ this.label_class }} span {
                position: absolute;
                left: 0;
                top: 0;
                transform: translate(-50%, -50%);
                width: max-content;
                max-width: 8em;
                text-align: center;
                font: 600 11px/1.15 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
                    sans-serif;
                color: #14202b;
                text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff;
            }
            /* A click focuses the ward's outline; keep the focus ring for keyboard use only. */
            .leaflet-interactive:focus:not(:focus-visible) { outline: none; }
        </style>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.layerGroup(
                {{ this.labels|tojson }}.map(function (label) {
                    return L.marker([label[0], label[1]], {
                        icon: L.divIcon({
                            className: {{ this.label_class|tojson }},
                            html: label[2],
                            iconSize: [0, 0]
                        }),
                        interactive: false,
                        keyboard: false
                    });
                })
            ).addTo({{ this._parent.get_name() }});
            (function (map, labels) {
                // Show as many labels as fit without overlapping: greedily keep the label
                // that clashes with the fewest others (ties: the order given, larger wards
                // first), hide those it clashes with, repeat. Hidden labels appear as the
                // map is zoomed in; the tooltip names every ward.
                function clash(a, b) {
                    return !(a.right + 2 < b.left || b.right + 2 < a.left ||
                             a.bottom + 1 < b.top || b.bottom + 1 < a.top);
                }
                function declutter() {
                    var items = [];
                    labels.eachLayer(function (marker) {
                        var el = marker.getElement();
                        var text = el && el.firstElementChild;
                        if (text) {
                            items.push({text: text, box: text.getBoundingClientRect()});
                        }
                    });
                    items.forEach(function (item) {
                        item.others = items.filter(function (other) {
                            return other !== item && clash(item.box, other.box);
                        });
                    });
                    var open = items.slice();
                    while (open.length) {
                        var best = open.reduce(function (a, b) {
                            var left = function (x) {
                                return x.others.filter(function (o) {
                                    return open.indexOf(o) >= 0;
                                }).length;
                            };
                            return left(b) < left(a) ? b : a;
                        });
                        best.text.style.visibility = "";
                        open = open.filter(function (item) {
                            if (item === best) { return false; }
                            if (best.others.indexOf(item) >= 0) {
                                item.text.style.visibility = "hidden";
                                return false;
                            }
                            return true;
                        });
                    }
                }
                map.on("zoomend moveend resize", declutter);
                map.whenReady(declutter);
            })({{ this._parent.get_name() }}, {{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, labels: list[tuple[float, float, str]]):
        super().__init__()
        self._name = "WardLabels"
        self.label_class = LABEL_CLASS
        self.labels = [
            (round(lat, 6), round(lon, 6), f"<span>{html_text(name)}</span>")
            for lat, lon, name in labels
        ]


def label_points(geometry: gpd.GeoSeries, *, tolerance_m: float = 10.0) -> gpd.GeoSeries:
    """Where each ward's label goes: the point of its largest part farthest from the edge.

    Parameters
    ----------
    geometry
        Ward polygons in British National Grid (EPSG:27700).
    tolerance_m
        Precision of the search, in metres.

    Notes
    -----
    The pole of inaccessibility (``shapely.ops.polylabel``) leaves the most room around
    the label; a centroid can fall outside a crescent-shaped ward and a representative
    point can sit next to an edge.
    """
    ensure_crs(gpd.GeoDataFrame(geometry=geometry), CRS_COMPUTE, name="geometry")

    def place(shape):
        parts = getattr(shape, "geoms", [shape])
        largest = max(parts, key=lambda part: part.area)
        return polylabel(largest, tolerance=tolerance_m)

    return gpd.GeoSeries(
        [place(shape) for shape in geometry], index=geometry.index, crs=geometry.crs
    )


def ward_map(
    wards_gdf: gpd.GeoDataFrame,
    *,
    label_col: str = WARD_NAME,
    code_col: str = WARD_CODE,
    basemap: bool = False,
) -> folium.Map:
    """Draw the wards: outlines, names as labels, name and code in a tooltip.

    Parameters
    ----------
    wards_gdf
        One row per ward, in British National Grid (EPSG:27700).
    label_col, code_col
        Columns holding the ward name (label and tooltip) and code (tooltip).
    basemap
        Add OpenStreetMap tiles (fetched from the internet) with their attribution.

    Returns
    -------
    folium.Map
        From `dashboard.maps.offline.offline_map`, fitted to the wards. Each ward feature keeps
        its raw ``code_col`` and ``label_col`` values, e.g. for ``st_folium``'s
        ``last_active_drawing``.

    Raises
    ------
    analysis.errors.CRSError
        When ``wards_gdf`` is not in EPSG:27700.
    ValueError
        When a column is missing or there are no wards.

    Notes
    -----
    Label points come from `label_points`, computed in EPSG:27700; everything is drawn in
    EPSG:4326. Labels that would overlap are hidden until the map is zoomed in, larger
    wards first; the tooltip names every ward. Names and codes are HTML-escaped wherever
    they reach the page.
    """
    ensure_crs(wards_gdf, CRS_COMPUTE, name="wards_gdf")
    missing = [col for col in (label_col, code_col) if col not in wards_gdf.columns]
    if missing:
        raise ValueError(
            f"wards_gdf has no column {', '.join(map(repr, missing))}; it has "
            f"{', '.join(map(repr, wards_gdf.columns))}. Fix: pass label_col= and code_col= "
            "naming the ward name and code columns."
        )
    if wards_gdf.empty:
        raise ValueError(
            "wards_gdf has no rows, so there are no wards to draw. "
            "Fix: load an area with at least one ward."
        )

    names = wards_gdf[label_col].fillna("").astype(str)
    codes = wards_gdf[code_col].fillna("").astype(str)
    features = gpd.GeoDataFrame(
        {
            code_col: codes,
            label_col: names,
            _TOOLTIP_NAME: names.map(html_text),
            _TOOLTIP_CODE: codes.map(html_text),
        },
        geometry=wards_gdf.geometry.values,
        crs=wards_gdf.crs,
    ).to_crs(CRS_DISPLAY)
    points = label_points(wards_gdf.geometry).to_crs(CRS_DISPLAY)
    order = wards_gdf.geometry.area.to_numpy().argsort(kind="stable")[::-1]
    west, south, east, north = features.total_bounds

    m = offline_map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=12,
        zoom_snap=0.25,
        control_scale=True,
    )
    if basemap:
        basemap_layer = folium.TileLayer(
            OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19
        )
        basemap_layer.add_to(m)
    folium.GeoJson(
        features,
        name="Wards",
        style_function=lambda _feature: _OUTLINE,
        highlight_function=lambda _feature: _HIGHLIGHT,
        tooltip=folium.GeoJsonTooltip(
            fields=[_TOOLTIP_NAME, _TOOLTIP_CODE], aliases=["Ward", "Code"], sticky=True
        ),
    ).add_to(m)
    labels = list(zip(points.y, points.x, names, strict=True))
    WardLabels([labels[i] for i in order]).add_to(m)
    if not basemap:
        PlainBackground().add_to(m)
    fit = FitBounds([[south, west], [north, east]])
    fit.options["animate"] = False  # open at the fitted view rather than zoom into it
    fit.add_to(m)
    return m
