"""The ward profile's map: an inline SVG of the ward, its neighbourhoods and services.

Drawn from the reference geography with no scripts, styles, fonts or tiles from
elsewhere, so it works offline and prints: neighbourhoods shaded by IMD need score (the
classes of `analysis.outputs.palette`, over the whole area's neighbourhoods so wards'
profiles compare), the ward's outline, the locations of the services reaching it and a
scale bar. Also the two small formatters the page (`analysis.outputs.profile`) shares with
the map: `number_text` and `plain_text`.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import shapely

from analysis import settings
from analysis.escape import html_text
from analysis.geography import AreaSet
from analysis.model import (
    IMD_OVERALL,
    LOCATION,
    LSOA_CODE,
    LSOA_NAME,
    SERVICE_NAME,
    WARD_CODE,
    need_col,
)
from analysis.outputs.palette import classify_measure
from analysis.provision.filters import stale_mask

MAP_WIDTH_PX: Final = 640
STALE_WORDS: Final = f"out of date, not checked for over {settings.STALE_AFTER_MONTHS} months"
STALE_PATTERN: Final = (
    '<defs><pattern id="sn-stale" width="3" height="3" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="3" height="3" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="3" stroke="#1a1a1a" stroke-width="1.5"/></pattern></defs>'
)
"""The hatching of an out-of-date service's dot (SVG, no image)."""
STALE_DOT: Final = 'fill="url(#sn-stale)" stroke="#1a1a1a"'
OUTSIDE_FILL: Final = "#f7f7f7"
"""Neighbourhoods around the ward, drawn for context, in a neutral grey."""


def map_svg(
    area: AreaSet, ward_code: str, reach: pd.DataFrame, *, as_of: pd.Timestamp | None = None
) -> str:
    """The ward's map as an inline SVG figure with its legend.

    ``reach`` holds the services reaching the ward (`analysis.provision.wards.services_in_ward`);
    their locations inside the view are drawn as dots, hatched for an entry out of date on
    ``as_of`` (`analysis.freshness`; None: all drawn alike).
    """
    ward_geometry = area.wards.loc[area.wards[WARD_CODE] == ward_code].geometry.iloc[0]
    minx, miny, maxx, maxy = ward_geometry.bounds
    margin = 0.08 * max(maxx - minx, maxy - miny, 1.0)
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    scale = MAP_WIDTH_PX / (maxx - minx)
    height = (maxy - miny) * scale
    view = shapely.box(minx, miny, maxx, maxy)
    tolerance = 0.5 / scale

    def path(geometry: shapely.Geometry) -> str:
        clipped = shapely.simplify(shapely.intersection(geometry, view), tolerance)
        return _svg_path(clipped, minx, maxy, scale)

    zones = area.neighbourhoods
    need = need_col(IMD_OVERALL)
    # Classes over the whole area's neighbourhoods, so wards' profiles compare.
    classes = classify_measure(zones.get(need, []), need)
    zone_paths = []
    for _, zone in zones[zones.intersects(view)].iterrows():
        inside = zone[WARD_CODE] == ward_code
        score = zone.get(need, np.nan)
        fill = classes.colour_of_value(score) if inside else OUTSIDE_FILL
        title = f"{zone.get(LSOA_NAME, zone.get(LSOA_CODE, ''))}: IMD need {number_text(score)}"
        zone_paths.append(
            f'<path d="{path(zone.geometry)}" fill="{fill}" stroke="#ffffff" '
            f'stroke-width="0.8"><title>{html_text(str(title))}</title></path>'
        )
    ward_paths = [
        f'<path d="{path(w.geometry)}" fill="none" stroke="#bbbbbb" stroke-width="1"/>'
        for _, w in area.wards[area.wards.intersects(view)].iterrows()
    ]
    dots = []
    stale = (
        stale_mask(reach, as_of)
        if as_of is not None and len(reach)
        else pd.Series(False, reach.index)
    )
    for (_, row), old in zip(reach.iterrows(), stale, strict=True):
        point = row[LOCATION]
        if point is None or shapely.is_empty(point) or not view.contains(point):
            continue
        x, y = (point.x - minx) * scale, (maxy - point.y) * scale
        name = plain_text(row[SERVICE_NAME]) + (f" ({STALE_WORDS})" if old else "")
        look = (
            'fill="url(#sn-stale)" stroke="#1a1a1a"' if old else 'fill="#e66101" stroke="#ffffff"'
        )
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {look}><title>{html_text(name)}</title>'
            "</circle>"
        )
    outline = f'<path d="{path(ward_geometry)}" fill="none" stroke="#1a1a1a" stroke-width="2.5"/>'
    bar_m = _scale_bar_metres(maxx - minx)
    bar_px = bar_m * scale
    scale_bar = (
        f'<g transform="translate(12,{height - 14:.1f})"><rect width="{bar_px:.1f}" '
        'height="4" fill="#1a1a1a"/>'
        f'<text y="-4" font-size="11" fill="#1a1a1a">{_distance_label(bar_m)}</text></g>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH_PX} {height:.0f}" '
        f'width="{MAP_WIDTH_PX}" height="{height:.0f}" role="img" '
        f'aria-label="Map of {html_text(str(area.ward_name(ward_code)))} and its neighbourhoods">'
        f"{STALE_PATTERN}"
        '<rect width="100%" height="100%" fill="#ffffff"/>'
        + "".join(zone_paths)
        + "".join(ward_paths)
        + outline
        + "".join(dots)
        + scale_bar
        + "</svg>"
    )
    legend = "".join(
        f'<span style="background:{colour}"></span>{html_text(label)}'
        for label, colour in classes.legend()
    )
    return (
        f"<figure>{svg}<figcaption class=legend>Neighbourhoods shaded by IMD 2019 need score "
        "(0-100), in classes holding about as many of the area's neighbourhoods each: "
        f"{legend}. Bold outline: the ward; dots: locations of services reaching it"
        f"{'; hatched dots: ' + STALE_WORDS if bool(stale.any()) else ''}."
        "</figcaption></figure>"
    )


def _svg_path(geometry: shapely.Geometry, minx: float, maxy: float, scale: float) -> str:
    """SVG path data of the polygons in ``geometry``, y flipped (north up)."""
    parts = []
    # Twice: a clipped geometry may be a collection that holds multipolygons.
    for polygon in shapely.get_parts(shapely.get_parts(geometry)):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)
            xs = (coords[:, 0] - minx) * scale
            ys = (maxy - coords[:, 1]) * scale
            points = " L".join(f"{x:.1f} {y:.1f}" for x, y in zip(xs, ys, strict=True))
            parts.append(f"M{points} Z")
    return " ".join(parts)


def _scale_bar_metres(width_m: float) -> float:
    target = width_m / 5
    for step in (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if step >= target:
            return float(step)
    return 100000.0


def _distance_label(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:.0f} m"


def number_text(value: object, spec: str = ".0f") -> str:
    """``value`` formatted with ``spec``, or "-" when it is not a finite number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "-"
    return format(number, spec) if np.isfinite(number) else "-"


def plain_text(value: object) -> str:
    """``value`` as text, blank when it is missing (None or NaN)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return ""
    return str(value)
