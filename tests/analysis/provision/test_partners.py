"""Partners: similar and complementary services for a service, organisation, ward, postcode.

On the tiny strip (tests/analysis/tiny.py): zone centres at x = 0.5, 1.5, 2.5, 3.5 km,
residents 1,000, 3,000, 2,000, 4,000; W1 = Z1 + Z2, W2 = Z3 + Z4. Each circle below
states its radius, so it reaches exactly the zone centres within it (the partners use each
service's own catchment, at weight 1):

====== =============== ============ ========== =========================
id     centre, radius  reaches      residents  categories (organisation)
====== =============== ============ ========== =========================
S1     1.0 km, 600 m   Z1, Z2       4,000      food (A)
S2     2.0 km, 600 m   Z2, Z3       5,000      food, housing (B)
S3     1.0 km, 600 m   Z1, Z2       4,000      befriending (A)
S4     3.5 km, 400 m   Z4           4,000      food (C)
====== =============== ============ ========== =========================
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.directory import Directory
from analysis.errors import AnalysisError, PostcodeNotInAreaError
from analysis.model import (
    BY_PHONE,
    COMPLEMENTARY,
    OTHER_CATEGORIES,
    OVERLAP_COEFFICIENT,
    PAIR_COLUMNS,
    PARTNER_COLUMNS,
    PEOPLE_IN_COMMON,
    REASON,
    RELATION,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    SHARED_CATEGORIES,
    SIMILAR,
)
from analysis.provision.coverage import Coverage, compute_coverage
from analysis.provision.partners import (
    find_similar_pairs,
    partners_of_organisation,
    partners_of_place,
    partners_of_service,
)
from tests.analysis.tiny import circle, citywide, make_area, make_directory, make_taxonomy

AREA = make_area()
TAXONOMY = make_taxonomy()
LOCAL = [
    circle(1.0, 0.5, 600, "S1", org_id="A", categories=("food",)),
    circle(2.0, 0.5, 600, "S2", org_id="B", categories=("food", "housing")),
    circle(1.0, 0.5, 600, "S3", org_id="A", categories=("befriending",)),
    circle(3.5, 0.5, 400, "S4", org_id="C", categories=("food",)),
]
# Food by phone from S1's own venue, and an in-person food service across the whole city:
# both reach all of S1's people, so only their remoteness keeps them from being similar.
REMOTE = [
    circle(1.0, 0.5, 600, "P", org_id="D", categories=("food",), delivery=(BY_PHONE,)),
    citywide(AREA, "C", org_id="E", categories=("food",)),
]

Summary = list[tuple[str, str, float, float]]


def setup(rows: list[dict]) -> tuple[Coverage, Directory]:
    """Coverage and directory of ``rows`` on the strip."""
    directory = make_directory(rows)
    return compute_coverage(directory, AREA, TAXONOMY), directory


COVERAGE, DIRECTORY = setup(LOCAL)


def summary(table: pd.DataFrame) -> Summary:
    """(relation, service, overlap coefficient, people in common) of each row, in order."""
    return [
        (r.relation, r.service_id, round(r.overlap_coefficient, 4), r.people_in_common)
        for r in table.itertuples()
    ]


def test_partners_of_a_service():
    """S1 and S2 share food and Z2 (3,000): oc = 3,000 / min(4,000, 5,000) = 0.75, similar.

    S3 is befriending over S1's Z1 + Z2: oc = 4,000 / 4,000 = 1, complementary (of the same
    organisation: still listed). S4 shares no one with S1: not listed.
    """
    table = partners_of_service(COVERAGE, DIRECTORY, AREA, "S1", taxonomy=TAXONOMY)
    assert tuple(table.columns) == PARTNER_COLUMNS
    assert summary(table) == [
        (SIMILAR, "S2", 0.75, 3000),
        (COMPLEMENTARY, "S3", 1.0, 4000),
    ]
    assert table[SHARED_CATEGORIES].to_list() == [("food",), ()]
    assert table[OTHER_CATEGORIES].to_list() == [("housing",), ("befriending",)]
    # With the taxonomy, reasons name categories by their labels.
    assert table[REASON].to_list() == [
        "also offers Food; 3,000 residents in common (75% of the smaller reach)",
        "offers Befriending to the same people; 4,000 residents in common (100% of the smaller "
        "reach)",
    ]
    assert table["org_name"].to_list() == ["Org B", "Org A"]


def test_min_overlap_sets_how_many_people_must_be_shared():
    """At 0.8, S2's 0.75 is too little; S3's 1 still counts."""
    table = partners_of_service(COVERAGE, DIRECTORY, AREA, "S1", min_overlap=0.8)
    assert summary(table) == [(COMPLEMENTARY, "S3", 1.0, 4000)]


def test_partners_of_an_organisation_leave_its_own_services_out():
    """Org A = S1 ∪ S3: Z1 + Z2 (4,000), food and befriending. S2 shares food with 3,000 of
    them: oc 0.75, similar; S3 is A's own; S4 shares no one."""
    table = partners_of_organisation(COVERAGE, DIRECTORY, AREA, "A")
    assert summary(table) == [(SIMILAR, "S2", 0.75, 3000)]


