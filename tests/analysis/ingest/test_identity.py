"""Who each row is: names, ids, organisations merged, and repeats found and reported."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest.identity import (
    assign_org_ids,
    assign_service_ids,
    duplicate_rows,
    fill_name,
    name_key,
    organisations,
    slugify,
    unique_id,
)
from analysis.model import ORG_COLUMNS
from tests.analysis.ingest.helpers import load_rows, problems

OK = {"org_name": "Heron Neighbours", "postcode": "BS8 1TH", "categories": "food", "capacity": "40"}


def test_duplicate_row_is_reported_once(bristol):
    bad = {**OK, "postcode": "XYZ"}
    _, report = load_rows(bristol, bad, bad)
    assert (report.accepted, report.rejected) == (1, 1)
    assert problems(report, "duplicate_row") == [
        "row 3, column '(whole row)', value '': the row repeats row 2 exactly. Fix: delete "
        "one of the two"
    ]
    # Row 3's postcode is not reported again.
    assert [(p.row, p.code) for p in report.problems] == [
        (2, "bad_postcode"),
        (2, "no_location"),
        (3, "duplicate_row"),
    ]


def test_duplicate_service_ids_are_renamed_and_flagged(bristol):
    rows = [{**OK, "service_id": "s1", "service_name": name} for name in ("Pantry", "Cafe")]
    directory, report = load_rows(bristol, *rows)
    assert directory.services["service_id"].tolist() == ["s1", "s1-2"]
    assert problems(report, "duplicate_id") == [
        "row 3, column 'service_id', value 's1': the service id is also on row 2; this row's "
        "service is given id 's1-2'. Fix: give each service its own id"
    ]


def test_conflicting_organisation_details(bristol):
    rows = [
        {
            **OK,
            "org_id": "o1",
            "org_name": "Heron",
            "charity_number": "1000001",
            "service_name": "A",
        },
        {
            **OK,
            "org_id": "o1",
            "org_name": "Kite",
            "charity_number": "1000002",
            "service_name": "B",
        },
    ]
    directory, report = load_rows(bristol, *rows)
    assert problems(report, "conflicting_org") == [
        "row 3, column 'org_name', value 'Kite': organisation id 'o1' is named 'Heron' on row "
        "2; the organisation keeps that row's details. Fix: use one name per organisation id, "
        "or give the other organisation its own id",
        "row 3, column 'charity_number', value '1000002': organisation id 'o1' has charity "
        "number '1000001' on row 2; the organisation keeps that row's details. Fix: use one "
        "charity number per organisation",
    ]
    assert directory.organisations["org_name"].tolist() == ["Heron"]


def test_probable_duplicate_organisations(bristol):
    rows = [
        {**OK, "org_id": "a", "org_name": "Heron Trust", "charity_number": "1000001"},
        {**OK, "org_id": "b", "org_name": "Heron Trust Ltd", "charity_number": "1000001"},
        {**OK, "org_id": "c", "org_name": "The St Mary's Pantry"},
        {**OK, "org_id": "d", "org_name": "St Marys Pantry", "postcode": "bs81th"},
        {**OK, "org_id": "e", "org_name": "St Marys Pantry", "postcode": "BS5 0HE"},
    ]
    _, report = load_rows(bristol, *rows)
    assert problems(report, "probable_duplicate_org") == [
        "row 3, column 'charity_number', value '1000001': organisation 'b' has the same charity "
        "number as organisation 'a' (row 2): probably the same organisation. Fix: give both "
        "rows the same organisation id if they are one organisation",
        "row 5, column 'org_name', value 'St Marys Pantry': organisation 'd' has the same name "
        "and postcode as organisation 'c' (row 4): probably the same organisation. Fix: give "
        "both rows the same organisation id if they are one organisation",
        # The same name at another postcode (or none) is still probably one organisation.
        "row 6, column 'org_name', value 'St Marys Pantry': organisation 'e' has the same name "
        "as organisation 'c' (row 4): probably the same organisation. Fix: give both rows "
        "the same organisation id if they are one organisation",
    ]


def test_generated_ids_are_stable_and_unique(bristol):
    rows = [
        {**OK, "org_name": "St Mary's Pantry", "service_name": "Lunch club"},
        {**OK, "org_name": "St Marys Pantry", "service_name": "Lunch club"},
        {**OK, "org_name": "Kite", "service_name": "Lunch club"},
    ]
    first, _ = load_rows(bristol, *rows)
    again, _ = load_rows(bristol, *rows)
    ids = first.services["service_id"].tolist()
    assert ids == again.services["service_id"].tolist()
    assert ids == [
        "st-marys-pantry--lunch-club",
        "st-marys-pantry--lunch-club-2",
        "kite--lunch-club",
    ]
    assert first.organisations["org_id"].tolist() == ["st-marys-pantry", "kite"]


def test_slugify_and_name_key():
    assert slugify("St Mary's Food & Drink Café") == "st-marys-food-and-drink-cafe"
    assert slugify("!!!") == "unnamed"
    assert name_key("The St Mary's Pantry Ltd") == name_key("st marys pantry") == "stmaryspantry"


def test_unique_ids_take_the_lowest_free_suffix():
    used, suffix = {"a", "a-2"}, {}
    assert [unique_id("a", used, suffix) for _ in range(2)] == ["a-3", "a-4"]
    assert unique_id("b", used, suffix) == "b"
    assert {"a-3", "a-4", "b"} <= used


def test_names_fill_each_other():
    assert fill_name("Heron", "Pantry", has_service_column=True) == ("Heron", "Pantry", ())
    org, service, (issue,) = fill_name("", "Pantry", has_service_column=True)
    assert (org, service, issue.code, issue.field) == (
        "Pantry",
        "Pantry",
        "org_name_from_service",
        "org_name",
    )
    org, service, (issue,) = fill_name("Heron", "", has_service_column=True)
    assert (service, issue.code, issue.field) == ("Heron", "service_name_from_org", "service_name")
    # A file without a service column runs one service per organisation: nothing to say.
    assert fill_name("Heron", "", has_service_column=False) == ("Heron", "Heron", ())
    _, _, (issue,) = fill_name("", "", has_service_column=True)
    assert (issue.code, issue.severity) == ("no_name", "error")


def test_rows_without_an_org_id_join_the_named_organisation():
    rejected = np.array([False, False, False, True])
    ids = assign_org_ids(
        ["o1", "", "", "o9"], ["Heron", "heron ltd", "Kite", "Kite"], rejected=rejected
    )
    # 'Kite' joins no rejected row's id, and o9 stays reserved.
    assert ids == ["o1", "o1", "kite", "o9"]


def test_a_repeated_service_id_is_renamed_once_per_repeat():
    ids, (finding,) = assign_service_ids(
        ["s1", "s1", ""],
        org_ids=["heron", "heron", "heron"],
        org_names=["Heron", "Heron", "Heron"],
        service_names=["Pantry", "Cafe", "Heron"],
        rejected=np.zeros(3, dtype=bool),
        rows=[2, 3, 4],
    )
    assert ids == ["s1", "s1-2", "heron"]
    assert (finding.position, finding.field, finding.reason) == (
        1,
        "service_id",
        "the service id is also on row 2; this row's service is given id 's1-2'",
    )


def _org_row(org_id, name, charity=""):
    return {
        "org_id": org_id,
        "org_name": name,
        "kind": "other",
        "charity_number": charity,
        "website": "",
        "email": "",
        "phone": "",
        "description": "",
        "last_updated": None,
        "contact_public": False,
    }


def test_organisations_keep_the_first_row_and_add_the_lone_ones():
    lone = pd.DataFrame(
        [
            {
                "org_id": "",
                "org_name": "Wren",
                "org_kind": "",
                "charity_number": "9900001",
                "website": "",
                "email": "",
                "phone": "",
                "org_description": "A",
            },
            {
                "org_id": "o1",
                "org_name": "Again",
                "org_kind": "",
                "charity_number": "",
                "website": "",
                "email": "",
                "phone": "",
                "org_description": "",
            },
        ]
    )
    frame, found = organisations(
        [
            _org_row("o1", "Heron", "1000001"),
            _org_row("o1", "Kite", "1000002"),
            _org_row("o2", "Rejected"),
        ],
        postcodes=["", "", ""],
        rejected=np.array([False, False, True]),
        rows=[2, 3, 4],
        lone_df=lone,
    )
    assert list(frame.columns) == list(ORG_COLUMNS)
    assert frame[["org_id", "org_name", "kind"]].values.tolist() == [
        ["o1", "Heron", "other"],
        ["wren", "Wren", "charity"],
    ]
    assert [(f.position, f.field, f.code) for f in found] == [
        (1, "org_name", "conflicting_org"),
        (1, "charity_number", "conflicting_org"),
    ]


def test_duplicate_rows_point_at_their_first():
    frame = pd.DataFrame({"a": ["x", "y", "x", "x"], "b": ["1", "1", "1", "2"]})
    assert duplicate_rows(frame) == {2: 0}
