"""Column synonyms, guessing, explicit mappings and their errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.errors import ColumnMappingError
from analysis.ingest.fields import FIELD_NAMES, TEMPLATE_COLUMNS
from analysis.ingest.mapping import (
    apply_mapping,
    guess_mapping,
    known_field,
    load_column_mapping,
    resolve_mapping,
)


def test_the_template_headers_map_to_themselves():
    mapping = guess_mapping(list(TEMPLATE_COLUMNS))
    assert mapping.fields == {name: name for name in TEMPLATE_COLUMNS}
    assert mapping.ignored == ()


def test_real_spreadsheet_headers_are_matched():
    headers = ["Organisation", "Post Code", "lat", "lng", "Category", "What we do", "Notes"]
    mapping = guess_mapping(headers)
    assert mapping.fields == {
        "org_name": "Organisation",
        "service_description": "What we do",
        "categories": "Category",
        "postcode": "Post Code",
        "latitude": "lat",
        "longitude": "lng",
    }
    assert mapping.ignored == ("Notes",)
    assert guess_mapping(["Org name", "E-mail", "Tel."]).fields == {
        "org_name": "Org name",
        "email": "E-mail",
        "phone": "Tel.",
    }


def test_misspelt_headers_are_guessed_and_marked():
    mapping = guess_mapping(["Organisation", "Postocde", "Catagories"])
    assert mapping.fields["postcode"] == "Postocde"
    assert mapping.fields["categories"] == "Catagories"
    assert mapping.guessed == {"postcode", "categories"}


def test_first_of_two_matching_columns_wins():
    mapping = guess_mapping(["Email", "Email address", "Name"])
    assert mapping.fields["email"] == "Email"
    assert mapping.ignored == ("Email address",)


def test_known_field():
    assert known_field("POST CODE") == "postcode"
    assert known_field("Colour") is None


def test_explicit_mapping_overrides_and_removes_guesses():
    headers = ["Name of group", "Type", "Where"]
    mapping = resolve_mapping(headers, {"org_name": "Name of group", "categories": "Type"})
    assert mapping.fields == {"org_name": "Name of group", "categories": "Type"}
    assert mapping.ignored == ("Where",)
    # null removes a wrong guess; a column moves from a guessed field to the given one
    mapping = resolve_mapping(["Name", "Area"], {"area_served": None, "service_name": "Name"})
    assert mapping.fields == {"service_name": "Name"}


def test_explicit_mapping_problems_are_listed_together():
    with pytest.raises(ColumnMappingError) as caught:
        resolve_mapping(["Name", "PC"], {"postcod": "PC", "email": "Mail"})
    assert str(caught.value) == (
        "the column mapping does not fit the file: 'postcod' is not a field (did you mean "
        "'postcode'?); field 'email': the file has no column 'Mail'. The file's columns are: "
        "'Name', 'PC'; the fields are: " + ", ".join(FIELD_NAMES) + ". Fix: correct the "
        "mapping file"
    )


def test_a_file_without_any_name_column_cannot_be_mapped():
    with pytest.raises(
        ColumnMappingError,
        match="no column holds the organisation or service name \\(the file's columns are: "
        "'Postcode', 'Size'\\). Fix: name a column 'org_name' or 'service_name', or map one "
        "with --columns mapping.json",
    ):
        resolve_mapping(["Postcode", "Size"])
    # No column of a directory at all, not even a guessed one: a lookup or a code list.
    with pytest.raises(
        ColumnMappingError,
        match="this table is not a directory: no column holds the organisation or service "
        "name, nor a place or what is offered \\(the file's columns are: 'Colour', 'Size'\\)",
    ):
        resolve_mapping(["Colour", "Size"])


def test_apply_mapping_gives_every_field():
    table = pd.DataFrame({"Organisation": ["A"], "Other": ["x"]}, index=[2])
    out = apply_mapping(table, guess_mapping(list(table.columns)))
    assert list(out.columns) == list(FIELD_NAMES)
    assert out.loc[2, "org_name"] == "A" and out.loc[2, "postcode"] == ""


def test_load_column_mapping(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"org_name": "Group", "postcode": None}), encoding="utf-8")
    assert load_column_mapping(path) == {"org_name": "Group", "postcode": None}


def test_load_column_mapping_errors(tmp_path):
    with pytest.raises(ColumnMappingError, match="m.json does not exist. Fix: give the path"):
        load_column_mapping(tmp_path / "m.json")
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    with pytest.raises(ColumnMappingError, match="is not readable JSON .* Fix: write one JSON"):
        load_column_mapping(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text('["org_name"]', encoding="utf-8")
    with pytest.raises(ColumnMappingError, match="must hold one JSON object of field names"):
        load_column_mapping(tmp_path / "list.json")


def test_dotted_headers_map_by_their_last_parts_but_not_from_people():
    mapping = guess_mapping(
        ["name", "location_coord.lat", "location_coord.lng", "contacts.email", "venues.postcode"]
    )
    assert mapping.fields["latitude"] == "location_coord.lat"
    assert mapping.fields["longitude"] == "location_coord.lng"
    assert mapping.fields["postcode"] == "venues.postcode"
    assert "email" not in mapping.fields and "contacts.email" in mapping.ignored
    assert {"latitude", "longitude", "postcode"} <= mapping.guessed
