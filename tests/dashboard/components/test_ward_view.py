"""The ward page's tables: provision, gaps with robustness, partners, neighbourhoods."""

from __future__ import annotations

import pandas as pd

from analysis.model import (
    ADEQUATE,
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    COMPLEMENTARY,
    EFFECTIVE_PROVIDERS,
    GAP_SHARE,
    MISSING,
    NEED,
    ORG_NAME,
    OVERLAP,
    POPULATION,
    PROVISION_CLASS,
    RANK_MAX,
    RANK_MIN,
    REASON,
    RELATION,
    RELATIVE_PROVISION,
    ROBUST,
    SERVICE_NAME,
    SIMILAR,
    SMALL_NUMBERS,
    UNDER_SERVED,
)
from dashboard.components.ward_view import gap_rows, partner_rows, provision_rows, zone_rows
from tests.analysis.tiny import make_taxonomy

TAXONOMY = make_taxonomy()  # food -> "Food", befriending -> "Befriending", housing -> "Housing"


def _ward_rows() -> pd.DataFrame:
    """One ward, four categories: one of each class (``other`` is not in the taxonomy)."""
    return pd.DataFrame(
        {
            AREA_CODE: ["W1"] * 4,
            CATEGORY: ["food", "befriending", "housing", "other"],
            RELATIVE_PROVISION: [2.345, 0.0, 0.4449, 1.0],
            PROVISION_CLASS: [OVERLAP, MISSING, UNDER_SERVED, ADEQUATE],
            EFFECTIVE_PROVIDERS: [3.04, 0.0, 0.96, 1.0],
            SMALL_NUMBERS: [False, True, False, False],
        },
        index=[10, 11, 12, 13],
    )


def _robustness() -> pd.DataFrame:
    return pd.DataFrame(
        {
            AREA_CODE: ["W1", "W1", "W1", "W2"],
            CATEGORY: ["food", "befriending", "housing", "housing"],
            RANK_MIN: [30, 1, 2, 1],
            RANK_MAX: [34, 1, 9, 3],
            GAP_SHARE: [0.0, 1.0, 0.4, 1.0],
            ROBUST: [False, True, False, True],
        }
    )


def test_provision_rows_label_categories_round_numbers_and_flag_small_numbers():
    rows = provision_rows(_ward_rows(), TAXONOMY)
    assert rows.to_dict("list") == {
        "Category": ["Food", "Befriending", "Housing", "other"],
        "Relative provision (city = 1)": [2.35, 0.0, 0.44, 1.0],
        "Class": [OVERLAP, MISSING, UNDER_SERVED, ADEQUATE],
        "Effective providers": [3.0, 0.0, 1.0, 1.0],
        "Small numbers": ["", "yes", "", ""],
    }
    assert list(rows.index) == [0, 1, 2, 3]


def test_gap_rows_keep_gaps_and_overlaps_and_say_which_gaps_are_robust():
    """Befriending is missing in every variant (robust); housing is a gap in 40 % (fragile);
    food is an overlap, so robustness does not apply; adequate 'other' is left out."""
    rows = gap_rows(_ward_rows(), _robustness(), TAXONOMY)
    assert rows.to_dict("list") == {
        "Category": ["Food", "Befriending", "Housing"],
        "Class": [OVERLAP, MISSING, UNDER_SERVED],
        "Robustness": ["", "robust", "fragile"],
        "Gap in share of variants": ["0%", "100%", "40%"],
        "Gap rank range": ["30–34", "1–1", "2–9"],
    }


def test_gap_rows_of_a_ward_without_gaps_are_empty():
    adequate = _ward_rows().assign(**{PROVISION_CLASS: ADEQUATE})
    assert gap_rows(adequate, _robustness(), TAXONOMY).empty


def test_partner_rows_of_one_relation_as_plain_text():
    partners = pd.DataFrame(
        {
            RELATION: [SIMILAR, COMPLEMENTARY, SIMILAR],
            SERVICE_NAME: ["Pantry", "Advice", "<b>Fridge</b>"],
            ORG_NAME: ["Heron", "Otter", None],
            REASON: ["same residents", "other help", "same residents"],
        },
        index=[5, 6, 7],
    )
    assert partner_rows(partners, SIMILAR).to_dict("list") == {
        "Service": ["Pantry", "<b>Fridge</b>"],  # a table cell, never HTML
        "Organisation": ["Heron", ""],
        "Why": ["same residents", "same residents"],
    }
    assert partner_rows(partners, COMPLEMENTARY)["Service"].tolist() == ["Advice"]
    assert partner_rows(partners.iloc[:0], SIMILAR).empty


def _zone_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            AREA_CODE: ["Z1", "Z2"],
            AREA_NAME: ["Zone 1", "Zone 2"],
            POPULATION: [1000.0, 3000.0],
            EFFECTIVE_PROVIDERS: [1.0, 2.0],
            RELATIVE_PROVISION: [0.5, 1.5],
            NEED: [100.0, 300.0],
            PROVISION_CLASS: [UNDER_SERVED, ADEQUATE],
            SMALL_NUMBERS: [True, False],
        },
        index=[7, 8],
    )


def test_zone_rows_add_the_measure_unless_the_table_has_it():
    rows = zone_rows(_zone_table(), NEED, "Need")
    assert list(rows.columns) == [
        "Code",
        "Neighbourhood",
        "Residents",
        "Effective providers",
        "Relative provision (city = 1)",
        "Need",
        "Class",
        "Small numbers",
    ]
    assert rows["Need"].tolist() == [100.0, 300.0]
    assert list(rows.index) == [0, 1]
    same = zone_rows(_zone_table(), RELATIVE_PROVISION, "Relative provision (city = 1)")
    assert list(same.columns).count("Relative provision (city = 1)") == 1
    assert len(same.columns) == 7
