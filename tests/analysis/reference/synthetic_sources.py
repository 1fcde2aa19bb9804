"""A tiny synthetic local authority in the public file formats, for build-area tests.

Authority E06999999 "Testshire" has two 1 km square wards side by side, each cut into two
LSOA 2021 zones. West ward's zones keep their 2011 codes; east ward's two zones are new
2021 codes split from one 2011 zone. A third ward belongs to a neighbouring authority and
must be left out. With ``merged=True`` west ward's two 2011 zones are one 2021 zone instead
(`MERGED_ZONE`), as ONS merged zones whose population fell. Coordinates are British National
Grid, written as WGS84 GeoJSON as ONS publishes them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

LAD = "E06999999"
OTHER_LAD = "E06888888"
X0, Y0 = 400_000, 200_000
KM = 1_000

WARDS = [  # code, name, lad, (minx, miny, maxx, maxy)
    ("E05999001", "West", LAD, (X0, Y0, X0 + KM, Y0 + KM)),
    ("E05999002", "East", LAD, (X0 + KM, Y0, X0 + 2 * KM, Y0 + KM)),
    ("E05888001", "Elsewhere", OTHER_LAD, (X0 + 2 * KM, Y0, X0 + 3 * KM, Y0 + KM)),
]
LSOA21 = [  # code, name, bounds
    ("E01999001", "Testshire 001A", (X0, Y0, X0 + KM, Y0 + KM / 2)),
    ("E01999002", "Testshire 001B", (X0, Y0 + KM / 2, X0 + KM, Y0 + KM)),
    ("E01999101", "Testshire 002C", (X0 + KM, Y0, X0 + 2 * KM, Y0 + KM / 2)),
    ("E01999102", "Testshire 002D", (X0 + KM, Y0 + KM / 2, X0 + 2 * KM, Y0 + KM)),
    ("E01888001", "Elsewhere 001A", (X0 + 2 * KM, Y0, X0 + 3 * KM, Y0 + KM)),
]
MERGED_ZONE = ("E01999201", "Testshire 001E", (X0, Y0, X0 + KM, Y0 + KM))
"""West ward as one 2021 zone made of the 2011 zones E01999001 and E01999002 (half each)."""
MERGED_PARENTS = ("E01999001", "E01999002")
LSOA11 = [
    ("E01999001", "Testshire 001A", (X0, Y0, X0 + KM, Y0 + KM / 2)),
    ("E01999002", "Testshire 001B", (X0, Y0 + KM / 2, X0 + KM, Y0 + KM)),
    ("E01999050", "Testshire 002A", (X0 + KM, Y0, X0 + 2 * KM, Y0 + KM)),
    ("E01888001", "Elsewhere 001A", (X0 + 2 * KM, Y0, X0 + 3 * KM, Y0 + KM)),
]
# lsoa11 code -> IMD rank of every domain (same rank in each, for easy checking), decile
IMD = {
    "E01999001": (100, 1),
    "E01999002": (20_000, 7),
    "E01999050": (5_000, 2),
    "E01888001": (30_000, 10),
}
# lsoa11 code -> IoD 2019 rates (income, employment, IDACI, IDAOPI) as fractions
RATES = {
    "E01999001": (0.25, 0.2, 0.5, 0.125),
    "E01999002": (0.05, 0.04, 0.1, 0.025),
    "E01999050": (0.125, 0.1, 0.25, 0.0625),
    "E01888001": (0.01, 0.01, 0.02, 0.005),
}
MHCLG_RATE_COLUMNS = [
    "Income Score (rate)",
    "Employment Score (rate)",
    "Income Deprivation Affecting Children Index (IDACI) Score (rate)",
    "Income Deprivation Affecting Older People (IDAOPI) Score (rate)",
]
BRISTOL_RATE_COLUMNS = [
    "Income Deprivation Score (%)",
    "Employment Deprivation Score (%)",
    "Income Deprivation Affecting Children Index Score (%)",
    "Income Deprivation Affecting Older People Score (%)",
]
DENOMINATOR_HEADER = [
    "Total population: mid 2015 (excluding prisoners)",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
    "Population aged 16-59: mid 2015 (excluding prisoners)",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)",
    "Working age population 18-59/64: for use with Employment Deprivation Domain "
    "(excluding prisoners)",
]
# lsoa11 code -> mid-2015 total, 0-15, 16-59, 60+ (working age 18-59/64 given as 16-59)
DENOMINATORS = {
    "E01999001": (1200, 200, 600, 400),
    "E01999002": (1000, 100, 500, 400),
    "E01999050": (2000, 400, 1000, 600),
    "E01888001": (900, 300, 300, 300),
}
IMD_PREFIXES = [
    "Index of Multiple Deprivation (IMD)",
    "Income",
    "Employment",
    "Education, Skills and Training",
    "Health Deprivation and Disability",
    "Crime",
    "Barriers to Housing and Services",
    "Living Environment",
]
# lsoa21 code -> people at ages 5, 30 and 70 in the latest year (first edition, then revised)
POPULATION_2024_FIRST = {
    "E01999001": (10, 20, 30),
    "E01999002": (1, 2, 3),
    "E01999101": (4, 5, 6),
    "E01999102": (7, 8, 9),
    "E01888001": (100, 100, 100),
}
POPULATION_2024_REVISED = {
    code: (a + 1, b + 1, c + 1) for code, (a, b, c) in POPULATION_2024_FIRST.items()
}
# Lookup rows: LSOA 2011 -> ward, of the boundaries' own edition (WD24) and of an older one.
LOOKUP_WARDS = {
    "E01999001": "E05999001",
    "E01999002": "E05999001",
    "E01999050": "E05999002",
    "E01888001": "E05888001",
}
OLD_EDITION = {"E05999001": "E05777001", "E05999002": "E05777002", "E05888001": "E05777009"}
POSTCODES = [  # postcode as Code-Point writes it, easting, northing, district, ward
    ("TS1 1AA", X0 + 500, Y0 + 250, LAD, "E05999001"),
    ("TS1 1AB", X0 + 500, Y0 + 750, LAD, "E05999001"),
    ("TS2 2AA", X0 + 1500, Y0 + 250, LAD, "E05999002"),
    ("TS2 2AB", X0 + 2100, Y0 + 750, LAD, "E05999002"),  # point over the border: ward kept
    ("TS9 9ZZ", X0 + 2500, Y0 + 500, OTHER_LAD, "E05888001"),
    ("TS1 1ZZ", 0, 0, LAD, "E05999001"),  # no grid reference
]


def _write_boundaries(path: Path, rows: list[dict]) -> None:
    gdf = gpd.GeoDataFrame(rows, crs="EPSG:27700").to_crs("EPSG:4326")
    gdf.to_file(path, driver="GeoJSON")


def write_sources(
    folder: Path,
    *,
    population: bool = True,
    imd: bool = True,
    lsoa11: bool = True,
    codepoint: bool = True,
    denominators: bool = True,
    scores: str | None = "mhclg",
    merged: bool = False,
    lookup: str | None = None,
    ward_authority: bool = True,
) -> Path:
    """Write the synthetic raw files into ``folder``; flags leave optional files out.

    ``merged`` writes west ward as one merged 2021 zone (`MERGED_ZONE`). ``lookup`` adds an
    LSOA 2011 -> ward lookup: ``"same"`` (WD24 codes, those of the boundaries) or ``"old"``
    (WD17 codes of an older edition, matching none of them). ``ward_authority=False``
    leaves the LAD fields out of the ward boundaries.

    ``scores`` picks the layout of the IoD 2019 scores file: ``"mhclg"`` (File 5: rates as
    fractions), ``"bristol"`` (Bristol City Council's: ``;``-separated, per cent),
    ``"file7"`` (one MHCLG File 7 holding ranks, scores and denominators, written instead
    of File 2 and File 6 whatever ``imd`` and ``denominators`` say) or None (no file).
    """
    folder.mkdir(parents=True, exist_ok=True)

    def authority(lad: str) -> dict:
        if not ward_authority:
            return {}
        return {"LAD24CD": lad, "LAD24NM": "Testshire" if lad == LAD else "Elsewhere"}

    _write_boundaries(
        folder / "wards.geojson",
        [
            {"WD24CD": c, "WD24NM": n, **authority(lad), "geometry": box(*b)}
            for c, n, lad, b in WARDS
        ],
    )
    _write_boundaries(
        folder / "lsoa21.geojson",
        [{"LSOA21CD": c, "LSOA21NM": n, "geometry": box(*b)} for c, n, b in lsoa21_zones(merged)],
    )
    if lookup is not None:
        _write_lookup(folder / "lookup.csv", old=lookup == "old")
    if lsoa11:
        _write_boundaries(
            folder / "lsoa11.geojson",
            [{"LSOA11CD": c, "LSOA11NM": n, "geometry": box(*b)} for c, n, b in LSOA11],
        )
    lsoa_header = [
        "LSOA code (2011)",
        "LSOA name (2011)",
        "Local Authority District code (2019)",
        "Local Authority District name (2019)",
    ]
    rank_header = [
        column
        for prefix in IMD_PREFIXES
        for column in (
            f"{prefix} Rank (where 1 is most deprived)",
            f"{prefix} Decile (where 1 is most deprived 10% of LSOAs)",
        )
    ]
    score_header = [*MHCLG_RATE_COLUMNS, "Health Deprivation and Disability Score"]

    def ranks(code: str) -> list:
        rank, decile = IMD[code]
        return [f"{rank:,}", decile] * 8

    def denominators_of(code: str) -> list:
        total, kids, mid, old = DENOMINATORS[code]
        return [f"{total:,}", kids, mid, old, mid]

    if scores == "file7":
        with (folder / "imd_file7.csv").open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow([*lsoa_header, *rank_header, *score_header, *DENOMINATOR_HEADER])
            for code in IMD:
                writer.writerow(
                    [code, code, LAD, "Testshire", *ranks(code), *RATES[code], 0.5]
                    + denominators_of(code)
                )
        return _write_population_and_postcodes(
            folder, population=population, codepoint=codepoint, merged=merged
        )
    if imd:
        with (folder / "imd_file2.csv").open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow([*lsoa_header, *rank_header])
            for code in IMD:
                writer.writerow([code, code, LAD, "Testshire", *ranks(code)])
    if scores == "mhclg":
        with (folder / "imd_file5.csv").open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow([*lsoa_header, *score_header])
            for code, rates in RATES.items():
                writer.writerow([code, code, LAD, "Testshire", *rates, 0.5])
    elif scores == "bristol":
        with (folder / "deprivation_2019.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, delimiter=";")
            writer.writerow(
                [
                    "LSOA code",
                    "LSOA name",
                    "Education, Skills and Training Score",
                    *BRISTOL_RATE_COLUMNS,
                    "Health Deprivation and Disability Score",
                    "Total population: mid 2015",
                ]
            )
            for code, rates in RATES.items():
                percent = [f"{100 * rate:.2f}" for rate in rates]
                writer.writerow([code, code, 1.5, *percent, 0.5, DENOMINATORS[code][0]])
    if denominators:
        with (folder / "imd_file6.csv").open("w", newline="", encoding="utf-8-sig") as f:
            writer = csv.writer(f)
            writer.writerow([*lsoa_header, *DENOMINATOR_HEADER])
            for code in DENOMINATORS:
                writer.writerow([code, code, LAD, "Testshire", *denominators_of(code)])
    return _write_population_and_postcodes(
        folder, population=population, codepoint=codepoint, merged=merged
    )


def lsoa21_zones(merged: bool) -> list[tuple[str, str, tuple]]:
    """The LSOA 2021 zones written: `LSOA21`, or with west ward's two as `MERGED_ZONE`."""
    if not merged:
        return LSOA21
    return [MERGED_ZONE, *(zone for zone in LSOA21 if zone[0] not in MERGED_PARENTS)]


def _write_lookup(path: Path, *, old: bool) -> None:
    field = "WD17" if old else "WD24"
    ward_names = {code: name for code, name, _, _ in WARDS}
    ward_lads = {code: lad for code, _, lad, _ in WARDS}
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["LSOA11CD", "LSOA11NM", f"{field}CD", f"{field}NM", "LAD17CD", "FID"])
        for number, (lsoa, ward) in enumerate(LOOKUP_WARDS.items(), start=1):
            code = OLD_EDITION[ward] if old else ward
            writer.writerow([lsoa, lsoa, code, ward_names[ward], ward_lads[ward], number])


