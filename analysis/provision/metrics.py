"""Metrics: need, accessibility, relative provision and class by area and category.

Arithmetic on the coverage table of `analysis.provision.coverage`; no geometry. A threshold
change reruns only the classes (`analysis.provision.classes`, through
`MetricsResult.with_thresholds`); a filter, category or method change reruns
`compute_metrics` on the same coverage table, which assembles its tables with
`analysis.provision.tables`.

Accessibility is the enhanced two-step floating catchment area (Luo & Qi 2009) with one
demand definition in both steps, people in need; only local services count (in person or
area-based). Phone, online and citywide services are counted as remote options beside the
class, so a phone line never turns ``missing`` into ``adequate``. The formulas, units and a
worked example are in ``docs/analysis.md``.
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
    BY_INDICATOR,
    BY_POPULATION,
    CATEGORIES,
    COUNT_IMPUTED,
    COUNT_NO_COVERAGE,
    COUNT_OTHER_CATEGORIES,
    COUNT_REMOTE,
    COUNT_SERVICES,
    COUNT_UNCATEGORISED,
    COUNT_USED,
    LEVELS,
    LOCAL_SERVICES,
    LSOA_CODE,
    LSOA_NAME,
    NEED_SOURCES,
    NEIGHBOURHOOD_LEVEL,
    ORG_ID,
    ORGANISATIONS,
    POPULATION,
    REMOTE_OPTIONS,
    REPORTED_CLOSED,
    REPORTED_CLOSED_SERVICES,
    SERVICE_ID,
    STALE_SERVICES,
    WARD_CODE,
    WARD_LEVEL,
    WARD_NAME,
    Level,
    NeedSource,
)
from analysis.provision.accessibility import (
    Reach,
    Units,
    count_reaching,
    e2sfca,
    supply_units,
    unit_areas,
    unit_reach,
)
from analysis.provision.classes import Thresholds, add_classes
from analysis.provision.coverage import STEPPED, Coverage, Decay
from analysis.provision.duplication import (
    DUPLICATE_COLUMNS,
    PairServices,
    duplicate_pairs,
    pairs_frame,
)
from analysis.provision.filters import stale_mask
from analysis.provision.supply import MEDIAN, Imputation, capacities, membership
from analysis.provision.tables import area_table, city_table
from analysis.taxonomy import Taxonomy, need_by_category, need_units

RESIDENTS: Final = "residents"


@dataclass(frozen=True)
class Method:
    """How supply, reach and need are measured: what the robustness check varies.

    Attributes
    ----------
    decay
        ``"stepped"`` (enhanced 2SFCA weights 1, 0.68, 0.22 by thirds of the radius) or
        ``"none"`` (plain 2SFCA).
    catchment_factor
        Factor applied to every circular catchment radius (1 = as recorded).
    imputation
        The quantile of a category's known capacities an unknown one counts at.
    need_source
        ``"indicator"`` (the category's need indicator) or ``"population"`` (residents).
    duplicate_min_jaccard
        Least Jaccard index of the need two services reach for a duplicate pair.
    """

    decay: Decay = STEPPED
    catchment_factor: float = 1.0
    imputation: Imputation = MEDIAN
    need_source: NeedSource = BY_INDICATOR
    duplicate_min_jaccard: float = settings.DUPLICATE_MIN_JACCARD

    def __post_init__(self) -> None:
        check_choice("need source", self.need_source, NEED_SOURCES)
        if not (math.isfinite(self.catchment_factor) and self.catchment_factor > 0):
            raise AnalysisError(
                f"catchment factor {self.catchment_factor!r} is not a positive number. Fix: "
                "pass e.g. 0.5 (half the radius) or 1.5."
            )
        if not 0 < self.duplicate_min_jaccard <= 1:
            raise AnalysisError(
                f"duplicate_min_jaccard {self.duplicate_min_jaccard!r} is not in (0, 1]. "
                "Fix: pass a share such as 0.5."
            )


@dataclass(frozen=True, eq=False)
class MetricsResult:
    """The area × category table with every parameter that produced it.

    Attributes
    ----------
    table
        One row per area × category (area order of the reference files, categories in
        taxonomy order), columns `analysis.model.TABLE_COLUMNS` (plus ``ward_code`` at
        neighbourhood level).
    level
        ``"ward"`` or ``"neighbourhood"``.
    thresholds, method
        The parameters used.
    catchments_km
        Category id -> default catchment radius used for ``at_location`` services, in km
        (taxonomy value × the method's catchment factor).
    city
        One row per category: ``population``, ``need``, ``supply`` (places per week
        reaching people in need) and ``accessibility_per_1000`` for the whole area: the
        value relative provision divides by.
    service_counts
        How the services were used: ``services``, ``used`` (in a category shown),
        ``uncategorised``, ``other_categories_only``, ``remote`` (remote options),
        ``no_coverage`` (local services that reach no neighbourhood) and ``imputed``
        (used services whose capacity is unknown).
    duplicates
        The duplicate pairs (`analysis.provision.duplication.DUPLICATE_COLUMNS`).
    """

    table: pd.DataFrame
    level: Level
    thresholds: Thresholds
    method: Method
    catchments_km: Mapping[str, float]
    city: pd.DataFrame
    service_counts: Mapping[str, int] = field(default_factory=dict)
    duplicates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())

    def with_thresholds(self, thresholds: Thresholds) -> MetricsResult:
        """The same result reclassified with other thresholds; no sums rerun."""
        table = self.table.copy()
        add_classes(table, thresholds)
        return replace(self, table=table, thresholds=thresholds)


def compute_metrics(
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
    with_duplicates: bool = True,
    as_of: pd.Timestamp | None = None,
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
        ``"ward"`` or ``"neighbourhood"``: the areas of the table.
    thresholds
        Class and flag thresholds.
    method
        Decay, catchment factor, capacity imputation and need source.
    categories
        Category ids to include (default all, in taxonomy order).
    weights
        Service id -> weight in [0, 1] (default 1), e.g. 0.5 for a down-weighted stale
        record (`analysis.provision.filters.apply_filters`); scales its capacity.
    with_duplicates
        Find the duplicate pairs (the robustness variants do without: their counts are
        then 0).
    as_of
        The day entries are judged out of date on (`analysis.freshness`): the table then
        counts, of the services behind each row (local and remote), those out of date and
        those the public reported closed. None: both counts are unknown (NaN).

    Raises
    ------
    AnalysisError
        For an unknown level, a coverage table of another area or directory or of too
        short distances for the method's catchment factor, a negative capacity or weight.
    TaxonomyError
        For an unknown category id or need-indicator column.

    Notes
    -----
    Zones z are neighbourhoods; demand sits at each one's representative point. For a
    category c, N_z its need in zone z (people), S the local services filed under c,
    w(s, z) the decay weight of zone z in service s's catchment (1, 0.68, 0.22 by thirds of
    the radius; 1 for listed wards), and q_s the service's supply in c (capacity shared
    among its categories, unknown capacities at the category's median, × its filter
    weight, × the share of its catchment inside the authority):

    - R_s = q_s / Σ_z w(s, z) N_z: places per week per person in need it reaches;
    - A_z = Σ_{s in S} w(s, z) R_s: accessibility of zone z;
    - A_W = Σ_{z in W} N_z A_z / Σ_{z in W} N_z for an area W, reported × 1,000: places
      per week per 1,000 people in need;
    - relative provision RP(W) = A_W / A_city, with A_city the same over every zone: the
      need-weighted mean of RP over the areas is exactly 1, "1 = city average per person
      in need";
    - imputed share = the share of A_W that comes from imputed capacities.

    Counts (need, local services, organisations, remote options, duplicate pairs) are
    summed or counted; rates are need-weighted means, never summed. Classes and flags:
    `analysis.provision.classes.classify_provision`, `flag_small_numbers`.
    """
    check_choice("level", level, LEVELS)
    coverage.check_area(area)
    coverage.check_factor(method.catchment_factor)
    category_ids = tuple(taxonomy.ids() if categories is None else categories)
    for category_id in category_ids:
        taxonomy.get(category_id)
    services = directory.services
    table = _ServiceTable.of(services, coverage, category_ids, weights)
    zones = area.neighbourhoods
    need, units_of_need = _need(taxonomy, zones, category_ids, method.need_source)
    area_of_zone, area_codes, area_names = _areas(area, level)
    units, reach = _units_and_reach(table, coverage, taxonomy, category_ids, method)
    access, access_imputed = e2sfca(units, reach, need)
    shape = (len(area_codes), len(category_ids))
    reaches = unit_areas(reach, area_of_zone, len(area_codes))
    org_of_unit = table.org_codes[units.service]
    counted = {
        LOCAL_SERVICES: count_reaching(reaches, units.local, units.category, shape),
        ORGANISATIONS: count_reaching(reaches, units.local, units.category, shape, key=org_of_unit),
        REMOTE_OPTIONS: count_reaching(reaches, ~units.local, units.category, shape),
        **_freshness_counts(services, as_of, units, reaches, shape),
    }
    pairs = (
        _duplicates(units, reach, need, services, category_ids, _zone_groups(zones, level), method)
        if with_duplicates
        else pd.DataFrame(columns=list(DUPLICATE_COLUMNS))
    )
    out = area_table(
        area_codes,
        area_names,
        area_of_zone,
        zones,
        category_ids,
        units_of_need,
        need=need,
        access=access,
        access_imputed=access_imputed,
        counted=counted,
        pairs=pairs,
    )
    if level == NEIGHBOURHOOD_LEVEL:
        out.insert(2, WARD_CODE, np.repeat(zones[WARD_CODE].to_numpy(), len(category_ids)))
    add_classes(out, thresholds)
    return MetricsResult(
        table=out,
        level=level,
        thresholds=thresholds,
        method=method,
        catchments_km={
            cid: taxonomy.get(cid).catchment_km * method.catchment_factor for cid in category_ids
        },
        city=city_table(zones, category_ids, need, access),
        service_counts=_service_counts(table, units, reach),
        duplicates=pairs,
    )


def supply_and_reach(
    coverage: Coverage,
    directory: Directory,
    taxonomy: Taxonomy,
    *,
    category_ids: Sequence[str],
    method: Method = Method(),  # noqa: B008 - frozen, so a shared default is safe
    weights: pd.Series | None = None,
) -> tuple[Units, Reach]:
    """The supply units of ``directory`` and the zones each reaches, as `compute_metrics`
    counts them (for explaining one result step by step)."""
    table = _ServiceTable.of(directory.services, coverage, tuple(category_ids), weights)
    return _units_and_reach(table, coverage, taxonomy, tuple(category_ids), method)


def _units_and_reach(table, coverage, taxonomy, category_ids, method) -> tuple[Units, Reach]:
    units = supply_units(
        coverage,
        rows=table.rows,
        member=table.member,
        capacity=table.capacity,
        n_categories=table.n_categories,
        weight=table.weight,
        category_ids=category_ids,
        taxonomy=taxonomy,
        catchment_factor=method.catchment_factor,
        imputation=method.imputation,
    )
    return units, unit_reach(coverage, units, decay=method.decay)


def _need(
    taxonomy: Taxonomy, zones: pd.DataFrame, category_ids: tuple[str, ...], source: NeedSource
) -> tuple[np.ndarray, dict[str, str]]:
    """Need per zone × category (people), and each category's unit."""
    if source == BY_POPULATION:
        population = zones[POPULATION].to_numpy(float)
        return np.repeat(population[:, None], len(category_ids), axis=1), dict.fromkeys(
            category_ids, RESIDENTS
        )
    need = need_by_category(taxonomy, zones)[list(category_ids)].to_numpy(float)
    units = need_units(taxonomy, zones)
    return need, {cid: units[cid] for cid in category_ids}


def _areas(area: AreaSet, level: Level) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """The area index of each zone (-1: in no area), the areas' codes and names."""
    zones = area.neighbourhoods
    if level == WARD_LEVEL:
        codes = pd.Index(area.wards[WARD_CODE])
        return codes.get_indexer(zones[WARD_CODE]), codes, area.wards[WARD_NAME].to_numpy()
    return np.arange(len(zones)), pd.Index(zones[LSOA_CODE]), zones[LSOA_NAME].to_numpy()


def _zone_groups(zones: pd.DataFrame, level: Level) -> np.ndarray:
    """The area code of each zone at ``level``: a duplicate pair is held by one of them."""
    return zones[WARD_CODE if level == WARD_LEVEL else LSOA_CODE].to_numpy()


@dataclass(frozen=True, eq=False)
class _ServiceTable:
    """The per-service arrays every category reads, computed once per run."""

    rows: np.ndarray  # coverage row of each service
    weight: np.ndarray  # filter weight u_s
    member: np.ndarray  # service × category, bool
    capacity: np.ndarray  # stated capacity, NaN when unknown
    n_categories: np.ndarray
    org_codes: np.ndarray
    uncategorised: np.ndarray

    @classmethod
    def of(cls, services, coverage: Coverage, category_ids, weights) -> _ServiceTable:
        ids = services[SERVICE_ID].astype(str)
        counts = services[CATEGORIES].map(len, na_action="ignore").fillna(0).to_numpy(int)
        return cls(
            rows=coverage.rows_for(ids),
            weight=_service_weights(ids, weights),
            member=membership(services, tuple(category_ids)),
            capacity=capacities(services),
            n_categories=counts,
            org_codes=pd.factorize(services[ORG_ID].astype(str))[0],
            uncategorised=counts == 0,
        )


def _freshness_counts(services, as_of, units, reaches, shape) -> dict[str, np.ndarray]:
    """Per area × category, the services reaching it that are out of date on ``as_of``,
    and those reported closed (NaN when ``as_of`` is None)."""
    if as_of is None:
        unknown = np.full(shape, np.nan)
        return {STALE_SERVICES: unknown, REPORTED_CLOSED_SERVICES: unknown.copy()}
    stale = stale_mask(services, as_of).to_numpy(bool)
    closed = (
        services[REPORTED_CLOSED].fillna(False).to_numpy(bool)
        if REPORTED_CLOSED in services.columns
        else np.zeros(len(services), bool)
    )
    every = np.ones(len(units.local), bool)
    return {
        STALE_SERVICES: count_reaching(
            reaches, every & stale[units.service], units.category, shape
        ),
        REPORTED_CLOSED_SERVICES: count_reaching(
            reaches, every & closed[units.service], units.category, shape
        ),
    }


def _duplicates(units, reach, need, services, category_ids, zone_groups, method) -> pd.DataFrame:
    """The duplicate pairs of every category (`analysis.provision.duplication`)."""
    described = PairServices.of(services)
    found = []
    for k, category_id in enumerate(category_ids):
        chosen = units.local & (units.category == k)
        if chosen.sum() < 2:
            continue
        keep = chosen[reach.unit]
        matrix = sparse.csr_array(
            (reach.weight[keep], (units.service[reach.unit[keep]], reach.zone[keep])),
            shape=(len(services), need.shape[0]),
        )
        candidates = np.zeros(len(services), bool)
        candidates[units.service[chosen]] = True
        columns = duplicate_pairs(
            matrix,
            need[:, k],
            described,
            candidates=candidates,
            zone_groups=zone_groups,
            min_jaccard=method.duplicate_min_jaccard,
        )
        found.append((category_id, columns))
    return pairs_frame(found)


def _service_counts(table: _ServiceTable, units, reach) -> dict[str, int]:
    n = len(table.rows)

    def services_of(chosen: np.ndarray) -> int:
        mask = np.zeros(n, bool)
        mask[units.service[chosen]] = True
        return int(mask.sum())

    used = table.member.any(axis=1)
    local_service = np.zeros(n, bool)
    local_service[units.service[units.local]] = True
    reaching_service = np.zeros(n, bool)
    reaching_service[units.service[reach.unit]] = True
    return {
        COUNT_SERVICES: n,
        COUNT_USED: int(used.sum()),
        COUNT_UNCATEGORISED: int(table.uncategorised.sum()),
        COUNT_OTHER_CATEGORIES: int((~used & ~table.uncategorised).sum()),
        COUNT_REMOTE: services_of(~units.local),
        # A service reaching people in any of its categories has coverage.
        COUNT_NO_COVERAGE: int((local_service & ~reaching_service).sum()),
        COUNT_IMPUTED: services_of(units.imputed),
    }


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
