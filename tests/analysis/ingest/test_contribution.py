"""What a file will contribute: services placed, categorised and covering someone."""

from __future__ import annotations

import pytest

from analysis.ingest.contribution import (
    ALL_COUNT,
    NO_CATEGORY,
    NO_PLACE,
    NONE_COUNT,
    NOT_ACTIVE,
    REACHES_NOBODY,
    SOME_COUNT,
    file_contribution,
)
from analysis.settings import REPO_ROOT
from tests.analysis.ingest.helpers import AS_OF, TAXONOMY, csv_bytes, load

HEADER = ["org_name", "service_name", "categories", "postcode", "area_served", "area_value"]


def _contribution(data: bytes, area, **options):
    directory, report = load(data, area, **options)
    return file_contribution(directory, report, area=area, taxonomy=TAXONOMY, as_of=AS_OF)


def test_a_file_with_no_categories_and_no_locations_counts_nobody(bristol):
    found = _contribution(csv_bytes(["org_name", "service_name"], ["A", "Chat"]), bristol)
    assert (found.accepted, found.placed, found.categorised, found.counting) == (1, 0, 0, 0)
    assert not found.usable and found.tone == NONE_COUNT
    assert found.cannot == {NO_PLACE: 1}
    assert found.headline() == (
        "No service will count: of 1 service accepted, 0 are in a need category and 0 are "
        "placed in Bristol, City of; 1 service cannot count: 1 has no place in the area."
    )


def test_each_service_that_cannot_count_is_counted_under_its_first_reason(bristol):
    data = csv_bytes(
        [*HEADER, "active_until"],
        ["A", "Food", "food", "", "citywide", "", ""],
        ["B", "Chat", "", "", "citywide", "", ""],
        ["C", "Debt", "debt", "", "", "", ""],
        ["D", "Old", "food", "", "citywide", "", "2020-01-01"],
        ["E", "Tiny", "food", "BS1 3BE", "radius_km", "0.01", ""],
    )
    found = _contribution(data, bristol)
    assert (found.accepted, found.placed, found.categorised, found.counting) == (5, 4, 4, 1)
    assert found.cannot == {NO_PLACE: 1, NO_CATEGORY: 1, NOT_ACTIVE: 1, REACHES_NOBODY: 1}
    assert found.usable and found.tone == SOME_COUNT
    assert found.headline() == (
        "1 service will count: of 5 services accepted, 4 are in a need category and 4 are "
        "placed in Bristol, City of; 4 services cannot count: 1 has no place in the area, "
        "1 has no need category, 1 is not active today, 1 reaches no neighbourhood with its "
        "catchment."
    )


def test_a_good_demo_slice_counts_every_service(bristol):
    lines = (REPO_ROOT / "data" / "sample" / "services.csv").read_bytes().splitlines()
    found = _contribution(b"\n".join(lines[:11]), bristol)
    assert found.counting == found.accepted == found.rows_read == 10
    assert found.tone == ALL_COUNT and found.cannot == {}
    assert found.headline().startswith("10 services will count: of 10 services accepted")


def test_rejected_rows_make_the_file_count_in_part(bristol):
    data = csv_bytes(
        HEADER, ["A", "Food", "food", "", "citywide", ""], ["", "", "food", "", "citywide", ""]
    )
    found = _contribution(data, bristol)
    assert (found.rows_read, found.accepted, found.rejected, found.counting) == (2, 1, 1, 1)
    assert found.tone == SOME_COUNT
    assert found.headline().endswith("; 1 rejected rows add nothing (below).")


def test_a_header_only_file_says_to_add_rows(bristol):
    found = _contribution(csv_bytes(HEADER), bristol)
    assert (found.rows_read, found.counting, found.tone) == (0, 0, NONE_COUNT)
    assert found.headline().startswith("The file has a header but no rows: add one row per service")


@pytest.mark.parametrize("categories", ["", "food"])
def test_a_file_whose_rows_are_all_rejected_says_none_was_accepted(bristol, categories):
    found = _contribution(csv_bytes(HEADER, ["", "", categories, "", "citywide", ""]), bristol)
    assert (found.accepted, found.tone) == (0, NONE_COUNT)
    assert found.headline().startswith(
        "No service will count: none of the 1 rows read was accepted"
    )
