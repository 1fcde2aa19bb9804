"""Offline geocoding of service locations: postcode or latitude/longitude -> a point in the area.

Nothing here goes to the internet: postcodes are looked up in the area's own table
(`analysis.ingest.area_lookup`; a postcode district alone gives its centroid, flagged
approximate), and coordinates are checked against the area's outline (its wards' union,
widened by a small margin for points on the edge). Coordinates that only make sense
swapped (latitude and longitude exchanged) or with the minus sign restored on the
longitude are corrected and reported. Every point given by coordinates or a district
that lies outside the boundary is reported with its distance: beyond the margin it is
outside the area, within it the point counts as inside but the user is told. Points are
never silently kept or dropped.

A row may list several places, and give a point in one cell (`analysis.ingest.place_cells`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from analysis import settings
from analysis.crs import lonlat_to_bng
from analysis.geography import AreaSet
from analysis.ingest.area_lookup import (
    AreaExamples,
    Looked,
    PostcodeIndex,
    area_examples,
    lookup_postcode_text,
    postcode_index,
)
from analysis.ingest.cells import Place
from analysis.ingest.coordinates import Point
from analysis.ingest.import_report import Finding, Issue
from analysis.ingest.mapping import header_key
from analysis.ingest.place_cells import (
    OUTSIDE_AREA,
    POSTCODE_FALLBACK,
    point_cell,
    read_coordinates,
    split_places,
)
from analysis.model import (
    FIELD_LATITUDE,
    FIELD_OTHER_LOCATIONS,
    POSTCODE,
    WARD_CODE,
    WARD_NAME,
)


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
    postcodes
        The postcode table prepared for lookups, with district and sector centroids.
    examples
        Examples for messages, from the area's own data.
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
    postcodes: PostcodeIndex = field(default_factory=lambda: PostcodeIndex("", {}))
    examples: AreaExamples = field(default_factory=lambda: AreaExamples("", 0.0, 0.0, 0.0, 0.0))


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
    shapely.prepare(outline)
    widened = outline.buffer(margin_m)
    shapely.prepare(widened)
    index = postcode_index(area)
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
        postcode_points=index.points,
        ward_polygons=ward_polygons,
        ward_keys=ward_keys,
        authority_keys=frozenset(header_key(text) for text in authority),
        ward_names=dict(zip(area.wards[WARD_CODE], area.wards[WARD_NAME], strict=True)),
        postcodes=index,
        examples=area_examples(area),
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
    normalised, postcode_xy, approximate, postcode_findings = _postcode_points(postcodes, shape)
    has_postcode = np.array([xy is not None for xy in postcode_xy], dtype=bool)
    split = [point_cell(a, b) for a, b in zip(latitudes, longitudes, strict=True)]
    shown = [
        _shown(a, b, whole=point is not None)
        for a, b, (_, _, point) in zip(latitudes, longitudes, split, strict=True)
    ]
    latitudes = [lat_text for lat_text, _, _ in split]
    longitudes = [lon_text for _, lon_text, _ in split]
    reordered = [
        _pair_order(position, shown[position], point, shape.examples)
        for position, (_, _, point) in enumerate(split)
        if point is not None and point.reordered
    ]
    lat, lon, candidates, unusable = read_coordinates(
        latitudes, longitudes, has_postcode, shape.examples
    )
    x, y, inside, placed = _place_coordinates(
        lat, lon, candidates, shown=shown, has_postcode=has_postcode, shape=shape
    )
    use_coordinates = candidates & (inside | ~has_postcode)
    easting = np.where(use_coordinates, x, [xy[0] if xy else np.nan for xy in postcode_xy])
    northing = np.where(use_coordinates, y, [xy[1] if xy else np.nan for xy in postcode_xy])
    outside = use_coordinates & ~inside
    mismatched = [
        _mismatch(int(p), shown[p], math.dist((x[p], y[p]), postcode_xy[p]), normalised[p])
        for p in np.flatnonzero(use_coordinates & inside & has_postcode & ~approximate)
        if math.dist((x[p], y[p]), postcode_xy[p]) > mismatch_m
    ]
    # Coordinates and district centroids are the file's word: an exact postcode's point
    # is the area's own, in the area by definition.
    edge = _near_boundary(
        easting,
        northing,
        inside=(use_coordinates & inside) | (approximate & ~use_coordinates),
        by_coordinates=use_coordinates,
        shown=shown,
        postcodes=postcodes,
        shape=shape,
    )
    findings = sorted(
        [*postcode_findings, *reordered, *unusable, *placed, *mismatched, *edge],
        key=lambda f: f.position,
    )
    return Located(easting, northing, tuple(normalised), outside, tuple(findings))


def locate_rows(
    places: Sequence[Place], others: Sequence[Sequence[Place]], *, shape: AreaShape
) -> RowsLocated:
    """Place every row from its location and any further ones (all located in one go).

    A row's cells may list several places (`analysis.ingest.place_cells.split_places`):
    the first is its location and the others further ones, whose problems say which
    place they are about ("place 2 of 3: …"). A problem with a feed's further location
    is reported in the column ``other_locations``, saying so.
    """
    flat: list[Place] = []
    owners: list[int] = []
    labels: list[tuple[str, str]] = []  # (prefix of a problem's reason, field it moves to)
    for position, (place, more) in enumerate(zip(places, others, strict=True)):
        listed = split_places(place)
        flat += (*listed, *(Place(*other) for other in more))
        owners += [position] * (len(listed) + len(more))
        labels += [("", "")] + [
            (f"place {k} of {len(listed)} listed: ", "") for k in range(2, len(listed) + 1)
        ]
        labels += [("another location of the service: ", FIELD_OTHER_LOCATIONS)] * len(more)
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
        prefix, field_name = labels[finding.position]
        if prefix:
            moved = replace(moved, field=field_name or moved.field, reason=prefix + moved.reason)
        findings.setdefault(moved.position, []).append(moved)
    postcodes = [code for code, first in zip(located.postcode, is_first, strict=True) if first]
    return RowsLocated(points, postcodes, findings)


def _postcode_points(
    postcodes: Sequence[str], shape: AreaShape
) -> tuple[list[str], list[tuple[float, float] | None], np.ndarray, list[Finding]]:
    """Each postcode normalised and looked up (each distinct text once): its standard
    form, point, whether the point is a district's approximate one, and its problem."""
    cache: dict[str, Looked] = {}
    normalised: list[str] = []
    points: list[tuple[float, float] | None] = []
    approximate = np.zeros(len(postcodes), dtype=bool)
    findings: list[Finding] = []
    for position, text in enumerate(postcodes):
        text = text.strip()
        if text not in cache:
            cache[text] = lookup_postcode_text(text, shape.postcodes)
        looked = cache[text]
        normalised.append(looked.code)
        points.append(looked.point)
        approximate[position] = looked.approximate
        if looked.issue is not None:
            findings.append(looked.issue.at(position, POSTCODE))
    return normalised, points, approximate, findings


