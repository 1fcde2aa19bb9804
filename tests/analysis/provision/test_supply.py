"""Supply: capacity shared among categories, unknown capacity imputed and marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.provision.supply import (
    LOWER_QUARTILE,
    UPPER_QUARTILE,
    capacities,
    category_supply,
    membership,
)

NAN = float("nan")


def services(capacity, categories) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "service_id": [f"S{k}" for k in range(len(capacity))],
            "capacity": capacity,
            "categories": [tuple(c) for c in categories],
        }
    )


def test_a_blank_capacity_stays_unknown_never_one():
    table = services([30.0, NAN, None], [("food",)] * 3)
    values = capacities(table)
    assert values[0] == 30.0
    assert np.isnan(values[1:]).all()


@pytest.mark.parametrize("bad", [-5.0, float("inf")])
def test_an_impossible_capacity_is_refused_with_the_service(bad):
    with pytest.raises(AnalysisError, match=r"service S1 has capacity .*; expected a number >= 0"):
        capacities(services([10.0, bad], [("food",)] * 2))


def test_membership_marks_only_known_categories():
    table = services([1.0, 1.0, 1.0], [("food", "housing"), ("housing",), ("unheard-of",)])
    assert membership(table, ("food", "housing")).tolist() == [
        [True, True],
        [False, True],
        [False, False],
    ]


def test_capacity_is_shared_equally_among_a_service_categories():
    capacity = np.array([90.0, 40.0])
    supply, imputed = category_supply(capacity, np.array([3, 1]), np.array([True, True]))
    assert supply.tolist() == [30.0, 40.0]
    assert not imputed.any()


def test_unknown_capacity_takes_the_quantile_of_the_known_ones_in_the_category():
    # Known shares in the category: 10, 20, 30, 40 (the 100 is outside it).
    capacity = np.array([10.0, 20.0, 30.0, 40.0, NAN, 100.0])
    member = np.array([True, True, True, True, True, False])
    n = np.ones(6, int)
    median, imputed = category_supply(capacity, n, member)
    assert median[4] == 25.0 and imputed.tolist() == [False] * 4 + [True, False]
    assert median[5] == 0.0  # outside the category: no supply in it
    low, _ = category_supply(capacity, n, member, imputation=LOWER_QUARTILE)
    high, _ = category_supply(capacity, n, member, imputation=UPPER_QUARTILE)
    assert (low[4], high[4]) == (17.5, 32.5)


def test_imputation_compares_shares_not_whole_capacities():
    # 60 over two categories counts 30 here; the unknown one takes the median of 30 and 10.
    supply, _ = category_supply(
        np.array([60.0, 10.0, NAN]), np.array([2, 1, 1]), np.array([True, True, True])
    )
    assert supply.tolist() == [30.0, 10.0, 20.0]


def test_the_default_applies_when_nobody_in_the_category_states_a_capacity():
    supply, imputed = category_supply(
        np.array([NAN, NAN]), np.ones(2, int), np.array([True, True]), default=50.0
    )
    assert supply.tolist() == [50.0, 50.0] and imputed.all()


def test_an_unknown_imputation_is_refused():
    with pytest.raises(AnalysisError, match="capacity imputation 'mean' is not known"):
        category_supply(np.ones(1), np.ones(1, int), np.ones(1, bool), imputation="mean")
