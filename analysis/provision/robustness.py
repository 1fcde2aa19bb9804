"""Robustness of a gap: in how many reasonable variants of the method is it still a gap?

Each ward × category is reclassified under every combination of the method's uncertain
choices: the catchment radius (× 0.5 to 1.5), the distance decay (stepped or none), the
capacity counted for unknown ones (median, lower or upper quartile) and the need indicator
(the category's, or residents). Its gap share is the share of variants in which it is
``missing`` or ``under-served``; a gap is robust when at least 80 % of them agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis import settings
from analysis.directory import Directory
from analysis.errors import AnalysisError, check_choice
from analysis.geography import AreaSet
from analysis.model import (
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    GAP_CLASSES,
    GAP_SHARE,
    LOCAL_SERVICES,
    NEED,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    ROBUST,
    VARIANTS,
    WARD_LEVEL,
    Level,
)
from analysis.provision.classes import classify_provision
from analysis.provision.coverage import DECAYS, Coverage
from analysis.provision.metrics import (
    NEED_SOURCES,
    Method,
    Thresholds,
    compute_metrics,
)
from analysis.provision.supply import IMPUTATIONS
from analysis.taxonomy import Taxonomy

ROBUSTNESS_COLUMNS = (AREA_CODE, AREA_NAME, CATEGORY, PROVISION_CLASS, GAP_SHARE, ROBUST, VARIANTS)


@dataclass(frozen=True)
class Variants:
    """The variants of the method a gap is tested against (every combination is run).

    Attributes
    ----------
    catchment_factors
        Multipliers of every circular catchment's radius.
    decays
        Distance decays (`analysis.provision.coverage.DECAYS`).
    imputations
        What an unknown capacity counts at (`analysis.provision.supply.IMPUTATIONS`).
    need_sources
        The need indicator: the category's, or residents.
    robust_share
        A gap is robust when it is a gap in at least this share of the variants.
    """

    catchment_factors: tuple[float, ...] = settings.ROBUSTNESS_CATCHMENT_FACTORS
    decays: tuple[str, ...] = DECAYS
    imputations: tuple[str, ...] = IMPUTATIONS
    need_sources: tuple[str, ...] = NEED_SOURCES
    robust_share: float = settings.ROBUST_GAP_SHARE

    def __post_init__(self) -> None:
        if not all((self.catchment_factors, self.decays, self.imputations, self.need_sources)):
            raise AnalysisError(
                "robustness needs at least one value of each choice. Fix: pass e.g. "
                "catchment_factors=(1.0,) to vary the others only."
            )
        for decay in self.decays:
            check_choice("decay", decay, DECAYS)
        for imputation in self.imputations:
            check_choice("capacity imputation", imputation, IMPUTATIONS)
        for source in self.need_sources:
            check_choice("need source", source, NEED_SOURCES)
        for factor in self.catchment_factors:
            if not (isinstance(factor, int | float) and np.isfinite(factor) and factor > 0):
                raise AnalysisError(
                    f"catchment factor {factor!r} is not a positive number. Fix: pass "
                    "factors such as (0.5, 1.0, 1.5)."
                )
        for name in ("catchment_factors", "decays", "imputations", "need_sources"):
            values = getattr(self, name)
            if len(set(values)) < len(values):
                # A repeated value would count its variants twice in every gap share.
                raise AnalysisError(
                    f"{name} {values!r} repeats a value. Fix: give each value once."
                )
        if not 0 < self.robust_share <= 1:
            raise AnalysisError(
                f"robust_share {self.robust_share!r} is not in (0, 1]. Fix: pass e.g. 0.8."
            )

    def methods(self, base: Method) -> Iterator[Method]:
        """Every combination, on top of ``base`` (its duplicate threshold is kept)."""
        for factor, decay, imputation, need in itertools.product(
            self.catchment_factors, self.decays, self.imputations, self.need_sources
        ):
            yield replace(
                base,
                catchment_factor=base.catchment_factor * factor,
                decay=decay,
                imputation=imputation,
                need_source=need,
            )

    @property
    def count(self) -> int:
        """How many variants are run."""
        return (
            len(self.catchment_factors)
            * len(self.decays)
            * len(self.imputations)
            * len(self.need_sources)
        )


@dataclass(frozen=True, eq=False)
class VariantResults:
    """Need, local services and relative provision of every area × category, per variant.

    Reclassifying these for other thresholds (`gap_shares`) needs no metrics rerun.
    """

    base: pd.DataFrame  # area code, name, category of each row
    need: np.ndarray  # variants × rows
    local_services: np.ndarray
    relative_provision: np.ndarray


def run_variants(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    level: Level = WARD_LEVEL,
    method: Method = Method(),  # noqa: B008 - frozen, so a shared default is safe
    categories: Sequence[str] | None = None,
    weights: pd.Series | None = None,
    variants: Variants = Variants(),  # noqa: B008 - frozen, so a shared default is safe
) -> VariantResults:
    """Rerun the metrics for every variant of ``method`` (no geometry is recomputed)."""
    tables = [
        compute_metrics(
            coverage,
            directory,
            area,
            taxonomy,
            level=level,
            method=variant,
            categories=categories,
            weights=weights,
            with_duplicates=False,
        ).table
        for variant in variants.methods(method)
    ]
    return VariantResults(
        base=tables[0][[AREA_CODE, AREA_NAME, CATEGORY]].reset_index(drop=True),
        need=np.vstack([table[NEED].to_numpy(float) for table in tables]),
        local_services=np.vstack([table[LOCAL_SERVICES].to_numpy(float) for table in tables]),
        relative_provision=np.vstack(
            [table[RELATIVE_PROVISION].to_numpy(float) for table in tables]
        ),
    )


def gap_shares(
    results: VariantResults,
    baseline: pd.DataFrame,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
    robust_share: float = settings.ROBUST_GAP_SHARE,
) -> pd.DataFrame:
    """The robustness table: baseline class, share of variants that are a gap, robust.

    Parameters
    ----------
    results
        From `run_variants`.
    baseline
        The baseline metrics table (its ``class`` column, same rows).
    thresholds
        The thresholds that classify every variant.
    robust_share
        A gap is robust at or above this share of the variants.
    """
    classes = classify_provision(
        results.need, results.local_services, results.relative_provision, thresholds=thresholds
    )
    gaps = np.isin(classes, GAP_CLASSES).mean(axis=0)
    out = results.base.copy()
    out[PROVISION_CLASS] = baseline[PROVISION_CLASS].to_numpy()
    out[GAP_SHARE] = gaps
    out[ROBUST] = gaps >= robust_share
    out[VARIANTS] = len(results.need)
    return out[list(ROBUSTNESS_COLUMNS)]


def assess_robustness(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    level: Level = WARD_LEVEL,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
    method: Method = Method(),  # noqa: B008 - frozen, so a shared default is safe
    categories: Sequence[str] | None = None,
    weights: pd.Series | None = None,
    variants: Variants = Variants(),  # noqa: B008 - frozen, so a shared default is safe
) -> pd.DataFrame:
    """Share of method variants in which each area × category is a gap.

    Parameters
    ----------
    coverage, directory, area, taxonomy, level, thresholds, method, categories, weights
        As for `analysis.provision.metrics.compute_metrics`; ``method`` is the baseline.
    variants
        The choices to vary.

    Returns
    -------
    pandas.DataFrame
        One row per area × category (the metrics table's order), columns
        `ROBUSTNESS_COLUMNS`: the baseline class, ``gap_share`` (0-1), ``robust``
        (gap_share >= ``variants.robust_share``) and ``variants`` (how many were run).
    """
    baseline = compute_metrics(
        coverage,
        directory,
        area,
        taxonomy,
        level=level,
        thresholds=thresholds,
        method=method,
        categories=categories,
        weights=weights,
        with_duplicates=False,
    ).table
    results = run_variants(
        coverage,
        directory,
        area,
        taxonomy,
        level=level,
        method=method,
        categories=categories,
        weights=weights,
        variants=variants,
    )
    return gap_shares(results, baseline, thresholds=thresholds, robust_share=variants.robust_share)