def _near_boundary(
    easting: np.ndarray,
    northing: np.ndarray,
    *,
    inside: np.ndarray,
    by_coordinates: np.ndarray,
    shown: Sequence[str],
    postcodes: Sequence[str],
    shape: AreaShape,
) -> list[Finding]:
    """A warning for each point counted inside that lies outside the boundary itself, with
    its distance: the margin decides that it counts as inside, not whether it is told."""
    candidates = np.flatnonzero(inside & ~np.isnan(easting))
    if not len(candidates):
        return []
    within = shapely.contains_xy(shape.outline, easting[candidates], northing[candidates])
    found = []
    for position in candidates[~within]:
        point = shapely.Point(easting[position], northing[position])
        gap_m = float(shapely.distance(shape.outline, point))
        coordinates = bool(by_coordinates[position])
        issue = Issue(
            "near_boundary",
            shown[position] if coordinates else postcodes[position].strip(),
            f"the point lies {_distance(gap_m)} outside the boundary of {shape.name}, within "
            f"the {_distance(shape.margin_m)} margin for points on the edge, so it counts "
            "as in the area",
            "check the location if the service is not in the area; a point beyond the "
            "margin would count as outside it",
        )
        found.append(issue.at(int(position), FIELD_LATITUDE if coordinates else POSTCODE))
    return found


def _shown(lat_text: str, lon_text: str, *, whole: bool) -> str:
    """The coordinates as a message shows them: the one cell holding the whole point, or both."""
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if whole:
        return lat_text or lon_text
    return f"{lat_text}, {lon_text}"


def _distance(metres: float) -> str:
    """A distance in words: '240 m' under a kilometre, else '1.3 km'."""
    return f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:,.1f} km"


def _pair_order(position: int, shown: str, point: Point, examples: AreaExamples) -> Finding:
    """The warning for a point in one cell read in the other order than its form's usual one."""
    lat_first = point.form == "pair"
    usual, read = ("latitude, longitude", "longitude, latitude")[:: 1 if lat_first else -1]
    example = (
        f"{examples.lat:.4f}, {examples.lon:.4f}"
        if lat_first
        else f"POINT({examples.lon:.4f} {examples.lat:.4f})"
    )
    issue = Issue(
        "pair_order",
        shown,
        f"the numbers are read as {read} (not {usual}, the usual order of this form): only "
        "in that order does the point lie in the UK",
        f"write the point as {usual}, e.g. {example}",
    )
    return issue.at(position, FIELD_LATITUDE)


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
        OUTSIDE_AREA,
        shown,
        f"the point lies {distance_km:,.1f} km outside {shape.name}"
        + (POSTCODE_FALLBACK if fallback else ""),
        f"check the coordinates ({shape.examples.about} in {shape.name}), or load the "
        "area that holds the service with --area",
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
