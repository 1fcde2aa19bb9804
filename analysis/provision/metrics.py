"""Metrics: provision, accessibility, need, relative provision and class by area and category.

Cheap arithmetic on the coverage table of `analysis.provision.coverage`; no geometry. A threshold
change reruns only `classify_provision` (`MetricsResult.with_thresholds`); a filter or
category change reruns `compute_metrics` on the same coverage table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import pandas as pd
from scipy import sparse

from analysis import settings
from analysis.directory import Directory
from analysis.errors import AnalysisError, check_choice
from analysis.geography import AreaSet
from analysis.model import (
    ACCESSIBILITY_PER_10K,
    ADEQUATE,
    AREA_CODE,
    AREA_NAME,
    CAPACITY,
    CATEGORIES,
    CATEGORY,
    COUNT_NO_COVERAGE,
    COUNT_OTHER_CATEGORIES,
    COUNT_SERVICES,
    COUNT_UNCATEGORISED,
    COUNT_USED,
    EFFECTIVE_PROVIDERS,
    LEVELS,
    LSOA_CODE,
    LSOA_NAME,
    MISSING,
    NEED,
    NEIGHBOURHOOD_LEVEL,
    ORG_ID,
    ORGANISATIONS,
    OVERLAP,
    POPULATION,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    SERVICE_ID,
    SMALL_NUMBERS,
    SUPPLY,
    SUPPLY_PER_NEED,
    UNDER_SERVED,
    WARD_CODE,
    WARD_LEVEL,
    WARD_NAME,
    Level,
)
from analysis.provision.coverage import Coverage, zone_membership
from analysis.taxonomy import Taxonomy, need_by_category

PER_10K: Final = 10_000.0


@dataclass(frozen=True)
class Thresholds:
    """Where provision counts as under-served, overlapping or too small to read.

    Attributes
    ----------
    under_served_below
        Relative provision below this is ``under-served`` (default 0.5: half the city's
        provision per need-person).
    overlap_min_providers
        Effective providers at or above this, together with ``overlap_min_rp``, make an
        ``overlap`` (default 3).
    overlap_min_rp
        Relative provision at or above this, together with ``overlap_min_providers``, make an
        ``overlap`` (default 2: twice the city's provision per need-person).
    small_numbers_providers
        Effective providers above 0 but below this are flagged as small numbers (default 2:
        one service opening or closing changes the picture).
    small_numbers_population
        Areas with fewer residents than this are flagged as small numbers (default 1,000,
        the smallest LSOA ONS designs).
    """

    under_served_below: float = settings.UNDER_SERVED_BELOW
    overlap_min_providers: float = settings.OVERLAP_MIN_PROVIDERS
    overlap_min_rp: float = settings.OVERLAP_MIN_RP
    small_numbers_providers: float = settings.SMALL_NUMBERS_PROVIDERS
    small_numbers_population: float = settings.SMALL_NUMBERS_POPULATION

    def __post_init__(self) -> None:
        for name, value in self.as_dict().items():
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise AnalysisError(
                    f"threshold {name} = {value!r} is not a number >= 0. Fix: pass a finite "
                    f"non-negative number (default {getattr(Thresholds, name)})."
                )
        if self.overlap_min_rp <= self.under_served_below:
            raise AnalysisError(
                f"threshold overlap_min_rp = {self.overlap_min_rp} is not above "
                f"under_served_below = {self.under_served_below}, so one area could be both "
                "under-served and an overlap. Fix: keep overlap_min_rp > under_served_below "
                "(defaults 2.0 and 0.5)."
            )

    def as_dict(self) -> dict[str, float]:
        """The thresholds by name, for display and export."""
        return {
            "under_served_below": self.under_served_below,
            "overlap_min_providers": self.overlap_min_providers,
            "overlap_min_rp": self.overlap_min_rp,
            "small_numbers_providers": self.small_numbers_providers,
            "small_numbers_population": self.small_numbers_population,
        }


@dataclass(frozen=True, eq=False)
class MetricsResult:
    """The area × category table with every parameter that produced it.

    Attributes
    ----------
    table
        One row per area × category (area order of the reference files, categories in
        taxonomy order), columns `TABLE_COLUMNS` (plus ``ward_code`` at neighbourhood level).
    level
        ``"ward"`` or ``NEIGHBOURHOOD_LEVEL``.
    thresholds
        The thresholds the classes and flags used.
    catchments_km
        Category id -> default catchment radius used for ``at_location`` services, in km
        (taxonomy value × the coverage's catchment factor).
    catchment_factor
        Factor the circular catchments were scaled by (1.0 = as recorded).
    city
        One row per category: ``population``, ``need``, ``supply`` (capacity reaching
        residents), ``supply_per_need`` (the city value relative provision divides by) and
        ``accessibility_per_10k`` for the whole area.
    service_counts
        How the services were used: ``services`` in the directory, ``used`` in at least one
        category shown, ``uncategorised`` (no category: left out of every category),
        ``other_categories_only`` (only categories not shown) and ``no_coverage`` (an area
        that reaches no neighbourhood's point).
    """

    table: pd.DataFrame
    level: Level
    thresholds: Thresholds
    catchments_km: Mapping[str, float]
    catchment_factor: float
    city: pd.DataFrame
    service_counts: Mapping[str, int] = field(default_factory=dict)

    def with_thresholds(self, thresholds: Thresholds) -> MetricsResult:
        """The same result reclassified with other thresholds; no coverage or sums rerun."""
        table = self.table.copy()
        _add_classes(table, thresholds)
        return replace(self, table=table, thresholds=thresholds)


def compute_metrics(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    level: Level = WARD_LEVEL,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
    categories: Sequence[str] | None = None,
    weights: pd.Series | None = None,
) -> MetricsResult:
    """Compute the area × category provision table.

    Parameters
    ----------
    coverage
        The coverage table of (a superset of) ``directory``'s services over ``area``.
    directory
        The services to count; rows of ``coverage`` for other services are ignored, so a
        filtered directory reuses the full directory's coverage.
    area
        The reference geography (neighbourhood population and need columns).
    taxonomy
        The need categories: their need indicators and default catchments.
    level
        ``"ward"`` for the ward × category table, ``NEIGHBOURHOOD_LEVEL`` for drill-down.
    thresholds
        Class and small-numbers thresholds.
    categories
        Category ids to report, in this order; default every category of the taxonomy.
    weights
        Optional weight of each service (indexed by service id, default 1), e.g. 0.5 for a
        stale record (`analysis.provision.filters.apply_filters`); scales its coverage and capacity.

    Returns
    -------
    MetricsResult
        The table, with the thresholds, catchments, city values and service counts.

    Raises
    ------
    AnalysisError
        For an unknown level, a coverage table of another area or directory, a negative
        capacity or weight.
    TaxonomyError
        For an unknown category id or need-indicator column.

    Notes
    -----
    Zones z are neighbourhoods; demand sits at each one's representative point. With
    w(s, z) in {0, 1} from the coverage table, u_s the service's weight, pop_z the residents
    and S_c the services filed under category c (a service counts fully in each of its
    categories), for an area W (a ward, or a single neighbourhood) and
    pmean_W(x) = Σ_{z in W} pop_z x_z / Σ_{z in W} pop_z:

    - effective providers E(W, c) = Σ_{s in S_c} u_s w(s, W) = pmean_W(Σ_{s in S_c} u_s w(s, z)),
      where w(s, W) is the population share of W that s covers;
    - organisations O(W, c) = pmean_W(number of organisations with a service in S_c
      covering z): distinct organisations, weighted by coverage in the same way, so O <= E;
    - accessibility (two-step floating catchment, Luo & Wang 2003):
      R_s = u_s capacity_s / Σ_z w(s, z) pop_z (capacity per resident reached);
      A_z = Σ_{s in S_c} w(s, z) R_s; A_W = pmean_W(A_z); reported as A_W × 10,000;
    - need N(W, c) = Σ_{z in W} N(z, c), with N(z, c) the product of the category's
      indicator columns (`analysis.taxonomy.need_by_category`);
    - relative provision RP(W, c) = (A_W pop_W / N(W, c)) / (Σ_z A_z pop_z / Σ_z N(z, c)):
      supply reaching the area's residents per need-person, over the city's. The city's
      supply Σ_z A_z pop_z equals the total weighted capacity of the services that reach
      any zone, so RP of the whole city is 1 by construction and the need-weighted mean of
      RP over all areas is exactly 1 (the population-weighted mean when the indicator is
      the population).
      RP is 0 everywhere when the category has no supply at all, and NaN for an area whose
      need is 0 or unknown (then flagged as small numbers).

    Counts (population, need, capacity) are summed; rates (A, E, O per area) are
    population-weighted means, never summed. Classes and flags: `classify_provision`,
    `flag_small_numbers`.
    """
    check_choice("level", level, LEVELS)
    coverage.check_area(area)
    category_ids = tuple(taxonomy.ids() if categories is None else categories)
    catchments_km = {
        cid: taxonomy.get(cid).catchment_km * coverage.catchment_factor for cid in category_ids
    }
    services = directory.services
    service_ids = services[SERVICE_ID].astype(str)
    rows = coverage.rows_for(service_ids)
    # The usual case, the directory the table was computed for: no copy of the table.
    same_rows = len(rows) == coverage.matrix.shape[0] and bool((rows == np.arange(len(rows))).all())
    matrix = coverage.matrix if same_rows else coverage.matrix[rows]
    weight = _service_weights(service_ids, weights)
    capacity = _capacity(services) * weight
    membership_by_service, counts = _category_membership(services, category_ids)

    zones = area.neighbourhoods
    population = zones[POPULATION].to_numpy(float)
    need_zone = need_by_category(taxonomy, zones)[list(category_ids)].to_numpy(float)

    # Per zone and category: weighted count of covering services, 2SFCA accessibility and
    # number of distinct covering organisations.
    reached = matrix @ population
    ratio = np.divide(capacity, reached, out=np.zeros_like(capacity), where=reached > 0)
    by_zone = matrix.T.tocsr()
    providers_zone = by_zone @ (membership_by_service * weight[:, None])
    access_zone = by_zone @ (membership_by_service * ratio[:, None])
    organisations_zone = _organisations_by_zone(
        by_zone, services[ORG_ID].astype(str).to_numpy(), membership_by_service
    )

    if level == WARD_LEVEL:
        grouping, area_codes = zone_membership(zones, area.wards[WARD_CODE])
        area_names = area.wards[WARD_NAME].to_numpy()
    else:
        grouping = sparse.eye_array(len(zones), format="csr")
        area_codes = pd.Index(zones[LSOA_CODE])
        area_names = zones[LSOA_NAME].to_numpy()
    area_population = grouping.T @ population
    people = population[:, None]

    def population_mean(values: np.ndarray) -> np.ndarray:
        totals = grouping.T @ (values * people)
        return np.divide(
            totals,
            area_population[:, None],
            out=np.zeros_like(totals),
            where=area_population[:, None] > 0,
        )

    effective = population_mean(providers_zone)
    organisations = population_mean(organisations_zone)
    access = population_mean(access_zone)
    supply_area = grouping.T @ (access_zone * people)
    need_area = grouping.T @ need_zone
    city = _city_values(population, need_zone, access_zone, category_ids)
    relative = _relative_provision(supply_area, need_area, city[SUPPLY_PER_NEED].to_numpy())

    n_areas, n_categories = len(area_codes), len(category_ids)
    table = pd.DataFrame(
        {
            AREA_CODE: np.repeat(area_codes.to_numpy(), n_categories),
            AREA_NAME: np.repeat(area_names, n_categories),
            CATEGORY: np.tile(np.array(category_ids, dtype=object), n_areas),
            POPULATION: np.repeat(area_population, n_categories),
            EFFECTIVE_PROVIDERS: effective.ravel(),
            ORGANISATIONS: organisations.ravel(),
            ACCESSIBILITY_PER_10K: access.ravel() * PER_10K,
            NEED: need_area.ravel(),
            RELATIVE_PROVISION: relative.ravel(),
        }
    )
    _add_classes(table, thresholds)
    if level == NEIGHBOURHOOD_LEVEL:
        table.insert(2, WARD_CODE, np.repeat(zones[WARD_CODE].to_numpy(), n_categories))

    counts[COUNT_NO_COVERAGE] = int((reached <= 0).sum()) if len(reached) else 0
    return MetricsResult(
        table=table,
        level=level,
        thresholds=thresholds,
        catchments_km=catchments_km,
        catchment_factor=coverage.catchment_factor,
        city=city,
        service_counts=counts,
    )


def classify_provision(
    effective_providers: np.ndarray,
    relative_provision: np.ndarray,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
) -> np.ndarray:
    """Class of each area × category: ``missing``, ``under-served``, ``adequate`` or ``overlap``.

    Notes
    -----
    In this order of precedence:

    - ``missing``: E = 0 (no service reaches any resident);
    - ``under-served``: RP < ``under_served_below``;
    - ``overlap``: E >= ``overlap_min_providers`` and RP >= ``overlap_min_rp``;
    - ``adequate``: everything else (including an RP that is NaN because need is 0).
    """
    effective = np.asarray(effective_providers, dtype=float)
    relative = np.asarray(relative_provision, dtype=float)
    with np.errstate(invalid="ignore"):
        conditions = [
            effective <= 0,
            relative < thresholds.under_served_below,
            (effective >= thresholds.overlap_min_providers)
            & (relative >= thresholds.overlap_min_rp),
        ]
    return np.select(conditions, [MISSING, UNDER_SERVED, OVERLAP], default=ADEQUATE).astype(object)


def flag_small_numbers(
    effective_providers: np.ndarray,
    population: np.ndarray,
    relative_provision: np.ndarray,
    *,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so a shared default is safe
) -> np.ndarray:
    """True where a value rests on too few providers or residents to be read closely.

    Notes
    -----
    small = (0 < E < ``small_numbers_providers``) or (population <
    ``small_numbers_population``) or RP is NaN. ``missing`` (E = 0) is not flagged by the
    provider rule: no provider is a firm count, not a noisy rate.
    """
    effective = np.asarray(effective_providers, dtype=float)
    people = np.asarray(population, dtype=float)
    relative = np.asarray(relative_provision, dtype=float)
    return (
        ((effective > 0) & (effective < thresholds.small_numbers_providers))
        | (people < thresholds.small_numbers_population)
        | np.isnan(relative)
    )


def _add_classes(table: pd.DataFrame, thresholds: Thresholds) -> None:
    """Set the class and small-numbers columns of a table being built (in place)."""
    table[PROVISION_CLASS] = classify_provision(
        table[EFFECTIVE_PROVIDERS].to_numpy(),
        table[RELATIVE_PROVISION].to_numpy(),
        thresholds=thresholds,
    )
    table[SMALL_NUMBERS] = flag_small_numbers(
        table[EFFECTIVE_PROVIDERS].to_numpy(),
        table[POPULATION].to_numpy(),
        table[RELATIVE_PROVISION].to_numpy(),
        thresholds=thresholds,
    )


def _service_weights(service_ids: pd.Series, weights: pd.Series | None) -> np.ndarray:
    if weights is None:
        return np.ones(len(service_ids))
    values = weights.reindex(service_ids.to_numpy()).fillna(1.0).to_numpy(float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        value = float(values[position])
        raise AnalysisError(
            f"service {service_ids.iloc[position]} has weight {value!r}; expected a number "
            ">= 0. Fix: give weights between 0 and 1 (1 = fully counted)."
        )
    return values


def _capacity(services: pd.DataFrame) -> np.ndarray:
    capacity = pd.to_numeric(services[CAPACITY], errors="coerce").fillna(1.0).to_numpy(float)
    bad = ~np.isfinite(capacity) | (capacity < 0)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        value = float(capacity[position])
        raise AnalysisError(
            f"service {services[SERVICE_ID].iloc[position]} has capacity {value!r}; expected "
            "people per week >= 0. Fix: correct it, or leave it empty for the default of 1 unit."
        )
    return capacity


def _category_membership(
    services: pd.DataFrame, category_ids: tuple[str, ...]
) -> tuple[np.ndarray, dict[str, int]]:
    """Dense service × category 0/1 matrix, and how many services fall where."""
    position = {cid: k for k, cid in enumerate(category_ids)}
    listed = services[CATEGORIES].reset_index(drop=True)
    exploded = listed.explode()
    column = exploded.map(position)
    known = column.notna().to_numpy()
    membership = np.zeros((len(services), len(category_ids)))
    membership[exploded.index.to_numpy()[known], column.to_numpy()[known].astype(int)] = 1.0
    used = membership.any(axis=1)
    uncategorised = listed.map(lambda cats: len(cats) == 0).to_numpy(bool)
    counts = {
        COUNT_SERVICES: len(services),
        COUNT_USED: int(used.sum()),
        COUNT_UNCATEGORISED: int(uncategorised.sum()),
        COUNT_OTHER_CATEGORIES: int((~used & ~uncategorised).sum()),
    }
    return membership, counts


def _organisations_by_zone(
    by_zone: sparse.csr_array, org_ids: np.ndarray, membership: np.ndarray
) -> np.ndarray:
    """Number of distinct organisations with a covering service, per zone × category.

    ``by_zone`` is the zone × service coverage table (the transpose of the usual one).
    """
    n_services, n_categories = membership.shape
    service, category = np.nonzero(membership)
    if len(service) == 0:
        return np.zeros((by_zone.shape[0], n_categories))
    # One column per (organisation, category) pair that has a service.
    org_codes = pd.factorize(org_ids)[0]
    pairs, pair_codes = np.unique(org_codes[service] * n_categories + category, return_inverse=True)
    to_pair = sparse.csr_array(
        (np.ones(len(service)), (service, pair_codes)), shape=(n_services, len(pairs))
    )
    reach = by_zone @ to_pair
    reach.data[:] = 1.0
    pair_category = sparse.csr_array(
        (np.ones(len(pairs)), (np.arange(len(pairs)), pairs % n_categories)),
        shape=(len(pairs), n_categories),
    )
    return (reach @ pair_category).toarray()


def _city_values(
    population: np.ndarray,
    need_zone: np.ndarray,
    access_zone: np.ndarray,
    category_ids: tuple[str, ...],
) -> pd.DataFrame:
    """City totals per category; zones with unknown need are left out of the city value."""
    known = ~np.isnan(need_zone)
    supply_zone = access_zone * population[:, None]
    supply = supply_zone.sum(axis=0)
    need_known = np.where(known, need_zone, 0.0).sum(axis=0)
    supply_known = np.where(known, supply_zone, 0.0).sum(axis=0)
    total_population = population.sum()
    return pd.DataFrame(
        {
            POPULATION: np.full(len(category_ids), total_population),
            NEED: np.where(known.all(axis=0), need_known, np.nan),
            SUPPLY: supply,
            SUPPLY_PER_NEED: np.divide(
                supply_known, need_known, out=np.zeros_like(supply), where=need_known > 0
            ),
            ACCESSIBILITY_PER_10K: (supply / total_population if total_population > 0 else 0.0)
            * PER_10K,
        },
        index=pd.Index(category_ids, name=CATEGORY),
    )


def _relative_provision(
    supply_area: np.ndarray, need_area: np.ndarray, city_value: np.ndarray
) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        per_need = np.where(need_area > 0, supply_area / need_area, np.nan)
        relative = np.where(city_value > 0, per_need / city_value, 0.0)
    # No supply anywhere in the category: every area is missing, RP 0 rather than 0/0.
    return np.where(city_value[None, :] > 0, relative, 0.0)
