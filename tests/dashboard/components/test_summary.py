"""The overview's summary paragraph and class counts, on tiny hand-made tables."""

from __future__ import annotations

import pandas as pd

from analysis.model import (
    ADEQUATE,
    AREA_NAME,
    CATEGORY,
    MISSING,
    NEED,
    OVERLAP,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    SMALL_NUMBERS,
    UNDER_SERVED,
)
from dashboard.components.summary import class_counts, summary_text


def _table(classes, needs, *, names=None, rps=None, small=None, category="food"):
    n = len(classes)
    return pd.DataFrame(
        {
            AREA_NAME: names or [f"Ward {i + 1}" for i in range(n)],
            CATEGORY: [category] * n,
            NEED: needs,
            RELATIVE_PROVISION: rps or [0.0] * n,
            PROVISION_CLASS: classes,
            SMALL_NUMBERS: small or [False] * n,
        }
    )


def test_class_counts_count_one_category_and_keep_zeros():
    table = pd.concat(
        [
            _table([MISSING, MISSING, OVERLAP, ADEQUATE], [1, 2, 3, 4]),
            _table([MISSING, UNDER_SERVED], [1, 2], category="housing"),
        ]
    )
    assert class_counts(table, "food") == {MISSING: 2, UNDER_SERVED: 0, OVERLAP: 1}
    assert class_counts(table, "housing") == {MISSING: 1, UNDER_SERVED: 1, OVERLAP: 0}
    assert class_counts(table, "nothing") == {MISSING: 0, UNDER_SERVED: 0, OVERLAP: 0}


def test_one_missing_ward_is_singular_and_names_the_largest_unmet_need():
    table = _table([MISSING, ADEQUATE], [250.0, 900.0], names=["Filwood", "Clifton"])
    assert summary_text(table, "food", "Food Support") == (
        "1 ward has no food support within reach: Filwood. "
        "The largest unmet need is in Filwood (need 250; relative provision 0.00)."
    )


def test_long_lists_are_cut_after_five_names_most_need_first():
    needs = [10.0, 70.0, 30.0, 60.0, 20.0, 50.0, 40.0]
    table = _table([MISSING] * 7, needs, names=list("ABCDEFG"))
    text = summary_text(table, "food", "Food")
    assert text.startswith("7 wards have no food within reach: B, D, F, G, C and 2 more.")


def test_under_served_overlap_and_small_numbers_are_counted():
    table = _table(
        [UNDER_SERVED, UNDER_SERVED, OVERLAP, OVERLAP],
        [500.0, 800.0, 100.0, 100.0],
        names=["Ashley", "Easton", "Cotham", "Redland"],
        rps=[0.3, float("nan"), 2.5, 3.0],
        small=[True, True, False, True],
    )
    assert summary_text(table, "food", "Food") == (
        "Every ward has at least some food within reach. 2 wards are under-served. "
        "The largest unmet need is in Easton (need 800). "
        "2 wards show possible overlap (many providers, well above the city's provision): "
        "candidates for working together. 3 wards rest on small numbers; read them with care."
    )


def test_gaps_without_need_name_no_largest_unmet_need():
    table = _table([MISSING], [0.0])
    text = summary_text(table, "food", "Food")
    assert text == "1 ward has no food within reach: Ward 1."


def test_an_unknown_category_has_nothing_to_summarise():
    assert summary_text(_table([MISSING], [1.0]), "housing", "Housing Advice") == (
        "There are no wards to summarise for housing advice."
    )
