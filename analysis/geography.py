"""Reference geography of one area: load it, normalise postcodes, place postcodes and points.

An area folder (made by ``python -m analysis build-area``) holds wards.geojson,
neighbourhoods.geojson, postcodes.csv, area.json and ATTRIBUTION.md. Files are stored in
WGS84 (EPSG:4326); `load_area` returns frames in British National Grid (EPSG:27700).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis import settings
from analysis.crs import bng_to_lonlat, ensure_crs, lonlat_to_bng
from analysis.errors import (
    AreaDataError,
    PointOutsideAreaError,
    PostcodeFormatError,
    PostcodeNotInAreaError,
)
from analysis.model import (
    CRS_COMPUTE,
    CRS_DISPLAY,
    EASTING,
    LAT,
    LON,
    LSOA_CODE,
    NORTHING,
    POPULATION_COLUMNS,
    POSTCODE,
    WARD_CODE,
    WARD_NAME,
)

AREA_FILES = ("wards.geojson", "neighbourhoods.geojson", "area.json", "ATTRIBUTION.md")
AREA_COUNTS = {
    "wards": "wards.geojson",
    "neighbourhoods": "neighbourhoods.geojson",
    "postcodes": "postcodes.csv",
}
"""The counts in ``area.json`` and the file each counts the rows of."""
POSTCODE_COLUMNS = (POSTCODE, LAT, LON, EASTING, NORTHING, WARD_CODE, LSOA_CODE)

_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
_DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_DISTRICT_PARTS = re.compile(r"([A-Z]{1,2})([0-9]+)")
_SECTOR = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)\s+([0-9])")
# Districts listed in a message before the list is cut short.
_DISTRICTS_SHOWN = 12


def default_area_path() -> Path:
    """The bundled Bristol area set (`analysis.settings.DEFAULT_AREA_PATH`)."""
    return settings.DEFAULT_AREA_PATH


@dataclass(frozen=True)
class AreaSet:
    """Wards, neighbourhoods and postcodes of one local authority (EPSG:27700)."""

    lad_code: str
    name: str
    wards: gpd.GeoDataFrame
    neighbourhoods: gpd.GeoDataFrame
    postcodes: pd.DataFrame
    meta: dict
    attribution: str

    @cached_property
    def ward_names(self) -> dict[str, str]:
        """Ward code -> ward name."""
        return dict(zip(self.wards[WARD_CODE], self.wards[WARD_NAME], strict=True))

    def ward_name(self, ward_code: str) -> str:
        """The name of ``ward_code``."""
        return self.ward_names[ward_code]

    @cached_property
    def postcode_districts(self) -> dict[str, int]:
        """Postcode district (outward code, e.g. ``"BS13"``) -> how many of the area's
        postcodes it holds."""
        districts = self.postcodes[POSTCODE].astype(str).str.split(" ").str[0]
        return {str(k): int(v) for k, v in districts.value_counts().sort_index().items()}

    @cached_property
    def example_postcode(self) -> str:
        """A real postcode of the area for messages: the one nearest the middle of its
        postcodes (``""`` when the area has no postcode table)."""
        table = self.postcodes
        if table.empty:
            return ""
        gap = (table[EASTING] - table[EASTING].mean()) ** 2 + (
            table[NORTHING] - table[NORTHING].mean()
        ) ** 2
        return str(table[POSTCODE].iloc[int(gap.to_numpy().argmin())])

    @cached_property
    def typical_lonlat(self) -> tuple[float, float]:
        """(lon, lat) of the middle of the area in WGS84: the mean of its postcodes' points,
        else the centroid of its wards; what "about" a coordinate is in messages."""
        if not self.postcodes.empty:
            return float(self.postcodes[LON].mean()), float(self.postcodes[LAT].mean())
        centre = self.wards.union_all().centroid
        lon, lat = bng_to_lonlat(centre.x, centre.y)
        return float(lon), float(lat)

    @cached_property
    def districts_text(self) -> str:
        """The area's postcode districts in words, runs joined: ``"BS1–BS11, BS13–BS16"``."""
        return describe_districts(self.postcode_districts)