def test_partners_of_a_ward():
    """W2 = Z3 + Z4 = 6,000 residents. S2 reaches Z3 (2,000): oc = 2,000 / min(6,000, 5,000)
    = 0.4 < 0.5, left out. S4 reaches Z4 (4,000): oc = 4,000 / 4,000 = 1, food: similar."""
    table = partners_of_place(COVERAGE, DIRECTORY, AREA, ward_code="W2", categories=["food"])
    assert summary(table) == [(SIMILAR, "S4", 1.0, 4000)]
    # With no categories of its own, everything a place is offered is complementary.
    everything = partners_of_place(COVERAGE, DIRECTORY, AREA, ward_code="W2", min_overlap=0.4)
    assert summary(everything) == [
        (COMPLEMENTARY, "S4", 1.0, 4000),
        (COMPLEMENTARY, "S2", 0.4, 2000),
    ]


def test_partners_of_a_postcode():
    """TS1 1AA lies in Z3 (2,000 residents): S2 reaches all of it (oc 1), S4 none of it."""
    table = partners_of_place(
        COVERAGE, DIRECTORY, AREA, postcode="ts11aa", categories=["befriending"]
    )
    assert summary(table) == [(COMPLEMENTARY, "S2", 1.0, 2000)]
    assert table[OTHER_CATEGORIES].to_list() == [("food", "housing")]


def test_an_at_location_service_reaches_its_first_category_catchment():
    """A befriending venue at x = 2.5 km takes befriending's 1.5 km, whatever radius its row
    carries: Z2, Z3 and Z4 (9,000 residents), so S4's 4,000 all lie within it (oc 1)."""
    venue = circle(2.5, 0.5, 10, "V", kind="at_location", org_id="F", categories=("befriending",))
    coverage, directory = setup([*LOCAL, venue])
    table = partners_of_service(coverage, directory, AREA, "V")
    rows = table.set_index(SERVICE_ID)
    assert rows.loc["S4", PEOPLE_IN_COMMON] == 4000
    assert rows.loc["S4", OVERLAP_COEFFICIENT] == 1.0
    # S3 (Z1 + Z2) shares Z2's 3,000 with it and befriending: 3,000 / 4,000.
    assert rows.loc["S3", RELATION] == SIMILAR
    assert rows.loc["S3", OVERLAP_COEFFICIENT] == 0.75


def test_remote_services_are_signposted_to_never_similar():
    """P (food by phone) and C (food citywide) reach all of S1's 4,000 people (oc 1) and
    share its food, yet reach people wherever they live: complementary, signposted for food."""
    coverage, directory = setup([*LOCAL, *REMOTE])
    table = partners_of_service(coverage, directory, AREA, "S1").set_index(SERVICE_ID)
    assert table.loc["S2", RELATION] == SIMILAR  # the local one still is
    for remote in ("P", "C"):
        assert table.loc[remote, RELATION] == COMPLEMENTARY
        assert table.loc[remote, OVERLAP_COEFFICIENT] == 1.0
        assert table.loc[remote, PEOPLE_IN_COMMON] == 4000
        assert table.loc[remote, OTHER_CATEGORIES] == ("food",)
        assert table.loc[remote, REASON].startswith("offers food to the same people")


