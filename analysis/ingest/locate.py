"""Offline geocoding of service locations: postcode or latitude/longitude -> a point in the area.

Nothing here goes to the internet: postcodes are looked up in the area's own table, and
coordinates are checked against the area's outline (its wards' union, widened by a small
margin for points on the edge). Coordinates that only make sense swapped (latitude and
longitude exchanged) or with the minus sign restored on the longitude are corrected and
reported; points outside the area are reported, never silently kept or dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from analysis import settings
from analysis.crs import lonlat_to_bng
from analysis.errors import PostcodeFormatError
from analysis.geography import AreaSet, normalise_postcode
from analysis.ingest.import_report import Finding
from analysis.ingest.mapping import header_key

_NUMBER_NOISE: Final = re.compile(r"[°\s]|deg$", re.IGNORECASE)


@dataclass(frozen=True)
class AreaShape:
    """An area's outline and lookups, prepared once for placing many records (EPSG:27700).

    Attributes
    ----------
    name
        The authority's name, e.g. ``"Bristol, City of"``.
    outline
        Union of the area's wards.
    outline_with_margin
        ``outline`` buffered by ``margin_m`` (prepared for fast point tests).
    margin_m
        How far outside the wards a point may lie and still count as inside, in metres.
    postcode_points
        Normalised postcode -> (easting, northing).
    ward_polygons
        Ward code -> ward polygon.
    ward_keys
        Comparison key of every ward name and code -> ward code.
    authority_keys
        Comparison keys of the authority's names ('bristolcityof', 'bristol', 'cityofbristol').
    """

    name: str
    outline: BaseGeometry
    outline_with_margin: BaseGeometry
    margin_m: float
    postcode_points: dict[str, tuple[float, float]]
    ward_polygons: dict[str, BaseGeometry]
    ward_keys: dict[str, str]
    authority_keys: frozenset[str]


@dataclass(frozen=True)
class Located:
    """Where each record is, and what was wrong with what it said.

    Attributes
    ----------
    easting, northing
        The point in EPSG:27700, NaN where no usable location was given.
    postcode
        The postcode in standard form, ``""`` where none or a malformed one was given.
    outside
        True where the point lies outside the area and its margin.
    findings
        Problems found, as warnings; ``position`` is the record's position.
    """

    easting: np.ndarray
    northing: np.ndarray
    postcode: tuple[str, ...]
    outside: np.ndarray
    findings: tuple[Finding, ...]

    def has_point(self) -> np.ndarray:
        """True where the record has a usable point."""
        return ~np.isnan(self.easting)


def area_shape(area: AreaSet, *, margin_m: float = settings.GEOCODE_MARGIN_M) -> AreaShape:
    """Prepare an area's outline and lookups for `locate` and area building.

    Parameters
    ----------
    area
        The area, frames in EPSG:27700.
    margin_m
        Points this close outside the wards still count as inside (generalised boundaries
        cut off the edge of some postcodes and sites), in metres.
    """
    outline = area.wards.union_all()
    widened = outline.buffer(margin_m)
    shapely.prepare(widened)
    table = area.postcodes
    postcode_points = dict(
        zip(
            table.index.astype(str),
            zip(table["easting"].astype(float), table["northing"].astype(float), strict=True),
            strict=True,
        )
    )
    ward_polygons = dict(zip(area.wards["ward_code"], area.wards.geometry, strict=True))
    ward_keys: dict[str, str] = {}
    for code, name in zip(area.wards["ward_code"], area.wards["ward_name"], strict=True):
        ward_keys[header_key(code)] = code
        ward_keys.setdefault(header_key(name), code)
    base = area.name.split(",")[0]
    authority = {area.name, base, f"City of {base}", f"{base} City", f"{base} City Council"}
    return AreaShape(
        name=area.name,
        outline=outline,
        outline_with_margin=widened,
        margin_m=margin_m,
        postcode_points=postcode_points,
        ward_polygons=ward_polygons,
        ward_keys=ward_keys,
        authority_keys=frozenset(header_key(text) for text in authority),
    )


def locate(
    postcodes: Sequence[str],
    latitudes: Sequence[str],
    longitudes: Sequence[str],
    *,
    shape: AreaShape,
    mismatch_m: float = settings.GEOCODE_MISMATCH_M,
) -> Located:
    """Place each record from its postcode and/or latitude and longitude.

    Parameters
    ----------
    postcodes, latitudes, longitudes
        One text per record (``""`` when not given), as read from the file.
    shape
        The area, from `area_shape`.
    mismatch_m
        Report coordinates further than this from the record's postcode, in metres.

    Returns
    -------
    Located
        Points in EPSG:27700 and the problems found (all warnings: the caller decides
        whether a missing point rejects the record).

    Notes
    -----
    Coordinates are WGS84 degrees. When given and usable they are preferred to the
    postcode (they are more precise); otherwise the postcode's point from the area's
    table is used. Coordinates outside the area (plus margin) that fall inside once
    latitude and longitude are swapped, or once the longitude's minus sign is restored,
    are corrected and reported. ``0, 0`` is read as a placeholder for "unknown".
    """
    count = len(postcodes)
    easting = np.full(count, np.nan)
    northing = np.full(count, np.nan)
    outside = np.zeros(count, dtype=bool)
    findings: list[Finding] = []

    # Postcodes: normalise each distinct text once, then look it up.
    normalised: list[str] = []
    postcode_xy: list[tuple[float, float] | None] = []
    cache: dict[str, tuple[str, tuple[float, float] | None, str]] = {}
    for position, text in enumerate(postcodes):
        text = text.strip()
        if text not in cache:
            cache[text] = _lookup_postcode(text, shape)
        code, xy, problem = cache[text]
        normalised.append(code)
        postcode_xy.append(xy)
        if problem == "format":
            findings.append(
                Finding(
                    position,
                    "postcode",
                    "bad_postcode",
                    text,
                    "not a UK postcode",
                    "write a full postcode such as BS1 6QU, or give latitude and longitude",
                    "warning",
                )
            )
        elif problem == "missing":
            findings.append(
                Finding(
                    position,
                    "postcode",
                    "postcode_not_found",
                    text,
                    f"not in the postcode table of {shape.name}: it lies outside the area, "
                    "or is new or retired",
                    "check it for typos, or give latitude and longitude",
                    "warning",
                )
            )

    # Coordinates: parse, convert in one go, then check against the outline.
    lat = np.array([_parse_degrees(text) for text in latitudes], dtype=float)
    lon = np.array([_parse_degrees(text) for text in longitudes], dtype=float)
    given_lat = np.array([bool(text.strip()) for text in latitudes], dtype=bool)
    given_lon = np.array([bool(text.strip()) for text in longitudes], dtype=bool)
    usable = ~np.isnan(lat) & ~np.isnan(lon)
    in_range = usable & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    placeholder = in_range & (lat == 0) & (lon == 0)
    candidates = in_range & ~placeholder
    for position in np.flatnonzero((given_lat | given_lon) & ~candidates):
        findings.append(
            _coordinate_finding(
                int(position),
                latitudes[position].strip(),
                longitudes[position].strip(),
                lat[position],
                lon[position],
                has_postcode=postcode_xy[position] is not None,
            )
        )

    x = np.full(count, np.nan)
    y = np.full(count, np.nan)
    inside = np.zeros(count, dtype=bool)
    if candidates.any():
        cx, cy = lonlat_to_bng(lon[candidates], lat[candidates])
        x[candidates], y[candidates] = cx, cy
        inside[candidates] = shapely.contains_xy(shape.outline_with_margin, cx, cy)
    for position in np.flatnonzero(candidates & ~inside):
        fixed = _try_corrections(lat[position], lon[position], shape)
        shown = f"{latitudes[position].strip()}, {longitudes[position].strip()}"
        if fixed is not None:
            code, (fx, fy), reason, fix = fixed
            x[position], y[position], inside[position] = fx, fy, True
            findings.append(Finding(int(position), "latitude", code, shown, reason, fix, "warning"))
            continue
        distance_km = shapely.distance(shape.outline, shapely.Point(x[position], y[position]))
        distance_km /= 1000
        has_postcode = postcode_xy[position] is not None
        findings.append(
            Finding(
                int(position),
                "latitude",
                "outside_area",
                shown,
                f"the point lies {distance_km:,.1f} km outside {shape.name}"
                + ("; the postcode's point is used instead" if has_postcode else ""),
                "check the coordinates (latitude about 51.45 and longitude about -2.59 in "
                "Bristol), or load the area that holds the service with --area",
                "warning",
            )
        )

    for position in range(count):
        xy = postcode_xy[position]
        if candidates[position] and (inside[position] or xy is None):
            easting[position], northing[position] = x[position], y[position]
            outside[position] = not inside[position]
            if xy is not None and inside[position]:
                gap = math.dist((x[position], y[position]), xy)
                if gap > mismatch_m:
                    findings.append(
                        Finding(
                            position,
                            "latitude",
                            "location_mismatch",
                            f"{latitudes[position].strip()}, {longitudes[position].strip()}",
                            f"the coordinates lie {gap / 1000:,.1f} km from postcode "
                            f"{normalised[position]}; the coordinates are used",
                            "check which is right and correct the other, or leave the "
                            "coordinates empty to use the postcode",
                            "warning",
                        )
                    )
        elif xy is not None:
            easting[position], northing[position] = xy
    findings.sort(key=lambda finding: finding.position)
    return Located(easting, northing, tuple(normalised), outside, tuple(findings))


def _lookup_postcode(text: str, shape: AreaShape) -> tuple[str, tuple[float, float] | None, str]:
    """(standard form or "", point or None, problem: "" | "format" | "missing")."""
    if not text:
        return "", None, ""
    try:
        code = normalise_postcode(text)
    except PostcodeFormatError:
        return "", None, "format"
    xy = shape.postcode_points.get(code)
    return code, xy, "" if xy is not None else "missing"


def _parse_degrees(text: str) -> float:
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
) -> Finding:
    """The problem with coordinates that cannot be used at all."""
    fallback = "; the postcode's point is used instead" if has_postcode else ""
    example = "latitude 51.4545 and longitude -2.5879"
    if not lat_text or not lon_text:
        field = "latitude" if not lat_text else "longitude"
        return Finding(
            position,
            field,
            "bad_coordinates",
            "",
            f"{field} is missing" + fallback,
            f"give both latitude and longitude in decimal degrees, e.g. {example}",
            "warning",
        )
    if math.isnan(lat) or math.isnan(lon):
        field, value = ("latitude", lat_text) if math.isnan(lat) else ("longitude", lon_text)
        return Finding(
            position,
            field,
            "bad_coordinates",
            value,
            "not a number" + fallback,
            f"write decimal degrees, e.g. {example} (not degrees-minutes-seconds or "
            "easting/northing)",
            "warning",
        )
    if lat == 0 and lon == 0:
        return Finding(
            position,
            "latitude",
            "bad_coordinates",
            f"{lat_text}, {lon_text}",
            "0, 0 is the usual placeholder for an unknown location" + fallback,
            "give the service's real coordinates, or leave both empty",
            "warning",
        )
    field, value, limit = (
        ("latitude", lat_text, 90) if abs(lat) > 90 else ("longitude", lon_text, 180)
    )
    return Finding(
        position,
        field,
        "bad_coordinates",
        value,
        f"not between -{limit} and {limit} degrees" + fallback,
        f"give WGS84 decimal degrees, e.g. {example} (easting and northing are not accepted here)",
        "warning",
    )


def _try_corrections(
    lat: float, lon: float, shape: AreaShape
) -> tuple[str, tuple[float, float], str, str] | None:
    """A correction that puts the point inside the area: swapped, or minus sign restored."""
    attempts = (
        (
            "swapped_lat_lon",
            lon,
            lat,
            "latitude and longitude look swapped: swapped back, the point lies in "
            f"{shape.name}, and that point is used",
            "swap the latitude and longitude columns",
        ),
        (
            "lon_sign",
            lat,
            -lon,
            "the longitude lacks its minus sign (places west of Greenwich are negative): "
            "with it the point lies in the area, and that point is used",
            f"write the longitude as {-lon:g}",
        ),
    )
    for code, new_lat, new_lon, reason, fix in attempts:
        if abs(new_lat) > 90 or abs(new_lon) > 180 or (code == "lon_sign" and lon <= 0):
            continue
        fx, fy = lonlat_to_bng(new_lon, new_lat)
        if math.isfinite(fx) and shapely.contains_xy(shape.outline_with_margin, fx, fy):
            return code, (float(fx), float(fy)), reason, fix
    return None
