"""One Open Referral UK service as template fields: typed lists, locations, organisation."""

from __future__ import annotations

import pytest

from analysis.ingest.cells import Place
from analysis.ingest.oruk_record import as_text, org_values, place, service_record

SERVICE = {
    "id": "s1",
    "name": "Pantry",
    "organization": {"id": "o1", "name": "Heron", "phones": [{"number": " 0117 496 0001 "}]},
    "service_taxonomys": [{"taxonomy": {"name": "Food; drink"}}, {"taxonomy": {"name": "Debt"}}],
    "attending_type": "in person",
    "schedules": [{"attending_type": "Online or by phone"}, {"attending_type": "in person"}],
    "service_areas": [{"service_area": "Easton"}, {"name": "Lawrence Hill"}],
    "service_at_locations": [
        {"location": {"latitude": 51.46, "longitude": -2.56}},
        {"location": {"physical_addresses": [{"postal_code": "BS5 0HE"}]}},
        {"location": {"name": "nowhere"}},
    ],
    "eligibilitys": [{"eligibility": "adults", "minimum_age": 18}],
}


def test_a_service_s_lists_stay_lists():
    record = service_record(SERVICE, {}, [], row=4)
    assert record.row == 4
    assert record.get("categories") == ("Food; drink", "Debt")  # never joined to be split
    assert record.get("delivery") == ("in person", "Online or by phone")
    assert record.get("area_value") == ("Easton", "Lawrence Hill")
    assert record.get("contact_public") is True
    assert (record.get("latitude"), record.get("longitude"), record.get("postcode")) == (
        "51.46",
        "-2.56",
        "",
    )
    assert record.other_locations == (Place("BS5 0HE", "", ""),)
    assert (record.get("org_id"), record.get("phone"), record.get("audience")) == (
        "o1",
        "0117 496 0001",
        "adults; ages 18+",
    )


def test_a_service_without_anything_still_has_every_field():
    record = service_record("just text", {}, [], row=1)
    assert record.get("service_description") == "just text"
    assert record.get("categories") == () and record.get("postcode") == ""
    assert service_record({"organization_id": "o9"}, {}, [], row=2).get("org_id") == "o9"
    hinted = service_record({"name": "A"}, {"id": "o2", "name": "Kite"}, [], row=3)
    assert hinted.get("org_name") == "Kite"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ({"geometry": {"type": "Point", "coordinates": ["-2.6", "51.45"]}}, ("", "51.45", "-2.6")),
        ({"lat": 51.45, "lng": -2.6}, ("", "51.45", "-2.6")),
        (
            {"name": "Hall", "location_coord": {"lat": "51.45", "lon": "-2.6"}},
            ("", "51.45", "-2.6"),
        ),
        ({"latitude": "north", "longitude": "-2.6"}, ("", "north", "-2.6")),  # kept for the checker
        (
            {
                "addresses": [
                    {"address_type": "postal", "postal_code": "BS1 1BT"},
                    {"address_type": "physical", "postal_code": "BS8 1TH"},
                ]
            },
            ("BS8 1TH", "", ""),
        ),
    ],
)
def test_place(location, expected):
    assert place(location) == expected


def test_a_charity_number_comes_from_the_identifiers():
    org = {
        "name": "Heron",
        "organization_identifiers": [
            {"identifier_scheme": "GB-COH", "identifier": "123"},
            {"identifier_scheme": "GB-CHC", "identifier": "9900001"},
        ],
        "legal_status": "Charity",
    }
    values = org_values(org)
    assert (values["charity_number"], values["org_kind"]) == ("9900001", "Charity")


def test_as_text():
    assert [as_text(v) for v in (None, " a ", True, 3.0, 2.5, 7, [1])] == [
        "",
        "a",
        "yes",
        "3",
        "2.5",
        "7",
        "[1]",
    ]


def test_a_contact_s_phone_and_email_never_become_the_service_s():
    service = {
        "name": "Advice",
        "contacts": [
            {
                "name": "A. Person",
                "email": "a.person@example.org",
                "phones": [{"number": "07700 900123"}],
            }
        ],
        "organization": {
            "name": "Heron",
            "contacts": [{"name": "B. Person", "phones": [{"number": "07700 900456"}]}],
        },
    }
    record = service_record(service, {}, [], row=1)
    assert [
        record.get(field) for field in ("service_phone", "service_email", "phone", "email")
    ] == [
        "",
        "",
        "",
        "",
    ]
    service["phones"] = [{"number": "0117 496 0009"}]
    service["organization"]["phones"] = ["0117 496 0008"]
    record = service_record(service, {}, [], row=1)
    assert (record.get("service_phone"), record.get("phone")) == ("0117 496 0009", "0117 496 0008")


def test_coordinates_in_an_object_of_another_name_are_the_service_s_location():
    record = service_record(
        {"name": "A", "location_coord": {"lat": 51.46, "lng": -2.56}}, {}, [], row=1
    )
    assert (record.get("latitude"), record.get("longitude")) == ("51.46", "-2.56")
