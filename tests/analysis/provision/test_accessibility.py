"""Our neighbourhood accessibility against PySAL ``access`` on the demo directory.

The oracle gets the same inputs — each service's supply in the category, its catchment
radius and the need of each neighbourhood — but its own distances (shapely, from every
venue to every neighbourhood's representative point) and its own two-step arithmetic
(``access.Access.enhanced_two_stage_fca`` with cost = distance / radius).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from access import Access, weights

from analysis.model import (
    ACCESSIBILITY_PER_1000,
    AREA_CODE,
    AREA_KIND,
    CATEGORY,
    LOCATIONS,
    WARD_CODE,
    WARD_CODES,
    WARDS,
)
from analysis.provision.accessibility import supply_units
from analysis.provision.coverage import NO_DECAY, STEPPED, compute_coverage
from analysis.provision.metrics import Method, compute_metrics
from analysis.provision.supply import capacities, membership
from analysis.taxonomy import need_by_category

# access 1.1 still calls pandas with ``inplace=``, which pandas 3.1 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:pandas.errors.Pandas4Warning")

STEPS = weights.step_fn({1 / 3: 1.0, 2 / 3: 0.68, 1.0: 0.22})


@pytest.fixture(scope="module")
def demo_coverage(bristol, demo_directory, taxonomy):
    return compute_coverage(demo_directory, bristol, taxonomy)


def oracle_costs(directory, area, units, category_index) -> pd.DataFrame:
    """(zone, unit, cost) for every zone within each local unit's radius, or listed."""
    zones = area.neighbourhoods
    points = shapely.point_on_surface(zones.geometry.to_numpy())
    services = directory.services
    rows = []
    for unit in np.flatnonzero((units.category == category_index) & units.local):
        service = services.iloc[units.service[unit]]
        if service[AREA_KIND] == WARDS:
            listed = zones[WARD_CODE].isin(service[WARD_CODES]).to_numpy()
            rows += [(zone, unit, 0.0) for zone in np.flatnonzero(listed)]
            continue
        distance = shapely.distance(service[LOCATIONS], points)
        cost = distance / units.radius_m[unit]
        rows += [(zone, unit, c) for zone, c in enumerate(cost) if c <= 1.0]
    return pd.DataFrame(rows, columns=["zone", "unit", "cost"])


def oracle_accessibility(directory, area, taxonomy, coverage, category, decay) -> np.ndarray:
    """A(z) for one category by PySAL ``access``, in places per week per 1,000 in need."""
    category_ids = tuple(taxonomy.ids())
    services = directory.services
    units = supply_units(
        coverage,
        rows=coverage.rows_for(services["service_id"]),
        member=membership(services, category_ids),
        capacity=capacities(services),
        n_categories=services["categories"].map(len).to_numpy(int),
        weight=np.ones(len(services)),
        category_ids=category_ids,
        taxonomy=taxonomy,
        catchment_factor=1.0,
        imputation="median",
    )
    k = category_ids.index(category)
    need = need_by_category(taxonomy, area.neighbourhoods)[category].to_numpy(float)
    costs = oracle_costs(directory, area, units, k)
    in_category = np.flatnonzero((units.category == k) & units.local)
    model = Access(
        demand_df=pd.DataFrame({"zone": np.arange(len(need)), "need": need}),
        demand_index="zone",
        demand_value="need",
        supply_df=pd.DataFrame({"unit": in_category, "supply": units.supply[in_category]}),
        supply_index="unit",
        supply_value="supply",
        cost_df=costs,
        cost_origin="zone",
        cost_dest="unit",
        cost_name="cost",
    )
    found = model.enhanced_two_stage_fca(
        max_cost=1.0, weight_fn=STEPS if decay == STEPPED else (lambda cost: 1.0)
    )
    per_person = found.iloc[:, 0].reindex(range(len(need))).fillna(0.0)
    return per_person.to_numpy(float) * 1000.0


@pytest.mark.parametrize("decay", [STEPPED, NO_DECAY])
@pytest.mark.parametrize("category", ["food", "befriending", "money_advice"])
def test_neighbourhood_accessibility_matches_pysal_access(
    bristol, demo_directory, taxonomy, demo_coverage, category, decay
):
    ours = compute_metrics(
        demo_coverage,
        demo_directory,
        bristol,
        taxonomy,
        level="neighbourhood",
        method=Method(decay=decay),
        categories=[category],
        with_duplicates=False,
    ).table
    ours = ours[ours[CATEGORY] == category].set_index(AREA_CODE)
    expected = oracle_accessibility(
        demo_directory, bristol, taxonomy, demo_coverage, category, decay
    )
    codes = bristol.neighbourhoods["lsoa_code"]
    assert expected.max() > 0  # the oracle found provision to compare
    np.testing.assert_allclose(
        ours.loc[codes, ACCESSIBILITY_PER_1000].to_numpy(float), expected, rtol=1e-9, atol=1e-12
    )
