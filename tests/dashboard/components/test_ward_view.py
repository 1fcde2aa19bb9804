"""The ward page's tables: provision, gaps with robustness, duplicates, partners, neighbourhoods."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.model import (
    ADEQUATE,
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    COMPLEMENTARY,
    GAP_SHARE,
    IMPUTED_SHARE,
    JACCARD,
    LOCAL_SERVICES,
    MISSING,
    NEED,
    NEED_UNIT,
    ORG_NAME,
    POPULATION,
    PROVISION_CLASS,
    REASON,
    RELATION,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    REPORTED_CLOSED_SERVICES,
    ROBUST,
    SERVICE_A,
    SERVICE_B,
    SERVICE_NAME,
    SIMILAR,
    SMALL_NUMBERS,
    STALE_SERVICES,
    UNCERTAIN,
    UNDER_SERVED,
    VARIANTS,
    WELL_PROVIDED,
)
from dashboard.components.ward_view import (
    duplicate_rows,
    gap_rows,
    partner_rows,
    provision_rows,
    zone_rows,
)
from dashboard.state import MEASURES
from tests.analysis.tiny import make_taxonomy
from tests.dashboard.shown import shown

TAXONOMY = make_taxonomy()  # food -> "Food", befriending -> "Befriending", housing -> "Housing"
RP_LABEL = "Relative provision (1 = city average per person in need)"


def _ward_rows() -> pd.DataFrame:
    """One ward, four categories: one of each class (``other`` is not in the taxonomy)."""
    return pd.DataFrame(
        {
            AREA_CODE: ["W1"] * 4,
            CATEGORY: ["food", "befriending", "housing", "other"],
            NEED: [1234.4, 80.0, 99.5, 10.0],
            NEED_UNIT: ["residents", "residents aged 65+", "residents", "residents"],
            RELATIVE_PROVISION: [2.345, 0.0, 0.4449, 1.0],
            PROVISION_CLASS: [WELL_PROVIDED, MISSING, UNDER_SERVED, ADEQUATE],
            LOCAL_SERVICES: [3, 0, 1, 2],
            REMOTE_OPTIONS: [2, 1, 0, 0],
            STALE_SERVICES: [1.0, 1.0, 0.0, float("nan")],
            REPORTED_CLOSED_SERVICES: [1.0, 0.0, 0.0, float("nan")],
            IMPUTED_SHARE: [0.125, 0.0, 0.75, 0.5],
            UNCERTAIN: [False, False, True, False],
            SMALL_NUMBERS: [False, True, True, False],
        },
        index=[10, 11, 12, 13],
    )


def _robustness() -> pd.DataFrame:
    return pd.DataFrame(
        {
            AREA_CODE: ["W1", "W1", "W1", "W1", "W2"],
            CATEGORY: ["food", "befriending", "housing", "other", "housing"],
            GAP_SHARE: [0.05, 1.0, 0.4, 0.0, 1.0],
            ROBUST: [False, True, False, False, True],
            VARIANTS: [60] * 5,
        }
    )


def test_provision_rows_label_categories_give_need_with_its_unit_and_flag_uncertainty():
    rows = provision_rows(_ward_rows(), TAXONOMY)
    assert rows.to_dict("list") == {
        "Category": ["Food", "Befriending", "Housing", "other"],
        "People in need": [1234.0, 80.0, 100.0, 10.0],
        "Counted as": ["residents", "residents aged 65+", "residents", "residents"],
        RP_LABEL: [2.35, 0.0, 0.44, 1.0],
        "Class": [WELL_PROVIDED, MISSING, UNDER_SERVED, ADEQUATE],
        "Local services": [3, 0, 1, 2],
        "Phone, online, citywide": [2, 1, 0, 0],
        "Of those, out of date": [1, 1, 0, None],
        "Of those, reported closed": [1, 0, 0, None],
        "Supply estimated": ["12%", "0%", "75%", "50%"],
        "Uncertain": ["", "", "yes", ""],
        "Small numbers": ["", "yes", "yes", ""],
    }
    assert list(rows.index) == [0, 1, 2, 3]


def test_gap_rows_keep_every_gap_in_any_variant_and_say_which_are_robust():
    """Befriending is missing in every variant (robust); housing is a gap in 40 % of them
    (fragile); well provided food is a gap in 5 % of the variants, so it is listed too;
    adequate 'other', a gap in none, is left out, as is ward W2's row."""
    rows = gap_rows(_ward_rows(), _robustness(), TAXONOMY)
    assert rows.to_dict("list") == {
        "Category": ["Food", "Befriending", "Housing"],
        "Class": [WELL_PROVIDED, MISSING, UNDER_SERVED],
        "A gap in": ["5% of variants", "100% of variants", "40% of variants"],
        "Robustness": ["fragile", "robust", "fragile"],
    }
    assert list(rows.index) == [0, 1, 2]