def _merged_population(table: dict) -> dict:
    """``table`` with the merged zone's people the sum of its two 2011 zones' rows."""
    parents = [table[code] for code in MERGED_PARENTS]
    out = {MERGED_ZONE[0]: tuple(map(sum, zip(*parents, strict=True)))}
    out.update({code: row for code, row in table.items() if code not in MERGED_PARENTS})
    return out


def _write_population_and_postcodes(
    folder: Path, *, population: bool, codepoint: bool, merged: bool = False
) -> Path:
    if population:
        ages = [f"F{a}" for a in range(91)] + [f"M{a}" for a in range(91)]
        with (folder / "population.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(
                [
                    "LAD_Code",
                    "LAD_Name",
                    "LSOA_2021_Code",
                    "LSOA_2021_Name",
                    "Total",
                    *ages,
                    "Year",
                    "Source_File",
                ]
            )
            editions = [
                (2023, "Mid_2023.csv", POPULATION_2024_FIRST),
                (2024, "Mid_2024_1.csv", POPULATION_2024_FIRST),
                (2024, "Mid_2024_2.csv", POPULATION_2024_REVISED),
            ]
            for year, source, table in editions:
                rows = _merged_population(table) if merged else table
                for code, (young, adult, old) in rows.items():
                    counts = dict.fromkeys(ages, 0)
                    counts["F5"], counts["M30"], counts["F70"] = young, adult, old
                    writer.writerow(
                        [
                            LAD,
                            "Testshire",
                            code,
                            code,
                            young + adult + old,
                            *counts.values(),
                            year,
                            source,
                        ]
                    )
    if codepoint:
        with (folder / "codepoint.csv").open("w", newline="") as f:
            for postcode, e, n, lad, ward in POSTCODES:
                f.write(f"{postcode},10,{e},{n},E92000001,,,,{lad},{ward}\r\n")
    return folder
