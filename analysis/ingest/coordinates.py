"""Points as real files write them: a pair in one cell, WKT, GeoJSON, coordinate objects.

A directory rarely keeps latitude and longitude in two tidy columns. This module reads the
other forms, each into WGS84 (latitude, longitude) in decimal degrees:

- text holding both numbers: ``"51.45,-2.58"``, ``"51.45 -2.58"``, ``"(51.45, -2.58)"``,
  with or without hemisphere letters (``"51.45N 2.58W"``);
- WKT: ``POINT(-2.58 51.45)`` (with ``SRID=4326;`` or ``Z`` allowed);
- GeoJSON point text or objects: ``{"type": "Point", "coordinates": [-2.58, 51.45]}``,
  and a ``Feature`` holding one;
- coordinate objects: ``{lat, lng}``, ``{lat, lon}``, ``{lat, long}``,
  ``{latitude, longitude}``;
- arrays of two numbers (``[-2.58, 51.45]``, a third, the altitude, ignored).

The order of two bare numbers is decided by where they land: the order that puts the
point in the United Kingdom (`UK_BOUNDS`) wins, and the caller says so when it is not the
form's usual one (latitude first for text pairs, longitude first for WKT, GeoJSON and
arrays). In the UK the two orders never both fit: latitudes are 49.8 to 61 degrees,
longitudes -8.7 to 1.8. A pair that fits neither way is kept in the usual order, for the
geocoder to report where it lies.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

# South, north, west and east limits of the United Kingdom (Scilly to Shetland, Northern
# Ireland to the Kent coast), with a small margin, in WGS84 degrees.
UK_BOUNDS: Final = (49.8, 61.0, -8.7, 1.8)

_NUMBER: Final = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_PAIR: Final = re.compile(
    rf"\(?\s*({_NUMBER})\s*°?\s*([NSEW]?)\s*(?:[,\s]\s*)({_NUMBER})\s*°?\s*([NSEW]?)\s*\)?",
    re.IGNORECASE,
)
_WKT: Final = re.compile(
    rf"(?:SRID=\d+;)?\s*POINT\s*(?:Z|M|ZM)?\s*\(\s*({_NUMBER})\s+({_NUMBER})(?:\s+{_NUMBER})*\s*\)",
    re.IGNORECASE,
)
_LAT_KEYS: Final = ("latitude", "lat")
_LON_KEYS: Final = ("longitude", "lng", "lon", "long")

Form = str
"""How a point was written: ``"pair"``, ``"wkt"``, ``"geojson"``, ``"object"`` or ``"array"``."""


class Point(NamedTuple):
    """A point read from one value, in WGS84 decimal degrees.

    Attributes
    ----------
    lat, lon
        The point.
    form
        How it was written (see `Form`).
    reordered
        True when the numbers were read in the other order than the form's usual one,
        because only that order puts the point in the UK.
    """

    lat: float
    lon: float
    form: Form
    reordered: bool = False


def is_in_uk(lat: float, lon: float) -> bool:
    """True when (lat, lon) lies within the United Kingdom's bounding box (`UK_BOUNDS`)."""
    south, north, west, east = UK_BOUNDS
    return south <= lat <= north and west <= lon <= east


def ordered(first: float, second: float, *, lat_first: bool, form: Form) -> Point:
    """Two numbers as a point: in the form's usual order unless only the other fits the UK."""
    lat, lon = (first, second) if lat_first else (second, first)
    if not is_in_uk(lat, lon) and is_in_uk(lon, lat):
        return Point(lon, lat, form, reordered=True)
    return Point(lat, lon, form)


def parse_point_text(text: str) -> Point | None:
    """The point a cell holds whole (pair, WKT or GeoJSON text); None when it holds none.

    A single number ('51.45', or '51,45' with a decimal comma) is not a pair.
    """
    cleaned = text.strip()
    if not cleaned:
        return None
    if cleaned.startswith("{"):
        try:
            document = json.loads(cleaned)
        except json.JSONDecodeError:
            return None
        return point_from_value(document)
    wkt = _WKT.fullmatch(cleaned)
    if wkt:
        return ordered(float(wkt.group(1)), float(wkt.group(2)), lat_first=False, form="wkt")
    if cleaned.count(",") == 1 and "." not in cleaned and " " not in cleaned:
        return None  # a decimal comma ('51,45'), one number
    pair = _PAIR.fullmatch(cleaned)
    if not pair:
        return None
    first, first_side, second, second_side = pair.groups()
    return _hemisphere_pair(float(first), first_side.upper(), float(second), second_side.upper())


def _hemisphere_pair(first: float, first_side: str, second: float, second_side: str) -> Point:
    """A text pair, the letters N S E W (when given) deciding which number is which."""
    if not (first_side or second_side):
        return ordered(first, second, lat_first=True, form="pair")
    lat_first = first_side in ("N", "S") or second_side in ("E", "W")
    sides = {first_side: first, second_side: second}
    lat, lon = (first, second) if lat_first else (second, first)
    if "S" in sides:
        lat = -abs(lat)
    if "W" in sides:
        lon = -abs(lon)
    return Point(lat, lon, "pair")


def point_from_value(value: Any) -> Point | None:
    """The point a JSON value is: a coordinate object, GeoJSON geometry or Feature, or an
    array of two numbers; None when it is none of these."""
    if isinstance(value, Mapping):
        return _point_from_object(value)
    if isinstance(value, list) and 2 <= len(value) <= 3:
        numbers = [_number(item) for item in value]
        if all(number is not None for number in numbers):
            first, second = numbers[0], numbers[1]
            return ordered(first, second, lat_first=False, form="array")  # type: ignore[arg-type]
    return None


def _point_from_object(value: Mapping[str, Any]) -> Point | None:
    kind = str(value.get("type", "")).lower()
    if kind == "feature":
        return point_from_value(value.get("geometry"))
    if kind == "point" and isinstance(value.get("coordinates"), list):
        point = point_from_value(value["coordinates"])
        return point._replace(form="geojson") if point else None
    lat = _first_number(value, _LAT_KEYS)
    lon = _first_number(value, _LON_KEYS)
    if lat is None or lon is None:
        return None
    return Point(lat, lon, "object")


def is_point_object(value: Any) -> bool:
    """True for a coordinate object or GeoJSON point (not for a bare array)."""
    return isinstance(value, Mapping) and _point_from_object(value) is not None


def point_keys(value: Mapping[str, Any]) -> tuple[str, str] | None:
    """The keys of a coordinate object's latitude and longitude (``("lat", "lng")``), as
    the object spells them; None when it is no coordinate object."""
    lat = _number_key(value, _LAT_KEYS)
    lon = _number_key(value, _LON_KEYS)
    return (lat, lon) if lat is not None and lon is not None else None


def _first_number(value: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    key = _number_key(value, keys)
    return None if key is None else _number(value[key])


def _number_key(value: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of ``keys`` (any case) whose value is a number, as the object spells it."""
    for key in keys:
        for candidate in (key, key.upper(), key.capitalize()):
            if _number(value.get(candidate)) is not None:
                return candidate
    return None


def _number(value: Any) -> float | None:
    """A finite number from a JSON number or numeric text; None otherwise (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def format_degrees(value: float) -> str:
    """Degrees as text for a cell: up to 6 decimals (about 0.1 m), no needless zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")
