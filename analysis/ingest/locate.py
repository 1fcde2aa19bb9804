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
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from analysis import settings
from analysis.crs import lonlat_to_bng
from analysis.errors import PostcodeFormatError
from analysis.geography import AreaSet, normalise_postcode
from analysis.ingest.cells import Place
from analysis.ingest.import_report import Finding, Issue
from analysis.ingest.mapping import header_key
from analysis.model import (
    EASTING,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_OTHER_LOCATIONS,
    NORTHING,
    POSTCODE,
    WARD_CODE,
    WARD_NAME,
)

_NUMBER_NOISE: Final = re.compile(r"[°\s]|deg$", re.IGNORECASE)
_BAD_COORDINATES: Final = "bad_coordinates"


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
    ward_names
        Ward code -> ward name, for messages.
    """

    name: str
    outline: BaseGeometry
    outline_with_margin: BaseGeometry
    margin_m: float
    postcode_points: dict[str, tuple[float, float]]
    ward_polygons: dict[str, BaseGeometry]
    ward_keys: dict[str, str]
    authority_keys: frozenset[str]
    ward_names: dict[str, str] = field(default_factory=dict)


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


@dataclass(frozen=True)
class RowsLocated:
    """Where each row's service is, from its location and a feed's further locations.

    Attributes
    ----------
    points
        Per row, its usable points (easting, northing) in EPSG:27700, the first being the
        service's location; ``()`` when it has none.
    postcodes
        Per row, its postcode in standard form, ``""`` where none or a malformed one.
    findings
        Row position -> its location problems, as warnings: the area served decides
        whether they reject the row.
    """

    points: list[tuple[tuple[float, float], ...]]
    postcodes: list[str]
    findings: dict[int, list[Finding]]


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
            zip(table[EASTING].astype(float), table[NORTHING].astype(float), strict=True),
            strict=True,
        )
    )
    ward_polygons = dict(zip(area.wards[WARD_CODE], area.wards.geometry, strict=True))
    ward_keys: dict[str, str] = {}
    for code, name in zip(area.wards[WARD_CODE], area.wards[WARD_NAME], strict=True):
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
        ward_names=dict(zip(area.wards[WARD_CODE], area.wards[WARD_NAME], strict=True)),
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
    normalised, postcode_xy, postcode_findings = _postcode_points(postcodes, shape)
    has_postcode = np.array([xy is not None for xy in postcode_xy], dtype=bool)
    shown = [
        f"{lat.strip()}, {lon.strip()}" for lat, lon in zip(latitudes, longitudes, strict=True)
    ]
    lat, lon, candidates, unusable = _coordinates(latitudes, longitudes, has_postcode)
    x, y, inside, placed = _place_coordinates(
        lat, lon, candidates, shown=shown, has_postcode=has_postcode, shape=shape
    )
    use_coordinates = candidates & (inside | ~has_postcode)
    easting = np.where(use_coordinates, x, [xy[0] if xy else np.nan for xy in postcode_xy])
    northing = np.where(use_coordinates, y, [xy[1] if xy else np.nan for xy in postcode_xy])
    outside = use_coordinates & ~inside
    mismatched = [
        _mismatch(int(p), shown[p], math.dist((x[p], y[p]), postcode_xy[p]), normalised[p])
        for p in np.flatnonzero(use_coordinates & inside & has_postcode)
        if math.dist((x[p], y[p]), postcode_xy[p]) > mismatch_m
    ]
    findings = sorted(
        [*postcode_findings, *unusable, *placed, *mismatched], key=lambda f: f.position
    )
    return Located(easting, northing, tuple(normalised), outside, tuple(findings))


def locate_rows(
    places: Sequence[Place], others: Sequence[Sequence[Place]], *, shape: AreaShape
) -> RowsLocated:
    """Place every row from its location and any further ones (all located in one go).

    A problem with a further location is reported on the row, in the column
    ``other_locations``, saying which location it is about.
    """
    flat: list[Place] = []
    owners: list[int] = []
    for position, (place, more) in enumerate(zip(places, others, strict=True)):
        flat += (place, *(Place(*other) for other in more))
        owners += [position] * (1 + len(more))
    is_first = [i == 0 or owners[i - 1] != owner for i, owner in enumerate(owners)]
    located = locate(
        [p.postcode for p in flat],
        [p.latitude for p in flat],
        [p.longitude for p in flat],
        shape=shape,
    )
    points: list[tuple[tuple[float, float], ...]] = [() for _ in places]
    for index in np.flatnonzero(located.has_point()):
        point = (float(located.easting[index]), float(located.northing[index]))
        points[owners[index]] += (point,)
    findings: dict[int, list[Finding]] = {}
    for finding in located.findings:
        moved = replace(finding, position=owners[finding.position])
        if not is_first[finding.position]:
            reason = f"another location of the service: {finding.reason}"
            moved = replace(moved, field=FIELD_OTHER_LOCATIONS, reason=reason)
        findings.setdefault(moved.position, []).append(moved)
    postcodes = [code for code, first in zip(located.postcode, is_first, strict=True) if first]
    return RowsLocated(points, postcodes, findings)


def _postcode_points(
    postcodes: Sequence[str], shape: AreaShape
) -> tuple[list[str], list[tuple[float, float] | None], list[Finding]]:
    """Each postcode normalised and looked up (each distinct text once), and its problem."""
    cache: dict[str, tuple[str, tuple[float, float] | None, Issue | None]] = {}
    normalised: list[str] = []
    points: list[tuple[float, float] | None] = []
    findings: list[Finding] = []
    for position, text in enumerate(postcodes):
        text = text.strip()
        if text not in cache:
            cache[text] = _lookup_postcode(text, shape)
        code, xy, issue = cache[text]
        normalised.append(code)
        points.append(xy)
        if issue is not None:
            findings.append(issue.at(position, POSTCODE))
    return normalised, points, findings


def _coordinates(
    latitudes: Sequence[str], longitudes: Sequence[str], has_postcode: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Finding]]:
    """Latitudes and longitudes as numbers, which are candidates, and the unusable ones."""
    lat = np.array([_parse_degrees(text) for text in latitudes], dtype=float)
    lon = np.array([_parse_degrees(text) for text in longitudes], dtype=float)
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
        )
        for position in np.flatnonzero(given & ~candidates)
    ]
    return lat, lon, candidates, unusable


def _place_coordinates(
    lat: np.ndarray,
    lon: np.ndarray,
    candidates: np.ndarray,
    *,
    shown: Sequence[str],
    has_postcode: np.ndarray,
    shape: AreaShape,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Finding]]:
    """Candidates in EPSG:27700, whether inside the area (corrected where that puts them
    inside), and the corrections and points outside reported."""
    x, y = np.full(len(lat), np.nan), np.full(len(lat), np.nan)
    inside = np.zeros(len(lat), dtype=bool)
    if candidates.any():
        x[candidates], y[candidates] = lonlat_to_bng(lon[candidates], lat[candidates])
        inside[candidates] = shapely.contains_xy(
            shape.outline_with_margin, x[candidates], y[candidates]
        )
    findings = []
    for position in np.flatnonzero(candidates & ~inside):
        fixed = _try_corrections(lat[position], lon[position], shape)
        if fixed is None:
            distance_m = shapely.distance(shape.outline, shapely.Point(x[position], y[position]))
            fallback = bool(has_postcode[position])
            issue = _outside(shown[position], distance_m / 1000, fallback=fallback, shape=shape)
        else:
            code, (fixed_x, fixed_y), reason, fix = fixed
            x[position], y[position], inside[position] = fixed_x, fixed_y, True
            issue = Issue(code, shown[position], reason, fix)
        findings.append(issue.at(int(position), FIELD_LATITUDE))
    return x, y, inside, findings


def _outside(shown: str, distance_km: float, *, fallback: bool, shape: AreaShape) -> Issue:
    return Issue(
        "outside_area",
        shown,
        f"the point lies {distance_km:,.1f} km outside {shape.name}"
        + ("; the postcode's point is used instead" if fallback else ""),
        "check the coordinates (latitude about 51.45 and longitude about -2.59 in Bristol), "
        "or load the area that holds the service with --area",
    )


def _mismatch(position: int, shown: str, gap_m: float, postcode: str) -> Finding:
    issue = Issue(
        "location_mismatch",
        shown,
        f"the coordinates lie {gap_m / 1000:,.1f} km from postcode {postcode}; the "
        "coordinates are used",
        "check which is right and correct the other, or leave the coordinates empty to use "
        "the postcode",
    )
    return issue.at(position, FIELD_LATITUDE)


def _lookup_postcode(
    text: str, shape: AreaShape
) -> tuple[str, tuple[float, float] | None, Issue | None]:
    """(standard form or "", point or None, what is wrong with it or None)."""
    if not text:
        return "", None, None
    try:
        code = normalise_postcode(text)
    except PostcodeFormatError:
        fix = "write a full postcode such as BS1 6QU, or give latitude and longitude"
        return "", None, Issue("bad_postcode", text, "not a UK postcode", fix)
    xy = shape.postcode_points.get(code)
    if xy is not None:
        return code, xy, None
    reason = (
        f"not in the postcode table of {shape.name}: it lies outside the area, or is new or retired"
    )
    fix = "check it for typos, or give latitude and longitude"
    return code, None, Issue("postcode_not_found", text, reason, fix)


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
