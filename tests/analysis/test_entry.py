"""One organisation and service typed into a form, checked by the importer: every problem
comes back at its column with the message importing the same row as a file gives."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from analysis.demo.template import EXAMPLE_ROWS
from analysis.errors import ColumnMappingError
from analysis.ingest.entry import NO_COLUMN, check_entry
from analysis.ingest.fields import FIELD_NAMES
from analysis.ingest.import_report import ImportReport
from analysis.ingest.load import load_directory
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_VALUE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DELIVERY,
    EMAIL,
    ERROR,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_KIND,
    FIELD_PLACE_WARD,
    FIELD_SERVICE_EMAIL,
    FIELD_STATUS,
    ORG_ID,
    ORG_NAME,
    POSTCODE,
    SERVICE_ID,
    SERVICE_NAME,
    WARNING,
    WEBSITE,
)

AS_OF = date(2026, 10, 1)
"""The day the entries are judged on (the example row was last checked 2026-09-30)."""
GOOD = dict(EXAMPLE_ROWS[0])
"""The template's own example row: an organisation and its community pantry in Easton."""


def _as_file(fields: dict[str, str], *, bristol, taxonomy) -> ImportReport:
    """The report of importing ``fields`` as the one row of a CSV file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    writer.writerow(fields.values())
    _, report = load_directory(
        buffer.getvalue().encode(),
        filename="entry.csv",
        area=bristol,
        taxonomy=taxonomy,
        as_of=AS_OF,
    )
    return report


def test_a_good_entry_is_accepted_as_one_organisation_and_one_service(bristol, taxonomy):
    check = check_entry(GOOD, area=bristol, taxonomy=taxonomy, as_of=AS_OF)
    assert check.is_accepted
    assert check.problems == ()
    services, organisations = check.directory.services, check.directory.organisations
    assert list(organisations[ORG_ID]) == [GOOD[ORG_ID]]
    assert list(services[SERVICE_ID]) == [GOOD[SERVICE_ID]]
    assert services[CATEGORIES].iloc[0] == ("food",)  # Toiletries is a synonym of food
    assert services.location.iloc[0] is not None


MISTAKES = [
    # (what is typed instead, the column told, the importer's code, rejected?)
    ({CATEGORIES: "Zumba"}, CATEGORIES, "uncategorised", False),
    ({POSTCODE: "SW1A 1AA"}, POSTCODE, "postcode_not_found", True),
    ({POSTCODE: "BS99 9ZZ"}, POSTCODE, "postcode_not_found", True),
    ({POSTCODE: "not one"}, POSTCODE, "bad_postcode", True),
    ({POSTCODE: "", FIELD_AREA_SERVED: ""}, POSTCODE, "no_location", False),
    ({FIELD_AREA_SERVED: "radius_km", AREA_VALUE: ""}, AREA_VALUE, "bad_radius", True),
    ({FIELD_AREA_SERVED: "radius_km", AREA_VALUE: "far"}, AREA_VALUE, "bad_radius", True),
    ({FIELD_AREA_SERVED: "over there"}, FIELD_AREA_SERVED, "unknown_area_kind", True),
    ({CAPACITY: "lots"}, CAPACITY, "bad_capacity", False),
    ({CAPACITY: ""}, CAPACITY, "unknown_capacity", False),
    ({ACTIVE_FROM: "31/31/2020"}, ACTIVE_FROM, "bad_date", False),
    ({ACTIVE_UNTIL: "2025-01-31"}, ACTIVE_UNTIL, "ended", False),
    ({FIELD_AREA_SERVED: "wards", AREA_VALUE: "Narnia"}, AREA_VALUE, "no_ward_matched", True),
    (
        {FIELD_AREA_SERVED: "wards", AREA_VALUE: "Easton; Narnia"},
        AREA_VALUE,
        "unmatched_wards",
        False,
    ),
    ({FIELD_PLACE_WARD: "Narnia"}, FIELD_PLACE_WARD, "place_ward_unknown", False),
    ({FIELD_PLACE_WARD: "Bedminster"}, FIELD_PLACE_WARD, "place_ward_mismatch", False),
    ({EMAIL: "hello at example"}, EMAIL, "bad_email", False),
    ({FIELD_SERVICE_EMAIL: "pantry@"}, FIELD_SERVICE_EMAIL, "bad_email", False),
    ({WEBSITE: "willow lantern"}, WEBSITE, "bad_website", False),
    ({CHARITY_NUMBER: "twelve"}, CHARITY_NUMBER, "bad_charity_number", False),
    ({FIELD_ORG_KIND: "spaceship"}, FIELD_ORG_KIND, "unknown_kind", False),
    ({DELIVERY: "by pigeon"}, DELIVERY, "unknown_delivery", False),
    ({CONTACT_PUBLIC: "perhaps"}, CONTACT_PUBLIC, "bad_contact_public", False),
    ({FIELD_STATUS: "defunct"}, FIELD_STATUS, "inactive", False),
    ({FIELD_LATITUDE: "95", FIELD_LONGITUDE: "-2.5"}, FIELD_LATITUDE, "bad_coordinates", False),
    ({ORG_NAME: "", SERVICE_NAME: ""}, ORG_NAME, "no_name", True),
    ({SERVICE_NAME: ""}, SERVICE_NAME, "service_name_from_org", False),
]


@pytest.mark.parametrize(
    ("change", "column", "code", "rejected"),
    MISTAKES,
    ids=[f"{column}-{code}" for _, column, code, _ in MISTAKES],
)
def test_each_mistake_is_told_at_its_column_as_a_file_would_be(
    change, column, code, rejected, bristol, taxonomy
):
    fields = {**GOOD, **change}
    check = check_entry(fields, area=bristol, taxonomy=taxonomy, as_of=AS_OF)
    found = {(problem.column, problem.code) for problem in check.problems}
    assert (column, code) in found
    assert check.is_accepted is not rejected
    assert (check.directory is None) is rejected
    assert any(problem.is_error for problem in check.problems) is rejected
    # The same problems, in the same order, as the file's report: only where the row, the
    # column and the value are told differs. A second set of rules would fail here.
    report = _as_file(fields, bristol=bristol, taxonomy=taxonomy)
    assert len(check.problems) == len(report.problems)
    for told, filed in zip(check.problems, report.problems, strict=True):
        assert (told.column, told.value, told.severity, told.code) == (
            filed.column,
            filed.value,
            filed.severity,
            filed.code,
        )
        assert str(filed) == f"row 2, column {told.column!r}, value {told.value!r}: {told.message}"
    assert check.report.accepted == report.accepted


def test_a_problem_keeps_the_importer_s_words(bristol, taxonomy):
    check = check_entry({**GOOD, CAPACITY: "lots"}, area=bristol, taxonomy=taxonomy, as_of=AS_OF)
    (problem,) = check.problems_of(CAPACITY)
    assert problem.value == "lots"
    assert problem.severity == WARNING
    assert problem.message.startswith("not a positive number of people per week")
    assert "Fix: write a number such as 40" in problem.message
    assert check.problems_of(NO_COLUMN) == ()


def test_a_blank_form_has_no_name(bristol, taxonomy):
    check = check_entry({}, area=bristol, taxonomy=taxonomy, as_of=AS_OF)
    assert not check.is_accepted
    (error,) = [problem for problem in check.problems if problem.severity == ERROR]
    assert (error.column, error.code) == (ORG_NAME, "no_name")


def test_every_column_of_the_template_is_read_as_itself(bristol, taxonomy):
    fields = dict.fromkeys(FIELD_NAMES, "")
    check = check_entry({**fields, ORG_NAME: "Ash Club"}, area=bristol, taxonomy=taxonomy)
    assert check.report.mapping_used == {name: name for name in FIELD_NAMES}
    assert check.report.ignored_columns == ()


def test_a_column_the_template_does_not_have_is_refused(bristol, taxonomy):
    with pytest.raises(ColumnMappingError, match="'Post Code' is not a column of the template"):
        check_entry({**GOOD, "Post Code": "BS5 0HE"}, area=bristol, taxonomy=taxonomy)
