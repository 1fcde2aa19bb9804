"""Robustness of a gap: does a ward's gap survive other catchments and thresholds?

Each ward × category gets a gap rank under every variant of the catchment radii and of the
under-served threshold; a gap whose rank barely moves and that stays a gap in every variant
is robust, one that comes and goes is an artefact of the parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis import settings
from analysis.directory import Directory
from analysis.errors import AnalysisError
from analysis.geography import AreaSet
from analysis.model import (
    AREA_CODE,
    AREA_NAME,
    AT_LOCATION,
    CATEGORY,
    CIRCLE_KINDS,
    EFFECTIVE_PROVIDERS,
    GAP_CLASSES,
    GAP_RANK,
    GAP_SHARE,
    NEED,
    PROVISION_CLASS,
    RANK_MAX,
    RANK_MIN,
    RANK_RANGE,
    RELATIVE_PROVISION,
    ROBUST,
    WARD_LEVEL,
    Level,
)
from analysis.provision.coverage import Coverage, rescale_catchments
from analysis.provision.metrics import Thresholds, classify_provision, compute_metrics
from analysis.taxonomy import Taxonomy


@dataclass(frozen=True)
class Variants:
    """The parameter variants a gap is tested against.

    Attributes
    ----------
    catchment_factors
        Multipliers of the circular catchments' radii (default ±50 % in steps of 25 %).
    under_served_below
        Alternative under-served thresholds (default 0.4, 0.5, 0.6).
    catchment_kinds
        Area-served kinds whose radius varies; ``("at_location",)`` varies the category
        default catchments only.
    """

    catchment_factors: tuple[float, ...] = settings.ROBUSTNESS_CATCHMENT_FACTORS
    under_served_below: tuple[float, ...] = (0.4, 0.5, 0.6)
    catchment_kinds: tuple[str, ...] = (AT_LOCATION,)

    def __post_init__(self) -> None:
        if not self.catchment_factors or not self.under_served_below:
            raise AnalysisError(
                "robustness needs at least one catchment factor and one under-served "
                "threshold. Fix: pass e.g. catchment_factors=(1.0,) to vary thresholds only."
            )
        bad = [f for f in self.catchment_factors if not (np.isfinite(f) and f > 0)]
        if bad:
            raise AnalysisError(
                f"catchment factor {bad[0]!r} is not a positive number. Fix: pass factors "
                "such as 0.5 and 1.5."
            )
        unknown = [kind for kind in self.catchment_kinds if kind not in CIRCLE_KINDS]
        if unknown:
            raise AnalysisError(
                f"area-served kind {unknown[0]!r} has no radius to vary. Fix: use "
                f"{' or '.join(CIRCLE_KINDS)}."
            )


def rank_gaps(table: pd.DataFrame) -> pd.Series:
    """Gap rank of each area within its category: 1 = the largest gap.

    Notes
    -----
    Areas are ordered by relative provision, lowest first (an area with no provider has
    RP 0); ties go to the area with more need, then to the area code. Areas whose RP is NaN
    (no need) come last.
    """
    order = table.assign(_rp=table[RELATIVE_PROVISION].fillna(np.inf)).sort_values(
        [CATEGORY, "_rp", NEED, AREA_CODE], ascending=[True, True, False, True]
    )
    ranks = order.groupby(CATEGORY, sort=False).cumcount() + 1
    return ranks.reindex(table.index).rename(GAP_RANK)


def assess_robustness(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    level: Level = WARD_LEVEL,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
    categories: Sequence[str] | None = None,
    weights: pd.Series | None = None,
    variants: Variants = Variants(),  # noqa: B008 - frozen, so a shared default is safe
) -> pd.DataFrame:
    """Rank range and persistence of each area × category gap over parameter variants.

    Parameters
    ----------
    coverage, directory, area, taxonomy, level, thresholds, categories, weights
        As for `analysis.provision.metrics.compute_metrics`; ``thresholds`` and ``coverage``
        give the baseline.
    variants
        The catchment factors and under-served thresholds to try.

    Returns
    -------
    pandas.DataFrame
        One row per area × category (the metrics table's order), columns
        `ROBUSTNESS_COLUMNS`: baseline ``class`` and ``gap_rank``; ``rank_min``,
        ``rank_max`` and ``rank_range`` (max - min) over the catchment variants;
        ``gap_share``, the share of all variants (catchment × threshold) in which the area
        is ``missing`` or ``under-served``; ``robust``, a gap in every variant.

    Notes
    -----
    A catchment variant rescales the radius of every circular catchment of
    ``variants.catchment_kinds`` (`analysis.provision.coverage.rescale_catchments`, a distance query
    with no polygons rebuilt) and reruns the metrics. The under-served threshold does not
    change relative provision, so ranks vary with catchments only; the threshold variants
    only reclassify. Cost: one coverage rescale and one metrics run per catchment factor.
    """
    base = compute_metrics(
        coverage,
        directory,
        area,
        taxonomy,
        level=level,
        thresholds=thresholds,
        categories=categories,
        weights=weights,
    ).table
    ranks = []
    gap_counts = np.zeros(len(base))
    for factor in variants.catchment_factors:
        if factor == coverage.catchment_factor:
            table = base  # the recorded catchments: already computed above
        else:
            varied = rescale_catchments(
                coverage, directory, area, factor=factor, kinds=variants.catchment_kinds
            )
            table = compute_metrics(
                varied,
                directory,
                area,
                taxonomy,
                level=level,
                thresholds=thresholds,
                categories=categories,
                weights=weights,
            ).table
        ranks.append(rank_gaps(table).to_numpy())
        for cut in variants.under_served_below:
            classes = classify_provision(
                table[EFFECTIVE_PROVIDERS].to_numpy(),
                table[RELATIVE_PROVISION].to_numpy(),
                # Only the under-served cut varies; the overlap cut stays above it.
                thresholds=replace(
                    thresholds,
                    under_served_below=cut,
                    overlap_min_rp=max(thresholds.overlap_min_rp, cut * 1.0001),
                ),
            )
            gap_counts += np.isin(classes, GAP_CLASSES)
    rank_matrix = np.vstack(ranks)
    n_variants = len(variants.catchment_factors) * len(variants.under_served_below)
    out = base[[AREA_CODE, AREA_NAME, CATEGORY, PROVISION_CLASS]].copy()
    out[GAP_RANK] = rank_gaps(base).to_numpy()
    out[RANK_MIN] = rank_matrix.min(axis=0)
    out[RANK_MAX] = rank_matrix.max(axis=0)
    out[RANK_RANGE] = out[RANK_MAX] - out[RANK_MIN]
    out[GAP_SHARE] = gap_counts / n_variants
    out[ROBUST] = gap_counts == n_variants
    return out
