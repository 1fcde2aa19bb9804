"""Build an area set (wards, neighbourhoods, postcodes, attribution) from raw public files.

    python -m analysis build-area --source ../shared/data/bristol --lad E06000023 \
        --out data/reference/bristol

Rules, stated once:

- A neighbourhood (LSOA 2021) belongs to the authority when at least half of its area lies
  in the authority's wards, and to the ward holding the largest part of its area
  (``ward_overlap_share`` records that part).
- Population: the latest mid-year estimate on LSOA 2021 (or ``population_year``); without
  one, IMD 2019's mid-2015 denominators shared out from LSOA 2011 by area (bands then 0-15,
  16-59, 60+): a merged zone gathers all its parents' people, split zones share their
  parent's (`analysis.reference.lsoa_change`). Adults (``pop_16_plus``) are the population
  less the children.
- IMD 2019 ranks and IoD 2019 rates (published on LSOA 2011) are carried through the same
  parts (`analysis.reference.lsoa_change.lsoa11_parts`): a zone made of several 2011 zones
  takes their mean weighted by people (the denominators, when given) or else by area.
  Rates are stored as fractions (0-1) whichever layout the scores file has.
- A ward lookup that names none of the wards read is said to be of another edition.
- Postcodes: every Code-Point Open postcode whose district is the authority, with
  Code-Point's own ward code and the LSOA holding its point (the nearest one when the
  point falls just outside the generalised boundaries).

The output is deterministic: rows sorted by code, numbers rounded, no timestamps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis import settings
from analysis.crs import bng_to_lonlat
from analysis.errors import SourceDataError
from analysis.geography import normalise_postcode
from analysis.model import (
    CRS_COMPUTE,
    CRS_DISPLAY,
    EASTING,
    IMD_DOMAINS,
    IMD_MATCH,
    IMD_SOURCE_LSOA,
    IMD_UNMATCHED,
    IOD_RATES,
    LAD_CODE,
    LAT,
    LON,
    LSOA11_CODE,
    LSOA_CODE,
    LSOA_NAME,
    NORTHING,
    POP_ADULTS,
    POP_CHILDREN,
    POP_OLDER,
    POP_WORKING_AGE,
    POPULATION,
    POPULATION_COLUMNS,
    POSTCODE,
    WARD_CODE,
    WARD_OVERLAP_SHARE,
    WEIGHT_DOMAINS,
    decile_col,
    need_col,
    rank_col,
    rate_col,
    weight_col,
)
from analysis.reference import sources as src
from analysis.reference.deprivation import RATE_GROUPS, carry_imd, carry_rates
from analysis.reference.lsoa_change import (
    PART_M2,
    describe_matches,
    lsoa11_parts,
    share_out,
    zone_counts,
)

COORDINATE_DECIMALS = 6  # about 0.1 m: far finer than the generalised boundaries

# Age bands of the population columns: ONS estimates give single years of age; IMD 2019's
# denominators (mid-2015) only these bands.
AGE_BANDS = {
    POP_CHILDREN: "0-15",
    POP_WORKING_AGE: "16-64",
    POP_OLDER: "65+",
    POP_ADULTS: "16+",
}
AGE_BANDS_IMD_DENOMINATORS = {
    POP_CHILDREN: "0-15",
    POP_WORKING_AGE: "16-59",
    POP_OLDER: "60+",
    POP_ADULTS: "16+",
}

ATTRIBUTIONS = {
    src.WARDS: "Ward boundaries: Source: Office for National Statistics licensed under the "
    "Open Government Licence v.3.0. Contains OS data © Crown copyright and database right.",
    src.LSOA21: "LSOA 2021 boundaries: Source: Office for National Statistics licensed under "
    "the Open Government Licence v.3.0. Contains OS data © Crown copyright and database right.",
    src.LSOA11: "LSOA 2011 boundaries: Source: Office for National Statistics licensed under "
    "the Open Government Licence v.3.0. Contains OS data © Crown copyright and database right.",
    src.LOOKUP: "LSOA to ward lookup: Source: Office for National Statistics licensed under "
    "the Open Government Licence v.3.0.",
    src.IMD_RANKS: "Ministry of Housing, Communities and Local Government (2019), English "
    "Indices of Deprivation 2019. Contains public sector information licensed under the "
    "Open Government Licence v3.0.",
    src.IOD_SCORES: "IoD 2019 scores (income, employment, IDACI and IDAOPI rates): Ministry "
    "of Housing, Communities and Local Government (2019), English Indices of Deprivation "
    "2019. Contains public sector information licensed under the Open Government Licence "
    "v3.0.",
    src.IMD_DENOMINATORS: "IMD 2019 population denominators: Ministry of Housing, Communities "
    "and Local Government (2019). Contains public sector information licensed under the Open "
    "Government Licence v3.0.",
    src.POPULATION_SYOA: "Population estimates: Source: Office for National Statistics "
    "licensed under the Open Government Licence v.3.0.",
    src.CODEPOINT: "Postcodes: Contains OS data © Crown copyright and database right. "
    "Contains Royal Mail data © Royal Mail copyright and database right. Contains National "
    "Statistics data © Crown copyright and database right.",
}
OGL_PATH = Path(__file__).with_name("ogl-v3.txt")

# What an area lacks when an optional source is missing, said in its warning.
MISSING_CONSEQUENCES = {
    src.IOD_SCORES: "so the neighbourhoods have no rate columns "
    f"({', '.join(rate_col(key) for key in IOD_RATES)}) and need categories whose indicator "
    "uses them count all residents instead",
}


@dataclass
class BuildLog:
    """What a build read, decided and could not do, written to area.json."""

    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def assign_neighbourhoods(
    lsoa_gdf: gpd.GeoDataFrame, wards_gdf: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Keep the LSOAs mostly inside ``wards_gdf`` and give each its largest-overlap ward.

    Both frames in EPSG:27700. Adds ``ward_code`` and ``ward_overlap_share`` (0-1).
    Ties go to the lower ward code, so the result never depends on row order.
    """
    wards = wards_gdf[[WARD_CODE, wards_gdf.geometry.name]]
    candidates = gpd.sjoin(lsoa_gdf, wards[[wards.geometry.name]], predicate="intersects")
    candidates = lsoa_gdf[lsoa_gdf[LSOA_CODE].isin(candidates[LSOA_CODE])]
    pieces = gpd.overlay(
        candidates[[LSOA_CODE, candidates.geometry.name]],
        wards,
        how="intersection",
        keep_geom_type=True,
    )
    areas = candidates.set_index(LSOA_CODE).area
    pieces[WARD_OVERLAP_SHARE] = pieces.area / pieces[LSOA_CODE].map(areas)
    inside = pieces.groupby(LSOA_CODE)[WARD_OVERLAP_SHARE].sum()
    best = (
        pieces.sort_values(
            [LSOA_CODE, WARD_OVERLAP_SHARE, WARD_CODE], ascending=[True, False, True]
        )
        .drop_duplicates(LSOA_CODE)
        .set_index(LSOA_CODE)
    )
    kept = inside[inside >= settings.MIN_AUTHORITY_SHARE].index
    out = lsoa_gdf[lsoa_gdf[LSOA_CODE].isin(kept)].copy()
    out[WARD_CODE] = out[LSOA_CODE].map(best[WARD_CODE])
    out[WARD_OVERLAP_SHARE] = out[LSOA_CODE].map(best[WARD_OVERLAP_SHARE]).round(4)
    return out.sort_values(LSOA_CODE).reset_index(drop=True)


