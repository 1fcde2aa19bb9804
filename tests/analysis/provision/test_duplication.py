"""Duplication: pairs of local services of one category reaching the same people.

On the tiny strip (tests/analysis/tiny.py): zone centres at x = 0.5, 1.5, 2.5, 3.5 km,
residents 1,000, 3,000, 2,000, 4,000; W1 = Z1 + Z2, W2 = Z3 + Z4. A 1 km circle around
x = 0.5 reaches Z1 (weight 1) and Z2 (at 1 km: 0.22); around x = 1.5 it reaches Z2 (1),
Z1 and Z3 (0.22). Each service below is run by its own organisation unless said.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from analysis.errors import AnalysisError
from analysis.model import (
    CATEGORY,
    DISTANCE_M,
    DUPLICATE_PAIRS,
    JACCARD,
    NEED_IN_COMMON,
    REASON,
    SERVICE_A,
    SERVICE_B,
    WARD_CODE,
)
from analysis.provision.coverage import NO_DECAY, compute_coverage
from analysis.provision.duplication import (
    _shared_need,
    audience_key,
    pair_reasons,
)
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


def venue(x_km: float, service_id: str, **kwargs) -> dict:
    """A 1 km food service at (x, 0.5) run by an organisation of its own."""
    return circle(x_km, 0.5, 1000, service_id, **{"org_id": f"org-{service_id}", **kwargs})


def pairs(rows, **options):
    directory = make_directory(list(rows))
    coverage = compute_coverage(directory, AREA, TAXONOMY)
    result = compute_metrics(coverage, directory, AREA, TAXONOMY, **options)
    return result


def test_two_food_banks_in_one_street_are_a_pair_held_by_their_ward():
    found = pairs([venue(0.5, "A"), venue(0.52, "B")]).duplicates
    assert found[[SERVICE_A, SERVICE_B, CATEGORY, WARD_CODE]].values.tolist() == [
        ["A", "B", "food", "W1"]
    ]
    assert found[JACCARD].item() == 1.0
    assert found[NEED_IN_COMMON].item() == pytest.approx(1000 + 0.22 * 3000)  # as in R_s
    assert found[DISTANCE_M].item() == pytest.approx(20.0)
    assert found[REASON].item() == ("100% of the need they reach is shared; venues 20 m apart")


def test_one_organisation_running_two_alike_services_is_not_a_pair():
    assert pairs([venue(0.5, "A", org_id="X"), venue(0.5, "B", org_id="X")]).duplicates.empty


def test_jaccard_is_the_shared_need_over_the_need_either_reaches():
    a, b = venue(0.5, "A"), venue(1.5, "B")
    plain = pairs([a, b], method=Method(decay=NO_DECAY)).duplicates
    assert plain[JACCARD].item() == pytest.approx(4000 / 6000)  # Z1 + Z2 of Z1 + Z2 + Z3
    assert plain[WARD_CODE].item() == "W1"  # all the shared need lives in W1
    strict = Method(decay=NO_DECAY, duplicate_min_jaccard=0.7)
    assert pairs([a, b], method=strict).duplicates.empty


def test_with_decay_jaccard_compares_the_weighted_need():
    # A: Z1 1,000 and Z2 0.22·3,000; B: Z1 0.22·1,000, Z2 3,000, Z3 0.22·2,000.
    # Shared Σ min = 220 + 660 = 880; either Σ max = 1,000 + 3,000 + 440 = 4,440.
    found = pairs(
        [venue(0.5, "A"), venue(1.5, "B")], method=Method(duplicate_min_jaccard=0.1)
    ).duplicates
    assert found[JACCARD].item() == pytest.approx(880 / 4440)
    assert found[NEED_IN_COMMON].item() == pytest.approx(880)
    assert pairs([venue(0.5, "A"), venue(1.5, "B")]).duplicates.empty  # below 0.5


def test_the_ward_table_counts_the_pairs_it_holds():
    table = pairs([venue(0.5, "A"), venue(0.52, "B")]).table
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
        [venue(0.5, "A", audience=audience_a), venue(0.5, "B", audience=audience_b)]
    ).duplicates
    assert len(found) == int(paired)


def test_in_person_and_area_based_services_never_pair():
    by_wards = service("B", org_id="Y", kind="wards", ward_codes=("W1",))
    assert pairs([venue(0.5, "A"), by_wards]).duplicates.empty
    twin = service("C", org_id="Z", kind="wards", ward_codes=("W1",))
    found = pairs([by_wards, twin]).duplicates
    assert found[[SERVICE_A, SERVICE_B]].values.tolist() == [["B", "C"]]
    assert np.isnan(found[DISTANCE_M].item())  # area-based: no venues to measure between
    assert found[REASON].item() == "100% of the need they reach is shared"


def test_remote_and_citywide_services_never_pair():
    lines = [
        citywide(AREA, "P", org_id="P", delivery=("phone",)),
        citywide(AREA, "Q", org_id="Q", delivery=("phone",)),
        citywide(AREA, "C1", org_id="C1"),  # in person across the whole city: not local
        citywide(AREA, "C2", org_id="C2"),
        venue(0.5, "R", delivery=("online",)),
        venue(0.5, "S", delivery=("online",)),
    ]
    result = pairs(lines)
    assert result.duplicates.empty
    # The same two venues delivered in person do pair: remoteness is what kept them apart.
    assert len(pairs([{**lines[4], "delivery": ("in person",)}, lines[5]]).duplicates) == 0
    assert len(pairs([{**row, "delivery": ("in person",)} for row in lines[4:]]).duplicates) == 1


def test_services_of_different_categories_never_pair():
    assert pairs([venue(0.5, "A"), venue(0.5, "B", categories=("housing",))]).duplicates.empty


def test_duplicates_can_be_left_out():
    rows = [venue(0.5, "A"), venue(0.5, "B")]
    assert len(pairs(rows).duplicates) == 1
    result = pairs(rows, with_duplicates=False)
    assert result.duplicates.empty
    assert (result.table[DUPLICATE_PAIRS] == 0).all()


def test_audience_key_treats_open_wordings_alike():
    assert {audience_key(t) for t in ["Everyone", " all ", None, "general public"]} == {""}
    assert audience_key("Older   people") == "older people"


def test_a_threshold_outside_zero_to_one_is_refused():
    with pytest.raises(AnalysisError, match="duplicate_min_jaccard 1.5 is not in"):
        Method(duplicate_min_jaccard=1.5)


@settings(deadline=None)
@given(st.integers(2, 7), st.integers(1, 6), st.randoms(use_true_random=False))
def test_shared_need_equals_the_sum_of_minima(n_services, n_zones, random):
    """The level-by-level products give Σ_z N_z min(w_a, w_b) for every pair that shares."""
    levels = [0.0, 0.22, 0.68, 1.0]
    dense = np.array([[random.choice(levels) for _ in range(n_zones)] for _ in range(n_services)])
    need = np.array([random.uniform(0, 1000) for _ in range(n_zones)])
    a, b, common = _shared_need(sparse.csr_array(dense), need)
    found = {(int(i), int(j)): c for i, j, c in zip(a, b, common, strict=True)}
    for i in range(n_services):
        for j in range(i + 1, n_services):
            expected = float((np.minimum(dense[i], dense[j]) * need).sum())
            assert found.get((i, j), 0.0) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("jaccard", "distance_m", "reason"),
    [
        (0.5, np.nan, "50% of the need they reach is shared"),
        (0.734, 4.0, "73% of the need they reach is shared; venues at the same address"),
        (0.9, 72.0, "90% of the need they reach is shared; venues 70 m apart"),
        (0.6, 994.0, "60% of the need they reach is shared; venues 990 m apart"),
        (0.6, 996.0, "60% of the need they reach is shared; venues 1.0 km apart"),
        (0.999, 3_210.0, "100% of the need they reach is shared; venues 3.2 km apart"),
    ],
)
def test_the_reason_reads_as_said_aloud(jaccard, distance_m, reason):
    many = pair_reasons(np.array([jaccard, 0.5]), np.array([distance_m, np.nan]))
    assert many.tolist() == [reason, "50% of the need they reach is shared"]
