"""Robustness: gap ranks and persistence over catchment and threshold variants."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.model import ROBUSTNESS_COLUMNS
from analysis.provision.coverage import compute_coverage
from analysis.provision.robustness import Variants, assess_robustness, rank_gaps
from tests.analysis.tiny import circle, make_area, make_directory, make_taxonomy

AREA = make_area(
    population=[1000] * 6,
    older=[100] * 6,
    wards=["W1", "W1", "W2", "W2", "W3", "W3"],
)
DIRECTORY = make_directory(
    [
        circle(2.3, 0.5, 900, "A", capacity=10),
        circle(4.1, 0.5, 500, "B", capacity=10),
    ]
)


def test_gap_ranks_and_persistence_by_hand():
    """Six 1 km squares of 1,000 residents (centres x = 0.5 … 5.5 km), wards of two.

    A (capacity 10) at x = 2.3 km, radius 900 m; B (capacity 10) at x = 4.1 km, 500 m.
    Food need = population, so RP(W) = supply(W) / 2000 / (total supply / 6000).

    ====== ================== ================= ===================== =================
    factor A reaches          B reaches         supply W1 / W2 / W3   RP W1 / W2 / W3
    ====== ================== ================= ===================== =================
    0.5    Z3 (200 m)         none (250 m)      0 / 10 / 0            0 / 3 / 0
    1.0    Z2, Z3             Z5                5 / 5 / 10            .75 / .75 / 1.5
    1.5    Z2, Z3, Z4         Z4, Z5            3.3 / 11.7 / 5        .5 / 1.75 / .75
    ====== ================== ================= ===================== =================

    Ranks (lowest RP first; ties to more need, then the lower code):
    W1 1, 1, 1; W2 3, 2, 3; W3 2, 3, 2. With under-served cuts 0.5 and 0.8, gaps (missing
    or under-served) in the 6 variants: W1 at 0.5 missing ×2, at 1.0 (.75 < .8) and 1.5
    (.5 < .8) -> 4/6; W2 at 1.0 only -> 1/6; W3 at 0.5 missing ×2 and at 1.5 -> 3/6.
    Befriending has no service: missing in every variant, robust, ranked by code (equal need).
    """
    table = assess_robustness(
        compute_coverage(DIRECTORY, AREA),
        DIRECTORY,
        AREA,
        make_taxonomy(),
        categories=["food", "befriending"],
        variants=Variants(catchment_factors=(0.5, 1.0, 1.5), under_served_below=(0.5, 0.8)),
    )
    assert tuple(table.columns) == ROBUSTNESS_COLUMNS
    food = table[table["category"] == "food"].set_index("area_code")
    assert food["class"].to_list() == ["adequate", "adequate", "adequate"]
    assert food["gap_rank"].to_list() == [1, 2, 3]
    assert food["rank_min"].to_list() == [1, 2, 2]
    assert food["rank_max"].to_list() == [1, 3, 3]
    assert food["rank_range"].to_list() == [0, 1, 1]
    assert food["gap_share"].to_list() == pytest.approx([4 / 6, 1 / 6, 3 / 6])
    assert food["robust"].to_list() == [False, False, False]
    befriending = table[table["category"] == "befriending"].set_index("area_code")
    assert befriending["class"].to_list() == ["missing"] * 3
    assert befriending["gap_rank"].to_list() == [1, 2, 3]
    assert befriending["rank_range"].to_list() == [0, 0, 0]
    assert befriending["gap_share"].to_list() == [1.0, 1.0, 1.0]
    assert befriending["robust"].to_list() == [True, True, True]


def test_rank_gaps_orders_by_relative_provision_then_need():
    table = pd.DataFrame(
        {
            "area_code": ["a", "b", "c", "d", "e"],
            "category": ["x", "x", "x", "x", "y"],
            "relative_provision": [0.5, 0.5, float("nan"), 0.1, 2.0],
            "need": [10, 20, 5, 1, 1],
        }
    )
    assert rank_gaps(table).to_list() == [3, 2, 4, 1, 1]


def test_variants_refuse_nonsense():
    with pytest.raises(AnalysisError, match=r"catchment factor -1 is not a positive number"):
        Variants(catchment_factors=(1.0, -1))
    with pytest.raises(AnalysisError, match=r"needs at least one catchment factor and one"):
        Variants(under_served_below=())
    with pytest.raises(AnalysisError, match=r"area-served kind 'wards' has no radius to vary"):
        Variants(catchment_kinds=("wards",))
