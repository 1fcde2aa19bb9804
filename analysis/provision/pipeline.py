"""The analysis pipeline in one object: a directory in an area, analysed once, asked many times.

`Analysis(directory, area, taxonomy)` holds the expensive step - the service × zone
coverage, computed once on first use - and caches what is asked of it: the filtered
selection per `Filters`, the metrics per (filters, level, categories) with thresholds
applied by reclassifying (`MetricsResult.with_thresholds`, no recomputation), and the
robustness per (filters, thresholds). The CLI and the dashboard build every result through
it, so the pipeline is assembled in one place, the way ``tobler.area_interpolate`` lets a
caller hand its expensive table back in.

Notes
-----
An `Analysis` is shared by every dashboard session that shows the same directory: its
caches are guarded by a lock, and what it returns must not be modified.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import pandas as pd

from analysis.directory import Directory
from analysis.geography import AreaSet
from analysis.model import WARD_LEVEL, Level
from analysis.provision.coverage import Coverage, compute_coverage
from analysis.provision.filters import Filters, Selection, apply_filters
from analysis.provision.metrics import Method, MetricsResult, Thresholds, compute_metrics
from analysis.provision.robustness import VariantResults, Variants, gap_shares, run_variants
from analysis.provision.wards import services_in_ward
from analysis.taxonomy import Taxonomy

T = TypeVar("T")
NO_FILTERS = Filters()
DEFAULT_THRESHOLDS = Thresholds()
DEFAULT_METHOD = Method()


@dataclass(frozen=True, eq=False)
class Analysis:
    """One directory analysed over one area with one set of need categories.

    Attributes
    ----------
    directory
        The services and organisations to analyse (all of them: filters select later).
    area
        The reference geography (EPSG:27700).
    taxonomy
        The need categories.
    """

    directory: Directory
    area: AreaSet
    taxonomy: Taxonomy
    _cache: dict = field(default_factory=dict, init=False, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def _cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = compute()
            return self._cache[key]

    @cached_property
    def coverage(self) -> Coverage:
        """Which services reach which neighbourhoods: the one geometric step."""
        with self._lock:
            return compute_coverage(self.directory, self.area, self.taxonomy)

    def coverage_for(self, factor: float) -> Coverage:
        """A coverage table holding distances up to ``factor`` × each catchment."""
        if factor <= self.coverage.max_factor:
            return self.coverage
        return self._cached(
            ("coverage", factor),
            lambda: compute_coverage(self.directory, self.area, self.taxonomy, max_factor=factor),
        )

    def selection(self, filters: Filters = NO_FILTERS) -> Selection:
        """The services ``filters`` keep, with their weights (stale records down-weighted)."""
        return self._cached(
            ("selection", filters),
            lambda: apply_filters(self.directory, filters, taxonomy=self.taxonomy),
        )

    def metrics(
        self,
        filters: Filters = NO_FILTERS,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        *,
        level: Level = WARD_LEVEL,
        categories: Sequence[str] | None = None,
        method: Method = DEFAULT_METHOD,
    ) -> MetricsResult:
        """The area × category table for the services ``filters`` keep.

        Sums and ratios are computed once per (filters, level, categories, method); a
        threshold change only reclassifies them.
        """
        chosen_categories = None if categories is None else tuple(categories)
        key = ("metrics", filters, level, chosen_categories, method)

        def compute() -> MetricsResult:
            chosen = self.selection(filters)
            return compute_metrics(
                self.coverage_for(method.catchment_factor),
                chosen.directory,
                self.area,
                self.taxonomy,
                level=level,
                thresholds=DEFAULT_THRESHOLDS,
                method=method,
                categories=categories,
                weights=chosen.weights,
                as_of=filters.as_of,
            )

        base = self._cached(key, compute)
        return base if thresholds == base.thresholds else base.with_thresholds(thresholds)

    def robustness(
        self,
        filters: Filters = NO_FILTERS,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        *,
        method: Method = DEFAULT_METHOD,
        variants: Variants = Variants(),  # noqa: B008 - frozen, so a shared default is safe
    ) -> pd.DataFrame:
        """The share of method variants in which each ward × category is a gap.

        The variants run once per (filters, method, variants); thresholds only reclassify.
        """

        def compute() -> VariantResults:
            chosen = self.selection(filters)
            widest = method.catchment_factor * max(variants.catchment_factors)
            return run_variants(
                self.coverage_for(widest),
                chosen.directory,
                self.area,
                self.taxonomy,
                method=method,
                weights=chosen.weights,
                variants=variants,
            )

        results = self._cached(("variant results", filters, method, variants), compute)
        baseline = self.metrics(filters, thresholds, method=method).table
        return gap_shares(
            results, baseline, thresholds=thresholds, robust_share=variants.robust_share
        )

    def services_in(self, ward_code: str) -> pd.DataFrame:
        """The services reaching ``ward_code``, with their organisation and the share of
        the ward's residents they reach (``share``), largest share first."""

        def compute() -> pd.DataFrame:
            services = services_in_ward(self.coverage, self.directory, self.area, ward_code)
            return pd.DataFrame(services.drop(columns=services.geometry.name))

        return self._cached(("services_in", ward_code), compute)
