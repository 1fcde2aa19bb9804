"""Row checks end to end: every problem kind, with its message pinned, and the ids made."""

from __future__ import annotations

import json
import math

import pytest

from tests.analysis.ingest.helpers import csv_bytes, load, load_rows, problems

OK = {"org_name": "Heron Neighbours", "postcode": "BS8 1TH", "categories": "food", "capacity": "40"}
CATEGORY_FIX = (
    "Fix: use category ids or synonyms from data/taxonomy.csv (e.g. food, money_advice), or "
    "add the term to a category's synonyms"
)


def test_a_clean_row_has_no_problems(bristol):
    directory, report = load_rows(bristol, OK)
    assert (report.rows_read, report.accepted, report.rejected, report.problems) == (1, 1, 0, ())
    service = directory.services.iloc[0]
    assert (service["service_name"], service["service_id"], service["org_id"]) == (
        "Heron Neighbours",
        "heron-neighbours",
        "heron-neighbours",
    )
    assert (service["capacity"], service["flags"]) == (40.0, ())


# ---- errors: the row is rejected ------------------------------------------------------------


def test_no_name(bristol):
    _, report = load_rows(bristol, {"org_name": "", "service_name": "", "postcode": "BS8 1TH"})
    assert report.rejected == 1
    assert problems(report, "no_name") == [
        "row 2, column 'org_name', value '': the row has neither an organisation name nor a "
        "service name. Fix: give the organisation's name (and the service's, if it runs "
        "several), or delete the row"
    ]


def test_extra_fields(bristol):
    data = b"org_name,postcode\nA,BS8 1TH,stray,values\n"
    _, report = load(data, bristol)
    assert problems(report, "extra_fields") == [
        "row 2, column '(whole row)', value '': the row has 2 value(s) beyond the last column, "
        "so its values may have shifted. Fix: put values that contain the delimiter in double "
        "quotes, or delete the stray values"
    ]


# ---- warnings: the row is kept and flagged ---------------------------------------------------


