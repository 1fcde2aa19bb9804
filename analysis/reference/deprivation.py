"""English Indices of Deprivation 2019: need scores and weights from ranks, rates from
scores, carried from the 2011 zones they are published on to 2021 neighbourhoods through
the parts of `analysis.reference.lsoa_change`."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.model import (
    IMD_DOMAINS,
    IOD_RATES,
    LSOA11_CODE,
    LSOA_CODE,
    POP_CHILDREN,
    POP_OLDER,
    POP_WORKING_AGE,
    POPULATION,
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

RATE_GROUPS: dict[str, str] = {
    "income": POPULATION,
    "employment": POP_WORKING_AGE,
    "idaci": POP_CHILDREN,
    "idaopi": POP_OLDER,
}
"""The population column each IoD rate is a share of (IMD 2019 File 6's bands: working age
16-59, older 60+), which weighs it when a zone merged from several 2011 zones is averaged."""


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


def rank_from_need_score(score: pd.Series | np.ndarray, n: int = IMD2019_LSOA_COUNT) -> np.ndarray:
    """The rank a zone with need score ``score`` would have: `need_score_from_rank` inverted.

    Notes
    -----
    R = (1 - exp(-X / 23)) / (1 - exp(-100 / 23)); rank = n + 1 - R n, rounded to a whole
    rank and kept within 1..n. NaN stays NaN.
    """
    scores = np.asarray(score, dtype="float64")
    scaled = (1.0 - np.exp(-scores / 23.0)) / (1.0 - np.exp(-100.0 / 23.0))
    return np.clip(np.round(n + 1 - scaled * n), 1, n)


def decile_from_rank(rank: pd.Series | np.ndarray, n: int = IMD2019_LSOA_COUNT) -> np.ndarray:
    """IMD decile of ``rank`` (1 = most deprived 10 % of England's zones): ceil(10 rank / n).

    Matches File 2's published deciles for every rank (checked on Bristol's 263 zones).
    """
    return np.ceil(np.asarray(rank, dtype="float64") * 10 / n)


def carry_values(
    parts: pd.DataFrame, values_df: pd.DataFrame, weights: Mapping[str, str]
) -> pd.DataFrame:
    """Carry 2011 zones' values to 2021 zones through their parts.

    Parameters
    ----------
    parts
        From `analysis.reference.lsoa_change.lsoa11_parts` (or `share_out`), holding the
        weight columns named in ``weights``.
    values_df
        lsoa11_code and the value columns (scores or rates: intensive values).
    weights
        Value column -> the column of ``parts`` that weighs it (people of the value's
        group, or the part's area).

    Returns
    -------
    pandas.DataFrame
        lsoa_code and each value column, one row per zone of ``parts``.

    Notes
    -----
    A zone made of one 2011 zone takes its value as published; a zone made of several
    takes the weighted mean over the parts that have one (NaN when none has):
    v(z) = Σ_p w_p v_p / Σ_p w_p. Values are averaged, never summed.
    """
    table = parts.merge(values_df, on=LSOA11_CODE, how="left")
    zones = table[LSOA_CODE]
    single = zones.map(zones.value_counts()) == 1
    out = pd.DataFrame({LSOA_CODE: zones.drop_duplicates().to_numpy()})
    for column, weight_column in weights.items():
        values = table[column].astype(float)
        weight = table[weight_column].astype(float).where(values.notna())
        mean = (values * weight).groupby(zones).sum(min_count=1) / weight.groupby(zones).sum(
            min_count=1
        )
        as_published = values[single].groupby(zones[single]).first()
        out[column] = out[LSOA_CODE].map(as_published.combine_first(mean))
    return out


def carry_imd(parts: pd.DataFrame, imd_df: pd.DataFrame, *, weight: str) -> pd.DataFrame:
    """Attach IMD 2019 ranks, deciles, need scores and weights to 2021 neighbourhoods.

    ``parts`` comes from `analysis.reference.lsoa_change.lsoa11_parts` (or ``share_out``)
    and holds the ``weight`` column (people, or the part's area); ``imd_df`` from File 2.
    Returns lsoa_code and the rank_, decile_, need_ and weight_ columns.

    Notes
    -----
    Need scores (0-100) are `need_score_from_rank`, rounded to 0.01. A zone made of several
    2011 zones takes the weighted mean of their need scores: averaging on the indices' own
    score scale keeps the need a zone counts (residents × weight) the sum of its parts'.
    Its rank and decile are those of that mean score (`rank_from_need_score`), since no
    rank was published for it. Each domain of `analysis.model.WEIGHT_DOMAINS` (an index
    score but no rate) also gets a 0-1 weight, weight = need score / 100: the share of
    residents a need indicator counts, 1 in the most deprived neighbourhood of England,
    about 0.5 at the edge of the most deprived tenth and close to 0 in the least deprived.
    """
    scored = imd_df[[LSOA11_CODE]].copy()
    for domain in IMD_DOMAINS:
        scored[need_col(domain)] = need_score_from_rank(imd_df[rank_col(domain)])
        scored[rank_col(domain)] = imd_df[rank_col(domain)]
        scored[decile_col(domain)] = imd_df[decile_col(domain)]
    columns = [c for c in scored.columns if c != LSOA11_CODE]
    merged = carry_values(parts, scored, dict.fromkeys(columns, weight))
    several = merged[LSOA_CODE].map(parts[LSOA_CODE].value_counts()) > 1
    for domain in IMD_DOMAINS:
        need = merged[need_col(domain)]
        rank = np.where(several, rank_from_need_score(need), merged[rank_col(domain)])
        decile = np.where(several, decile_from_rank(rank), merged[decile_col(domain)])
        merged[rank_col(domain)] = pd.array(rank, dtype="Float64").astype("Int64")
        merged[decile_col(domain)] = pd.array(decile, dtype="Float64").astype("Int64")
        merged[need_col(domain)] = need.round(NEED_SCORE_DECIMALS)
    for domain in WEIGHT_DOMAINS:
        merged[weight_col(domain)] = np.round(merged[need_col(domain)] / 100.0, WEIGHT_DECIMALS)
    return merged


def carry_rates(
    parts: pd.DataFrame, rates_df: pd.DataFrame, *, weights: Mapping[str, str]
) -> pd.DataFrame:
    """Attach the IoD 2019 rates (fractions 0-1) to 2021 neighbourhoods, as ranks are carried.

    ``parts`` comes from `analysis.reference.lsoa_change.lsoa11_parts` (or ``share_out``);
    ``rates_df`` from `analysis.reference.sources.read_iod_scores`; ``weights`` maps each
    rate key to the column of ``parts`` weighing it (`RATE_GROUPS` when the parts carry
    people). A zone matched by code takes its own rates, a split zone its parent's, a
    merged zone the weighted mean of its parents'; a zone with no part, or whose 2011 zones
    the file lacks, gets none (NaN). Returns lsoa_code and the rate_<key> columns, rounded
    to 0.0001.
    """
    columns = {rate_col(key): weights[key] for key in IOD_RATES}
    carried = carry_values(parts, rates_df, columns)
    carried[list(columns)] = carried[list(columns)].round(RATE_DECIMALS)
    return carried[[LSOA_CODE, *columns]]