def _population_from_denominators(shared_df: pd.DataFrame, lsoa21_codes) -> pd.DataFrame:
    """Whole people per 2021 zone from IMD File 6's counts shared out by `share_out`.

    Raises
    ------
    SourceDataError
        When a zone has no 2011 part to take people from (a new code and no LSOA 2011
        boundaries to place it).
    """
    unplaced = sorted(set(lsoa21_codes) - set(shared_df[LSOA_CODE]))
    if unplaced:
        raise SourceDataError(
            f"{len(unplaced)} neighbourhood(s), e.g. {unplaced[0]}, have a new 2021 code and "
            "no LSOA 2011 boundaries to share the IMD 2019 population denominators to them. "
            "Fix: add the ONS LSOA 2011 boundaries, or the ONS mid-year estimates on LSOA 2021."
        )
    return zone_counts(shared_df, POPULATION_COLUMNS)


def _postcode_table(
    codepoint_df: pd.DataFrame, neighbourhoods_gdf: gpd.GeoDataFrame, log: BuildLog
) -> pd.DataFrame:
    no_position = codepoint_df[EASTING].eq(0) & codepoint_df[NORTHING].eq(0)
    if no_position.any():
        log.warnings.append(
            f"{int(no_position.sum())} postcodes have no grid reference in Code-Point Open "
            "and are not in the postcode table."
        )
    df = codepoint_df[~no_position].copy()
    df[POSTCODE] = [normalise_postcode(p) for p in df[POSTCODE]]
    points = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df[EASTING], df[NORTHING]), crs=CRS_COMPUTE
    )
    zones = neighbourhoods_gdf[[LSOA_CODE, neighbourhoods_gdf.geometry.name]]
    within = gpd.sjoin(points, zones, predicate="within", how="left")
    within = within[~within.index.duplicated(keep="first")]
    outside = within[LSOA_CODE].isna()
    if outside.any():
        nearest = gpd.sjoin_nearest(points[outside.to_numpy()], zones, how="left")
        nearest = nearest[~nearest.index.duplicated(keep="first")]
        within.loc[outside, LSOA_CODE] = nearest[LSOA_CODE]
        log.notes.append(
            f"{int(outside.sum())} postcode points lie outside every neighbourhood boundary "
            "(generalised edges); each was given its nearest neighbourhood."
        )
    lon, lat = bng_to_lonlat(within[EASTING].to_numpy(), within[NORTHING].to_numpy())
    table = pd.DataFrame(
        {
            POSTCODE: within[POSTCODE].to_numpy(),
            LAT: np.round(lat, COORDINATE_DECIMALS),
            LON: np.round(lon, COORDINATE_DECIMALS),
            EASTING: within[EASTING].to_numpy(),
            NORTHING: within[NORTHING].to_numpy(),
            WARD_CODE: within[WARD_CODE].to_numpy(),
            LSOA_CODE: within[LSOA_CODE].to_numpy(),
        }
    )
    return table.sort_values(POSTCODE, ignore_index=True)


