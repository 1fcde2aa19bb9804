"""The overview's summary paragraph and class counts, on tiny hand-made tables."""

from __future__ import annotations

import pandas as pd

from analysis.model import (
    ADEQUATE,
    AREA_NAME,
    CATEGORY,
    DUPLICATE_PAIRS,
    MISSING,
    NEED,
    NEED_UNIT,
    NO_NEED,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    SMALL_NUMBERS,
    UNDER_SERVED,
    WELL_PROVIDED,
)
from dashboard.components.summary import class_counts, summary_text

UNIT = "income-deprived residents"


def _table(classes, needs, *, names=None, rps=None, small=None, pairs=None, category="food"):
    n = len(classes)
    return pd.DataFrame(
        {
            AREA_NAME: names or [f"Ward {i + 1}" for i in range(n)],
            CATEGORY: [category] * n,
            NEED: needs,
            NEED_UNIT: [UNIT] * n,
            RELATIVE_PROVISION: rps or [0.0] * n,
            PROVISION_CLASS: classes,
            DUPLICATE_PAIRS: pairs or [0] * n,
            SMALL_NUMBERS: small or [False] * n,
        }
    )


def test_class_counts_count_one_category_and_keep_zeros():
    table = pd.concat(
        [
            _table([MISSING, MISSING, WELL_PROVIDED, ADEQUATE, NO_NEED], [1, 2, 3, 4, 0]),
            _table([MISSING, UNDER_SERVED], [1, 2], category="housing"),
        ]
    )
    assert class_counts(table, "food") == {MISSING: 2, UNDER_SERVED: 0, WELL_PROVIDED: 1}
    assert class_counts(table, "housing") == {MISSING: 1, UNDER_SERVED: 1, WELL_PROVIDED: 0}
    assert class_counts(table, "nothing") == {MISSING: 0, UNDER_SERVED: 0, WELL_PROVIDED: 0}


def test_one_missing_ward_is_singular_and_names_the_largest_unmet_need_with_its_unit():
    table = _table([MISSING, ADEQUATE], [250.0, 900.0], names=["Filwood", "Clifton"])
    assert summary_text(table, "food", "Food Support") == (
        "1 ward has no local food support within reach: Filwood. "
        "The largest unmet need is in Filwood (250 income-deprived residents; relative "
        "provision 0.00, where 1 = city average per person in need)."
    )


def test_long_lists_are_cut_after_five_names_most_need_first():
    needs = [10.0, 70.0, 30.0, 60.0, 20.0, 50.0, 40.0]
    table = _table([MISSING] * 7, needs, names=list("ABCDEFG"))
    text = summary_text(table, "food", "Food")
    assert text.startswith("7 wards have no local food within reach: B, D, F, G, C and 2 more.")


def test_under_served_duplicate_pairs_and_small_numbers_are_counted():
    """Easton has the most need among the gaps; well provided Cotham and Redland are not
    gaps however much need they have. Pairs are summed over the wards holding them."""
    table = _table(
        [UNDER_SERVED, UNDER_SERVED, WELL_PROVIDED, WELL_PROVIDED],
        [500.0, 800.0, 1000.0, 100.0],
        names=["Ashley", "Easton", "Cotham", "Redland"],
        rps=[0.3, 0.4149, 2.5, 3.0],
        small=[True, True, False, True],
        pairs=[0, 1, 3, 0],
    )
    assert summary_text(table, "food", "Food") == (
        "Every ward has at least some local food within reach. 2 wards are under-served. "
        "The largest unmet need is in Easton (800 income-deprived residents; relative "
        "provision 0.41, where 1 = city average per person in need). "
        "4 pairs of local services in 2 wards reach mostly the same people: candidates "
        "for working together. 3 wards rest on small numbers; read them with care."
    )


def test_one_duplicate_pair_and_one_small_ward_are_singular():
    table = _table([ADEQUATE, ADEQUATE], [10.0, 10.0], pairs=[0, 1], small=[True, False])
    assert summary_text(table, "food", "Food") == (
        "Every ward has at least some local food within reach. 1 pair of local services in "
        "1 ward reaches mostly the same people: candidates for working together. 1 ward rests "
        "on small numbers; read it with care."
    )


def test_largest_unmet_need_without_a_relative_provision_leaves_it_out():
    table = _table([UNDER_SERVED], [800.0], names=["Easton"], rps=[float("nan")])
    assert summary_text(table, "food", "Food") == (
        "Every ward has at least some local food within reach. 1 ward is under-served. "
        "The largest unmet need is in Easton (800 income-deprived residents)."
    )


def test_gaps_without_need_name_no_largest_unmet_need():
    table = _table([MISSING], [0.0])
    text = summary_text(table, "food", "Food")
    assert text == "1 ward has no local food within reach: Ward 1."


def test_wards_with_no_need_are_not_said_to_be_reached():
    """A ward nobody the category is for lives in may have no service at all."""
    table = _table([ADEQUATE, NO_NEED], [10.0, 0.0])
    assert summary_text(table, "food", "Food") == (
        "Every ward with people in need has at least some local food within reach."
    )


def test_an_unknown_category_has_nothing_to_summarise():
    assert summary_text(_table([MISSING], [1.0]), "housing", "Housing Advice") == (
        "There are no wards to summarise for housing advice."
    )
