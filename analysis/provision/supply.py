"""Supply: what each service offers in one category, in places per week.

A service filed under several categories shares its capacity among them equally (the
template has one capacity per service). A capacity left blank is unknown: it is counted at
a quantile (by default the median) of the known capacities of the same category in the
same directory, and marked as imputed so that every result can say how much of its supply
is an estimate.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import AnalysisError, check_choice
from analysis.model import CAPACITY, CATEGORIES, SERVICE_ID

Imputation = Literal["median", "lower quartile", "upper quartile"]
IMPUTATIONS: Final = get_args(Imputation)
MEDIAN, LOWER_QUARTILE, UPPER_QUARTILE = IMPUTATIONS
QUANTILE: Final[dict[str, float]] = {MEDIAN: 0.5, LOWER_QUARTILE: 0.25, UPPER_QUARTILE: 0.75}


def capacities(services: pd.DataFrame) -> np.ndarray:
    """Each service's stated capacity (places per week); NaN where unknown.

    Raises
    ------
    AnalysisError
        For a negative or infinite capacity (the importer never gives one).
    """
    capacity = pd.to_numeric(services[CAPACITY], errors="coerce").to_numpy(float)
    bad = np.isinf(capacity) | (capacity < 0)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise AnalysisError(
            f"service {services[SERVICE_ID].iloc[position]} has capacity "
            f"{float(capacity[position])}; expected a number >= 0 or blank (unknown). Fix: "
            "load the "
            "directory through analysis.ingest.load.load_directory, which checks capacities."
        )
    return capacity


def membership(services: pd.DataFrame, category_ids: tuple[str, ...]) -> np.ndarray:
    """Service × category 0/1 matrix (bool) of the categories each service is filed under."""
    position = {cid: k for k, cid in enumerate(category_ids)}
    filed = services[CATEGORIES].reset_index(drop=True).explode().map(position).dropna()
    out = np.zeros((len(services), len(category_ids)), dtype=bool)
    out[filed.index.to_numpy(), filed.to_numpy(int)] = True
    return out


def category_supply(
    capacity: np.ndarray,
    n_categories: np.ndarray,
    member: np.ndarray,
    *,
    imputation: Imputation = MEDIAN,
    default: float = settings.DEFAULT_CAPACITY,
) -> tuple[np.ndarray, np.ndarray]:
    """Per service, its capacity in one category and whether that capacity is imputed.

    Parameters
    ----------
    capacity
        Each service's stated capacity (`capacities`; NaN where unknown).
    n_categories
        How many categories each service is filed under (at least 1).
    member
        Per service: filed under the category.
    imputation
        The quantile of the category's known capacities that an unknown one counts at.
    default
        The capacity an unknown one counts at when no service of the category states one.

    Returns
    -------
    tuple of numpy.ndarray
        Capacity (places per week; 0 outside the category) and the imputed flag.

    Notes
    -----
    c(s, k) = capacity_s / |categories_s| for a service s in category k. Unknown
    capacities take the ``imputation`` quantile of the known c(s', k) of the category.
    """
    check_choice("capacity imputation", imputation, IMPUTATIONS)
    shared = capacity / np.maximum(n_categories, 1)
    known = member & np.isfinite(shared)
    unknown = member & ~np.isfinite(shared)
    fill = float(np.quantile(shared[known], QUANTILE[imputation])) if known.any() else default
    supply = np.where(member, np.where(unknown, fill, shared), 0.0)
    return supply, unknown
