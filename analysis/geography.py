"""Reference geography of one area: load it, normalise postcodes, place postcodes and points.

An area folder (made by ``python -m analysis build-area``) holds wards.geojson,
neighbourhoods.geojson, postcodes.csv, area.json and ATTRIBUTION.md. Files are stored in
WGS84 (EPSG:4326); `load_area` returns frames in British National Grid (EPSG:27700).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis.crs import ensure_crs, lonlat_to_bng
from analysis.errors import (
    AreaDataError,
    PointOutsideAreaError,
    PostcodeFormatError,
    PostcodeNotInAreaError,
)
from analysis.model import CRS_COMPUTE, CRS_DISPLAY

REPO_ROOT = Path(__file__).resolve().parents[1]
AREA_FILES = ("wards.geojson", "neighbourhoods.geojson", "area.json", "ATTRIBUTION.md")

_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")


def default_area_path() -> Path:
    """The bundled Bristol area set."""
    return REPO_ROOT / "data" / "reference" / "bristol"


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
        return dict(zip(self.wards["ward_code"], self.wards["ward_name"], strict=True))

    def ward_name(self, ward_code: str) -> str:
        """The name of ``ward_code``."""
        return self.ward_names[ward_code]


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
        keys = ("postcode", "ward_code", "ward_name", "lsoa_code", "lat", "lon")
        return {key: getattr(self, key) for key in keys}


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(path, engine="pyogrio")
    ensure_crs(gdf, CRS_DISPLAY, name=path.name)
    return gdf.to_crs(CRS_COMPUTE)


def load_area(path: Path | str | None = None) -> AreaSet:
    """Load an area folder; frames come back in EPSG:27700.

    Raises
    ------
    AreaDataError
        When the folder or one of its files is missing.
    """
    folder = Path(path) if path is not None else default_area_path()
    missing = [name for name in AREA_FILES if not (folder / name).is_file()]
    if missing:
        raise AreaDataError(
            f"area folder {folder} lacks {', '.join(missing)}. Fix: build it with "
            "'python -m analysis build-area --source RAW_FOLDER --lad CODE --out "
            f"{folder}', or pass --area a built folder."
        )
    meta = json.loads((folder / "area.json").read_text(encoding="utf-8"))
    postcodes_path = folder / "postcodes.csv"
    postcodes = (
        pd.read_csv(postcodes_path, dtype={"postcode": str, "ward_code": str, "lsoa_code": str})
        if postcodes_path.is_file()
        else pd.DataFrame(
            columns=["postcode", "lat", "lon", "easting", "northing", "ward_code", "lsoa_code"]
        )
    )
    return AreaSet(
        lad_code=meta["lad_code"],
        name=meta["name"],
        wards=_read_layer(folder / "wards.geojson"),
        neighbourhoods=_read_layer(folder / "neighbourhoods.geojson"),
        postcodes=postcodes.set_index("postcode", drop=False),
        meta=meta,
        attribution=(folder / "ATTRIBUTION.md").read_text(encoding="utf-8"),
    )


def normalise_postcode(text: str) -> str:
    """Return ``text`` as a UK postcode in standard form (``bs16qu`` -> ``BS1 6QU``).

    Case, spaces anywhere and surrounding white space are ignored.

    Raises
    ------
    PostcodeFormatError
        When the text is not shaped like a UK postcode.
    """
    compact = re.sub(r"\s+", "", str(text)).upper()
    match = _POSTCODE.fullmatch(compact)
    if not match:
        shown = str(text).strip()[:40]
        raise PostcodeFormatError(
            f"'{shown}' is not a UK postcode. Fix: type a full postcode such as BS1 6QU "
            "(letters and digits of the outward code, a space, then digit letter letter)."
        )
    return f"{match.group(1)} {match.group(2)}"


def lookup_postcode(area: AreaSet, text: str) -> PostcodeLocation:
    """Place a postcode: its point, ward and neighbourhood, from the area's offline table.

    Raises
    ------
    PostcodeFormatError
        When the text is not shaped like a postcode.
    PostcodeNotInAreaError
        When it is well formed but not a postcode of this area.
    """
    postcode = normalise_postcode(text)
    if postcode not in area.postcodes.index:
        raise PostcodeNotInAreaError(
            f"{postcode} is not in the postcode table of {area.name} ({area.lad_code}): it lies "
            "outside the area, or is new or retired. Fix: check it for typos, try a "
            "neighbouring postcode, or load the area that holds it with --area."
        )
    row = area.postcodes.loc[postcode]
    return PostcodeLocation(
        postcode=postcode,
        ward_code=str(row["ward_code"]),
        ward_name=area.ward_name(str(row["ward_code"])),
        lsoa_code=str(row["lsoa_code"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        easting=float(row["easting"]),
        northing=float(row["northing"]),
    )


def locate_points(area: AreaSet, points_gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Ward and neighbourhood of each point, index as ``points_gdf`` (EPSG:27700).

    Points outside every ward get missing codes; callers decide whether that is an error.
    """
    ensure_crs(points_gdf, CRS_COMPUTE, name="points")
    out = pd.DataFrame(index=points_gdf.index)
    for layer, column in ((area.wards, "ward_code"), (area.neighbourhoods, "lsoa_code")):
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
    if pd.isna(row["ward_code"]):
        raise PointOutsideAreaError(
            f"point (lat {lat:.5f}, lon {lon:.5f}) lies outside every ward of {area.name}. "
            "Fix: check that latitude and longitude are not swapped, or use another area."
        )
    lsoa = row["lsoa_code"]
    return str(row["ward_code"]), "" if pd.isna(lsoa) else str(lsoa)
