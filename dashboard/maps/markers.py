"""Service markers: a plain dot for a current entry, a hatched one for an out-of-date entry.

An entry not checked for over `settings.STALE_AFTER_MONTHS` months (`analysis.freshness`)
is drawn hatched and named so in its tooltip, on every map that shows services, so that a
planner reading the map sees which dots may no longer be true. The hatched dot is a
`folium.DivIcon` styled by CSS (no image to download), with a text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import folium
from folium.elements import MacroElement
from folium.template import Template

from analysis import settings
from analysis.escape import html_in_js_template, html_text

STALE_CLASS: Final = "sn-stale-service"
"""The CSS class of an out-of-date service's marker (browser tests look for it)."""
STALE_WORDS: Final = f"out of date: not checked for over {settings.STALE_AFTER_MONTHS} months"
STALE_LEGEND: Final = f"Hatched dot: a service {STALE_WORDS}"
DOT_PX: Final = 12


@dataclass(frozen=True)
class ServicePoint:
    """One service to mark, in WGS84; ``name`` is plain text (escaped here)."""

    lat: float
    lon: float
    name: str
    stale: bool = False
    tip_html: str | None = None  # an escaped HTML tooltip; default: the name (and staleness)


class StaleMarkerStyle(MacroElement):
    """The CSS of the hatched marker, once per map."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .{{ this.css_class }} { width: {{ this.px }}px; height: {{ this.px }}px;
            box-sizing: border-box; border-radius: 50%; border: 2px solid #000;
            background: repeating-linear-gradient(135deg, #fff 0 2px, #000 2px 4px); }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "StaleMarkerStyle"
        self.css_class = STALE_CLASS
        self.px = DOT_PX


def stale_icon(name: str) -> folium.DivIcon:
    """A hatched dot naming the service and that it is out of date, for screen readers."""
    label = html_text(f"{name} ({STALE_WORDS})")
    return folium.DivIcon(
        html=f'<div class="{STALE_CLASS}" role="img" aria-label="{label}"></div>',
        icon_size=(DOT_PX, DOT_PX),
        icon_anchor=(DOT_PX // 2, DOT_PX // 2),
        class_name="sn-marker",
    )


def service_tip(point: ServicePoint) -> str:
    """A marker's tooltip: its own escaped HTML (`popup_html`), else its name escaped, with
    "out of date" when it is."""
    if point.tip_html is not None:
        return point.tip_html
    return html_in_js_template(f"{point.name} ({STALE_WORDS})" if point.stale else point.name)


def add_service_markers(
    m: folium.Map, layer: folium.map.Layer | folium.Map, points: list[ServicePoint]
) -> None:
    """Mark each service on ``layer`` (the map, or a cluster on it)."""
    if any(point.stale for point in points):
        StaleMarkerStyle().add_to(m)
    for point in points:
        where = [round(point.lat, 6), round(point.lon, 6)]
        if point.stale:
            folium.Marker(
                where,
                icon=stale_icon(point.name),
                tooltip=folium.Tooltip(service_tip(point)),
            ).add_to(layer)
        else:
            folium.CircleMarker(
                where,
                radius=5,
                color="#000000",
                weight=1.5,
                fill=True,
                fill_color="#ffffff",
                fill_opacity=1,
                tooltip=folium.Tooltip(service_tip(point)),
            ).add_to(layer)


class PlaceLegend(MacroElement):
    """The postcode map's key: the postcode, a service, an out-of-date one, the distance."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
          .sn-place-legend { background: #fff; color: #14202b; padding: 6px 9px;
            border: 1px solid #767676; border-radius: 4px; max-width: 17em;
            font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
          .sn-place-legend span.key { display: inline-block; width: 12px; height: 12px;
            margin-right: 7px; vertical-align: -1px; box-sizing: border-box; }
          .sn-key-dot { border: 1.5px solid #000; border-radius: 50%; background: #fff; }
          .sn-key-circle { border: 2px solid {{ this.circle }}; border-radius: 50%; }
          .sn-key-you { background: {{ this.you }}; border: 2px solid #000;
            transform: rotate(45deg); }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function (map) {
                var legend = L.control({position: "bottomleft"});
                legend.onAdd = function () {
                    var div = L.DomUtil.create("div", "sn-place-legend");
                    div.setAttribute("role", "group");
                    div.setAttribute("aria-label", "Map key");
                    div.innerHTML = {{ this.markup|tojson }};
                    return div;
                };
                legend.addTo(map);
            })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, you: str, circle: str, distance: str, stale: bool) -> None:
        super().__init__()
        self._name = "PlaceLegend"
        self.you, self.circle = you, circle
        rows = [
            ("sn-key-you", "Your postcode"),
            ("sn-key-dot", "A service (its venue)"),
        ]
        if stale:
            rows.append((STALE_CLASS, f"A service {STALE_WORDS}"))
        rows.append(("sn-key-circle", distance))
        self.markup = "".join(
            f'<div><span class="key {css}"></span>{html_text(label)}</div>' for css, label in rows
        )


def your_postcode_icon(postcode: str, colour: str) -> folium.DivIcon:
    """A large diamond for the postcode searched: unlike any service's dot."""
    label = html_text(f"Your postcode: {postcode}")
    return folium.DivIcon(
        html=(
            f'<div class="sn-you" role="img" aria-label="{label}" style="width:18px;'
            f"height:18px;box-sizing:border-box;background:{colour};border:3px solid #000;"
            'transform:rotate(45deg)"></div>'
        ),
        icon_size=(18, 18),
        icon_anchor=(9, 9),
        class_name="sn-marker",
    )
