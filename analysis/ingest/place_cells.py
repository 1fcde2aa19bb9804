"""A row's location cells as the places they give: lists of places, and a point in one cell.

The template gives a place in three cells: ``postcode``, ``latitude`` and ``longitude``.
Real files bend that in two ways, both read here before geocoding:

- several places listed in the cells with ``;`` (``"BS1 1AA; BS5 0HE"``, or the aligned
  lists a JSON list of places becomes, `analysis.ingest.json_table`): the first is the
  service's location, the others further locations of the same service;
- the whole point in the latitude cell, the longitude cell empty or the same text (a
  column such as 'Coordinates' mapped to latitude, or to both): ``"51.45,-2.58"``,
  ``"51.45 -2.58"``, WKT ``POINT(-2.58 51.45)`` or GeoJSON point text
  (`analysis.ingest.coordinates`).

`read_coordinates` then reads the two cells as decimal degrees and says what makes them
unusable, with the area's own example in the fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

import numpy as np

from analysis.ingest.area_lookup import AreaExamples
from analysis.ingest.cells import Place
from analysis.ingest.coordinates import Point, format_degrees, parse_point_text
from analysis.ingest.import_report import Finding, Issue
from analysis.model import FIELD_LATITUDE, FIELD_LONGITUDE

_PIECES: Final = re.compile(r"[;\n]")
_NUMBER_NOISE: Final = re.compile(r"[°\s]|deg$", re.IGNORECASE)
_BAD_COORDINATES: Final = "bad_coordinates"
OUTSIDE_AREA: Final = "outside_area"
"""The code of a point beyond the area's boundary and margin."""
POSTCODE_FALLBACK: Final = "; the postcode's point is used instead"
"""How a problem with coordinates ends when the postcode's point stands in for them."""
_SRID: Final = re.compile(r"\bSRID\s*=\s*\d+\s*;\s*", re.IGNORECASE)
_PLAIN_NUMBER: Final = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*")


def split_places(place: Place) -> tuple[Place, ...]:
    """The places a row's postcode, latitude and longitude cells list, in order.

    Position k of each cell's ``;``-separated list is place k; a place with none of the
    three is left out. Cells without ``;`` give one place, as written. A latitude cell
    holding two plain numbers separated by ``;`` with no longitude is one pair, not two
    latitudes.
    """
    # WKT's "SRID=4326;" names the coordinate system: its ';' separates no places.
    place = Place(*(_SRID.sub("", text) if ";" in text else text for text in place))
    if not any(";" in text or "\n" in text for text in place):
        return (place,)
    postcode, lat, lon = place
    if not lon.strip() and _is_pair_list(lat):
        return (Place(postcode, lat.replace(";", ","), lon),)
    pieces = [[piece.strip() for piece in _PIECES.split(text)] for text in place]
    count = max(len(piece) for piece in pieces)
    padded = [piece + [""] * (count - len(piece)) for piece in pieces]
    found = tuple(Place(*parts) for parts in zip(*padded, strict=True) if any(parts))
    return found or (Place(),)


def _is_pair_list(text: str) -> bool:
    parts = _PIECES.split(text)
    return len(parts) == 2 and all(_PLAIN_NUMBER.fullmatch(part) for part in parts)


def point_cell(lat_text: str, lon_text: str) -> tuple[str, str, Point | None]:
    """A record's latitude and longitude texts, split when the latitude cell (or the
    longitude cell alone) holds the whole point.

    Returns
    -------
    tuple
        (latitude text, longitude text, the point read from one cell or None). The texts
        are those given when no cell holds a whole point.
    """
    lat, lon = lat_text.strip(), lon_text.strip()
    whole = lat if (not lon or lon == lat) else lon if not lat else ""
    point = parse_point_text(whole) if whole else None
    if point is None:
        return lat_text, lon_text, None
    return format_degrees(point.lat), format_degrees(point.lon), point


def read_coordinates(
    latitudes: Sequence[str],
    longitudes: Sequence[str],
    has_postcode: np.ndarray,
    examples: AreaExamples,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Finding]]:
    """Latitudes and longitudes as numbers, which are candidates, and the unusable ones.

    Parameters
    ----------
    latitudes, longitudes
        One text per record, a point in one cell already split (`point_cell`).
    has_postcode
        Per record, True when its postcode gives a point (the messages say it is used).
    examples
        The area's examples, for the fixes.
    """
    lat = np.array([parse_degrees(text) for text in latitudes], dtype=float)
    lon = np.array([parse_degrees(text) for text in longitudes], dtype=float)
    given = np.array(
        [bool(a.strip() or b.strip()) for a, b in zip(latitudes, longitudes, strict=True)],
        dtype=bool,
    )
    in_range = ~np.isnan(lat) & ~np.isnan(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    candidates = in_range & ~((lat == 0) & (lon == 0))
    unusable = [
        _coordinate_finding(
            int(position),
            latitudes[position].strip(),
            longitudes[position].strip(),
            lat[position],
            lon[position],
            has_postcode=bool(has_postcode[position]),
            examples=examples,
        )
        for position in np.flatnonzero(given & ~candidates)
    ]
    return lat, lon, candidates, unusable


def parse_degrees(text: str) -> float:
    """Decimal degrees from text ('51.45', '51,45', '51.45°'); NaN when not a number."""
    cleaned = _NUMBER_NOISE.sub("", text.strip())
    if not cleaned:
        return math.nan
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _coordinate_finding(
    position: int,
    lat_text: str,
    lon_text: str,
    lat: float,
    lon: float,
    *,
    has_postcode: bool,
    examples: AreaExamples,
) -> Finding:
    """The problem with coordinates that cannot be used at all."""
    fallback = POSTCODE_FALLBACK if has_postcode else ""
    example = examples.coordinates
    if not lat_text or not lon_text:
        field = FIELD_LATITUDE if not lat_text else FIELD_LONGITUDE
        reason = f"{field} is missing{fallback}"
        fix = f"give both latitude and longitude in decimal degrees, e.g. {example}"
        return Issue(_BAD_COORDINATES, "", reason, fix).at(position, field)
    if math.isnan(lat) or math.isnan(lon):
        field, value = (
            (FIELD_LATITUDE, lat_text) if math.isnan(lat) else (FIELD_LONGITUDE, lon_text)
        )
        fix = (
            f"write decimal degrees, e.g. {example} (not degrees-minutes-seconds or "
            "easting/northing)"
        )
        return Issue(_BAD_COORDINATES, value, f"not a number{fallback}", fix).at(position, field)
    if lat == 0 and lon == 0:
        reason = f"0, 0 is the usual placeholder for an unknown location{fallback}"
        fix = "give the service's real coordinates, or leave both empty"
        issue = Issue(_BAD_COORDINATES, f"{lat_text}, {lon_text}", reason, fix)
        return issue.at(position, FIELD_LATITUDE)
    field, value, limit = (
        (FIELD_LATITUDE, lat_text, 90) if abs(lat) > 90 else (FIELD_LONGITUDE, lon_text, 180)
    )
    reason = f"not between -{limit} and {limit} degrees{fallback}"
    fix = f"give WGS84 decimal degrees, e.g. {example} (easting and northing are not accepted here)"
    return Issue(_BAD_COORDINATES, value, reason, fix).at(position, field)
