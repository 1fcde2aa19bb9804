"""Area tables: zone × category values summed and averaged into the tables people read.

The last step of `analysis.provision.metrics.compute_metrics`: need, supply and imputed
supply summed from zones into areas, accessibility as need-weighted means (never sums),
relative provision against the city's value, duplicate pairs counted per area, and the
one-row-per-category city table that relative provision divides by.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from analysis.model import (
    ACCESSIBILITY_PER_1000,
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    DUPLICATE_PAIRS,
    IMPUTED_SHARE,
    LOCAL_SERVICES,
    NEED,
    NEED_UNIT,
    ORGANISATIONS,
    POPULATION,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    REPORTED_CLOSED_SERVICES,
    STALE_SERVICES,
    SUPPLY,
    WARD_CODE,
)

PER_1000: Final = 1000.0


def _by_area(values: np.ndarray, area_of_zone: np.ndarray, n_areas: int) -> np.ndarray:
    """Zone × category values summed into area × category."""
    inside = area_of_zone >= 0
    out = np.zeros((n_areas, values.shape[1]))
    np.add.at(out, area_of_zone[inside], values[inside])
    return out


def area_table(
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
            STALE_SERVICES: counted[STALE_SERVICES].ravel(),
            REPORTED_CLOSED_SERVICES: counted[REPORTED_CLOSED_SERVICES].ravel(),
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


def city_table(zones: pd.DataFrame, category_ids, need, access) -> pd.DataFrame:
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