@dataclass(frozen=True)
class PostcodeLocation:
    """Where a postcode is: its point (both CRSs), ward and neighbourhood."""

    postcode: str
    ward_code: str
    ward_name: str
    lsoa_code: str
    lat: float
    lon: float
    easting: float
    northing: float

    def as_dict(self) -> dict:
        """The public fields, as the CLI prints them."""
        keys = (POSTCODE, WARD_CODE, WARD_NAME, LSOA_CODE, LAT, LON)
        return {key: getattr(self, key) for key in keys}


def rebuild_hint(folder: Path, *, verb: str = "rebuild") -> str:
    """The command that (re)builds the area folder ``folder``, as a fix to suggest."""
    if folder.resolve() == default_area_path().resolve():
        return f"{verb} it with 'make area' (or restore the folder from the repository)"
    return (
        f"{verb} it with 'python -m analysis build-area --source RAW_FOLDER --lad CODE "
        f"--out {folder}', or pass --area another built folder"
    )


def _damaged(folder: Path, name: str, what: str) -> AreaDataError:
    return AreaDataError(
        f"the reference data in {folder} is damaged: {name} {what}. Fix: {rebuild_hint(folder)}."
    )


def _read_meta(folder: Path) -> dict:
    try:
        meta = json.loads((folder / "area.json").read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(folder, "area.json", "is not valid JSON") from error
    counts = meta.get("counts") if isinstance(meta, dict) else None
    if not (
        isinstance(meta, dict)
        and all(isinstance(meta.get(key), str) for key in ("lad_code", "name"))
        and isinstance(counts, dict)
        and all(isinstance(counts.get(key), int) for key in AREA_COUNTS)
    ):
        raise _damaged(
            folder, "area.json", f"lacks lad_code, name or counts of {', '.join(AREA_COUNTS)}"
        )
    return meta


def _read_layer(folder: Path, name: str, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    try:
        gdf = gpd.read_file(folder / name, engine="pyogrio")
    except Exception as error:  # pyogrio raises its own errors for truncated or empty files
        raise _damaged(folder, name, "could not be read as GeoJSON") from error
    _check_columns(folder, name, gdf, columns)
    geometry = gdf.geometry
    broken = int((geometry.isna() | geometry.is_empty | ~geometry.is_valid).sum())
    if broken:
        raise _damaged(folder, name, f"has {broken} missing or invalid boundaries")
    ensure_crs(gdf, CRS_DISPLAY, name=name)
    return gdf.to_crs(CRS_COMPUTE)


def _check_columns(folder: Path, name: str, frame: pd.DataFrame, columns: tuple[str, ...]):
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise _damaged(folder, name, f"lacks the column(s) {', '.join(missing)}")


def _read_postcodes(folder: Path, expected: int) -> pd.DataFrame:
    path = folder / "postcodes.csv"
    if not path.is_file():
        if expected:
            raise _damaged(folder, "postcodes.csv", f"is missing (area.json counts {expected:,})")
        return pd.DataFrame(columns=list(POSTCODE_COLUMNS))
    try:
        postcodes = pd.read_csv(path, dtype={POSTCODE: str, WARD_CODE: str, LSOA_CODE: str})
    except Exception as error:  # garbage bytes, a cut-off quote: pandas raises many kinds
        raise _damaged(folder, "postcodes.csv", "could not be read as CSV") from error
    _check_columns(folder, "postcodes.csv", postcodes, POSTCODE_COLUMNS)
    coordinates = postcodes[[LAT, LON, EASTING, NORTHING]].apply(pd.to_numeric, errors="coerce")
    if coordinates.isna().any().any():
        raise _damaged(folder, "postcodes.csv", "has rows without valid coordinates")
    return postcodes.astype({column: float for column in (LAT, LON, EASTING, NORTHING)})


def _check_counts(folder: Path, meta: dict, found: dict[str, int]) -> None:
    for key, name in AREA_COUNTS.items():
        expected = meta["counts"][key]
        if found[key] != expected:
            raise _damaged(
                folder, name, f"holds {found[key]:,} rows where area.json counts {expected:,}"
            )


def _check_links(folder: Path, wards, neighbourhoods, postcodes) -> None:
    """Every neighbourhood and postcode names a known ward; postcodes reach every ward."""
    codes = set(wards[WARD_CODE])
    if len(codes) != len(wards):
        raise _damaged(folder, "wards.geojson", "repeats a ward code")
    strays = sorted(set(neighbourhoods[WARD_CODE]) - codes)
    if strays:
        raise _damaged(
            folder, "neighbourhoods.geojson", f"names unknown wards ({', '.join(strays[:3])})"
        )
    if postcodes.empty:
        return
    strays = sorted(set(postcodes[WARD_CODE]) - codes)
    if strays:
        raise _damaged(folder, "postcodes.csv", f"names unknown wards ({', '.join(strays[:3])})")
    bare = sorted(codes - set(postcodes[WARD_CODE]))
    if bare:
        raise _damaged(folder, "postcodes.csv", f"has no postcode in ward(s) {', '.join(bare[:3])}")


def load_area(path: Path | str | None = None) -> AreaSet:
    """Load an area folder and check it; frames come back in EPSG:27700.

    The checks: every file is there and readable, has its columns and as many rows as
    ``area.json`` counts; boundaries are valid; every neighbourhood and postcode names a
    known ward and every ward has postcodes. A damaged folder stops here with the file
    named, rather than giving maps with gaps that are not real.

    Raises
    ------
    AreaDataError
        When the folder or one of its files is missing or damaged; the message names the
        file and the command that rebuilds it.
    """
    folder = Path(path) if path is not None else default_area_path()
    missing = [name for name in AREA_FILES if not (folder / name).is_file()]
    if missing:
        raise AreaDataError(
            f"area folder {folder} lacks {', '.join(missing)}. "
            f"Fix: {rebuild_hint(folder, verb='build')}."
        )
    meta = _read_meta(folder)
    wards = _read_layer(folder, "wards.geojson", (WARD_CODE, WARD_NAME))
    neighbourhoods = _read_layer(
        folder, "neighbourhoods.geojson", (LSOA_CODE, WARD_CODE, *POPULATION_COLUMNS)
    )
    postcodes = _read_postcodes(folder, meta["counts"]["postcodes"])
    found = {
        "wards": len(wards),
        "neighbourhoods": len(neighbourhoods),
        "postcodes": len(postcodes),
    }
    _check_counts(folder, meta, found)
    _check_links(folder, wards, neighbourhoods, postcodes)
    return AreaSet(
        lad_code=meta["lad_code"],
        name=meta["name"],
        wards=wards,
        neighbourhoods=neighbourhoods,
        postcodes=postcodes.set_index(POSTCODE, drop=False),
        meta=meta,
        attribution=(folder / "ATTRIBUTION.md").read_text(encoding="utf-8", errors="replace"),
    )


def normalise_postcode(text: str, *, example: str = "") -> str:
    """Return ``text`` as a UK postcode in standard form (``bs16qu`` -> ``BS1 6QU``).

    Case, spaces anywhere and surrounding white space are ignored. ``example`` is a
    postcode of the area in use, shown in the message (see `AreaSet.example_postcode`).

    Raises
    ------
    PostcodeFormatError
        When the text is not shaped like a UK postcode; a district alone ('BS13') is told
        apart from text that is no postcode at all.
    """
    compact = re.sub(r"\s+", "", str(text)).upper()
    match = _POSTCODE.fullmatch(compact)
    if not match:
        shown = str(text).strip()[:40]
        such_as = f" such as {example}" if example else ""
        form = "letters and digits of the outward code, a space, then digit letter letter"
        if partial_postcode(text) is not None:
            raise PostcodeFormatError(
                f"'{shown}' is not a UK postcode but only its first part (a postcode district "
                f"or sector). Fix: type the full postcode{such_as} ({form})."
            )
        raise PostcodeFormatError(
            f"'{shown}' is not a UK postcode. Fix: type a full postcode{such_as} ({form})."
        )
    return f"{match.group(1)} {match.group(2)}"


def postcode_district(postcode: str) -> str:
    """The district (outward code) of a postcode in standard form: ``"BS13 7AA"`` -> ``"BS13"``."""
    return postcode.split(" ")[0]


def partial_postcode(text: str) -> str | None:
    """The postcode district (``"BS13"``) or sector (``"BS13 7"``) that ``text`` is alone, in
    standard form; None when it is neither (a full postcode included)."""
    cleaned = " ".join(str(text).upper().split())
    if _DISTRICT.fullmatch(cleaned):
        return cleaned
    sector = _SECTOR.fullmatch(cleaned)
    return f"{sector.group(1)} {sector.group(2)}" if sector else None


def describe_districts(districts: Iterable[str], *, limit: int = _DISTRICTS_SHOWN) -> str:
    """Postcode districts in words, consecutive numbers as runs: ``"BS1–BS11, BS13, BS98"``.

    At most ``limit`` items are listed, then "…" and how many more districts there are.
    """
    runs: list[list[tuple[str, int, str]]] = []
    for district in sorted(set(districts), key=_district_order):
        parts = _DISTRICT_PARTS.fullmatch(district)
        item = (parts.group(1), int(parts.group(2)), district) if parts else ("", -9, district)
        last = runs[-1][-1] if runs else None
        if parts and last and last[0] == item[0] and last[1] == item[1] - 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    texts = [
        f"{run[0][2]}–{run[-1][2]}" if len(run) > 2 else ", ".join(item[2] for item in run)
        for run in runs
    ]
    if len(texts) > limit:
        hidden = sum(len(run) for run in runs[limit:])
        return ", ".join(texts[:limit]) + f" … and {hidden} more"
    return ", ".join(texts)


def _district_order(district: str) -> tuple[str, int, str]:
    parts = _DISTRICT_PARTS.fullmatch(district)
    return (parts.group(1), int(parts.group(2)), district) if parts else (district, -1, district)


def not_in_table_detail(
    postcode: str,
    *,
    area_name: str,
    districts: Mapping[str, int],
    districts_text: str,
    subject: str = "this postcode",
) -> str:
    """Why a well-formed postcode is not in an area's table, as honestly as the table tells.

    The table holds the area's own postcodes only, so it cannot say that a postcode
    exists elsewhere; what it can say is whether the postcode's district has postcodes
    in the area. When it has none, the postcode is in another area (or does not exist);
    when it has, the postcode is new, retired, mistyped or just over the boundary.

    Parameters
    ----------
    postcode
        The postcode in standard form.
    area_name, districts, districts_text
        The area's name, its `AreaSet.postcode_districts` and `AreaSet.districts_text`.
    subject
        What the message calls the postcode ("it" for a district alone).
    """
    district = postcode_district(postcode)
    if district in districts:
        return (
            f"its district {district} has postcodes in the area, so this one is new, "
            "retired or mistyped, or lies just over the boundary"
        )
    listed = f" (its postcodes start with {districts_text})" if districts_text else ""
    return (
        f"{subject} is in another area (not in {area_name}) or does not exist: no "
        f"postcode of {area_name} is in district {district}{listed}"
    )


def lookup_postcode(area: AreaSet, text: str) -> PostcodeLocation:
    """Place a postcode: its point, ward and neighbourhood, from the area's offline table.

    Raises
    ------
    PostcodeFormatError
        When the text is not shaped like a postcode (the area's example shown).
    PostcodeNotInAreaError
        When it is well formed but not a postcode of this area; the message says whether
        its district is one of the area's (see `not_in_table_detail`).
    """
    postcode = normalise_postcode(text, example=example_postcode(area, text))
    if postcode not in area.postcodes.index:
        detail = not_in_table_detail(
            postcode,
            area_name=area.name,
            districts=area.postcode_districts,
            districts_text=area.districts_text,
        )
        raise PostcodeNotInAreaError(
            f"{postcode} is not in the postcode table of {area.name} ({area.lad_code}): "
            f"{detail}. Fix: check it for typos or try a neighbouring postcode; a postcode "
            "of another authority needs that authority's area, built with build-area."
        )
    row = area.postcodes.loc[postcode]
    return PostcodeLocation(
        postcode=postcode,
        ward_code=str(row[WARD_CODE]),
        ward_name=area.ward_name(str(row[WARD_CODE])),
        lsoa_code=str(row[LSOA_CODE]),
        lat=float(row[LAT]),
        lon=float(row[LON]),
        easting=float(row[EASTING]),
        northing=float(row[NORTHING]),
    )


def lookup_district(area: AreaSet, text: str) -> PostcodeLocation:
    """Place a postcode district (outward code, ``"BS5"``) at the middle of the area's
    postcodes in it: their mean point, and the ward and neighbourhood of the postcode
    nearest that point. Its ``postcode`` is the district.

    Distances from it are approximate: a district spans a few kilometres.

    Raises
    ------
    PostcodeFormatError
        When the text is not a district alone.
    PostcodeNotInAreaError
        When no postcode of the area is in the district.
    """
    district = partial_postcode(text)
    if district is None or " " in district:
        raise PostcodeFormatError(
            f"'{str(text).strip()[:40]}' is not a postcode district. Fix: type the first part "
            "of a postcode alone, such as BS5."
        )
    if district not in area.postcode_districts:
        listed = f" (its postcodes start with {area.districts_text})" if area.districts_text else ""
        raise PostcodeNotInAreaError(
            f"no postcode of {area.name} is in district {district}{listed}. Fix: check it "
            "for typos, or type a full postcode."
        )
    table = area.postcodes[area.postcodes[POSTCODE].astype(str).str.split(" ").str[0] == district]
    easting, northing = float(table[EASTING].mean()), float(table[NORTHING].mean())
    gap = (table[EASTING] - easting) ** 2 + (table[NORTHING] - northing) ** 2
    middle = table.iloc[int(gap.to_numpy().argmin())]
    lon, lat = bng_to_lonlat(easting, northing)
    return PostcodeLocation(
        postcode=district,
        ward_code=str(middle[WARD_CODE]),
        ward_name=area.ward_name(str(middle[WARD_CODE])),
        lsoa_code=str(middle[LSOA_CODE]),
        lat=float(lat),
        lon=float(lon),
        easting=easting,
        northing=northing,
    )


def example_postcode(area: AreaSet, text: str = "") -> str:
    """A postcode of the area to show as an example: one of the district ``text`` starts
    with when the area has it ('BS13' -> a BS13 postcode), else `AreaSet.example_postcode`."""
    partial = partial_postcode(text) if text else None
    district = postcode_district(partial) if partial else ""
    if district in area.postcode_districts:
        codes = area.postcodes[POSTCODE].astype(str)
        return str(codes[codes.str.startswith(partial + ("" if " " in partial else " "))].min())
    return area.example_postcode


def locate_points(area: AreaSet, points_gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Ward and neighbourhood of each point, index as ``points_gdf`` (EPSG:27700).

    Points outside every ward get missing codes; callers decide whether that is an error.
    """
    ensure_crs(points_gdf, CRS_COMPUTE, name="points")
    out = pd.DataFrame(index=points_gdf.index)
    for layer, column in ((area.wards, WARD_CODE), (area.neighbourhoods, LSOA_CODE)):
        hits = gpd.sjoin(points_gdf[["geometry"]], layer[[column, "geometry"]], predicate="within")
        out[column] = hits[~hits.index.duplicated(keep="first")][column].reindex(out.index)
    return out


def locate_lonlat(area: AreaSet, lon: float, lat: float) -> tuple[str, str]:
    """Ward and neighbourhood codes of a WGS84 point.

    Raises
    ------
    PointOutsideAreaError
        When the point lies outside every ward of the area.
    """
    easting, northing = lonlat_to_bng(lon, lat)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy([easting], [northing]), crs=CRS_COMPUTE)
    row = locate_points(area, points).iloc[0]
    if pd.isna(row[WARD_CODE]):
        raise PointOutsideAreaError(
            f"point (lat {lat:.5f}, lon {lon:.5f}) lies outside every ward of {area.name}. "
            "Fix: check that latitude and longitude are not swapped, or use another area."
        )
    lsoa = row[LSOA_CODE]
    return str(row[WARD_CODE]), "" if pd.isna(lsoa) else str(lsoa)
