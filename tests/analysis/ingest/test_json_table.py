"""JSON lists of records that are not Open Referral, read as tables; which reader, and why."""

from __future__ import annotations

import json

import pytest

from analysis.errors import IngestError
from analysis.ingest.json_table import flatten, read_json_table
from analysis.ingest.oruk_shape import judge_json
from analysis.ingest.read import read_table


def _read(document, name="g.json", **options):
    return read_table(json.dumps(document).encode(), filename=name, **options)


def test_nested_objects_become_dotted_columns_and_lists_are_joined():
    record = {
        "name": "Heron Friends",
        "location_coord": {"lat": 51.4621, "lng": -2.5676},
        "contact": {"email": "hi@heron.example.org", "phone": "0117 496 0001"},
        "tags": ["food", "advice", ""],
        "open": True,
        "size": 40.0,
        "nothing": None,
        "empty": {},
    }
    assert flatten(record) == {
        "name": "Heron Friends",
        "location_coord.lat": "51.4621",
        "location_coord.lng": "-2.5676",
        "contact.email": "hi@heron.example.org",
        "contact.phone": "0117 496 0001",
        "tags": "food; advice",
        "open": "yes",
        "size": "40",
        "nothing": "",
        "empty": "",
    }


def test_a_list_of_places_gives_aligned_place_columns():
    record = {
        "venues": [
            {"name": "Hall", "address": {"postcode": "BS5 0HE", "line1": "1 Test St"}},
            {"name": "Annexe", "geo": {"lat": 51.43, "lng": -2.58}},
            {"name": "Online"},  # no place: left out of the places
        ]
    }
    assert flatten(record) == {
        "venues.postcode": "BS5 0HE; ",
        "venues.latitude": "; 51.43",
        "venues.longitude": "; -2.58",
        "venues.name": "Hall; Annexe; Online",
        "venues.address.line1": "1 Test St",
    }


def test_geojson_points_and_coordinate_arrays():
    record = {
        "geometry": {"type": "Point", "coordinates": [-2.58, 51.45]},
        "latlng": [51.45, -2.58],
        "ages": [18, 65],  # two whole numbers under a key that names no point: a list
    }
    assert flatten(record) == {
        "geometry.latitude": "51.45",
        "geometry.longitude": "-2.58",
        "latlng.latitude": "51.45",
        "latlng.longitude": "-2.58",
        "ages": "18; 65",
    }


def test_deep_structures_stay_json_text():
    deep: dict = {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}
    assert flatten(deep) == {"a.b.c.d.e.f.g": '{"h": 1}'}
    assert flatten({"grid": [[1, 2], [3, 4]]}) == {"grid": "[[1, 2], [3, 4]]"}


@pytest.mark.parametrize(
    ("document", "where"),
    [
        ([{"name": "A"}], ""),
        ({"data": [{"name": "A"}]}, "data"),
        ({"results": [{"name": "A"}], "count": 1, "next": None}, "results"),
        ({"groups": [{"name": "A"}], "venues": []}, "groups"),
        ({"response": {"items": [{"name": "A"}]}}, "response.items"),
    ],
)
def test_the_records_are_found_where_apis_put_them(document, where):
    table = _read(document)
    assert (table.format, table.frame.loc[1, "name"], table.is_canonical) == ("json", "A", False)
    assert table.notes[0].startswith("read as a JSON table: the records have no Open Referral")
    assert (f"the records are the 1 entry of {where!r}" in table.notes) == bool(where)


def test_other_lists_of_records_are_named_not_read():
    table = _read({"groups": [{"name": "A"}, {"name": "B"}], "venues": [{"name": "Hall"}]})
    assert table.frame["name"].tolist() == ["A", "B"]
    assert (
        "the file also holds 'venues' (1 entry), not read: load each list of services as a "
        "file of its own"
    ) in table.notes


def test_geojson_features_and_json_api_resources():
    features = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": 7,
                "geometry": {"type": "Point", "coordinates": [-2.58, 51.45]},
                "properties": {"name": "Hall", "contact": {"email": "a@example.org"}},
            }
        ],
    }
    table = _read(features, "venues.geojson")
    assert table.frame.loc[1].to_dict() == {
        "id": "7",
        "name": "Hall",
        "contact.email": "a@example.org",
        "geometry.latitude": "51.45",
        "geometry.longitude": "-2.58",
    }
    assert "the records are GeoJSON features: their properties are the columns" in table.notes
    resources = {"data": [{"id": "1", "type": "group", "attributes": {"name": "Kite"}}]}
    assert _read(resources).frame.loc[1].to_dict() == {"id": "1", "name": "Kite"}


