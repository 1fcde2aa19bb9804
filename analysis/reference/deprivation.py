"""English Indices of Deprivation 2019: need scores and weights from ranks, rates from
scores, and the 2011 -> 2021 zones they are carried between."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis import settings
from analysis.crs import ensure_crs
from analysis.model import (
    CRS_COMPUTE,
    IMD_BY_CODE,
    IMD_DOMAINS,
    IMD_MATCH,
    IMD_MERGED,
    IMD_SOURCE_LSOA,
    IMD_SPLIT,
    IMD_UNMATCHED,
    IOD_RATES,
    LSOA11_CODE,
    LSOA_CODE,
    WEIGHT_DOMAINS,
    decile_col,
    need_col,
    rank_col,
    rate_col,
    weight_col,
)

# Number of LSOAs (2011) ranked by the English Indices of Deprivation 2019.
IMD2019_LSOA_COUNT = 32_844

# Decimals kept: need scores (0-100) to 0.01, so weights (0-1) to 0.0001 hold them exactly;
# rates to 0.0001, finer than either publication (MHCLG 0.001, Bristol 0.1 %).
NEED_SCORE_DECIMALS = 2
WEIGHT_DECIMALS = 4
RATE_DECIMALS = 4

# Share of a new 2021 zone's area lying in one 2011 zone (a working column only).
_PARENT_SHARE = "parent_share"


def need_score_from_rank(rank: pd.Series | np.ndarray, n: int = IMD2019_LSOA_COUNT) -> np.ndarray:
    """Turn IMD ranks (1 = most deprived) into 0-100 need scores (100 = most deprived).

    Notes
    -----
    The indices combine domains after the same exponential transformation
    (English Indices of Deprivation 2019, Technical report, section 3.8):

        R = (n + 1 - rank) / n            (R = 1/n least deprived, 1 most deprived)
        X = -23 * ln(1 - R * (1 - exp(-100 / 23)))

    X runs from about 0 to 100 and stretches the most deprived end, so that a zone ranked
    in the most deprived 10 % scores above 50.
    """
    ranks = np.asarray(rank, dtype="float64")
    if np.any((ranks < 1) | (ranks > n)):
        raise ValueError(f"IMD ranks must lie in 1..{n}; got {ranks.min()}..{ranks.max()}")
    scaled = (n + 1 - ranks) / n
    return -23.0 * np.log(1.0 - scaled * (1.0 - np.exp(-100.0 / 23.0)))


def match_lsoa11_to_lsoa21(
    lsoa21_gdf: gpd.GeoDataFrame,
    lsoa11_gdf: gpd.GeoDataFrame | None,
    *,
    lsoa11_codes: Iterable[str] = (),
) -> pd.DataFrame:
    """Give each 2021 neighbourhood the 2011 zone whose IMD values it carries.

    Returns columns lsoa_code, imd_lsoa11_code and imd_match:

    - ``code``: the 2021 code exists in 2011 (zone unchanged, 259 of Bristol's 268);
    - ``split``: a new zone lying within one 2011 zone: it takes its parent's values;
    - ``merged``: a new zone made of several 2011 zones (each >= 10 % of its area): it takes
      the values of the part covering most of its area;
    - ``none``: a new code and no 2011 boundaries to place it (IMD left empty).

    ``lsoa11_codes`` adds 2011 codes known without boundaries (e.g. from the IMD file).
    Both frames must be in EPSG:27700.
    """
    codes11 = set(lsoa11_codes) | (set(lsoa11_gdf[LSOA_CODE]) if lsoa11_gdf is not None else set())
    result = pd.DataFrame({LSOA_CODE: lsoa21_gdf[LSOA_CODE].to_numpy()})
    result[IMD_SOURCE_LSOA] = result[LSOA_CODE].where(result[LSOA_CODE].isin(codes11))
    result[IMD_MATCH] = np.where(result[IMD_SOURCE_LSOA].notna(), IMD_BY_CODE, IMD_UNMATCHED)
    new = lsoa21_gdf[~lsoa21_gdf[LSOA_CODE].isin(codes11)]
    if lsoa11_gdf is None or new.empty:
        return result
    ensure_crs(lsoa21_gdf, CRS_COMPUTE, name="LSOA 2021 boundaries")
    ensure_crs(lsoa11_gdf, CRS_COMPUTE, name="LSOA 2011 boundaries")
    pieces = gpd.overlay(
        new[[LSOA_CODE, new.geometry.name]],
        lsoa11_gdf[[LSOA_CODE, lsoa11_gdf.geometry.name]].rename(columns={LSOA_CODE: LSOA11_CODE}),
        how="intersection",
        keep_geom_type=True,
    )
    pieces[_PARENT_SHARE] = pieces.area / pieces[LSOA_CODE].map(new.set_index(LSOA_CODE).area)
    pieces = pieces[pieces[_PARENT_SHARE] >= settings.IMD_PARENT_MIN_SHARE]
    parents = pieces.sort_values(
        [LSOA_CODE, _PARENT_SHARE, LSOA11_CODE], ascending=[True, False, True]
    )
    n_parents = parents.groupby(LSOA_CODE)[LSOA11_CODE].count()
    best = parents.drop_duplicates(LSOA_CODE).set_index(LSOA_CODE)[LSOA11_CODE]
    is_new = result[LSOA_CODE].isin(best.index)
    result.loc[is_new, IMD_SOURCE_LSOA] = result.loc[is_new, LSOA_CODE].map(best)
    result.loc[is_new, IMD_MATCH] = np.where(
        result.loc[is_new, LSOA_CODE].map(n_parents) > 1, IMD_MERGED, IMD_SPLIT
    )
    return result


def carry_imd(matches: pd.DataFrame, imd_df: pd.DataFrame) -> pd.DataFrame:
    """Attach IMD 2019 ranks, deciles, need scores and weights to 2021 neighbourhoods.

    ``matches`` comes from `match_lsoa11_to_lsoa21`; ``imd_df`` from File 2.

    Notes
    -----
    Need scores (0-100) are `need_score_from_rank`, rounded to 0.01. Each domain of
    `analysis.model.WEIGHT_DOMAINS` (an index score but no rate) also gets a 0-1 weight,
    weight = need score / 100: the share of residents a need indicator counts, 1 in the
    most deprived neighbourhood of England, about 0.5 at the edge of the most deprived
    tenth and close to 0 in the least deprived.
    """
    merged = matches.merge(
        imd_df.rename(columns={LSOA11_CODE: IMD_SOURCE_LSOA}), on=IMD_SOURCE_LSOA, how="left"
    )
    for domain in IMD_DOMAINS:
        ranks = merged[rank_col(domain)]
        scores = np.full(len(merged), np.nan)
        present = ranks.notna().to_numpy()
        scores[present] = need_score_from_rank(ranks[present])
        merged[need_col(domain)] = np.round(scores, NEED_SCORE_DECIMALS)
        merged[rank_col(domain)] = ranks.astype("Int64")
        merged[decile_col(domain)] = merged[decile_col(domain)].astype("Int64")
    for domain in WEIGHT_DOMAINS:
        merged[weight_col(domain)] = np.round(merged[need_col(domain)] / 100.0, WEIGHT_DECIMALS)
    return merged


def carry_rates(matches: pd.DataFrame, rates_df: pd.DataFrame) -> pd.DataFrame:
    """Attach the IoD 2019 rates (fractions 0-1) to 2021 neighbourhoods, as ranks are carried.

    ``matches`` comes from `match_lsoa11_to_lsoa21`; ``rates_df`` from
    `analysis.reference.sources.read_iod_scores`. A zone matched by code takes its own
    rates, a split zone its parent's, a merged zone those of the 2011 zone covering most of
    it; a zone with no match, or whose 2011 zone the file lacks, gets none (NaN). Returns
    lsoa_code and the rate_<key> columns, rounded to 0.0001.
    """
    columns = [rate_col(key) for key in IOD_RATES]
    merged = matches[[LSOA_CODE, IMD_SOURCE_LSOA]].merge(
        rates_df.rename(columns={LSOA11_CODE: IMD_SOURCE_LSOA}), on=IMD_SOURCE_LSOA, how="left"
    )
    merged[columns] = merged[columns].astype(float).round(RATE_DECIMALS)
    return merged[[LSOA_CODE, *columns]]
