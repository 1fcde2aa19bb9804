"""What the loaded area's own data tells the importer: its postcodes, districts, examples.

Geocoding is offline: a postcode is looked up in the area's postcode table (only the
area's own postcodes). What that table can honestly say of a postcode it lacks is whether
its district has postcodes in the area (then it is new, retired, mistyped, or just over
the boundary) or none (then it is in another area) — see
`analysis.geography.not_in_table_detail`. A postcode district or sector alone ('BS13',
'BS13 7') is placed approximately, at the centroid of the area's postcodes in it.

Messages give examples from the area in use, never from another: a real postcode of
the area and its coordinates (`analysis.geography.AreaSet.example_postcode`), the middle
of the area, and two of its ward names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

import pandas as pd

from analysis.errors import PostcodeFormatError
from analysis.geography import (
    AreaSet,
    normalise_postcode,
    not_in_table_detail,
    partial_postcode,
    postcode_district,
)
from analysis.ingest.import_report import Issue
from analysis.model import EASTING, LAT, LON, NORTHING, POSTCODE, WARD_NAME

APPROXIMATE: Final = "approximate_location"
"""The code of a location placed at a district's or sector's centroid."""
_EXAMPLE_WARDS: Final = 2


class PartialPoint(NamedTuple):
    """Where a postcode district or sector is: the centroid of the area's postcodes in it.

    Attributes
    ----------
    easting, northing
        The centroid in EPSG:27700 (mean of the postcode points).
    count
        How many of the area's postcodes it holds.
    example
        One of them (the first in order), for messages.
    """

    easting: float
    northing: float
    count: int
    example: str


@dataclass(frozen=True)
class AreaExamples:
    """Examples for messages, from the area's own data.

    Attributes
    ----------
    postcode
        A real postcode of the area (``""`` when it has no postcode table).
    lat, lon
        That postcode's coordinates (else the middle of the area), WGS84 degrees.
    typical_lat, typical_lon
        The middle of the area (mean of its postcodes' points), WGS84 degrees.
    wards
        A few of its ward names.
    """

    postcode: str
    lat: float
    lon: float
    typical_lat: float
    typical_lon: float
    wards: tuple[str, ...] = ()

    @property
    def coordinates(self) -> str:
        """'latitude 51.4602 and longitude -2.5885': an example point in words."""
        return f"latitude {self.lat:.4f} and longitude {self.lon:.4f}"

    @property
    def about(self) -> str:
        """'latitude about 51.46 and longitude about -2.59': the area's typical values."""
        return f"latitude about {self.typical_lat:.2f} and longitude about {self.typical_lon:.2f}"

    @property
    def ward_list(self) -> str:
        """Two ward names as a list to write: 'Ashley; Avonmouth and Lawrence Weston'."""
        return "; ".join(self.wards)


@dataclass(frozen=True)
class PostcodeIndex:
    """The area's postcodes prepared for looking up many (EPSG:27700).

    Attributes
    ----------
    area_name
        The authority's name.
    points
        Normalised postcode -> (easting, northing).
    partial
        Postcode district ('BS13') and sector ('BS13 7') -> its `PartialPoint`.
    districts
        District -> how many of the area's postcodes it holds.
    districts_text
        The districts in words ('BS1–BS11, BS13–BS16').
    example
        A real postcode of the area.
    """

    area_name: str
    points: dict[str, tuple[float, float]]
    partial: dict[str, PartialPoint] = field(default_factory=dict)
    districts: Mapping[str, int] = field(default_factory=dict)
    districts_text: str = ""
    example: str = ""


class Looked(NamedTuple):
    """A postcode cell looked up: its standard form, its point, and what is wrong."""

    code: str
    point: tuple[float, float] | None
    issue: Issue | None
    approximate: bool = False


def area_examples(area: AreaSet) -> AreaExamples:
    """The examples messages give for ``area``."""
    typical_lon, typical_lat = area.typical_lonlat
    postcode = area.example_postcode
    lat, lon = typical_lat, typical_lon
    if postcode:
        row = area.postcodes.loc[postcode]
        lat, lon = float(row[LAT]), float(row[LON])
    wards = tuple(str(name) for name in sorted(area.wards[WARD_NAME])[:_EXAMPLE_WARDS])
    return AreaExamples(postcode, lat, lon, typical_lat, typical_lon, wards)


def postcode_index(area: AreaSet) -> PostcodeIndex:
    """The area's postcode table as a `PostcodeIndex`: points, district and sector centroids."""
    table = area.postcodes
    codes = table.index.astype(str)
    points = dict(
        zip(
            codes,
            zip(table[EASTING].astype(float), table[NORTHING].astype(float), strict=True),
            strict=True,
        )
    )
    return PostcodeIndex(
        area_name=area.name,
        points=points,
        partial=_partial_points(table),
        districts=area.postcode_districts,
        districts_text=area.districts_text,
        example=area.example_postcode,
    )


def _partial_points(table: pd.DataFrame) -> dict[str, PartialPoint]:
    """District and sector -> the centroid of the area's postcodes in it."""
    if table.empty:
        return {}
    codes = table[POSTCODE].astype(str)
    district = codes.str.split(" ").str[0]
    sector = district + " " + codes.str.split(" ").str[1].str[0]
    found: dict[str, PartialPoint] = {}
    for keys in (district, sector):
        grouped = table.assign(_key=keys.to_numpy(), _code=codes.to_numpy()).groupby("_key")
        summary = grouped.agg(
            **{
                EASTING: (EASTING, "mean"),
                NORTHING: (NORTHING, "mean"),
                "_n": (EASTING, "size"),
                "_first": ("_code", "min"),
            }
        )
        for key, row in summary.iterrows():
            found[str(key)] = PartialPoint(
                float(row[EASTING]), float(row[NORTHING]), int(row["_n"]), str(row["_first"])
            )
    return found


def lookup_postcode_text(text: str, index: PostcodeIndex) -> Looked:
    """A postcode cell: its standard form, point, and problem (see the module's docstring)."""
    if not text:
        return Looked("", None, None)
    try:
        code = normalise_postcode(text)
    except PostcodeFormatError:
        partial = partial_postcode(text)
        if partial is not None:
            return _partial(text, partial, index)
        fix = f"write a full postcode{_such_as(index.example)}, or give latitude and longitude"
        return Looked("", None, Issue("bad_postcode", text, "not a UK postcode", fix))
    point = index.points.get(code)
    if point is not None:
        return Looked(code, point, None)
    detail = _detail(code, index)
    if postcode_district(code) in index.districts:
        reason = f"not in the postcode table of {index.area_name}: {detail}"
        fix = "check it for typos, or give latitude and longitude"
    else:
        reason = detail
        fix = (
            "check it for typos; for a service in another area, load that area with --area "
            "(a service located elsewhere does not serve this one unless its area served "
            "says so)"
        )
    return Looked(code, None, Issue("postcode_not_found", text, reason, fix))


def _partial(text: str, partial: str, index: PostcodeIndex) -> Looked:
    """A district or sector alone: its centroid in the area, flagged approximate."""
    kind = "sector" if " " in partial else "district"
    found = index.partial.get(partial)
    if found is None:
        reason = f"only a postcode {kind}, and {_detail(partial, index, subject='it')}"
        fix = f"give the full postcode{_such_as(index.example)}, or latitude and longitude"
        return Looked("", None, Issue("postcode_not_found", text, reason, fix))
    reason = (
        f"{partial} is a postcode {kind}, not a full postcode: the point used is the "
        f"centroid of its {found.count:,} postcode(s) in {index.area_name}, an approximate "
        "location"
    )
    fix = f"give the full postcode (e.g. {found.example}) or the coordinates for the exact place"
    point = (found.easting, found.northing)
    return Looked(partial, point, Issue(APPROXIMATE, text, reason, fix), approximate=True)


def _detail(code: str, index: PostcodeIndex, *, subject: str = "this postcode") -> str:
    return not_in_table_detail(
        code,
        area_name=index.area_name,
        districts=index.districts,
        districts_text=index.districts_text,
        subject=subject,
    )


def _such_as(example: str) -> str:
    return f" such as {example}" if example else ""