def test_a_list_of_pages_is_combined_and_said_so():
    pages = [
        {
            "data": [{"name": "A"}, {"name": "B"}],
            "meta": {"total": 5, "current_page": 1, "last_page": 3},
        },
        {"data": [{"name": "C"}], "meta": {"total": 5, "current_page": 2, "last_page": 3}},
    ]
    table = _read(pages)
    assert table.frame["name"].tolist() == ["A", "B", "C"]
    assert table.frame.index.tolist() == [1, 2, 3]
    assert (
        "read pages 1, 2 of 3 (3 of 5 records) of a paged API response: page 3 missing. Fix: "
        "fetch every page and load them together (a JSON list of the pages, or a zip of the "
        "page files), or ask the publisher for a full export"
    ) in table.notes


def test_items_that_are_not_records_are_noted_not_rows():
    table = _read([{"name": "A"}, "stray", {"name": "B"}])
    assert table.frame.index.tolist() == [1, 3]
    assert table.notes[-1] == (
        "1 item(s) of the list are not records (objects) and are not rows: item(s) 2"
    )


def test_refusals_say_what_the_file_holds():
    with pytest.raises(IngestError, match="holds a list of 2 values, none of them a record"):
        read_json_table(["a", "b"], name="x.json", note="")
    with pytest.raises(IngestError, match="x.json is JSON but not an Open Referral UK feed nor"):
        read_json_table({"colour": "blue"}, name="x.json", note="")


@pytest.mark.parametrize(
    ("document", "is_oruk", "note"),
    [
        (
            {"content": [{"name": "A"}], "totalElements": 1},
            True,
            "read as Open Referral UK 1.0: a page of its API (content, totalElements)",
        ),
        (
            {"contents": [{"name": "A"}], "total_items": 1, "page_number": 1},
            True,
            "read as Open Referral UK 3.0: a page of its API (contents, total_items, page_number)",
        ),
        (
            {
                "data": [
                    {"name": "A", "service_at_locations": [{}]},
                    {"name": "B", "organization": "O"},
                ]
            },
            True,
            "read as Open Referral UK: 2 of 2 records under 'data' have its service fields",
        ),
        (
            [{"name": "A", "service_taxonomys": [{"taxonomy": {"name": "Food"}}]}],
            True,
            "read as Open Referral UK 1.0: 1 of 1 records have its service fields "
            "(service_taxonomys)",
        ),
        (
            {"data": [{"id": "1", "type": "group", "attributes": {"name": "A"}}]},
            False,  # JSON:API's attributes object is not Open Referral's list
            "read as a JSON table: the records have no Open Referral service fields",
        ),
        (
            [{"name": "A", "location_coord": {"lat": 51.4, "lng": -2.5}}, {"name": "B"}],
            False,
            "read as a JSON table: the records have no Open Referral service fields (their "
            "keys include name, location_coord)",
        ),
    ],
)
def test_which_reader_and_why(document, is_oruk, note):
    shape = judge_json(document)
    assert shape.is_oruk is is_oruk
    assert shape.note.startswith(note)


def test_the_format_option_chooses_the_reader():
    oruk_like = [{"name": "A", "organization": {"name": "B"}}]
    assert _read(oruk_like).format == "oruk-json"
    forced = _read(oruk_like, format="template")
    assert forced.format == "json" and forced.notes[0] == (
        "read as a JSON table, as --format template asks"
    )
    assert forced.frame.loc[1, "organization.name"] == "B"
    plain = _read([{"name": "A", "org": "B"}], format="oruk")
    assert plain.format == "oruk-json"
    assert plain.notes[0] == "read as Open Referral UK, as --format oruk asks"


def test_a_list_of_contacts_is_said_to_be_people_s_details():
    record = {
        "name": "Heron",
        "contacts": [
            {"name": "A. Person", "email": "a@example.org", "mobile": "07700 900123"},
            {"name": "B. Person", "email": "b@example.org"},
        ],
    }
    table = _read([record])
    assert table.frame.loc[1, "contacts.email"] == "a@example.org; b@example.org"
    assert (
        "'contacts' lists contacts (contacts.email, contacts.mobile): a named person's phone "
        "or email is theirs, not the service's public one; map these columns only if they are "
        "the service's own, and check any guess that maps them"
    ) in table.notes