@pytest.mark.parametrize(
    ("row", "code", "message"),
    [
        (
            {"org_name": "", "service_name": "Pantry", "postcode": "BS8 1TH", "categories": "food"},
            "org_name_from_service",
            "row 2, column 'org_name', value '': no organisation name; the service's name "
            "'Pantry' is used. Fix: give the name of the organisation that runs the service",
        ),
        (
            {**OK, "service_name": ""},
            "service_name_from_org",
            "row 2, column 'service_name', value '': no service name; the organisation's name "
            "'Heron Neighbours' is used. Fix: name the service, or leave it so if the "
            "organisation runs one service",
        ),
        (
            {**OK, "categories": ""},
            "uncategorised",
            "row 2, column 'categories', value '': no category given; the service is kept as "
            "uncategorised. Fix: give one or more need categories separated by ';', e.g. "
            "'food; housing'",
        ),
        (
            {**OK, "categories": "Knitting"},
            "uncategorised",
            "row 2, column 'categories', value 'Knitting': no term matches a need category; "
            f"the service is kept as uncategorised. {CATEGORY_FIX}",
        ),
        (
            {**OK, "categories": "food; Knitting"},
            "unmapped_category",
            f"row 2, column 'categories', value 'Knitting': matches no need category and is "
            f"left out. {CATEGORY_FIX}",
        ),
        (
            {**OK, "delivery": "pigeon"},
            "unknown_delivery",
            "row 2, column 'delivery', value 'pigeon': not a delivery mode and is left out; "
            "'in person' is assumed. Fix: use in person, phone, online or home delivery, "
            "separated by ';'",
        ),
        (
            {**OK, "org_kind": "guild"},
            "unknown_kind",
            "row 2, column 'org_kind', value 'guild': not a kind of organisation; 'other' is "
            "used. Fix: use one of: charity, CIC, mutual aid group, faith group, statutory, "
            "other",
        ),
        (
            {**OK, "charity_number": "12AB"},
            "bad_charity_number",
            "row 2, column 'charity_number', value '12AB': not a registered charity number. "
            "Fix: write the number as registered, e.g. 1234567 (England and Wales), SC012345 "
            "(Scotland) or NIC100002 (Northern Ireland), or leave it empty",
        ),
        (
            # contact_public yes: a private row's contact values are withheld from reports.
            {**OK, "email": "hello at heron", "contact_public": "yes"},
            "bad_email",
            "row 2, column 'email', value 'hello at heron': not an email address. Fix: write "
            "one address such as hello@example.org",
        ),
        (
            {**OK, "website": "our facebook page", "contact_public": "yes"},
            "bad_website",
            "row 2, column 'website', value 'our facebook page': not a web address. Fix: write "
            "one address such as https://example.org",
        ),
        (
            {**OK, "phone": "ring Sue", "contact_public": "yes"},
            "bad_phone",
            "row 2, column 'phone', value 'ring Sue': not a phone number. Fix: write digits, "
            "spaces and an optional leading +, e.g. 0117 496 0123",
        ),
        (
            {**OK, "phone": "1174960123", "contact_public": "yes"},
            "phone_lost_zero",
            "row 2, column 'phone', value '1174960123': looks like a UK number whose leading 0 "
            "a spreadsheet dropped. Fix: write it as 01174960123, and format the column as text",
        ),
        (
            {**OK, "contact_public": "maybe"},
            "bad_contact_public",
            "row 2, column 'contact_public', value 'maybe': not yes or no; no is assumed. Fix: "
            "write yes (contact details may be shown publicly) or no",
        ),
        (
            {**OK, "capacity": ""},
            "unknown_capacity",
            "row 2, column 'capacity', value '': no capacity given, so it is unknown: the "
            "analysis counts it at the median capacity of its category's services in this "
            "file. Fix: give the number of people the service can help per week, e.g. 40",
        ),
        (
            {**OK, "capacity": "lots"},
            "bad_capacity",
            "row 2, column 'capacity', value 'lots': not a positive number of people per week, "
            "so it is unknown: the analysis counts it at the median capacity of its category's "
            "services in this file. Fix: write a number such as 40 "
            "(left empty, it counts as unknown)",
        ),
        (
            {**OK, "last_updated": "last spring"},
            "bad_date",
            "row 2, column 'last_updated', value 'last spring': not a date; left empty. Fix: "
            "write the date as YYYY-MM-DD, e.g. 2025-03-31",
        ),
        (
            {**OK, "active_from": "2026-05-01", "active_until": "2026-02-01"},
            "dates_reversed",
            "row 2, column 'active_until', value '2026-02-01': the service ends before it "
            "starts (2026-05-01). Fix: swap active_from and active_until, or correct one of them",
        ),
        (
            {**OK, "active_until": "31/03/2025"},
            "ended",
            "row 2, column 'active_until', value '31/03/2025': the service ended before "
            "2026-11-28; it is kept but flagged. Fix: remove the row if the service has "
            "stopped, or correct active_until",
        ),
        (
            {**OK, "status": "defunct"},
            "inactive",
            "row 2, column 'status', value 'defunct': the feed marks the service defunct; it is "
            "kept but flagged. Fix: remove it from the feed if it has stopped, or set its "
            "status to active",
        ),
        (
            {**OK, "postcode": "XYZ"},
            "bad_postcode",
            "row 2, column 'postcode', value 'XYZ': not a UK postcode. Fix: write a full "
            "postcode such as BS2 8NX, or give latitude and longitude",
        ),
        (
            {**OK, "postcode": "", "latitude": "north", "longitude": "-2.6"},
            "bad_coordinates",
            "row 2, column 'latitude', value 'north': not a number. Fix: write decimal degrees, "
            "e.g. latitude 51.4602 and longitude -2.5885 (not degrees-minutes-seconds or "
            "easting/northing)",
        ),
        (
            {**OK, "postcode": "", "latitude": "-2.6033", "longitude": "51.459"},
            "swapped_lat_lon",
            "row 2, column 'latitude', value '-2.6033, 51.459': latitude and longitude look "
            "swapped: swapped back, the point lies in Bristol, City of, and that point is used. "
            "Fix: swap the latitude and longitude columns",
        ),
        (
            {**OK, "postcode": "", "latitude": "51.459", "longitude": "2.6033"},
            "lon_sign",
            "row 2, column 'latitude', value '51.459, 2.6033': the longitude lacks its minus "
            "sign (places west of Greenwich are negative): with it the point lies in the area, "
            "and that point is used. Fix: write the longitude as -2.6033",
        ),
        (
            {**OK, "postcode": "BS8 1TH", "latitude": "51.4627", "longitude": "-2.5591"},
            "location_mismatch",
            "row 2, column 'latitude', value '51.4627, -2.5591': the coordinates lie 3.1 km "
            "from postcode BS8 1TH; the coordinates are used. Fix: check which is right and "
            "correct the other, or leave the coordinates empty to use the postcode",
        ),
        (
            {**OK, "postcode": ""},
            "no_location",
            "row 2, column 'postcode', value '': no postcode or coordinates and no area served: "
            "the service is kept, but covers nobody until it has one. Fix: give a postcode (or "
            "latitude and longitude), or an area served (wards or citywide)",
        ),
        (
            {**OK, "area_value": "The whole of MyCity"},
            "area_not_understood",
            "row 2, column 'area_value', value 'The whole of MyCity': names no ward of the area "
            "and no radius; the default area is used (around the location). Fix: set "
            "area_served to one of at_location, radius_km, wards, citywide, and list ward "
            "names separated by ';'",
        ),
        (
            {**OK, "area_served": "wards", "area_value": "Easton; Atlantis"},
            "unmatched_wards",
            "row 2, column 'area_value', value 'Atlantis': is not a ward of the area and is "
            "left out. Fix: check the spelling against the ward names of Bristol, City of "
            "(such as 'Ashley; Avonmouth and Lawrence Weston'), or use the ward code (E05…)",
        ),
        (
            {**OK, "area_served": "citywide", "area_value": "Easton"},
            "area_value_ignored",
            "row 2, column 'area_value', value 'Easton': area served is citywide, which takes "
            "no value; the value is ignored. Fix: use radius_km for a radius of your own or "
            "wards for a list of wards, or clear the value",
        ),
    ],
)
def test_warnings_keep_the_row(bristol, row, code, message):
    directory, report = load_rows(bristol, row)
    assert (report.accepted, report.rejected, report.warnings) == (1, 0, 1)
    assert problems(report, code) == [message]
    assert code in directory.services.iloc[0]["flags"]


