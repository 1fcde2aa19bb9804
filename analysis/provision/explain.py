"""One ward × category result, step by step: need, services, ratios, accessibility, class.

What a planner reads to defend a number: every input and intermediate value behind the
ward's accessibility and relative provision, computed with the same pieces as
`analysis.provision.metrics.compute_metrics` and rendered as plain text (`explain_text`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.directory import Directory
from analysis.geography import AreaSet
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    BY_POPULATION,
    CAPACITY,
    CATEGORIES,
    LSOA_CODE,
    LSOA_NAME,
    NEED,
    ORG_ID,
    POPULATION,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    SUPPLY,
    WARD_CODE,
    WARD_NAME,
)
from analysis.provision.classes import classify_provision, flag_small_numbers
from analysis.provision.coverage import STEPPED, Coverage
from analysis.provision.metrics import (
    Method,
    Thresholds,
    supply_and_reach,
)
from analysis.taxonomy import Taxonomy, need_by_category, need_units


@dataclass(frozen=True)
class Explanation:
    """The steps behind one ward × category result.

    Attributes
    ----------
    zones
        The ward's neighbourhoods: code, name, people in need, accessibility per 1,000.
    services
        The local services reaching the ward: capacity stated (NaN: unknown), whether it
        is imputed, categories shared among, share of the catchment inside the authority,
        supply (places per week), radius (m), need reached (decay-weighted people) and
        ratio R (places per week per 1,000 people in need reached).
    need, accessibility_per_1000, city_per_1000, relative_provision
        The ward's totals: people in need, A_W and A_city (places per week per 1,000
        people in need), and RP = A_W / A_city.
    """

    ward_code: str
    ward_name: str
    category: str
    category_label: str
    need_unit: str
    method: Method
    thresholds: Thresholds
    zones: pd.DataFrame
    services: pd.DataFrame
    need: float
    accessibility_per_1000: float
    city_per_1000: float
    relative_provision: float
    imputed_share: float
    remote_options: int
    provision_class: str
    small_numbers: bool


def explain_cell(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    ward_code: str,
    category: str,
    method: Method = Method(),  # noqa: B008 - frozen, so a shared default is safe
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen
    weights: pd.Series | None = None,
) -> Explanation:
    """Explain the ward × category result, with the same arithmetic as the metrics.

    ``weights`` are the filter weights of the services (as for `compute_metrics`).
    """
    zones = area.neighbourhoods
    label = taxonomy.get(category).label
    units, reach = supply_and_reach(
        coverage, directory, taxonomy, category_ids=[category], method=method, weights=weights
    )
    need = _zone_need(zones, taxonomy, category, method)
    demand = np.bincount(
        reach.unit,
        weights=reach.weight * need[reach.zone] * units.local[reach.unit],
        minlength=len(units),
    )
    ratio = np.divide(units.supply, demand, out=np.zeros(len(units)), where=demand > 0)
    in_ward = zones[WARD_CODE].astype(str).to_numpy() == ward_code
    local_pairs = units.local[reach.unit]
    access = np.bincount(
        reach.zone[local_pairs],
        weights=reach.weight[local_pairs] * ratio[reach.unit[local_pairs]],
        minlength=len(zones),
    )
    imputed = np.bincount(
        reach.zone[local_pairs],
        weights=(reach.weight * (ratio * units.imputed)[reach.unit])[local_pairs],
        minlength=len(zones),
    )
    ward_need = float(need[in_ward].sum())
    ward_access = _weighted_mean(access[in_ward], need[in_ward])
    city_access = _weighted_mean(access, need)
    relative = ward_access / city_access if city_access > 0 else 0.0
    reaching = np.unique(reach.unit[in_ward[reach.zone]])
    local = reaching[units.local[reaching]]
    n_local = len(local)
    klass = classify_provision(
        np.array([ward_need]), np.array([n_local]), np.array([relative]), thresholds=thresholds
    )[0]
    population = float(zones.loc[in_ward, POPULATION].sum())
    small = flag_small_numbers(
        np.array([n_local]), np.array([population]), np.array([ward_need]), thresholds=thresholds
    )[0]
    ward_imputed = _weighted_mean(imputed[in_ward], need[in_ward])
    return Explanation(
        ward_code=ward_code,
        ward_name=str(area.wards.set_index(WARD_CODE).loc[ward_code, WARD_NAME]),
        category=category,
        category_label=label,
        need_unit=_unit(zones, taxonomy, category, method),
        method=method,
        thresholds=thresholds,
        zones=pd.DataFrame(
            {
                LSOA_CODE: zones.loc[in_ward, LSOA_CODE].to_numpy(),
                LSOA_NAME: zones.loc[in_ward, LSOA_NAME].to_numpy(),
                NEED: need[in_ward],
                ACCESSIBILITY_PER_1000: access[in_ward] * 1000.0,
            }
        ),
        services=_service_rows(coverage, directory, units, local, demand, ratio),
        need=ward_need,
        accessibility_per_1000=ward_access * 1000.0,
        city_per_1000=city_access * 1000.0,
        relative_provision=relative,
        imputed_share=ward_imputed / ward_access if ward_access > 0 else 0.0,
        remote_options=int(len(reaching) - n_local),
        provision_class=str(klass),
        small_numbers=bool(small),
    )


def _zone_need(zones, taxonomy: Taxonomy, category: str, method: Method) -> np.ndarray:
    if method.need_source == BY_POPULATION:
        return zones[POPULATION].to_numpy(float)
    return np.nan_to_num(need_by_category(taxonomy, zones)[category].to_numpy(float))


def _unit(zones, taxonomy: Taxonomy, category: str, method: Method) -> str:
    if method.need_source == BY_POPULATION:
        return "residents"
    return need_units(taxonomy, zones)[category]


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = float(weights.sum())
    return float((values * weights).sum() / total) if total > 0 else 0.0


def _service_rows(coverage, directory, units, chosen, demand, ratio) -> pd.DataFrame:
    """One row per local unit reaching the ward, largest supply first."""
    services = directory.services.iloc[units.service[chosen]]
    inside = coverage.inside_share(units.radius_m[chosen], units.row[chosen])
    rows = pd.DataFrame(
        {
            SERVICE_ID: services[SERVICE_ID].astype(str).to_numpy(),
            SERVICE_NAME: services[SERVICE_NAME].astype(str).to_numpy(),
            ORG_ID: services[ORG_ID].astype(str).to_numpy(),
            "capacity_stated": pd.to_numeric(services[CAPACITY], errors="coerce").to_numpy(),
            "capacity_imputed": units.imputed[chosen],
            "categories_shared": services[CATEGORIES].map(len).to_numpy(int),
            "inside_share": inside,
            SUPPLY: units.supply[chosen],
            RADIUS_M: units.radius_m[chosen],
            "need_reached": demand[chosen],
            "ratio_per_1000": ratio[chosen] * 1000.0,
        }
    )
    return rows.sort_values([SUPPLY, SERVICE_ID], ascending=[False, True], ignore_index=True)


def _decay_words(method: Method) -> str:
    return "stepped decay" if method.decay == STEPPED else "no decay"


def _weight_words(method: Method) -> str:
    if method.decay == STEPPED:
        return "w = 1, 0.68, 0.22 by thirds of the radius"
    return "w = 1 anywhere in the catchment"


def explain_text(explanation: Explanation) -> str:
    """The explanation as plain text, each number with its unit."""
    e = explanation
    lines = [
        f"{e.category_label} in {e.ward_name} ({e.ward_code})",
        f"Method: {_decay_words(e.method)}, catchments × {e.method.catchment_factor:g}, "
        f"unknown capacity at the category's {e.method.imputation}.",
        "",
        f"1. Need: {e.need_unit}, per neighbourhood (N)",
    ]
    lines += [
        f"   {row[LSOA_CODE]}  {row[LSOA_NAME]:<28} {row[NEED]:>10,.0f}"
        for _, row in e.zones.iterrows()
    ]
    lines += [f"   ward total {'':>28} {e.need:>10,.0f} people in need", ""]
    lines.append(
        "2. Local services reaching the ward: supply q (places a week), the need each "
        "reaches D (decay-weighted people in need), R = q / D"
    )
    for _, s in e.services.iterrows():
        stated = (
            f"unknown, counted at the {e.method.imputation}"
            if s["capacity_imputed"]
            else f"{s['capacity_stated']:,.0f} stated"
        )
        radius = "listed wards" if np.isnan(s[RADIUS_M]) else f"{s[RADIUS_M] / 1000:g} km"
        shared = (
            "its only category"
            if s["categories_shared"] <= 1
            else f"shared by {s['categories_shared']} categories"
        )
        lines.append(
            f"   {s[SERVICE_NAME]} ({s[SERVICE_ID]}): capacity {stated}, {shared}, "
            f"{s['inside_share']:.0%} of the catchment "
            f"inside; q = {s[SUPPLY]:,.1f}; radius {radius}; D = {s['need_reached']:,.0f}; "
            f"R = {s['ratio_per_1000']:,.2f} per 1,000"
        )
    if e.services.empty:
        lines.append("   none")
    lines += [
        "",
        "3. Accessibility of each neighbourhood: A = Σ w R over the services reaching it "
        f"({_weight_words(e.method)}), places a week per 1,000 in need",
    ]
    lines += [
        f"   {row[LSOA_CODE]}  {row[ACCESSIBILITY_PER_1000]:>10,.2f}"
        for _, row in e.zones.iterrows()
    ]
    lines += [
        "",
        "4. The ward: A = Σ N A / Σ N = "
        f"{e.accessibility_per_1000:,.2f} places a week per 1,000 people in need",
        f"   The city: {e.city_per_1000:,.2f}; relative provision = "
        f"{e.accessibility_per_1000:,.2f} / {e.city_per_1000:,.2f} = "
        f"{e.relative_provision:.2f} (1 = city average per person in need)",
        f"   Supply estimated: {e.imputed_share:.0%}; phone, online and citywide options: "
        f"{e.remote_options} (not counted above)",
        f"   Class: {e.provision_class}"
        + (" (small numbers: read with care)" if e.small_numbers else ""),
    ]
    return "\n".join(lines)
