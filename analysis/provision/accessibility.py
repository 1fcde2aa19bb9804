"""Accessibility: the enhanced two-step floating catchment area, for every category at once.

A **supply unit** is one service in one of its categories: its capacity shared among its
categories (unknown capacities imputed), its catchment radius (the category's default, or
the one the service states), its filter weight and the share of its catchment inside the
authority. With w(u, z) the decay weight of zone z in unit u's catchment and N(z, c) the
need of zone z in the unit's category c:

    R_u = supply_u / Σ_z w(u, z) N(z, c)          places per week per person in need
    A(z, c) = Σ_{u in c} w(u, z) R_u              accessibility of zone z

Only local units count (in person or area-based): phone, online and citywide services are
remote options, reported beside the result. Everything is a ``numpy.bincount`` over the
(unit, zone) pairs, so all categories take one pass.

References: Luo, W. & Qi, Y. (2009), An enhanced two-step floating catchment area (E2SFCA)
method for measuring spatial accessibility to primary care physicians, Health & Place 15.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from analysis.provision.coverage import Coverage, Decay
from analysis.provision.supply import Imputation, category_supply
from analysis.taxonomy import Taxonomy


@dataclass(frozen=True, eq=False)
class Units:
    """The supply units of a directory: one per service × category it is filed under.

    Attributes
    ----------
    service
        Position of the unit's service in the directory's services.
    row
        The service's row in the coverage table.
    category
        Index of the unit's category (in the order of the run's categories).
    radius_m
        Catchment radius in metres (NaN for list services).
    supply
        Places per week the unit offers in its category, after sharing, imputation, the
        filter weight and the share inside the authority.
    imputed
        The unit's capacity was unknown and imputed.
    local
        In person or area-based (not phone, online or citywide).
    """

    service: np.ndarray
    row: np.ndarray
    category: np.ndarray
    radius_m: np.ndarray
    supply: np.ndarray
    imputed: np.ndarray
    local: np.ndarray

    def __len__(self) -> int:
        return len(self.service)


def supply_units(
    coverage: Coverage,
    *,
    rows: np.ndarray,
    member: np.ndarray,
    capacity: np.ndarray,
    n_categories: np.ndarray,
    weight: np.ndarray,
    category_ids: tuple[str, ...],
    taxonomy: Taxonomy,
    catchment_factor: float,
    imputation: Imputation,
) -> Units:
    """The supply units of the services (``member``: service × category, bool)."""
    service, category = np.nonzero(member)
    supply = np.zeros(len(service))
    imputed = np.zeros(len(service), bool)
    for k in range(len(category_ids)):
        in_k = category == k
        values, unknown = category_supply(
            capacity, n_categories, member[:, k], imputation=imputation
        )
        supply[in_k], imputed[in_k] = values[service[in_k]], unknown[service[in_k]]
    unit_rows = rows[service]
    catchment_m = np.array([taxonomy.get(cid).catchment_km * 1000.0 for cid in category_ids])
    given = coverage.given_radius_m[unit_rows]
    radius = np.where(np.isfinite(given), given, catchment_m[category]) * catchment_factor
    radius = np.where(coverage.is_circle[unit_rows], radius, np.nan)
    inside = coverage.inside_share(radius, unit_rows)
    return Units(
        service=service,
        row=unit_rows,
        category=category,
        radius_m=radius,
        supply=supply * weight[service] * inside,
        imputed=imputed,
        local=~coverage.is_remote[unit_rows],
    )


@dataclass(frozen=True, eq=False)
class Reach:
    """The (unit, zone, weight) pairs of a set of units."""

    unit: np.ndarray
    zone: np.ndarray
    weight: np.ndarray


def unit_reach(coverage: Coverage, units: Units, *, decay: Decay) -> Reach:
    """Every zone each unit reaches, with its decay weight."""
    unit, zone, weight = coverage.unit_pairs(units.row, units.radius_m, decay=decay)
    return Reach(unit=unit, zone=zone, weight=weight)


def e2sfca(units: Units, reach: Reach, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accessibility of each zone × category, all of it and the imputed part.

    Parameters
    ----------
    units
        The supply units; only the local ones count.
    reach
        The units' (unit, zone, weight) pairs.
    need
        Zone × category need, people (NaN counts as 0).

    Returns
    -------
    tuple of numpy.ndarray
        A(z, c) and the part of it that comes from imputed capacities, both zone ×
        category, in places per week per person in need.
    """
    n_zones, n_categories = need.shape
    local = units.local[reach.unit]
    unit, zone, weight = reach.unit[local], reach.zone[local], reach.weight[local]
    category = units.category[unit]
    need = np.nan_to_num(need)
    demand = np.bincount(unit, weights=weight * need[zone, category], minlength=len(units))
    ratio = np.divide(units.supply, demand, out=np.zeros(len(units)), where=demand > 0)
    cell = zone * n_categories + category
    size = n_zones * n_categories
    access = np.bincount(cell, weights=weight * ratio[unit], minlength=size)
    imputed = np.bincount(cell, weights=weight * (ratio * units.imputed)[unit], minlength=size)
    return access.reshape(n_zones, n_categories), imputed.reshape(n_zones, n_categories)


def unit_areas(
    reach: Reach, area_of_zone: np.ndarray, n_areas: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (unit, area) pairs: which areas each unit reaches (areas -1 left out)."""
    area = area_of_zone[reach.zone]
    inside = area >= 0
    n_units = int(reach.unit.max()) + 1 if len(reach.unit) else 0
    return _distinct(reach.unit[inside], area[inside], (n_units, n_areas))


def _distinct(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]):
    """The distinct (row, column) pairs, by row: a sparse table sums the repeats, in
    linear time where a hash of every pair would not be."""
    table = sparse.csr_array((np.ones(len(rows), dtype=np.int32), (rows, columns)), shape=shape)
    table.sum_duplicates()
    return np.repeat(np.arange(shape[0]), np.diff(table.indptr)), table.indices.astype(np.int64)


def count_reaching(
    reaches: tuple[np.ndarray, np.ndarray],
    chosen: np.ndarray,
    category: np.ndarray,
    shape: tuple[int, int],
    key: np.ndarray | None = None,
) -> np.ndarray:
    """Per area × category, how many distinct units (or ``key`` values) reach it.

    ``reaches`` holds the (unit, area) pairs of `unit_areas`; ``chosen`` selects the units
    counted; ``key``, when given, is what is counted per unit (its organisation, say).
    """
    n_areas, n_categories = shape
    unit, area = reaches
    keep = chosen[unit]
    unit, area = unit[keep], area[keep]
    cell = category[unit].astype(np.int64) * n_areas + area
    if key is not None:
        n_keys = int(key.max()) + 1 if len(key) else 0
        cell = _distinct(key[unit].astype(np.int64), cell, (n_keys, n_categories * n_areas))[1]
    counts = np.bincount(cell, minlength=n_categories * n_areas).astype(float)
    return counts.reshape(n_categories, n_areas).T
