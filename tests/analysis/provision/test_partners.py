"""Partners: similar and complementary services for a service, organisation, ward, postcode."""

from __future__ import annotations

import pytest
from shapely import box

from analysis.errors import AnalysisError, PostcodeNotInAreaError
from analysis.model import PAIR_COLUMNS, PARTNER_COLUMNS
from analysis.provision.coverage import compute_coverage
from analysis.provision.partners import (
    find_similar_pairs,
    partners_of_organisation,
    partners_of_place,
    partners_of_service,
)
from tests.analysis.tiny import make_area, make_directory, make_taxonomy, service

AREA = make_area()
TAXONOMY = make_taxonomy()
DIRECTORY = make_directory(
    [
        service("S1", box(0, 0, 2000, 1000), org_id="A", categories=("food",)),
        service("S2", box(1000, 0, 3000, 1000), org_id="B", categories=("food", "housing")),
        service("S3", box(0, 0, 2000, 1000), org_id="A", categories=("befriending",)),
        service("S4", box(3000, 0, 4000, 1000), org_id="C", categories=("food",)),
    ]
)
COVERAGE = compute_coverage(DIRECTORY, AREA)


def summary(table):
    return [
        (r.relation, r.service_id, round(r.overlap_coefficient, 4), r.people_in_common)
        for r in table.itertuples()
    ]


def test_partners_of_a_service():
    """People reached: S1 = Z1 + Z2 = 4,000; S2 = Z2 + Z3 = 5,000; S3 = 4,000; S4 = Z4 4,000.

    S1 and S2 share food and Z2 (3,000): oc = 3000 / min(4000, 5000) = 0.75 -> similar.
    S3 is befriending over the same Z1 + Z2: oc = 4000 / 4000 = 1 -> complementary.
    S4 shares no one with S1 -> not listed.
    """
    table = partners_of_service(COVERAGE, DIRECTORY, AREA, "S1", taxonomy=TAXONOMY)
    assert tuple(table.columns) == PARTNER_COLUMNS
    assert summary(table) == [
        ("similar", "S2", 0.75, 3000),
        ("complementary", "S3", 1.0, 4000),
    ]
    assert table["shared_categories"].to_list() == [("food",), ()]
    assert table["other_categories"].to_list() == [("housing",), ("befriending",)]
    assert table["reason"].to_list() == [
        "also offers Food; 3,000 residents in common (75% of the smaller reach)",
        "offers Befriending to the same people; 4,000 residents in common (100% of the smaller "
        "reach)",
    ]
    assert table["org_name"].to_list() == ["Org B", "Org A"]


def test_min_overlap_sets_how_many_people_must_be_shared():
    table = partners_of_service(COVERAGE, DIRECTORY, AREA, "S1", min_overlap=0.8)
    assert summary(table) == [("complementary", "S3", 1.0, 4000)]


def test_partners_of_an_organisation_leave_its_own_services_out():
    """Org A = S1 ∪ S3: Z1 + Z2 (4,000), food and befriending. S2 shares food, 3,000 people:
    oc 0.75, similar; S4 shares no one."""
    table = partners_of_organisation(COVERAGE, DIRECTORY, AREA, "A")
    assert summary(table) == [("similar", "S2", 0.75, 3000)]


def test_partners_of_a_ward():
    """W2 = Z3 + Z4 = 6,000 residents. S2 reaches Z3 (2,000): oc = 2000 / min(6000, 5000)
    = 0.4 < 0.5, left out. S4 reaches Z4 (4,000): oc = 4000 / 4000 = 1, food -> similar."""
    table = partners_of_place(COVERAGE, DIRECTORY, AREA, ward_code="W2", categories=["food"])
    assert summary(table) == [("similar", "S4", 1.0, 4000)]
    everything = partners_of_place(COVERAGE, DIRECTORY, AREA, ward_code="W2", min_overlap=0.4)
    assert summary(everything) == [
        ("complementary", "S4", 1.0, 4000),
        ("complementary", "S2", 0.4, 2000),
    ]


def test_partners_of_a_postcode():
    """TS1 1AA lies in Z3 (2,000 residents): S2 reaches all of it (oc 1)."""
    table = partners_of_place(
        COVERAGE, DIRECTORY, AREA, postcode="ts11aa", categories=["befriending"]
    )
    assert summary(table) == [("complementary", "S2", 1.0, 2000)]
    assert table["other_categories"].to_list() == [("food", "housing")]


def test_similar_pairs_are_services_sharing_a_category_and_people():
    """S1-S2: food, oc 0.75. S1-S3 and S2-S3 share people but no category; S4 nobody."""
    pairs = find_similar_pairs(COVERAGE, DIRECTORY, AREA)
    assert tuple(pairs.columns) == PAIR_COLUMNS
    assert pairs[["service_a", "service_b", "overlap_coefficient", "people_in_common"]].to_dict(
        "records"
    ) == [
        {
            "service_a": "S1",
            "service_b": "S2",
            "overlap_coefficient": 0.75,
            "people_in_common": 3000.0,
        }
    ]
    assert pairs["reason"].iloc[0] == (
        "both offer food; 3,000 residents in common (75% of the smaller reach)"
    )
    assert find_similar_pairs(COVERAGE, DIRECTORY, AREA, ward_code="W2").empty
    assert len(find_similar_pairs(COVERAGE, DIRECTORY, AREA, ward_code="W1")) == 1


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
