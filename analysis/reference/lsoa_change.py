"""LSOA 2011 -> 2021: which 2011 zones each 2021 neighbourhood is made of, and how the
2011 zones' counts (IMD 2019 population denominators) travel to the 2021 zones.

ONS kept most zones in 2021 (same code), split some (a new code inside one 2011 zone) and
merged others (a new code made of several 2011 zones). The *parts* table records this once:
one row per (2021 zone, 2011 zone) pair with the area they share, and every carried value
(counts here, ranks and rates in `analysis.reference.deprivation`) reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis import settings
from analysis.crs import ensure_crs
from analysis.model import (
    CRS_COMPUTE,
    IMD_BY_CODE,
    IMD_MATCH,
    IMD_MERGED,
    IMD_SOURCE_LSOA,
    IMD_SPLIT,
    IMD_UNMATCHED,
    LSOA11_CODE,
    LSOA_CODE,
)

PART_M2 = "part_m2"
"""Column of the parts table: the area a 2021 zone shares with a 2011 zone, in m²."""

PARENT_SEPARATOR = "+"
"""Joins the 2011 codes of a merged zone in ``imd_lsoa11_code`` (largest part first)."""


def lsoa11_parts(
    lsoa21_gdf: gpd.GeoDataFrame,
    lsoa11_gdf: gpd.GeoDataFrame | None,
    *,
    lsoa11_codes: Iterable[str] = (),
) -> pd.DataFrame:
    """The 2011 zones each 2021 neighbourhood is made of: lsoa_code, lsoa11_code, part_m2.

    A zone whose code existed in 2011 is its own single part. A new code is made of every
    2011 zone covering at least `analysis.settings.IMD_PARENT_MIN_SHARE` of its area
    (smaller overlaps are slivers of generalised boundaries): one part for a split zone,
    several for a merged one. A new code with no 2011 boundaries to place it has no part.

    ``lsoa11_codes`` adds 2011 codes known without boundaries (from the IMD files). Both
    frames in EPSG:27700. Rows are sorted by zone, then largest part first, then code.
    """
    codes11 = set(lsoa11_codes) | (set(lsoa11_gdf[LSOA_CODE]) if lsoa11_gdf is not None else set())
    areas = lsoa21_gdf.set_index(LSOA_CODE).area
    kept = lsoa21_gdf[LSOA_CODE][lsoa21_gdf[LSOA_CODE].isin(codes11)]
    frames = [pd.DataFrame({LSOA_CODE: kept, LSOA11_CODE: kept, PART_M2: kept.map(areas)})]
    new = lsoa21_gdf[~lsoa21_gdf[LSOA_CODE].isin(codes11)]
    if lsoa11_gdf is not None and not new.empty:
        ensure_crs(lsoa21_gdf, CRS_COMPUTE, name="LSOA 2021 boundaries")
        ensure_crs(lsoa11_gdf, CRS_COMPUTE, name="LSOA 2011 boundaries")
        pieces = gpd.overlay(
            new[[LSOA_CODE, new.geometry.name]],
            lsoa11_gdf[[LSOA_CODE, lsoa11_gdf.geometry.name]].rename(
                columns={LSOA_CODE: LSOA11_CODE}
            ),
            how="intersection",
            keep_geom_type=True,
        )
        pieces[PART_M2] = pieces.area
        share = pieces[PART_M2] / pieces[LSOA_CODE].map(areas)
        pieces = pieces[share >= settings.IMD_PARENT_MIN_SHARE]
        frames.append(pd.DataFrame(pieces[[LSOA_CODE, LSOA11_CODE, PART_M2]]))
    parts = pd.concat(frames, ignore_index=True)
    return parts.sort_values(
        [LSOA_CODE, PART_M2, LSOA11_CODE], ascending=[True, False, True], ignore_index=True
    )


def describe_matches(lsoa21_codes: Sequence[str], parts: pd.DataFrame) -> pd.DataFrame:
    """How each 2021 zone relates to 2011: lsoa_code, imd_lsoa11_code and imd_match.

    ``imd_match`` is ``code`` (same code), ``split`` (a new code within one 2011 zone),
    ``merged`` (several) or ``none`` (no part); ``imd_lsoa11_code`` holds the 2011 code of
    each part, joined by ``+`` with the largest part first.
    """
    result = pd.DataFrame({LSOA_CODE: list(lsoa21_codes)})
    grouped = parts.groupby(LSOA_CODE, sort=False)[LSOA11_CODE]
    n_parts = result[LSOA_CODE].map(grouped.size()).fillna(0)
    result[IMD_SOURCE_LSOA] = result[LSOA_CODE].map(grouped.agg(PARENT_SEPARATOR.join))
    by_code = parts.loc[parts[LSOA_CODE] == parts[LSOA11_CODE], LSOA_CODE]
    result[IMD_MATCH] = np.select(
        [result[LSOA_CODE].isin(by_code), n_parts == 1, n_parts > 1],
        [IMD_BY_CODE, IMD_SPLIT, IMD_MERGED],
        IMD_UNMATCHED,
    )
    return result


def share_out(parts: pd.DataFrame, counts_df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The parts table with each 2011 zone's counts shared among its parts by area.

    ``counts_df`` has lsoa11_code and the count ``columns``. A 2011 zone's count goes to the
    2021 zones made from it in proportion to the area of each part, so a merged zone
    gathers every parent's people and a split zone's children share their parent's. The
    shares are fractional people (NaN where ``counts_df`` has no row for the 2011 zone).
    """
    table = parts.merge(counts_df[[LSOA11_CODE, *columns]], on=LSOA11_CODE, how="left")
    share = table[PART_M2] / table.groupby(LSOA11_CODE)[PART_M2].transform("sum")
    for column in columns:
        table[column] = table[column].astype(float) * share
    return table


def zone_counts(shared_df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Whole people per 2021 zone from `share_out`: lsoa_code and the count ``columns``.

    Notes
    -----
    Each 2011 zone's shares are rounded by the largest-remainder method, so they add up to
    its count exactly and the area's total equals the source's. A zone with a part lacking
    a count gets none (NA) rather than a total that falls short.
    """
    out = pd.DataFrame({LSOA_CODE: shared_df[LSOA_CODE].drop_duplicates().to_numpy()})
    zones = shared_df[LSOA_CODE]
    for column in columns:
        whole = _round_within(shared_df[column], shared_df[LSOA11_CODE])
        totals = whole.groupby(zones).sum()
        lacking = whole.isna().groupby(zones).any()
        out[column] = out[LSOA_CODE].map(totals.mask(lacking)).astype("Int64")
    return out


def _round_within(values: pd.Series, groups: pd.Series) -> pd.Series:
    """Round ``values`` to whole numbers keeping each group's (whole) sum: largest remainder.

    Ties go to the earlier row, so the result depends only on the (sorted) input.
    """
    floor = np.floor(values)
    wanted = values.groupby(groups).transform("sum").round()
    short = wanted - floor.groupby(groups).transform("sum")
    order = (values - floor).groupby(groups).rank(method="first", ascending=False)
    return (floor + (order <= short)).where(values.notna())
