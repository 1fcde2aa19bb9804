"""End to end: a file in, a Directory and a report out, every row accounted for."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.directory import Directory
from analysis.errors import ColumnMappingError
from analysis.ingest.fields import FIELD_NAMES, TEMPLATE_COLUMNS
from analysis.ingest.identity import name_key
from analysis.ingest.load import CAPACITY_UNKNOWN, build_directory
from analysis.ingest.read import read_table
from analysis.model import ORG_COLUMNS, SERVICE_COLUMNS
from tests.analysis.ingest.helpers import (
    AS_OF,
    ORUK_DATA,
    TAXONOMY,
    csv_bytes,
    load,
)

MESSY_HEADER = ["Organisation", "Post Code", "lat", "lng", "Category", "What we do", "Notes"]
MESSY_ROWS = [
    ["Heron Neighbours", "bs8 1th", "", "", "Foodbank", "Pantry", "n1"],
    ["Kite Advice", "", "51.4627", "-2.5591", "Debt/Money", "Advice", ""],
    ["", "", "", "", "", "", "just a note"],
    ["Wren Club", "BS99 9ZZ", "", "", "Youth club", "Club", ""],
]


def test_directory_contract(bristol):
    directory, report = load(csv_bytes(MESSY_HEADER, *MESSY_ROWS), bristol)
    assert isinstance(directory, Directory)
    services = directory.services
    assert list(services.columns) == [*SERVICE_COLUMNS, "geometry"]
    assert list(directory.organisations.columns) == list(ORG_COLUMNS)
    assert services.crs.to_epsg() == 27700 and services["location"].crs.to_epsg() == 27700
    assert services.geometry.name == "geometry"
    assert services["source_row"].tolist() == [2, 3, 5]
    assert isinstance(services.iloc[0]["categories"], tuple)
    assert report.rows_read == report.accepted + report.rejected == 4
    assert (report.accepted, report.rejected) == (3, 1)


def test_report_names_the_mapping_and_ignored_columns(bristol):
    _, report = load(csv_bytes(MESSY_HEADER, *MESSY_ROWS), bristol)
    assert report.mapping_used == {
        "org_name": "Organisation",
        "service_description": "What we do",
        "categories": "Category",
        "postcode": "Post Code",
        "latitude": "lat",
        "longitude": "lng",
    }
    assert report.ignored_columns == ("Notes",)
    # Problems name the file's own columns; a field the file has no column for, by its name.
    absent = set(FIELD_NAMES) - set(report.mapping_used)
    assert {p.column for p in report.problems} <= set(MESSY_HEADER) | {"(whole row)"} | absent
    # No capacity column: every row's capacity is unknown, the rejected row 4's too.
    assert [(p.row, p.code) for p in report.problems if p.column == "capacity"] == [
        (row, "unknown_capacity") for row in (2, 3, 4, 5)
    ]


def test_rejected_rows_csv_round_trips_the_original_cells(bristol):
    _, report = load(csv_bytes(MESSY_HEADER, *MESSY_ROWS), bristol)
    table = pd.read_csv(io.StringIO(report.rejected_rows_csv()), dtype=str, keep_default_na=False)
    assert list(table.columns) == ["row", "reason", *MESSY_HEADER]
    assert table.iloc[0].tolist() == [
        "4",
        "Organisation: the row has neither an organisation name nor a service name",
        "",
        "",
        "",
        "",
        "",
        "",
        "just a note",
    ]


def test_a_column_mapping_changes_what_is_read(bristol):
    data = csv_bytes(
        ["Who", "Where", "Kind of help", "How many"], ["Heron", "BS8 1TH", "food", "25"]
    )
    with pytest.raises(ColumnMappingError, match="no column holds the organisation"):
        load(data, bristol)
    mapping = {
        "org_name": "Who",
        "postcode": "Where",
        "categories": "Kind of help",
        "capacity": "How many",
    }
    directory, report = load(data, bristol, columns=mapping)
    assert report.mapping_used == mapping and report.problems == ()
    service = directory.services.iloc[0]
    assert (service["postcode"], service["capacity"]) == ("BS8 1TH", 25.0)


def test_the_dashboard_path_read_then_build(bristol):
    raw = read_table(csv_bytes(MESSY_HEADER, *MESSY_ROWS), filename="upload.csv")
    directory, report = build_directory(raw, area=bristol, taxonomy=TAXONOMY, as_of=AS_OF)
    assert report.source == "upload.csv" and len(directory.services) == 3


def test_a_feed_takes_no_column_mapping(bristol):
    data = (ORUK_DATA / "v1_page.json").read_bytes()
    with pytest.raises(ColumnMappingError, match="Open Referral UK, whose fields are fixed"):
        load(data, bristol, filename="feed.json", columns={"org_name": "x"})


def test_blank_rows_are_counted_apart(bristol):
    data = b"org_name,postcode\nA,BS8 1TH\n,\nB,BS8 1TH\n"
    _, report = load(data, bristol)
    assert (report.rows_read, report.blank_rows_skipped) == (2, 1)


def test_an_empty_table_is_valid(bristol):
    directory, report = load(b"org_name,postcode\n", bristol)
    assert (report.rows_read, len(directory.services), len(directory.organisations)) == (0, 0, 0)


# ---- property: every row is accounted for, and accepted rows keep their meaning --------------

POSTCODES = ["BS8 1TH", "bs5 0he", "BS1 1BT", "XYZ", "BS99 9ZZ", ""]
CATEGORIES = ["food", "Foodbank", "money_advice; Debt advice", "Knitting", "", "Lunch club"]
AREAS = ["", "at_location", "citywide", "wards", "radius_km", "moon"]
AREA_VALUES = ["", "2", "Easton", "Atlantis", "-1"]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20).map(
    str.strip
)
rows = st.fixed_dictionaries(
    {
        "org_id": st.one_of(st.just(""), st.sampled_from(["o1", "o2", "o3"])),
        "org_name": text,
        "service_id": st.one_of(st.just(""), st.sampled_from(["s1", "s2", "s3", "s4"])),
        "service_name": text,
        "categories": st.sampled_from(CATEGORIES),
        "postcode": st.sampled_from(POSTCODES),
        "area_served": st.sampled_from(AREAS),
        "area_value": st.sampled_from(AREA_VALUES),
        "capacity": st.sampled_from(["", "40", "lots"]),
    }
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(table=st.lists(rows, min_size=1, max_size=8), delimiter=st.sampled_from([",", ";", "\t"]))
def test_every_row_is_accounted_for_and_keeps_its_meaning(bristol, table, delimiter):
    header = list(table[0])
    body = [[row[column] for column in header] for row in table]
    non_blank = [row for row in body if any(cell.strip() for cell in row)]
    directory, report = load(csv_bytes(header, *body, delimiter=delimiter), bristol)

    assert report.rows_read == report.accepted + report.rejected == len(non_blank)
    assert len(directory.services) == report.accepted
    assert len(report.rejected_rows) == report.rejected
    rejected_rows = {p.row for p in report.errors}
    assert set(report.rejected_rows["row"]) == rejected_rows
    assert rejected_rows.isdisjoint(directory.services["source_row"])

    originals = dict(enumerate(body, start=2))
    for service in directory.services.itertuples(index=False):
        given = dict(zip(header, originals[service.source_row], strict=True))
        org_name = given["org_name"] or given["service_name"]
        assert service.service_name == (given["service_name"] or given["org_name"])
        if given["org_id"]:
            assert service.org_id == given["org_id"]
        if given["service_id"]:
            renamed = service.service_id != given["service_id"]
            assert not renamed or (
                service.service_id.startswith(given["service_id"] + "-")
                and "duplicate_id" in service.flags
            )
        if given["postcode"] in ("BS8 1TH", "bs5 0he", "BS1 1BT"):
            assert service.postcode == given["postcode"].upper()
        org = directory.organisations.set_index("org_id").loc[service.org_id]
        if given["org_id"]:
            assert name_key(org["org_name"]) == name_key(org_name) or (
                "conflicting_org" in service.flags
            )
        else:
            assert name_key(org["org_name"]) == name_key(org_name)
        if given["capacity"] == "40":
            assert service.capacity == 40.0
            assert not CAPACITY_UNKNOWN & set(service.flags)
        else:  # blank or unclear: unknown, and flagged so
            assert math.isnan(service.capacity)
            code = "unknown_capacity" if given["capacity"] == "" else "bad_capacity"
            assert code in service.flags


def test_the_template_columns_are_the_field_names():
    assert TEMPLATE_COLUMNS[:3] == ("org_id", "org_name", "org_kind")
