"""Each service's area served: which kind a row asks for, then its polygon in EPSG:27700.

The data model's four kinds (DESIGN.md):

- ``at_location``: a circle around the service's location, of the default catchment of
  its **first** listed category (``catchment_km`` in the taxonomy; a fixed default when it
  has none). A service with several locations (Open Referral UK) covers the union of the
  circles around them.
- ``radius_km``: a circle of the given radius around the location (or locations).
- ``wards``: the union of the listed wards.
- ``citywide``: the union of every ward of the area.

`resolve_area` reads a row's ``area_served`` and ``area_value`` cells into an `AreaChoice`;
`build_area_served` draws the choices. A service whose area needs a point but has none
gets an empty polygon: it covers nobody until it is given a location (flagged
``no_location``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from analysis.ingest.area_lookup import lookup_postcode_text
from analysis.ingest.cells import Issues, Terms, cell_text, parse_radius_km, word_keys
from analysis.ingest.fields import word_list
from analysis.ingest.import_report import Finding, Issue
from analysis.ingest.locate import AreaShape
from analysis.ingest.mapping import header_key
from analysis.ingest.place_cells import OUTSIDE_AREA, POSTCODE_FALLBACK
from analysis.model import (
    AREA_SERVED_KINDS,
    AT_LOCATION,
    CIRCLE_KINDS,
    CITYWIDE,
    CRS_COMPUTE,
    ERROR,
    FIELD_AREA_SERVED,
    POSTCODE,
    RADIUS_KM,
    REMOTE_MODES,
    WARDS,
    WARNING,
    AreaServedKind,
    DeliveryMode,
)
from analysis.taxonomy import Taxonomy

REMOTE_OUTSIDE_AREA: Final = "remote_outside_area"
"""The code of a phone or online service based outside the area (`remote_elsewhere`)."""
# Segments per quarter circle: 8 gives a 32-gon whose area is within 0.7 % of the circle's.
QUAD_SEGMENTS = 8

_AREA_WORDS: Final[dict[AreaServedKind, str]] = {
    AT_LOCATION: "at location, location, local, catchment, at venue, venue",
    RADIUS_KM: "radius, radius km, within radius, distance",
    WARDS: "ward, ward list, listed wards",
    CITYWIDE: "city wide, whole city, all, everywhere, whole area",
}
_AREA_KEYS: Final = word_keys(AREA_SERVED_KINDS, _AREA_WORDS)
# Words in area_value that mean the whole area (besides the authority's own names).
_CITYWIDE_KEYS: Final = frozenset(
    header_key(word)
    for word in (
        CITYWIDE,
        *word_list(
            "city wide, whole city, the whole city, all, all wards, all areas, everywhere, "
            "whole area, borough wide, county wide, district wide, national, nationwide, uk, "
            "uk wide, united kingdom, england, england wide, great britain, south west, "
            "south west england, regional"
        ),
    )
)
_WARD_PIECES: Final = re.compile(r"[;,|/\n]+")
_KINDS_LISTED: Final = ", ".join(AREA_SERVED_KINDS)


@dataclass(frozen=True)
class AreaChoice:
    """The area served that a row asks for, as far as its cells decide it.

    Attributes
    ----------
    kind
        The kind of area; None when the row cannot have one (the row is rejected).
    ward_codes
        The wards of a ``wards`` area, in the order named.
    radius_km
        The radius of a ``radius_km`` area; NaN for the other kinds.
    needs_point
        True when the row says it serves a circle: then an unusable location rejects it.
    issues
        What was wrong; an issue without a field is about ``area_value``.
    """

    kind: AreaServedKind | None
    ward_codes: tuple[str, ...] = ()
    radius_km: float = math.nan
    needs_point: bool = False
    issues: Issues = ()


def resolve_area(
    kind_text: str,
    value: str | Terms,
    *,
    delivery: Sequence[DeliveryMode],
    has_point: bool,
    has_location_problem: bool,
    shape: AreaShape,
) -> AreaChoice:
    """The area served of one row, from its ``area_served`` and ``area_value`` cells.

    Parameters
    ----------
    kind_text
        The row's area_served, as written.
    value
        Its area_value: text, or the names a feed lists for its service areas.
    delivery
        Its delivery modes.
    has_point
        True when the row has a usable location.
    has_location_problem
        True when it gives a location that cannot be used (reported by geocoding).
    shape
        The area (`analysis.ingest.locate.area_shape`).

    Notes
    -----
    Area served, when the row does not say: a numeric value alone means ``radius_km``;
    ward names alone mean ``wards``; the authority's name or words such as 'citywide' or
    'national' mean ``citywide``; otherwise ``citywide`` for services delivered only by
    phone and/or online, and ``at_location`` for the others. An in-person service with no
    usable location and no area is kept with an empty area and flagged ``no_location``.
    """
    default = CITYWIDE if set(delivery) <= set(REMOTE_MODES) else AT_LOCATION
    if not kind_text:
        choice = _inferred(value, shape, default=default)
    elif (kind := _AREA_KEYS.get(header_key(kind_text))) is not None:
        choice = _given(kind, value, shape)
    elif (described := _described(kind_text, value, shape)) is not None:
        # "Service area: Easton; Lawrence Hill": the column gives the area, not its kind.
        choice = described
    else:
        fix = f"use one of: {_KINDS_LISTED} (or leave it empty)"
        issue = Issue(
            "unknown_area_kind",
            kind_text,
            "not a kind of area served",
            fix,
            ERROR,
            field=FIELD_AREA_SERVED,
        )
        return AreaChoice(None, issues=(issue,))
    if choice.kind not in CIRCLE_KINDS:
        return choice
    explicit = bool(kind_text) or choice.kind == RADIUS_KM
    return _with_location(choice, explicit, has_point, has_location_problem)


def is_citywide(text: str, shape: AreaShape) -> bool:
    """True when ``text`` names the whole area: its authority, or 'citywide', 'national'…."""
    key = header_key(text)
    return key in _CITYWIDE_KEYS or key in shape.authority_keys


def match_wards(value: str | Terms, shape: AreaShape) -> tuple[tuple[str, ...], Terms]:
    """Codes of the wards a value names (by name or code, 'ward' at the end ignored), and
    the names that are no ward of the area."""
    codes: dict[str, None] = {}
    unmatched: list[str] = []
    for listed in value if isinstance(value, tuple) else (value,):
        for piece in (piece.strip() for piece in _WARD_PIECES.split(listed)):
            key = header_key(piece)
            code = shape.ward_keys.get(key) or shape.ward_keys.get(re.sub(r"ward$", "", key))
            if code is not None:
                codes[code] = None
            elif piece:  # separators side by side leave empty pieces: nothing was named
                unmatched.append(piece)
    return tuple(codes), tuple(unmatched)


def catchment_m(
    choice: AreaChoice,
    category_ids: Sequence[str],
    *,
    taxonomy: Taxonomy,
    uncategorised_catchment_km: float,
) -> float:
    """Radius of the circle an area is drawn as, in metres; NaN for wards and citywide.

    ``at_location`` takes the catchment of the service's first category.
    """
    if choice.kind == AT_LOCATION:
        ids = category_ids
        km = taxonomy.get(ids[0]).catchment_km if ids else uncategorised_catchment_km
        return km * 1000.0
    if choice.kind == RADIUS_KM:
        return choice.radius_km * 1000.0
    return math.nan


def _inferred(value: str | Terms, shape: AreaShape, *, default: AreaServedKind) -> AreaChoice:
    """The area of a row that leaves area_served empty, read from its area_value."""
    text = cell_text(value)
    if not text:
        return AreaChoice(default)
    if parse_radius_km(text) is not None:
        return _radius(text)
    if is_citywide(text, shape):
        return AreaChoice(CITYWIDE)
    codes, unmatched = match_wards(value, shape)
    if codes:
        return AreaChoice(WARDS, codes, issues=_unmatched_wards(unmatched, shape))
    used = CITYWIDE if default == CITYWIDE else "around the location"
    issue = Issue(
        "area_not_understood",
        text,
        f"names no ward of the area and no radius; the default area is used ({used})",
        f"set {FIELD_AREA_SERVED} to one of {_KINDS_LISTED}, and list ward names separated by ';'",
    )
    return AreaChoice(default, issues=(issue,))


def _described(kind_text: str, value: str | Terms, shape: AreaShape) -> AreaChoice | None:
    """The area a row's area_served describes in words (wards, 'citywide', '2 miles')
    when its area_value is empty; None when the words name no area."""
    if cell_text(value):
        return None
    choice = _inferred(kind_text, shape, default=AT_LOCATION)
    return None if choice.kind == AT_LOCATION else choice


def _given(kind: AreaServedKind, value: str | Terms, shape: AreaShape) -> AreaChoice:
    """The area of a row whose area_served names ``kind``, with its area_value."""
    text = cell_text(value)
    if kind == WARDS:
        codes, unmatched = match_wards(value, shape)
        if codes:
            return AreaChoice(WARDS, codes, issues=_unmatched_wards(unmatched, shape))
        issue = Issue(
            "no_ward_matched",
            text,
            f"names no ward of {shape.name}" if text else "no wards are listed",
            f"list ward names or codes separated by ';', e.g. '{shape.examples.ward_list}'",
            ERROR,
        )
        return AreaChoice(None, issues=(issue,))
    if kind == RADIUS_KM:
        return _radius(text)
    ignored = bool(text) and not (kind == CITYWIDE and is_citywide(text, shape))
    issues = (_value_ignored(text, kind),) if ignored else ()
    return AreaChoice(kind, issues=issues)


def _radius(text: str) -> AreaChoice:
    """A ``radius_km`` area of the radius ``text`` gives; rejected when it gives none above 0."""
    radius = parse_radius_km(text)
    if radius is not None and radius > 0:
        return AreaChoice(RADIUS_KM, radius_km=radius)
    issue = Issue(
        "bad_radius",
        text,
        f"area served is {RADIUS_KM} but this is not a radius above 0",
        "write the radius in kilometres, e.g. 2",
        ERROR,
    )
    return AreaChoice(None, issues=(issue,))


def _value_ignored(text: str, kind: AreaServedKind) -> Issue:
    """The warning for a value given with a kind that takes none."""
    return Issue(
        "area_value_ignored",
        text,
        f"area served is {kind}, which takes no value; the value is ignored",
        f"use {RADIUS_KM} for a radius of your own or {WARDS} for a list of wards, or clear "
        "the value",
    )


def _unmatched_wards(unmatched: Terms, shape: AreaShape) -> Issues:
    """One warning per name that is no ward of the area (the others are used)."""
    fix = (
        f"check the spelling against the ward names of {shape.name} (such as "
        f"'{shape.examples.ward_list}'), or use the ward code (E05…)"
    )
    reason = "is not a ward of the area and is left out"
    return tuple(Issue("unmatched_wards", piece, reason, fix) for piece in unmatched)


def _with_location(
    choice: AreaChoice, explicit: bool, has_point: bool, has_location_problem: bool
) -> AreaChoice:
    """A circle's choice, told whether it needs its point, and why a missing one matters.

    A row that asks for a circle needs a point: without one it is rejected (for an
    unusable location, by its location problem made an error). A row that asks for
    nothing is kept, flagged: it covers nobody until it has a location.
    """
    choice = replace(choice, needs_point=explicit)
    if has_point or (explicit and has_location_problem):
        return choice
    if explicit:
        reason = f"area served is {choice.kind} but the row has no postcode or coordinates"
        fix = (
            f"give a postcode (or latitude and longitude), or set {FIELD_AREA_SERVED} to "
            f"{WARDS} or {CITYWIDE}"
        )
    elif has_location_problem:
        reason = "no usable location and no area served"
        fix = f"correct the location, or give an area served ({WARDS} or {CITYWIDE})"
    else:
        reason = "no postcode or coordinates and no area served"
        fix = (
            f"give a postcode (or latitude and longitude), or an area served ({WARDS} or "
            f"{CITYWIDE})"
        )
    if not explicit:
        reason += ": the service is kept, but covers nobody until it has one"
    severity = ERROR if explicit else WARNING
    issue = Issue("no_location", "", reason, fix, severity, field=POSTCODE)
    return replace(choice, issues=(*choice.issues, issue))


def remote_elsewhere(
    problems: Sequence[Finding],
    *,
    delivery: Sequence[DeliveryMode],
    kind: AreaServedKind | None,
    shape: AreaShape,
) -> list[Finding]:
    """A row's location problems, those of a phone or online service based outside the
    area told as such.

    A service delivered only by phone and/or online whose area is the whole area
    (``citywide``, its default) and whose place lies outside the area — its point beyond
    the margin, or a postcode of another area — is a remote option for the area's
    residents, not provision located here: its ``outside_area`` or ``postcode_not_found``
    warning becomes ``remote_outside_area``, naming the place and the distance, and the
    service is counted as remote (`analysis.provision.coverage.is_remote`), never as a
    local one.
    """
    if kind != CITYWIDE or not delivery or not set(delivery) <= set(REMOTE_MODES):
        return list(problems)
    return [
        _remote(finding, shape) if _is_elsewhere(finding, shape) else finding
        for finding in problems
    ]


def _is_elsewhere(finding: Finding, shape: AreaShape) -> bool:
    """True for a place outside the area: a point beyond the margin whose postcode does
    not stand in for it, or a postcode whose district is not the area's."""
    if finding.code == OUTSIDE_AREA:
        return not finding.reason.endswith(POSTCODE_FALLBACK)
    if finding.code == "postcode_not_found":
        looked = lookup_postcode_text(finding.value, shape.postcodes)
        district = looked.code.split(" ")[0]
        return bool(district) and district not in shape.postcodes.districts
    return False


