"""Index of Multiple Deprivation 2019: need scores from ranks, and 2011 -> 2021 zones."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis import settings
from analysis.crs import ensure_crs
from analysis.model import CRS_COMPUTE, IMD_DOMAINS, need_col, rank_col

# Number of LSOAs (2011) ranked by the English Indices of Deprivation 2019.
IMD2019_LSOA_COUNT = 32_844


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
    codes11 = set(lsoa11_codes) | (
        set(lsoa11_gdf["lsoa_code"]) if lsoa11_gdf is not None else set()
    )
    result = pd.DataFrame({"lsoa_code": lsoa21_gdf["lsoa_code"].to_numpy()})
    result["imd_lsoa11_code"] = result["lsoa_code"].where(result["lsoa_code"].isin(codes11))
    result["imd_match"] = np.where(result["imd_lsoa11_code"].notna(), "code", "none")
    new = lsoa21_gdf[~lsoa21_gdf["lsoa_code"].isin(codes11)]
    if lsoa11_gdf is None or new.empty:
        return result
    ensure_crs(lsoa21_gdf, CRS_COMPUTE, name="LSOA 2021 boundaries")
    ensure_crs(lsoa11_gdf, CRS_COMPUTE, name="LSOA 2011 boundaries")
    pieces = gpd.overlay(
        new[["lsoa_code", "geometry"]],
        lsoa11_gdf[["lsoa_code", "geometry"]].rename(columns={"lsoa_code": "lsoa11_code"}),
        how="intersection",
        keep_geom_type=True,
    )
    pieces["share"] = pieces.area / pieces["lsoa_code"].map(new.set_index("lsoa_code").area)
    pieces = pieces[pieces["share"] >= settings.IMD_PARENT_MIN_SHARE]
    parents = pieces.sort_values(
        ["lsoa_code", "share", "lsoa11_code"], ascending=[True, False, True]
    )
    n_parents = parents.groupby("lsoa_code")["lsoa11_code"].count()
    best = parents.drop_duplicates("lsoa_code").set_index("lsoa_code")["lsoa11_code"]
    is_new = result["lsoa_code"].isin(best.index)
    result.loc[is_new, "imd_lsoa11_code"] = result.loc[is_new, "lsoa_code"].map(best)
    result.loc[is_new, "imd_match"] = np.where(
        result.loc[is_new, "lsoa_code"].map(n_parents) > 1, "merged", "split"
    )
    return result


def carry_imd(matches: pd.DataFrame, imd_df: pd.DataFrame) -> pd.DataFrame:
    """Attach IMD 2019 ranks, deciles and need scores to 2021 neighbourhoods.

    ``matches`` comes from `match_lsoa11_to_lsoa21`; ``imd_df`` from File 2.
    Need scores are rounded to 0.01.
    """
    merged = matches.merge(
        imd_df.rename(columns={"lsoa11_code": "imd_lsoa11_code"}), on="imd_lsoa11_code", how="left"
    )
    for domain in IMD_DOMAINS:
        ranks = merged[rank_col(domain)]
        scores = np.full(len(merged), np.nan)
        present = ranks.notna().to_numpy()
        scores[present] = need_score_from_rank(ranks[present])
        merged[need_col(domain)] = np.round(scores, 2)
        merged[rank_col(domain)] = ranks.astype("Int64")
        merged[f"decile_{domain}"] = merged[f"decile_{domain}"].astype("Int64")
    return merged