def test_gap_rows_of_a_ward_without_gaps_in_any_variant_are_empty():
    adequate = _ward_rows().assign(**{PROVISION_CLASS: ADEQUATE})
    never = _robustness().assign(**{GAP_SHARE: 0.0, ROBUST: False})
    assert gap_rows(adequate, never, TAXONOMY).empty


def test_duplicate_rows_name_both_services_most_shared_first_with_the_reason():
    pairs = pd.DataFrame(
        {
            SERVICE_A: ["s1", "s3", "s2"],
            SERVICE_B: ["s2", "s4", "s9"],
            CATEGORY: ["food", "housing", "other"],
            JACCARD: [0.55, 0.9, 0.55],
            REASON: ["55% shared; venues 120 m apart", "90% shared", "55% shared"],
        },
        index=[4, 5, 6],
    )
    names = {"s1": "Pantry", "s2": "<b>Fridge</b>", "s3": "Advice", "s4": "Shelter"}
    assert duplicate_rows(pairs, names, TAXONOMY).to_dict("list") == {
        "Category": ["Housing", "Food", "other"],
        "Service": ["Advice", "Pantry", "<b>Fridge</b>"],  # a table cell, never HTML
        "Same people as": ["Shelter", "<b>Fridge</b>", "s9"],  # no name: the id
        "Need shared": ["90%", "55%", "55%"],
        "Why": ["90% shared", "55% shared; venues 120 m apart", "55% shared"],
    }


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
            LOCAL_SERVICES: [1, 2],
            RELATIVE_PROVISION: [0.5, 1.5],
            NEED: [100.0, 300.0],
            PROVISION_CLASS: [UNDER_SERVED, ADEQUATE],
            SMALL_NUMBERS: [True, False],
        },
        index=[7, 8],
    )


def test_zone_rows_add_the_measure_unless_the_table_shows_its_column():
    rows = zone_rows(_zone_table(), NEED, "People in need")
    assert list(rows.columns) == [
        "Code",
        "Neighbourhood",
        "Residents",
        "Local services",
        RP_LABEL,
        "People in need",
        "Class",
        "Small numbers",
    ]
    assert rows["People in need"].tolist() == [100.0, 300.0]
    assert rows["Local services"].tolist() == [1, 2]
    assert list(rows.index) == [0, 1]
    shown_once = {
        RELATIVE_PROVISION: RP_LABEL,
        LOCAL_SERVICES: "Local services",
        PROVISION_CLASS: "Class",
    }
    for measure, header in shown_once.items():
        same = zone_rows(_zone_table(), measure, MEASURES[measure])
        assert list(same.columns) == [name for name in rows.columns if name != "People in need"]
        assert same[header].tolist() == _zone_table()[measure].tolist()


def _show_duplicates_app(count: int) -> None:
    import pandas as pd

    from dashboard.components.ward_view import show_duplicates
    from tests.analysis.tiny import make_taxonomy

    pairs = pd.DataFrame(
        {
            "service_a": [f"a{i}" for i in range(count)],
            "service_b": [f"b{i}" for i in range(count)],
            "category": ["food"] * count,
            "jaccard": [0.5] * count,
            "reason": ["50% of the need they reach is shared"] * count,
        }
    )
    show_duplicates(pairs, {}, make_taxonomy(), where="within 1.5 km", key="dups")


@pytest.mark.parametrize(
    ("count", "title", "rows"),
    [
        (0, "Duplicated effort within 1.5 km (0 pairs)", None),
        (1, "Duplicated effort within 1.5 km (1 pair)", 1),
        (2, "Duplicated effort within 1.5 km (2 pairs)", 2),
    ],
)
def test_show_duplicates_counts_the_pairs_and_says_when_there_are_none(count, title, rows):
    at = AppTest.from_function(_show_duplicates_app, args=(count,)).run()
    assert not at.exception
    assert [shown(s.value) for s in at.subheader] == [title]
    assert "at least half of the need they reach" in at.caption[0].value
    if rows is None:
        assert not at.dataframe
        assert [shown(m.value) for m in at.markdown] == ["No duplicate pairs within 1.5 km."]
    else:
        [table] = at.dataframe
        assert table.value["Why"].tolist() == ["50% of the need they reach is shared"] * rows