def test_similar_pairs_are_services_sharing_a_category_and_people():
    """S1-S2: food, oc 0.75. S1-S3 and S2-S3 share people but no category; S4 nobody."""
    pairs = find_similar_pairs(COVERAGE, DIRECTORY, AREA)
    assert tuple(pairs.columns) == PAIR_COLUMNS
    assert pairs[[SERVICE_A, SERVICE_B, OVERLAP_COEFFICIENT, PEOPLE_IN_COMMON]].to_dict(
        "records"
    ) == [
        {
            SERVICE_A: "S1",
            SERVICE_B: "S2",
            OVERLAP_COEFFICIENT: 0.75,
            PEOPLE_IN_COMMON: 3000.0,
        }
    ]
    assert pairs[SHARED_CATEGORIES].to_list() == [("food",)]
    assert pairs[REASON].iloc[0] == (
        "both offer food; 3,000 residents in common (75% of the smaller reach)"
    )


def test_similar_pairs_in_a_ward_need_both_services_to_reach_it():
    """S1 never reaches W2 (Z3 + Z4), so S1-S2 is not a pair of W2; both reach W1's Z2."""
    assert find_similar_pairs(COVERAGE, DIRECTORY, AREA, ward_code="W2").empty
    in_w1 = find_similar_pairs(COVERAGE, DIRECTORY, AREA, ward_code="W1")
    assert in_w1[[SERVICE_A, SERVICE_B]].values.tolist() == [["S1", "S2"]]


def test_similar_pairs_leave_out_remote_services():
    """P-S1, C-S1, C-S2, C-S4 and P-C all share food with an overlap of 1 (C reaches
    everyone, P exactly S1's people), but a phone line or a citywide service is no
    duplicate: only S1-S2 remains."""
    coverage, directory = setup([*LOCAL, *REMOTE])
    pairs = find_similar_pairs(coverage, directory, AREA)
    assert pairs[[SERVICE_A, SERVICE_B]].values.tolist() == [["S1", "S2"]]
    # Delivered in person, P is S1's twin: a pair with S1 (oc 1) and, like S1, with S2.
    in_person = {**REMOTE[0], "delivery": ("in person",)}
    coverage, directory = setup([*LOCAL, in_person])
    pairs = find_similar_pairs(coverage, directory, AREA)
    assert pairs[[SERVICE_A, SERVICE_B, OVERLAP_COEFFICIENT]].values.tolist() == [
        ["P", "S1", 1.0],
        ["P", "S2", 0.75],
        ["S1", "S2", 0.75],
    ]


def test_errors_name_the_fix():
    with pytest.raises(AnalysisError, match=r"service 'S9' is not in the directory\. Fix: use"):
        partners_of_service(COVERAGE, DIRECTORY, AREA, "S9")
    with pytest.raises(AnalysisError, match=r"organisation 'Z' runs no service in the directory"):
        partners_of_organisation(COVERAGE, DIRECTORY, AREA, "Z")
    with pytest.raises(AnalysisError, match=r"a place is one ward or one postcode\. Fix: pass"):
        partners_of_place(COVERAGE, DIRECTORY, AREA)
    with pytest.raises(AnalysisError, match=r"ward 'W9' has no neighbourhood in Tinyshire"):
        partners_of_place(COVERAGE, DIRECTORY, AREA, ward_code="W9")
    with pytest.raises(PostcodeNotInAreaError, match=r"BS1 6QU is not in the postcode table"):
        partners_of_place(COVERAGE, DIRECTORY, AREA, postcode="BS1 6QU")
    with pytest.raises(AnalysisError, match=r"min_overlap 0 is not in \(0, 1\]"):
        partners_of_service(COVERAGE, DIRECTORY, AREA, "S1", min_overlap=0)
    with pytest.raises(AnalysisError, match=r"min_overlap 1\.5 is not in \(0, 1\]"):
        find_similar_pairs(COVERAGE, DIRECTORY, AREA, min_overlap=1.5)