def test_an_unknown_capacity_is_nan_flagged_and_counted_in_the_notes(bristol):
    rows = [
        {**OK, "service_name": "stated"},
        {**OK, "service_name": "blank", "capacity": ""},
        {**OK, "service_name": "unclear", "capacity": "lots"},
        {**OK, "org_name": "", "service_name": "", "capacity": ""},  # rejected: no name
    ]
    directory, report = load_rows(bristol, *rows)
    services = directory.services.set_index("service_name")
    assert services.loc["stated", "capacity"] == 40.0
    assert math.isnan(services.loc["blank", "capacity"])
    assert math.isnan(services.loc["unclear", "capacity"])
    assert services["flags"].to_dict() == {
        "stated": (),
        "blank": ("unknown_capacity",),
        "unclear": ("bad_capacity",),
    }
    assert [(p.row, p.column, p.code) for p in report.problems if p.column == "capacity"] == [
        (3, "capacity", "unknown_capacity"),
        (4, "capacity", "bad_capacity"),
        (5, "capacity", "unknown_capacity"),
    ]
    # The note counts the accepted services only: the rejected row 5 is left out.
    assert report.notes == (
        "2 of 3 accepted services have no capacity given (unknown): the analysis counts each "
        "at its category's median and reports how much of each figure rests on such estimates",
    )


def test_outside_area_warning(bristol):
    _, report = load_rows(
        bristol, {**OK, "postcode": "", "latitude": "51.5074", "longitude": "-0.1278"}
    )
    (message,) = problems(report, "outside_area")
    assert message.startswith("row 2, column 'latitude', value '51.5074, -0.1278': the point ")
    assert message.endswith(
        "km outside Bristol, City of. Fix: check the coordinates (latitude about 51.46 and "
        "longitude about -2.59 in Bristol, City of), or load the area that holds the service "
        "with --area"
    )
    assert report.accepted == 1


