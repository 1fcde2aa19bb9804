"""Classes and flags: the thresholds, and what they make of each area × category.

`Thresholds` says where relative provision counts as under-served or well provided and
when a figure rests on too few services, residents or people in need; `classify_provision`
and `flag_small_numbers` apply them to arrays, and `add_classes` sets the class,
uncertainty and small-numbers columns of a metrics table. Pure arithmetic on the table
`analysis.provision.metrics.compute_metrics` builds, so a threshold change reruns only
this (`MetricsResult.with_thresholds`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import AnalysisError
from analysis.model import (
    ADEQUATE,
    IMPUTED_SHARE,
    LOCAL_SERVICES,
    MISSING,
    NEED,
    NO_NEED,
    POPULATION,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    SMALL_NUMBERS,
    UNCERTAIN,
    UNDER_SERVED,
    WELL_PROVIDED,
)


@dataclass(frozen=True)
class Thresholds:
    """Where provision counts as under-served or well provided, or too small to read.

    Attributes
    ----------
    under_served_below
        Relative provision below this is ``under-served`` (default 0.5: half the city's
        provision per person in need).
    well_provided_from
        Relative provision at or above this is ``well provided`` (default 2: twice it).
    small_numbers_services
        Local services above 0 but below this are flagged as small numbers (default 2:
        one service opening or closing changes the picture).
    small_numbers_population
        Areas with fewer residents than this are flagged (default 1,000).
    small_numbers_need
        Areas with fewer people in need than this are flagged (default 100): a ratio over
        a handful of people can be extreme without meaning anything.
    uncertain_imputed_share
        Areas where more than this share of the supply comes from imputed capacities have
        an uncertain class (default 0.5).
    """

    under_served_below: float = settings.UNDER_SERVED_BELOW
    well_provided_from: float = settings.WELL_PROVIDED_FROM
    small_numbers_services: float = settings.SMALL_NUMBERS_SERVICES
    small_numbers_population: float = settings.SMALL_NUMBERS_POPULATION
    small_numbers_need: float = settings.SMALL_NUMBERS_NEED
    uncertain_imputed_share: float = settings.UNCERTAIN_IMPUTED_SHARE

    def __post_init__(self) -> None:
        for name, value in self.as_dict().items():
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise AnalysisError(
                    f"threshold {name} = {value!r} is not a number >= 0. Fix: pass a finite "
                    f"non-negative number (default {getattr(Thresholds, name)})."
                )
        if self.well_provided_from <= self.under_served_below:
            raise AnalysisError(
                f"threshold well_provided_from = {self.well_provided_from} is not above "
                f"under_served_below = {self.under_served_below}, so one area could be both "
                "under-served and well provided. Fix: keep well_provided_from > "
                "under_served_below (defaults 2.0 and 0.5)."
            )
        if self.uncertain_imputed_share > 1:
            raise AnalysisError(
                f"threshold uncertain_imputed_share = {self.uncertain_imputed_share} is "
                "above 1, the whole supply. Fix: pass a share between 0 and 1 (default 0.5)."
            )

    def in_words(self) -> str:
        """The thresholds as a volunteer would read them."""
        return (
            f"under-served below {self.under_served_below:g} and well provided from "
            f"{self.well_provided_from:g} times the city's provision per person in need; "
            f"small numbers below {self.small_numbers_services:g} local services, "
            f"{self.small_numbers_population:,.0f} residents or "
            f"{self.small_numbers_need:,.0f} people in need; uncertain when more than "
            f"{self.uncertain_imputed_share:.0%} of the supply comes from estimated capacities"
        )

    def as_dict(self) -> dict[str, float]:
        """The thresholds by name, for display and export."""
        return {
            "under_served_below": self.under_served_below,
            "well_provided_from": self.well_provided_from,
            "small_numbers_services": self.small_numbers_services,
            "small_numbers_population": self.small_numbers_population,
            "small_numbers_need": self.small_numbers_need,
            "uncertain_imputed_share": self.uncertain_imputed_share,
        }


def classify_provision(
    need: np.ndarray,
    local_services: np.ndarray,
    relative_provision: np.ndarray,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
) -> np.ndarray:
    """Class of each area × category, from its need, local services and relative provision.

    Notes
    -----
    In this order of precedence:

    - ``no need``: need is 0 (nobody the category's indicator counts lives there);
    - ``missing``: no local service (in person or area-based) reaches any of its zones;
    - ``under-served``: RP < ``under_served_below``;
    - ``well provided``: RP >= ``well_provided_from``;
    - ``adequate``: everything else.
    """
    need = np.asarray(need, dtype=float)
    local = np.asarray(local_services, dtype=float)
    relative = np.asarray(relative_provision, dtype=float)
    conditions = [
        ~(need > 0),
        local <= 0,
        relative < thresholds.under_served_below,
        relative >= thresholds.well_provided_from,
    ]
    choices = [NO_NEED, MISSING, UNDER_SERVED, WELL_PROVIDED]
    return np.select(conditions, choices, default=ADEQUATE).astype(object)


def flag_small_numbers(
    local_services: np.ndarray,
    population: np.ndarray,
    need: np.ndarray,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
) -> np.ndarray:
    """True where a value rests on too few services, residents or people in need.

    Notes
    -----
    small = (0 < local services < ``small_numbers_services``) or (population <
    ``small_numbers_population``) or (0 < need < ``small_numbers_need``). ``missing`` is
    not flagged by the services rule: no service is a firm count, not a noisy rate.
    """
    local = np.asarray(local_services, dtype=float)
    people = np.asarray(population, dtype=float)
    need = np.asarray(need, dtype=float)
    return (
        ((local > 0) & (local < thresholds.small_numbers_services))
        | (people < thresholds.small_numbers_population)
        | ((need > 0) & (need < thresholds.small_numbers_need))
    )


def add_classes(table: pd.DataFrame, thresholds: Thresholds) -> None:
    """Set the class, uncertainty and small-numbers columns of a table (in place)."""
    table[PROVISION_CLASS] = classify_provision(
        table[NEED].to_numpy(),
        table[LOCAL_SERVICES].to_numpy(),
        table[RELATIVE_PROVISION].to_numpy(),
        thresholds=thresholds,
    )
    table[UNCERTAIN] = table[IMPUTED_SHARE].to_numpy(float) > thresholds.uncertain_imputed_share
    table[SMALL_NUMBERS] = flag_small_numbers(
        table[LOCAL_SERVICES].to_numpy(),
        table[POPULATION].to_numpy(),
        table[NEED].to_numpy(),
        thresholds=thresholds,
    )
