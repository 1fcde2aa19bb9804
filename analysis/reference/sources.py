"""Find and read the raw public reference files an area is built from.

Files are recognised by what they hold (their columns), not by their names, so a folder of
the same public formats for any English authority works: ONS ward and LSOA boundaries
(GeoJSON), the LSOA 2011 -> ward lookup, IMD 2019 File 2 (ranks and deciles) and File 6
(population denominators), the IoD 2019 scores (MHCLG's File 5 or File 7, or Bristol City
Council's republication), ONS small-area population estimates on LSOA 2021 (single year
of age), and Code-Point Open postcode CSV (no header row). One file may be several kinds:
File 7 holds ranks, scores and denominators.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from analysis.errors import SourceDataError
from analysis.model import (
    CRS_COMPUTE,
    EASTING,
    IMD_DOMAINS,
    IOD_RATES,
    LAD_CODE,
    LSOA11_CODE,
    LSOA_CODE,
    LSOA_NAME,
    NORTHING,
    POP_CHILDREN,
    POP_OLDER,
    POP_WORKING_AGE,
    POPULATION,
    POSITIONAL_QUALITY,
    POSTCODE,
    WARD_CODE,
    WARD_NAME,
    decile_col,
    rank_col,
    rate_col,
)

# Source kinds, in the order a build reads them.
WARDS = "wards"
LSOA21 = "lsoa2021"
LSOA11 = "lsoa2011"
LOOKUP = "lsoa11_ward_lookup"
IMD_RANKS = "imd2019_ranks"
IMD_DENOMINATORS = "imd2019_denominators"
IOD_SCORES = "iod2019_scores"
POPULATION_SYOA = "population_syoa"
CODEPOINT = "codepoint_open"
CODEPOINT_HEADERS = "codepoint_headers"

REQUIRED_KINDS = (WARDS, LSOA21)
OPTIONAL_KINDS = (
    LSOA11,
    LOOKUP,
    IMD_RANKS,
    IOD_SCORES,
    IMD_DENOMINATORS,
    POPULATION_SYOA,
    CODEPOINT,
)

KIND_DESCRIPTIONS = {
    WARDS: "ONS ward boundaries (GeoJSON with a WDyyCD field)",
    LSOA21: "ONS LSOA 2021 boundaries (GeoJSON with an LSOA21CD field)",
    LSOA11: "ONS LSOA 2011 boundaries (GeoJSON with an LSOA11CD field)",
    LOOKUP: "ONS LSOA 2011 to ward lookup (CSV with LSOA11CD and WDyyCD)",
    IMD_RANKS: "IMD 2019 File 2, domain ranks and deciles (CSV)",
    IMD_DENOMINATORS: "IMD 2019 File 6, population denominators (CSV)",
    IOD_SCORES: "IoD 2019 scores (MHCLG File 5 or File 7, or a republication such as "
    "Bristol City Council's, CSV)",
    POPULATION_SYOA: "ONS mid-year population by LSOA 2021, single year of age (CSV)",
    CODEPOINT: "OS Code-Point Open postcodes (CSV without a header row)",
    CODEPOINT_HEADERS: "OS Code-Point Open column headers (CSV)",
}

CODEPOINT_COLUMNS = (
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
)

_POSTCODE_START = re.compile(r'^"?[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}"?,')
IMD_RANK_MARKER = "Index of Multiple Deprivation (IMD) Rank"
IMD_DENOMINATOR_MARKER = "Total population: mid 2015"
LSOA11_CODE_HEADER = "LSOA code (2011)"
# How IMD 2019 File 2 names each domain's columns ("<prefix> Rank ...", "<prefix> Decile ..."),
# in the order of `analysis.model.IMD_DOMAINS`.
IMD_FILE_PREFIXES = dict(
    zip(
        IMD_DOMAINS,
        (
            "Index of Multiple Deprivation (IMD)",
            "Income",
            "Employment",
            "Education, Skills and Training",
            "Health Deprivation and Disability",
            "Crime",
            "Barriers to Housing and Services",
            "Living Environment",
        ),
        strict=True,
    )
)


@dataclass(frozen=True)
class ScoresLayout:
    """How one publication of the IoD 2019 scores names its columns.

    Attributes
    ----------
    publisher
        Who lays the file out this way, for messages and ``area.json``.
    code_column
        The column holding the LSOA 2011 code.
    rate_columns
        `analysis.model.IOD_RATES` key -> the column holding that rate.
    whole
        What a rate of 1 (everyone in the group) is written as: 1 for fractions, 100 for
        per cent.
    attribution
        What the attribution adds for a republication (empty for MHCLG's own files).
    """

    publisher: str
    code_column: str
    rate_columns: dict[str, str]
    whole: float
    attribution: str = ""


SCORES_LAYOUTS: tuple[ScoresLayout, ...] = (
    ScoresLayout(
        publisher="MHCLG (File 5 or File 7)",
        code_column=LSOA11_CODE_HEADER,
        rate_columns=dict(
            zip(
                IOD_RATES,
                (
                    "Income Score (rate)",
                    "Employment Score (rate)",
                    "Income Deprivation Affecting Children Index (IDACI) Score (rate)",
                    "Income Deprivation Affecting Older People (IDAOPI) Score (rate)",
                ),
                strict=True,
            )
        ),
        whole=1.0,
    ),
    ScoresLayout(
        publisher="Bristol City Council (Deprivation in Bristol 2019)",
        code_column="LSOA code",
        rate_columns=dict(
            zip(
                IOD_RATES,
                (
                    "Income Deprivation Score (%)",
                    "Employment Deprivation Score (%)",
                    "Income Deprivation Affecting Children Index Score (%)",
                    "Income Deprivation Affecting Older People Score (%)",
                ),
                strict=True,
            )
        ),
        whole=100.0,
        attribution="Republished by Bristol City Council on Open Data Bristol "
        '("Deprivation in Bristol 2019").',
    ),
)
"""The layouts of the scores file that a build recognises, by their columns."""


def scores_layout(header: list[str]) -> ScoresLayout | None:
    """The layout whose LSOA code column and at least one rate column ``header`` has."""
    for layout in SCORES_LAYOUTS:
        if layout.code_column in header and any(
            column in header for column in layout.rate_columns.values()
        ):
            return layout
    return None


@dataclass(frozen=True)
class SourceFile:
    """One recognised raw file: its kind, path and content hash."""

    kind: str
    path: Path
    sha256: str


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, recorded so a build says exactly what it read."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _geojson_kind(path: Path) -> str | None:
    try:
        fields = list(pyogrio.read_info(path)["fields"])
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise SourceDataError(
            f"{path.name}: cannot be read as GeoJSON ({exc}). "
            "Fix: replace it with the boundary file as published, or remove it from the folder."
        ) from exc
    if "LSOA21CD" in fields:
        return LSOA21
    if "LSOA11CD" in fields:
        return LSOA11
    if any(re.fullmatch(r"WD\d{2}CD", f) for f in fields):
        return WARDS
    return None


def csv_separator(first_line: str) -> str:
    """The field separator of a CSV file from its header line: ``;`` or ``,``.

    Open Data Bristol exports use ``;``; their column names may contain commas, so the
    separator is the one that occurs more often.
    """
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _csv_kinds(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        first_line = handle.readline()
    header = next(csv.reader([first_line], delimiter=csv_separator(first_line)), [])
    header = [h.strip() for h in header]
    if first_line.startswith("PC,PQ,EA,NO"):
        return (CODEPOINT_HEADERS,)
    if _POSTCODE_START.match(first_line):
        return (CODEPOINT,)
    if "LSOA11CD" in header and any(re.fullmatch(r"WD\d{2}CD", h) for h in header):
        return (LOOKUP,)
    if _lsoa21_code_column(header) and "Total" in header and "F0" in header:
        return (POPULATION_SYOA,)
    kinds = []
    if any(IMD_RANK_MARKER in h for h in header) and LSOA11_CODE_HEADER in header:
        kinds.append(IMD_RANKS)
    if scores_layout(header) is not None:
        kinds.append(IOD_SCORES)
    if any(IMD_DENOMINATOR_MARKER in h for h in header) and LSOA11_CODE_HEADER in header:
        kinds.append(IMD_DENOMINATORS)
    return tuple(kinds)


def discover_sources(source_dir: Path) -> dict[str, SourceFile]:
    """Recognise the raw files in ``source_dir`` by their columns.

    A file holding several kinds (IMD 2019 File 7: ranks, scores and denominators) is
    recorded under each of them.

    Raises
    ------
    SourceDataError
        When the folder is missing, a required kind is absent, or two files claim one kind.
    """
    if not source_dir.is_dir():
        raise SourceDataError(
            f"source folder {source_dir} does not exist. "
            "Fix: pass --source the folder that holds the raw reference files."
        )
    found: dict[str, list[Path]] = {}
    for path in sorted(source_dir.iterdir()):
        suffix = path.suffix.lower()
        if suffix in {".geojson", ".json"}:
            kind = _geojson_kind(path)
            kinds: tuple[str, ...] = (kind,) if kind else ()
        elif suffix == ".csv":
            kinds = _csv_kinds(path)
        else:
            kinds = ()
        for kind in kinds:
            found.setdefault(kind, []).append(path)
    for kind, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            raise SourceDataError(
                f"{source_dir}: {len(paths)} files look like {KIND_DESCRIPTIONS[kind]}: {names}. "
                "Fix: keep one of them in the source folder."
            )
    missing = [k for k in REQUIRED_KINDS if k not in found]
    if missing:
        wanted = "; ".join(KIND_DESCRIPTIONS[k] for k in missing)
        raise SourceDataError(
            f"{source_dir}: no {wanted}. Fix: add the file(s) to the source folder."
        )
    return {
        kind: SourceFile(kind, paths[0], file_sha256(paths[0])) for kind, paths in found.items()
    }


def _field(columns, pattern: str) -> str | None:
    matches = [c for c in columns if re.fullmatch(pattern, c)]
    return matches[0] if matches else None


@dataclass(frozen=True)
class WardLookup:
    """The LSOA 2011 -> ward lookup: lsoa11_code, ward_code, ward_name (and lad_code)."""

    table: pd.DataFrame
    ward_field: str
    """The file's ward code column, e.g. ``WD17CD``: it names the ward edition."""
    file_name: str


def read_wards(
    path: Path, lad_code: str, lookup: WardLookup | None
) -> tuple[gpd.GeoDataFrame, str]:
    """Read the wards of ``lad_code`` in EPSG:27700 with columns ward_code, ward_name.

    Returns the wards and the authority's name (the code when no file names it).
    The authority is taken from the boundary file's LADyyCD field, or else from the lookup.
    """
    gdf = gpd.read_file(path)
    code_col = _field(gdf.columns, r"WD\d{2}CD")
    name_col = _field(gdf.columns, r"WD\d{2}NM")
    lad_col = _field(gdf.columns, r"LAD\d{2}CD")
    lad_name_col = _field(gdf.columns, r"LAD\d{2}NM")
    if lad_col is not None:
        gdf = gdf[gdf[lad_col] == lad_code]
    elif lookup is not None:
        gdf = gdf[gdf[code_col].isin(_lookup_wards(path, gdf[code_col], lad_code, lookup))]
    else:
        raise SourceDataError(
            f"{path.name}: has no LADyyCD field, so the wards of {lad_code} cannot be told apart. "
            "Fix: use an ONS ward file with its LAD code field, or add the LSOA to ward lookup."
        )
    if gdf.empty:
        raise SourceDataError(
            f"{path.name}: no ward belongs to local authority {lad_code}. "
            "Fix: check --lad (an E06/E07/E08/E09 code) against the source files."
        )
    name = str(gdf[lad_name_col].iloc[0]) if lad_name_col else lad_code
    wards = gdf[[code_col, name_col, gdf.geometry.name]].rename(
        columns={code_col: WARD_CODE, name_col: WARD_NAME}
    )
    return wards.to_crs(CRS_COMPUTE).sort_values(WARD_CODE).reset_index(drop=True), name


def _lookup_wards(path: Path, codes_col: pd.Series, lad_code: str, lookup: WardLookup) -> set[str]:
    """The ward codes ``lookup`` gives for ``lad_code``, checked against the boundaries'."""
    if LAD_CODE not in lookup.table.columns:
        raise SourceDataError(
            f"{path.name} has no LADyyCD field and {lookup.file_name} no LADyyCD column, so "
            f"the wards of {lad_code} cannot be told apart. Fix: use an ONS ward file with "
            "its LAD code field, or a lookup that has the LAD code column."
        )
    codes = set(lookup.table.loc[lookup.table[LAD_CODE] == lad_code, WARD_CODE])
    if codes and not codes & set(codes_col):
        raise SourceDataError(
            f"{path.name}: none of the {len(codes)} wards {lookup.file_name} gives for "
            f"{lad_code} ({lookup.ward_field}, e.g. {min(codes)}) is among its wards "
            f"({codes_col.name}): the two are different ward editions, so the authority's wards "
            "cannot be chosen. Fix: use the LSOA to ward lookup of the same year as the ward "
            "boundaries, or an ONS ward file with its LAD code field."
        )
    return codes


def lookup_mismatch(lookup: WardLookup, wards_gdf: gpd.GeoDataFrame, lad_code: str) -> list[str]:
    """Warnings when ``lookup`` fits none of the wards read (another year's ward edition).

    The build chooses wards from the boundary file; a lookup that names none of them is of
    another edition and would mislead anyone reading the folder, so the build says so.
    """
    table = lookup.table
    if LAD_CODE in table.columns:
        table = table[table[LAD_CODE] == lad_code]
        if table.empty:
            return [
                f"{lookup.file_name}: the LSOA to ward lookup has no row for local authority "
                f"{lad_code}, so it does not describe these wards. Fix: use the lookup that "
                "covers this authority, or leave it out of the source folder."
            ]
    codes = set(table[WARD_CODE].dropna())
    if not codes or codes & set(wards_gdf[WARD_CODE]):
        return []
    return [
        f"{lookup.file_name}: none of the lookup's {len(codes)} ward codes "
        f"({lookup.ward_field}, e.g. {min(codes)}) is a ward of the boundaries read, so it is "
        "of another ward edition and does not describe these wards. Fix: use the LSOA to "
        "ward lookup of the same year as the ward boundaries, or leave it out of the source "
        "folder (the build does not need it when the ward file names its authority)."
    ]


def read_lsoa_boundaries(path: Path, year: int) -> gpd.GeoDataFrame:
    """Read LSOA boundaries of census ``year`` (2011 or 2021) in EPSG:27700."""
    suffix = str(year)[2:]
    gdf = gpd.read_file(path)
    code_col, name_col = f"LSOA{suffix}CD", f"LSOA{suffix}NM"
    columns = [code_col, gdf.geometry.name] + ([name_col] if name_col in gdf.columns else [])
    out = gdf[columns].rename(columns={code_col: LSOA_CODE, name_col: LSOA_NAME})
    return out.to_crs(CRS_COMPUTE).sort_values(LSOA_CODE).reset_index(drop=True)


def read_lookup(path: Path) -> WardLookup:
    """Read the LSOA 2011 -> ward lookup as lsoa11_code, ward_code, ward_name, lad_code."""
    df = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    ward_col = _field(df.columns, r"WD\d{2}CD")
    ward_name_col = _field(df.columns, r"WD\d{2}NM")
    lad_col = _field(df.columns, r"LAD\d{2}CD")
    columns = {"LSOA11CD": LSOA11_CODE, ward_col: WARD_CODE}
    if ward_name_col:
        columns[ward_name_col] = WARD_NAME
    if lad_col:
        columns[lad_col] = LAD_CODE
    return WardLookup(df[list(columns)].rename(columns=columns), str(ward_col), path.name)


def read_imd_ranks(path: Path) -> pd.DataFrame:
    """Read IMD 2019 File 2 as lsoa11_code plus rank_<domain> and decile_<domain> columns."""
    df = pd.read_csv(path, encoding="utf-8-sig", thousands=",")
    out = pd.DataFrame({LSOA11_CODE: df[LSOA11_CODE_HEADER].astype(str)})
    for key, prefix in IMD_FILE_PREFIXES.items():
        for measure, column_of in (("Rank", rank_col), ("Decile", decile_col)):
            column = next((c for c in df.columns if c.startswith(f"{prefix} {measure}")), None)
            if column is None:
                raise SourceDataError(
                    f"{path.name}: no column '{prefix} {measure} ...'. "
                    "Fix: use IMD 2019 File 2 (domains of deprivation) as published."
                )
            out[column_of(key)] = pd.to_numeric(df[column]).astype("int64")
    return out


def read_iod_scores(path: Path) -> tuple[pd.DataFrame, ScoresLayout]:
    """Read the IoD 2019 rates as lsoa11_code plus rate_<key> columns, as fractions 0-1.

    Either layout of `SCORES_LAYOUTS` is read: MHCLG's File 5 or File 7 (rates as
    fractions) or Bristol City Council's republication (``;``-separated, per cent).

    Raises
    ------
    SourceDataError
        When a rate column is missing, a rate is not a number or lies outside 0 to the
        layout's whole (1 or 100), or an LSOA code appears twice.
    """
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        separator = csv_separator(handle.readline())
    df = pd.read_csv(path, sep=separator, encoding="utf-8-sig", thousands=None, dtype=str)
    df.columns = [str(column).strip() for column in df.columns]
    layout = scores_layout(list(df.columns))
    if layout is None:
        raise SourceDataError(
            f"{path.name}: no IoD 2019 scores columns "
            f"(e.g. '{SCORES_LAYOUTS[0].rate_columns[next(iter(IOD_RATES))]}'). "
            "Fix: use MHCLG's File 5 or File 7 as published."
        )
    missing = [c for c in layout.rate_columns.values() if c not in df.columns]
    if missing:
        raise SourceDataError(
            f"{path.name}: looks like the IoD 2019 scores laid out by {layout.publisher} but "
            f"lacks the column(s) {', '.join(repr(c) for c in missing)}. "
            "Fix: use the file as published, with every rate column."
        )
    codes = df[layout.code_column].astype(str).str.strip()
    repeated = codes[codes.duplicated()]
    if not repeated.empty:
        raise SourceDataError(
            f"{path.name}: LSOA {repeated.iloc[0]} appears more than once in column "
            f"'{layout.code_column}'. Fix: keep one row per LSOA, as published."
        )
    out = pd.DataFrame({LSOA11_CODE: codes.to_numpy()})
    for key, column in layout.rate_columns.items():
        values = pd.to_numeric(df[column].str.strip(), errors="coerce")
        bad = values.isna() | (values < 0) | (values > layout.whole)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise SourceDataError(
                f"{path.name}, row {row + 2} (LSOA {codes.iloc[row]}), column '{column}': "
                f"{df[column].fillna('').iloc[row]!r} is not a rate from 0 to {layout.whole:g}. "
                f"Fix: use the file as {layout.publisher} publishes it"
                + (" (rates as fractions, e.g. 0.125)." if layout.whole == 1 else ".")
            )
        out[rate_col(key)] = (values / layout.whole).to_numpy()
    return out, layout


def read_imd_denominators(path: Path) -> pd.DataFrame:
    """Read IMD 2019 File 6 as lsoa11_code, population and three age bands (mid-2015)."""
    df = pd.read_csv(path, encoding="utf-8-sig", thousands=",")

    def pick(start: str) -> pd.Series:
        column = next(c for c in df.columns if c.startswith(start))
        return pd.to_numeric(df[column]).astype("int64")

    return pd.DataFrame(
        {
            LSOA11_CODE: df[LSOA11_CODE_HEADER].astype(str),
            POPULATION: pick("Total population"),
            POP_CHILDREN: pick("Dependent Children aged 0-15"),
            POP_WORKING_AGE: pick("Population aged 16-59"),
            POP_OLDER: pick("Older population aged 60"),
        }
    )


def _lsoa21_code_column(columns) -> str | None:
    for column in columns:
        key = re.sub(r"[^a-z0-9]", "", column.lower())
        if key.startswith("lsoa") and "code" in key and ("2021" in key or "21" in key):
            return column
    return None


@dataclass(frozen=True)
class PopulationEstimate:
    """LSOA 2021 population with bands, and which year and edition it is."""

    table: pd.DataFrame
    year: int | None
    edition: str | None
    note: str | None


def read_population_syoa(path: Path, *, year: int | None = None) -> PopulationEstimate:
    """Read ONS single-year-of-age estimates on LSOA 2021 for one year.

    The latest year is taken unless ``year`` is given. When a year appears in more than
    one edition (the same LSOA twice, e.g. the Bristol file's two mid-2022 copies), the
    edition that comes last in the file is used and the choice is reported in ``note``:
    stacked extracts put a revised table after the original.

    Notes
    -----
    Bands: 0-15, 16-64 and 65+ from columns F0..F90 and M0..M90 (90 = 90 and over).
    """
    df = pd.read_csv(path, encoding="utf-8-sig", thousands=",", low_memory=False)
    code_col = _lsoa21_code_column(df.columns)
    ages = {c: int(c[1:]) for c in df.columns if re.fullmatch(r"[FM]\d{1,2}", c)}
    if not ages or "Total" not in df.columns:
        raise SourceDataError(
            f"{path.name}: expected columns Total and F0..F90, M0..M90. "
            "Fix: use the ONS LSOA 2021 population estimates by single year of age."
        )
    year_col = "Year" if "Year" in df.columns else None
    chosen_year = None
    if year_col:
        years = sorted(pd.to_numeric(df[year_col]).unique())
        chosen_year = int(years[-1]) if year is None else year
        if chosen_year not in years:
            raise SourceDataError(
                f"{path.name}: no estimates for {chosen_year}; "
                f"the file has {years[0]}-{years[-1]}. "
                "Fix: pass a --population-year that the file holds."
            )
        df = df[pd.to_numeric(df[year_col]) == chosen_year]
    edition_col = "Source_File" if "Source_File" in df.columns else None
    editions = list(dict.fromkeys(df[edition_col])) if edition_col else []
    note = None
    if df[code_col].duplicated().any():
        kept = df.drop_duplicates(code_col, keep="last")
        if edition_col and len(editions) > 1:
            note = (
                f"{path.name}: {chosen_year} appears in {len(editions)} editions "
                f"({', '.join(editions)}); used the last, {editions[-1]}."
            )
            kept = df[df[edition_col] == editions[-1]]
        else:
            note = f"{path.name}: {chosen_year} has repeated LSOA rows; used the last of each."
        df = kept
    band = {
        POP_CHILDREN: [c for c, a in ages.items() if a <= 15],
        POP_WORKING_AGE: [c for c, a in ages.items() if 16 <= a <= 64],
        POP_OLDER: [c for c, a in ages.items() if a >= 65],
    }
    table = pd.DataFrame({LSOA_CODE: df[code_col].astype(str).to_numpy()})
    table[POPULATION] = pd.to_numeric(df["Total"]).astype("int64").to_numpy()
    for column, sources in band.items():
        table[column] = df[sources].apply(pd.to_numeric).sum(axis=1).astype("int64").to_numpy()
    edition = editions[-1] if editions else None
    return PopulationEstimate(
        table.sort_values(LSOA_CODE, ignore_index=True), chosen_year, edition, note
    )


def read_codepoint(path: Path, lad_code: str) -> pd.DataFrame:
    """Read Code-Point Open rows of ``lad_code``: postcode, quality, easting, northing, ward."""
    df = pd.read_csv(path, header=None, names=list(CODEPOINT_COLUMNS), dtype=str)
    df = df[df["Admin_district_code"] == lad_code]
    return pd.DataFrame(
        {
            POSTCODE: df["Postcode"].str.strip(),
            POSITIONAL_QUALITY: pd.to_numeric(df["Positional_quality_indicator"]).astype("int64"),
            EASTING: pd.to_numeric(df["Eastings"]).astype("int64"),
            NORTHING: pd.to_numeric(df["Northings"]).astype("int64"),
            WARD_CODE: df["Admin_ward_code"],
        }
    ).reset_index(drop=True)
