"""Metrics: need, accessibility, relative provision and class by area and category.

Arithmetic on the coverage table of `analysis.provision.coverage`; no geometry. A threshold
change reruns only `classify_provision` (`MetricsResult.with_thresholds`); a filter,
category or method change reruns `compute_metrics` on the same coverage table.

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
    ACCESSIBILITY_PER_1000,
    ADEQUATE,
    AREA_CODE,
    AREA_NAME,
    BY_INDICATOR,
    BY_POPULATION,
    CATEGORIES,
    CATEGORY,
    COUNT_IMPUTED,
    COUNT_NO_COVERAGE,
    COUNT_OTHER_CATEGORIES,
    COUNT_REMOTE,
    COUNT_SERVICES,
    COUNT_UNCATEGORISED,
    COUNT_USED,
    DUPLICATE_PAIRS,
    IMPUTED_SHARE,
    LEVELS,
    LOCAL_SERVICES,
    LSOA_CODE,
    LSOA_NAME,
    MISSING,
    NEED,
    NEED_SOURCES,
    NEED_UNIT,
    NEIGHBOURHOOD_LEVEL,
    NO_NEED,
    ORG_ID,
    ORGANISATIONS,
    POPULATION,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    SERVICE_ID,
    SMALL_NUMBERS,
    SUPPLY,
    UNCERTAIN,
    UNDER_SERVED,
    WARD_CODE,
    WARD_LEVEL,
    WARD_NAME,
    WELL_PROVIDED,
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
from analysis.provision.coverage import STEPPED, Coverage, Decay
from analysis.provision.duplication import (
    DUPLICATE_COLUMNS,
    PairServices,
    duplicate_pairs,
    pairs_frame,
)
from analysis.provision.supply import MEDIAN, Imputation, capacities, membership
from analysis.taxonomy import Taxonomy, need_by_category, need_units

PER_1000: Final = 1000.0
RESIDENTS: Final = "residents"


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
    method: Method = Method(),  # noqa: B008 - frozen, so a shared default is safe
    categories: Sequence[str] | None = None,
    weights: pd.Series | None = None,
    with_duplicates: bool = True,
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
    `classify_provision`, `flag_small_numbers`.
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
    }
    pairs = (
        _duplicates(units, reach, need, services, category_ids, _zone_groups(zones, level), method)
        if with_duplicates
        else pd.DataFrame(columns=list(DUPLICATE_COLUMNS))
    )
    out = _table(
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
    _add_classes(out, thresholds)
    return MetricsResult(
        table=out,
        level=level,
        thresholds=thresholds,
        method=method,
        catchments_km={
            cid: taxonomy.get(cid).catchment_km * method.catchment_factor for cid in category_ids
        },
        city=_city_table(zones, category_ids, need, access),
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


def _by_area(values: np.ndarray, area_of_zone: np.ndarray, n_areas: int) -> np.ndarray:
    """Zone × category values summed into area × category."""
    inside = area_of_zone >= 0
    out = np.zeros((n_areas, values.shape[1]))
    np.add.at(out, area_of_zone[inside], values[inside])
    return out


def _table(
    area_codes,
    area_names,
    area_of_zone,
    zones,
    category_ids,
    units_of_need,
    *,
    need,
    access,
    access_imputed,
    counted,
    pairs,
) -> pd.DataFrame:
    """The long area × category table."""
    n_areas, n_categories = len(area_codes), len(category_ids)
    need = np.nan_to_num(need)
    need_area = _by_area(need, area_of_zone, n_areas)
    supply = _by_area(need * access, area_of_zone, n_areas)
    imputed = _by_area(need * access_imputed, area_of_zone, n_areas)
    population = _by_area(zones[[POPULATION]].to_numpy(float), area_of_zone, n_areas)[:, 0]
    city = _city_accessibility(need, access)
    per_person = np.divide(supply, need_area, out=np.zeros_like(supply), where=need_area > 0)
    relative = np.divide(
        per_person, city[None, :], out=np.zeros_like(per_person), where=city[None, :] > 0
    )
    return pd.DataFrame(
        {
            AREA_CODE: np.repeat(area_codes.to_numpy(), n_categories),
            AREA_NAME: np.repeat(area_names, n_categories),
            CATEGORY: np.tile(np.array(category_ids, dtype=object), n_areas),
            POPULATION: np.repeat(population, n_categories),
            NEED: need_area.ravel(),
            NEED_UNIT: np.tile(
                np.array([units_of_need[c] for c in category_ids], dtype=object), n_areas
            ),
            LOCAL_SERVICES: counted[LOCAL_SERVICES].ravel(),
            ORGANISATIONS: counted[ORGANISATIONS].ravel(),
            REMOTE_OPTIONS: counted[REMOTE_OPTIONS].ravel(),
            ACCESSIBILITY_PER_1000: per_person.ravel() * PER_1000,
            RELATIVE_PROVISION: relative.ravel(),
            IMPUTED_SHARE: np.divide(
                imputed, supply, out=np.zeros_like(imputed), where=supply > 0
            ).ravel(),
            DUPLICATE_PAIRS: _pairs_per_area(pairs, area_codes, category_ids).ravel(),
        }
    )


def _city_accessibility(need: np.ndarray, access: np.ndarray) -> np.ndarray:
    """Per category, Σ_z N_z A_z / Σ_z N_z: the city's places per week per person in need."""
    total = need.sum(axis=0)
    return np.divide(
        (need * access).sum(axis=0), total, out=np.zeros(need.shape[1]), where=total > 0
    )


def _pairs_per_area(pairs: pd.DataFrame, area_codes: pd.Index, category_ids) -> np.ndarray:
    counts = np.zeros((len(area_codes), len(category_ids)))
    if len(pairs):
        area = area_codes.get_indexer(pairs[WARD_CODE])
        category = pd.Index(category_ids).get_indexer(pairs[CATEGORY])
        keep = (area >= 0) & (category >= 0)
        np.add.at(counts, (area[keep], category[keep]), 1.0)
    return counts


def _city_table(zones: pd.DataFrame, category_ids, need, access) -> pd.DataFrame:
    need = np.nan_to_num(need)
    total_need = need.sum(axis=0)
    supply = (need * access).sum(axis=0)
    return pd.DataFrame(
        {
            POPULATION: np.full(len(category_ids), float(zones[POPULATION].sum())),
            NEED: total_need,
            SUPPLY: supply,
            ACCESSIBILITY_PER_1000: _city_accessibility(need, access) * PER_1000,
        },
        index=pd.Index(category_ids, name=CATEGORY),
    )


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


def _add_classes(table: pd.DataFrame, thresholds: Thresholds) -> None:
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