def test_many_problems_in_one_row_are_all_reported(bristol):
    row = {
        "org_name": "A",
        "postcode": "XYZ",
        "email": "x",
        "capacity": "-3",
        "area_served": "radius_km",
        "area_value": "0",
    }
    _, report = load_rows(bristol, row)
    assert report.rejected == 1
    assert [p.code for p in report.problems] == [
        "bad_radius",
        "bad_email",
        "uncategorised",
        "bad_postcode",
        "bad_capacity",
    ]
    assert report.rejected_rows.loc[0, "reason"] == (
        "area_value: area served is radius_km but this is not a radius above 0"
    )


def test_contact_public_defaults_to_no_in_a_template(bristol):
    directory, _ = load_rows(bristol, OK, {**OK, "service_name": "B", "contact_public": "Yes"})
    assert directory.services["contact_public"].tolist() == [False, True]


def test_email_and_phone_public_override_contact_public_and_blank_inherits(bristol):
    contacts = {"email": "hello@heron.org.uk", "phone": "0117 496 0123", "contact_public": "yes"}
    directory, report = load_rows(
        bristol,
        {**OK, **contacts, "email_public": "no", "phone_public": ""},
        {**OK, **contacts, "service_name": "B", "contact_public": "no", "phone_public": "yes"},
    )
    assert not problems(report, "bad_contact_public")
    services = directory.services
    assert services["contact_public"].tolist() == [True, False]
    assert services["email_public"].tolist() == [False, False]
    assert services["phone_public"].tolist() == [True, True]
    # The organisation's flags are its first row's, as contact_public is.
    org = directory.organisations.iloc[0]
    assert (org["contact_public"], org["email_public"], org["phone_public"]) == (True, False, True)


def test_detail_flags_inherit_contact_public_when_the_file_has_no_column_for_them(bristol):
    directory, _ = load_rows(bristol, {**OK, "contact_public": "yes"}, {**OK, "service_name": "B"})
    services = directory.services
    assert services["email_public"].tolist() == services["phone_public"].tolist() == [True, False]


def test_an_unclear_detail_flag_is_reported_and_takes_contact_public(bristol):
    directory, report = load_rows(bristol, {**OK, "contact_public": "yes", "email_public": "maybe"})
    assert problems(report, "bad_contact_public") == [
        "row 2, column 'email_public', value 'maybe': not yes or no; yes is assumed. Fix: "
        "write yes (contact details may be shown publicly) or no"
    ]
    assert bool(directory.services["email_public"].iloc[0])


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Email public", "email_public"),
        ("Show email", "email_public"),
        ("Phone public", "phone_public"),
    ],
)
def test_detail_flag_headers_are_recognised(bristol, header, field):
    data = csv_bytes(
        ["org_name", "postcode", "contact_public", header], ["A", "BS8 1TH", "yes", "no"]
    )
    directory, _ = load(data, bristol)
    assert not bool(directory.services[field].iloc[0])


# ---- parsing helpers -------------------------------------------------------------------------


def test_semicolon_file_with_everything_in_it(bristol):
    data = csv_bytes(
        ["Organisation", "Post Code", "Category", "What we do", "Places per week"],
        ["Heron", "bs8 1th", "Foodbank", "Meals, parcels", "1,200"],
        delimiter=";",
    )
    directory, report = load(data, bristol)
    assert report.problems == () and report.notes == ("values separated by semicolons",)
    service = directory.services.iloc[0]
    assert (service["description"], service["capacity"]) == ("Meals, parcels", 1200.0)


def test_problems_with_another_location_of_a_feed_service(bristol):
    feed = [
        {
            "id": "s",
            "name": "Pantry",
            "organization": {"name": "Heron"},
            "taxonomies": ["food"],
            "service_at_locations": [
                {"location": {"postal_code": "BS8 1TH"}},
                {"location": {"postal_code": "XYZ"}},
            ],
        }
    ]
    directory, report = load(json.dumps(feed).encode(), bristol, filename="feed.json")
    assert problems(report, "bad_postcode") == [
        "row 1, column 'other locations', value 'XYZ': another location of the service: not "
        "a UK postcode. Fix: write a full postcode such as BS2 8NX, or give latitude and "
        "longitude"
    ]
    assert report.accepted == 1 and directory.services.iloc[0]["postcode"] == "BS8 1TH"