def _and_list(items: Iterable[str]) -> str:
    """``a, b and c``."""
    words = list(items)
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    display = gdf.to_crs(CRS_DISPLAY)
    display[display.geometry.name] = shapely.make_valid(
        shapely.set_precision(display.geometry.values, 10**-COORDINATE_DECIMALS)
    )
    display.to_file(
        path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=COORDINATE_DECIMALS
    )


def _attribution_text(
    found: dict[str, src.SourceFile], name: str, scores_layout: src.ScoresLayout | None
) -> str:
    lines = [
        f"# Data attribution: {name}",
        "",
        "The reference data in this folder was derived by Safety Net's `build-area` command",
        "from public files, each published under the Open Government Licence v3.0:",
        "",
    ]
    for kind in ATTRIBUTIONS:
        if kind not in found:
            continue
        extra = scores_layout.attribution if kind == src.IOD_SCORES and scores_layout else ""
        lines.append(f"- {ATTRIBUTIONS[kind]}{' ' + extra if extra else ''}")
    lines += ["", "---", "", OGL_PATH.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines)


def build_area(
    source_dir: Path, lad_code: str, out_dir: Path, *, population_year: int | None = None
) -> dict:
    """Build the area set of ``lad_code`` from ``source_dir`` into ``out_dir``.

    Writes wards.geojson, neighbourhoods.geojson, postcodes.csv (when Code-Point Open is
    given), ATTRIBUTION.md and area.json (sources with hashes, rules applied, counts,
    warnings). Returns the area.json content.
    """
    found = src.discover_sources(Path(source_dir))
    log = BuildLog()
    for kind in src.OPTIONAL_KINDS:
        if kind not in found:
            consequence = f", {MISSING_CONSEQUENCES[kind]}" if kind in MISSING_CONSEQUENCES else ""
            log.warnings.append(
                f"no {src.KIND_DESCRIPTIONS[kind]} in the source folder{consequence}."
            )
    lookup = src.read_lookup(found[src.LOOKUP].path) if src.LOOKUP in found else None
    wards, name = src.read_wards(found[src.WARDS].path, lad_code, lookup)
    if lookup is not None:
        log.warnings += src.lookup_mismatch(lookup, wards, lad_code)
    lsoa21 = src.read_lsoa_boundaries(found[src.LSOA21].path, 2021)
    lsoa11 = src.read_lsoa_boundaries(found[src.LSOA11].path, 2011) if src.LSOA11 in found else None
    neighbourhoods = assign_neighbourhoods(lsoa21, wards)
    if LSOA_NAME not in neighbourhoods.columns:
        neighbourhoods[LSOA_NAME] = neighbourhoods[LSOA_CODE]
    imd_ranks = src.read_imd_ranks(found[src.IMD_RANKS].path) if src.IMD_RANKS in found else None
    rates, scores_layout = (
        src.read_iod_scores(found[src.IOD_SCORES].path) if src.IOD_SCORES in found else (None, None)
    )
    denominators = (
        src.read_imd_denominators(found[src.IMD_DENOMINATORS].path)
        if src.IMD_DENOMINATORS in found
        else None
    )
    known_codes = [
        code
        for table in (imd_ranks, rates, denominators)
        if table is not None
        for code in table[LSOA11_CODE]
    ]
    parts = lsoa11_parts(neighbourhoods, lsoa11, lsoa11_codes=known_codes)
    matches = describe_matches(neighbourhoods[LSOA_CODE], parts)
    # Values of a merged zone are weighted by the people of each part when the 2011 counts
    # are known, else by its area.
    if denominators is not None:
        parts = share_out(parts, denominators, POPULATION_COLUMNS)
        imd_weight, rate_weights = POPULATION, RATE_GROUPS
    else:
        imd_weight, rate_weights = PART_M2, dict.fromkeys(IOD_RATES, PART_M2)
    age_bands = AGE_BANDS
    population_meta: dict = {}
    if src.POPULATION_SYOA in found:
        estimate = src.read_population_syoa(found[src.POPULATION_SYOA].path, year=population_year)
        population = estimate.table
        population_meta = {
            "source": src.POPULATION_SYOA,
            "year": estimate.year,
            "edition": estimate.edition,
        }
        if estimate.note:
            log.notes.append(estimate.note)
    elif denominators is not None:
        population = _population_from_denominators(parts, neighbourhoods[LSOA_CODE])
        age_bands = AGE_BANDS_IMD_DENOMINATORS
        population_meta = {"source": src.IMD_DENOMINATORS, "year": 2015, "edition": None}
        log.warnings.append(
            "population from IMD 2019 denominators (mid-2015); age bands are "
            f"{_and_list(AGE_BANDS_IMD_DENOMINATORS.values())} in the columns "
            f"{_and_list(AGE_BANDS_IMD_DENOMINATORS)}."
        )
    else:
        raise SourceDataError(
            f"{source_dir}: no population source. Fix: add the ONS LSOA 2021 mid-year "
            "estimates (single year of age) or IMD 2019 File 6 population denominators."
        )
    missing_pop = sorted(set(neighbourhoods[LSOA_CODE]) - set(population[LSOA_CODE]))
    if missing_pop:
        raise SourceDataError(
            f"population file has no row for {len(missing_pop)} neighbourhood(s), e.g. "
            f"{missing_pop[0]}. Fix: use an estimate on LSOA 2021 boundaries for the whole area."
        )
    neighbourhoods = neighbourhoods.merge(population, on=LSOA_CODE, how="left")
    neighbourhoods[POP_ADULTS] = neighbourhoods[POPULATION] - neighbourhoods[POP_CHILDREN]
    has_iod = imd_ranks is not None or rates is not None
    if has_iod:
        neighbourhoods = neighbourhoods.merge(
            matches[[LSOA_CODE, IMD_SOURCE_LSOA, IMD_MATCH]], on=LSOA_CODE, how="left"
        )
        unmatched = int((neighbourhoods[IMD_MATCH] == IMD_UNMATCHED).sum())
        if unmatched:
            log.warnings.append(
                f"{unmatched} neighbourhood(s) have a new 2021 code and no LSOA 2011 "
                "boundaries to match them, so no IMD values."
            )
    if imd_ranks is not None:
        imd = carry_imd(parts, imd_ranks, weight=imd_weight)
        neighbourhoods = neighbourhoods.merge(imd, on=LSOA_CODE, how="left")
    if rates is not None:
        carried = carry_rates(parts, rates, weights=rate_weights)
        neighbourhoods = neighbourhoods.merge(carried, on=LSOA_CODE, how="left")
        lacking = neighbourhoods[rate_col(next(iter(IOD_RATES)))].isna()
        matched = neighbourhoods[IMD_MATCH] != IMD_UNMATCHED
        if (lacking & matched).any():
            log.warnings.append(
                f"{int((lacking & matched).sum())} neighbourhood(s) carry a 2011 zone that "
                f"{found[src.IOD_SCORES].path.name} has no row for, so no IoD 2019 rates."
            )
    columns = [
        LSOA_CODE,
        LSOA_NAME,
        WARD_CODE,
        WARD_OVERLAP_SHARE,
        *POPULATION_COLUMNS,
        POP_ADULTS,
    ]
    if has_iod:
        columns += [IMD_SOURCE_LSOA, IMD_MATCH]
    if imd_ranks is not None:
        for domain in IMD_DOMAINS:
            columns += [rank_col(domain), decile_col(domain), need_col(domain)]
        columns += [weight_col(domain) for domain in WEIGHT_DOMAINS]
    if rates is not None:
        columns += [rate_col(key) for key in IOD_RATES]
    neighbourhoods = gpd.GeoDataFrame(
        neighbourhoods[[*columns, neighbourhoods.geometry.name]], crs=CRS_COMPUTE
    )

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_geojson(wards, out_dir / "wards.geojson")
    _write_geojson(neighbourhoods, out_dir / "neighbourhoods.geojson")
    postcodes_count = 0
    if src.CODEPOINT in found:
        codepoint = src.read_codepoint(found[src.CODEPOINT].path, lad_code)
        postcodes = _postcode_table(codepoint, neighbourhoods, log)
        postcodes.to_csv(out_dir / "postcodes.csv", index=False, lineterminator="\n")
        postcodes_count = len(postcodes)
    else:
        (out_dir / "postcodes.csv").unlink(missing_ok=True)
    (out_dir / "ATTRIBUTION.md").write_text(
        _attribution_text(found, name, scores_layout), encoding="utf-8"
    )
    meta = {
        LAD_CODE: lad_code,
        "name": name,
        "counts": {
            "wards": len(wards),
            "neighbourhoods": len(neighbourhoods),
            "postcodes": postcodes_count,
            POPULATION: int(neighbourhoods[POPULATION].sum()),
        },
        POPULATION: population_meta,
        "age_bands": age_bands,
        "iod_rates": {
            "layout": scores_layout.publisher,
            "columns": {rate_col(key): f"share of {group}" for key, group in IOD_RATES.items()},
        }
        if scores_layout is not None
        else {},
        "imd_matches": neighbourhoods[IMD_MATCH].value_counts().sort_index().to_dict()
        if IMD_MATCH in neighbourhoods
        else {},
        "rules": {
            "authority": "LSOA 2021 zones with at least "
            f"{settings.MIN_AUTHORITY_SHARE:.0%} of their area in the authority's wards",
            "neighbourhood_ward": "largest area overlap (ties to the lower ward code)",
            "imd_2011_to_2021": "code match; a new code is made of the 2011 zones covering at "
            "least 10 % of its area (split: one, whose values it takes; merged: several, "
            "whose values it takes as a mean weighted by "
            + ("people (IMD 2019 denominators)" if denominators is not None else "area")
            + ", its rank and decile those of the mean need score)",
            "need_score": "IMD exponential transformation of the rank, 0-100, 100 = most deprived",
            "index_weight": "need score / 100 (0-1), for the domains with a score but no rate",
            "iod_rate": "the scores file's rate as a fraction of its group (per cent / 100), "
            "carried to 2021 zones by the same matches as the ranks",
            "adults": f"{POP_ADULTS} = {POPULATION} - {POP_CHILDREN}",
            "postcode_lsoa": "LSOA containing the postcode point, else the nearest",
        },
        "sources": {
            kind: {"file": f.path.name, "sha256": f.sha256} for kind, f in sorted(found.items())
        },
        "notes": log.notes,
        "warnings": log.warnings,
    }
    if population_meta["source"] == src.IMD_DENOMINATORS:
        meta["rules"]["population_2011_to_2021"] = (
            "a 2011 zone's people shared among the 2021 zones made from it by area (largest "
            "remainder, so they add up to its count)"
        )
    (out_dir / "area.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return meta
