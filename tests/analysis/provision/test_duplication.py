"""Duplication: pairs of local services of one category reaching the same people.

On the tiny strip (tests/analysis/tiny.py): zone centres at x = 0.5, 1.5, 2.5, 3.5 km,
residents 1,000, 3,000, 2,000, 4,000; W1 = Z1 + Z2, W2 = Z3 + Z4. A 1 km circle around
x = 0.5 reaches Z1 and Z2 (1,000 + 3,000 people); around x = 1.5 it reaches Z1, Z2, Z3.
"""

from __future__ import annotations

import pytest

from analysis.errors import AnalysisError
from analysis.model import (
    CATEGORY,
    DUPLICATE_PAIRS,
    JACCARD,
    NEED_IN_COMMON,
    REASON,
    SERVICE_A,
    SERVICE_B,
    WARD_CODE,
)
from analysis.provision.coverage import compute_coverage
from analysis.provision.duplication import audience_key
from analysis.provision.metrics import Method, compute_metrics
from tests.analysis.tiny import (
    circle,
    citywide,
    make_area,
    make_directory,
    make_taxonomy,
    service,
)

AREA = make_area()
TAXONOMY = make_taxonomy()


def pairs(rows, **options):
    directory = make_directory(list(rows))
    coverage = compute_coverage(directory, AREA, TAXONOMY)
    result = compute_metrics(coverage, directory, AREA, TAXONOMY, **options)
    return result


def test_two_food_banks_in_one_street_are_a_pair_held_by_their_ward():
    found = pairs(
        [circle(0.5, 0.5, 1000, "A", org_id="X"), circle(0.52, 0.5, 1000, "B", org_id="Y")]
    ).duplicates
    assert found[[SERVICE_A, SERVICE_B, CATEGORY, WARD_CODE]].values.tolist() == [
        ["A", "B", "food", "W1"]
    ]
    assert found[JACCARD].item() == 1.0
    assert found[NEED_IN_COMMON].item() == 4000.0
    assert "100% of the need they reach is shared" in found[REASON].item()


def test_jaccard_is_the_shared_need_over_the_need_either_reaches():
    a, b = circle(0.5, 0.5, 1000, "A"), circle(1.5, 0.5, 1000, "B")
    found = pairs([a, b]).duplicates
    assert found[JACCARD].item() == pytest.approx(4000 / 6000)  # Z1 + Z2 of Z1 + Z2 + Z3
    assert found[WARD_CODE].item() == "W1"  # all the shared need lives in W1
    assert pairs([a, b], method=Method(duplicate_min_jaccard=0.7)).duplicates.empty


def test_the_ward_table_counts_the_pairs_it_holds():
    table = pairs([circle(0.5, 0.5, 1000, "A"), circle(0.52, 0.5, 1000, "B")]).table
    food = table[table[CATEGORY] == "food"].set_index("area_code")
    assert food[DUPLICATE_PAIRS].to_dict() == {"W1": 1, "W2": 0}


@pytest.mark.parametrize(
    ("audience_a", "audience_b", "paired"),
    [
        ("older people", "Older  People", True),
        ("older people", "everyone", True),
        ("", "young carers", True),
        ("older people", "young carers", False),
    ],
)
def test_audiences_must_be_compatible(audience_a, audience_b, paired):
    found = pairs(
        [
            circle(0.5, 0.5, 1000, "A", audience=audience_a),
            circle(0.5, 0.5, 1000, "B", audience=audience_b),
        ]
    ).duplicates
    assert len(found) == int(paired)


def test_in_person_and_area_based_services_never_pair():
    venue = circle(0.5, 0.5, 1000, "A")
    by_wards = service("B", kind="wards", ward_codes=("W1",))
    assert pairs([venue, by_wards]).duplicates.empty
    twin = service("C", kind="wards", ward_codes=("W1",))
    assert pairs([by_wards, twin]).duplicates[[SERVICE_A, SERVICE_B]].values.tolist() == [
        ["B", "C"]
    ]


def test_remote_and_citywide_services_never_pair():
    lines = [
        citywide(AREA, "P", delivery=("phone",)),
        citywide(AREA, "Q", delivery=("phone",)),
        citywide(AREA, "C1"),  # in person across the whole city: still not local
        citywide(AREA, "C2"),
        circle(0.5, 0.5, 1000, "R", delivery=("online",)),
        circle(0.5, 0.5, 1000, "S", delivery=("online",)),
    ]
    result = pairs(lines)
    assert result.duplicates.empty
    # The same two venues delivered in person do pair: remoteness is what kept them apart.
    assert len(pairs([{**lines[4], "delivery": ("in person",)}, lines[5]]).duplicates) == 0
    assert len(pairs([{**row, "delivery": ("in person",)} for row in lines[4:]]).duplicates) == 1


def test_services_of_different_categories_never_pair():
    found = pairs(
        [circle(0.5, 0.5, 1000, "A"), circle(0.5, 0.5, 1000, "B", categories=("housing",))]
    ).duplicates
    assert found.empty


def test_duplicates_can_be_left_out():
    rows = [circle(0.5, 0.5, 1000, "A"), circle(0.5, 0.5, 1000, "B")]
    result = pairs(rows, with_duplicates=False)
    assert result.duplicates.empty
    assert (result.table[DUPLICATE_PAIRS] == 0).all()


def test_audience_key_treats_open_wordings_alike():
    assert {audience_key(t) for t in ["Everyone", " all ", None, "general public"]} == {""}
    assert audience_key("Older   people") == "older people"


def test_a_threshold_outside_zero_to_one_is_refused():
    with pytest.raises(AnalysisError, match="duplicate_min_jaccard 1.5 is not in"):
        Method(duplicate_min_jaccard=1.5)