def _remote(finding: Finding, shape: AreaShape) -> Finding:
    return replace(
        finding,
        code=REMOTE_OUTSIDE_AREA,
        reason=(
            f"a phone or online service based outside the area ({finding.reason}): it is "
            f"counted as a remote option for all of {shape.name}, not as provision located here"
        ),
        fix=(
            "nothing, if people anywhere in the area can use it; if it serves only part of "
            f"the area, give its {FIELD_AREA_SERVED} (wards); if it is in person, say so in "
            "delivery"
        ),
    )


def build_area_served(
    kinds: Sequence[str],
    *,
    points: Sequence[Sequence[tuple[float, float]]],
    radius_m: Sequence[float],
    ward_codes: Sequence[Sequence[str]],
    shape: AreaShape,
) -> gpd.GeoSeries:
    """Build the area served of each service.

    Parameters
    ----------
    kinds
        Area-served kind per service (`analysis.model.AREA_SERVED_KINDS`).
    points
        Per service, its points (easting, northing) in EPSG:27700; may be empty.
    radius_m
        Per service, the circle's radius in metres (used by the circle kinds).
    ward_codes
        Per service, the ward codes it serves (used by ``wards``).
    shape
        The area's outline and ward polygons (`analysis.ingest.locate.area_shape`).

    Returns
    -------
    geopandas.GeoSeries
        One polygon per service in EPSG:27700, positionally aligned with the inputs.

    Raises
    ------
    ValueError
        When a kind is unknown, a ward code is not one of the area's, or a circle's
        radius is not a positive number.

    Notes
    -----
    Circles are 32-sided polygons (area within 0.7 % of the true circle). Identical ward
    lists share one geometry object, and every citywide service shares the outline.
    """
    count = len(kinds)
    geometries = np.empty(count, dtype=object)
    single = [i for i in range(count) if kinds[i] in CIRCLE_KINDS and len(points[i]) == 1]
    if single:
        # One call draws every single-point circle: most services have one location.
        radii = np.asarray([radius_m[i] for i in single], dtype=float)
        _check_radius(single, radii)
        centres = shapely.points(np.asarray([points[i][0] for i in single], dtype=float))
        geometries[single] = shapely.buffer(centres, radii, quad_segs=QUAD_SEGMENTS)
    ward_cache: dict[tuple[str, ...], BaseGeometry] = {}
    for i in sorted(set(range(count)) - set(single)):
        if kinds[i] in CIRCLE_KINDS:
            geometries[i] = _circles(i, points[i], float(radius_m[i]))
        elif kinds[i] == WARDS:
            geometries[i] = _wards_union(i, ward_codes[i], shape, ward_cache)
        elif kinds[i] == CITYWIDE:
            geometries[i] = shape.outline
        else:
            raise ValueError(f"service {i} has unknown area kind {kinds[i]!r}")
    return gpd.GeoSeries(geometries, crs=CRS_COMPUTE)


def _check_radius(services: Sequence[int], radii: np.ndarray) -> None:
    bad = ~np.isfinite(radii) | (radii <= 0)
    if bad.any():
        raise ValueError(f"service {services[int(np.argmax(bad))]} has no positive radius")


def _circles(i: int, points: Sequence[tuple[float, float]], radius: float) -> BaseGeometry:
    """The union of the circles around a service's points; empty when it has none."""
    if not points:
        return Polygon()
    _check_radius([i], np.asarray([radius]))
    centres = shapely.points(np.asarray(points))
    return shapely.union_all(shapely.buffer(centres, radius, quad_segs=QUAD_SEGMENTS))


def _wards_union(
    i: int,
    codes: Sequence[str],
    shape: AreaShape,
    cache: dict[tuple[str, ...], BaseGeometry],
) -> BaseGeometry:
    key = tuple(sorted(codes))
    if key not in cache:
        unknown = [code for code in key if code not in shape.ward_polygons]
        if unknown or not key:
            raise ValueError(f"service {i} lists unknown wards {unknown or '(none)'}")
        cache[key] = shapely.union_all([shape.ward_polygons[code] for code in key])
    return cache[key]
