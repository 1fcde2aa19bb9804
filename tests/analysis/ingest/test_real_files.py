"""Real directory shapes through the command line: JSON that is not Open Referral, points as
files write them, districts, edges and elsewhere, contacts, pages, and another area.

Each fixture is in ``tests/data/real/`` (see ``tests/data/README.md``); each case pins what
``validate --json`` says of it: counts, reader notes and the problems of each row.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.geography import load_area
from analysis.ingest.load import load_directory
from analysis.ingest.options import ImportOptions
from analysis.ingest.read import read_table
from analysis.reference.build import build_area
from tests.analysis.ingest.helpers import TAXONOMY
from tests.analysis.reference import synthetic_sources as syn

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
# Every row of these files gives no capacity: that warning is not what they are about.
_ALWAYS = {"unknown_capacity"}


def _validate(capsys, name: str, *options: str) -> tuple[int, dict]:
    code = main(["validate", str(REAL / name), *options, "--json"])
    return code, json.loads(capsys.readouterr().out)


def _codes(out: dict) -> dict[int, list[str]]:
    """Row -> the codes of its problems, in order (the always-there ones left out)."""
    found: dict[int, list[str]] = {}
    for problem in out["problems"]:
        if problem["code"] not in _ALWAYS:
            found.setdefault(problem["row"], []).append(problem["code"])
    return found


def _problem(out: dict, row: int, code: str) -> dict:
    (problem,) = [p for p in out["problems"] if p["row"] == row and p["code"] == code]
    return problem


def test_an_api_dump_is_a_table_mapped_like_any_other(capsys):
    code, out = _validate(
        capsys, "groups_api.json", "--columns", str(REAL / "groups_api_columns.json")
    )
    assert code == 0
    assert (out["format"], out["rows_read"], out["accepted"], out["rejected"]) == ("json", 4, 4, 0)
    assert out["notes"][:5] == [
        "read as a JSON table: the records have no Open Referral service fields (their keys "
        "include id, name, description, contact)",
        "the records are the 4 entries of 'data'",
        "read page 1 of 1 (4 of 4 records) of a paged API response: every page is here",
        "'location_coord' holds coordinates (3 rows): they are the columns location_coord.lat "
        "(latitude) and location_coord.lng (longitude)",
        "'venues' lists places (1 row): read as venues.postcode, venues.latitude and "
        "venues.longitude, the first place being the row's location; 1 row list several, each "
        "a location of the same service",
    ]
    assert out["mapping_used"]["latitude"] == "location_coord.lat"
    # Every row is placed: none is 'no location'; the London phone line is remote.
    assert _codes(out) == {4: ["remote_outside_area"]}
    directory, _ = load_directory(
        REAL / "groups_api.json",
        taxonomy=TAXONOMY,
        options=ImportOptions(columns=json.loads((REAL / "groups_api_columns.json").read_text())),
    )
    services = directory.services.set_index("service_name")
    assert services.loc["Wren Walking Group", "locations"].geom_type == "MultiPoint"
    assert services.loc["Wren Walking Group", "postcode"] == "BS8 1TH"
    assert services.loc["Plover Listening Line", "area_kind"] == "citywide"
    assert services["location"].notna().all()


def test_a_point_in_one_cell(capsys):
    code, out = _validate(capsys, "pairs.csv", "--columns", str(REAL / "pairs_columns.json"))
    assert (code, out["rows_read"], out["accepted"]) == (0, 5, 5)
    assert _codes(out) == {5: ["pair_order"]}
    problem = _problem(out, 5, "pair_order")
    assert (problem["column"], problem["value"]) == ("Coordinates", "-2.602451, 51.407323")
    code, out = _validate(
        capsys, "venues_wkt.csv", "--columns", str(REAL / "venues_wkt_columns.json")
    )
    assert (code, out["rows_read"], out["accepted"]) == (0, 4, 4)
    assert _codes(out) == {5: ["pair_order"]}
    assert _problem(out, 5, "pair_order")["fix"] == (
        "write the point as longitude, latitude, e.g. POINT(-2.5885 51.4602)"
    )


def test_a_postcode_district_alone_is_an_approximate_place(capsys, tmp_path):
    accepted = tmp_path / "accepted.csv"
    code, out = _validate(capsys, "districts.csv", "--accepted", str(accepted))
    assert code == 0
    assert _codes(out) == {
        2: ["approximate_location"],
        3: ["approximate_location"],
        5: ["postcode_not_found", "no_location"],
        6: ["postcode_not_found", "no_location"],
    }
    assert _problem(out, 2, "approximate_location")["reason"].startswith(
        "BS13 is a postcode district, not a full postcode: the point used is the centroid of "
        "its 768 postcode(s) in Bristol, City of"
    )
    assert _problem(out, 5, "postcode_not_found")["reason"].startswith(
        "only a postcode district, and it is in another area (not in Bristol, City of) or does "
        "not exist: no postcode of Bristol, City of is in district GL1"
    )
    assert _problem(out, 6, "postcode_not_found")["reason"].startswith(
        "this postcode is in another area (not in Bristol, City of)"
    )
    rows = list(csv.DictReader(io.StringIO(accepted.read_text(encoding="utf-8-sig"))))
    assert [row["postcode"] for row in rows[:2]] == ["BS13", "BS13 7"]


def test_points_beyond_the_boundary_are_told_with_their_distance(capsys):
    code, out = _validate(capsys, "edge_points.csv")
    assert (code, out["accepted"], out["rejected"]) == (0, 5, 0)
    assert _codes(out) == {
        3: ["near_boundary"],
        4: ["near_boundary"],
        5: ["outside_area"],
        6: ["remote_outside_area"],
    }
    assert _problem(out, 3, "near_boundary")["reason"] == (
        "the point lies 296 m outside the boundary of Bristol, City of, within the 1.0 km "
        "margin for points on the edge, so it counts as in the area"
    )
    assert _problem(out, 5, "outside_area")["reason"] == (
        "the point lies 2.3 km outside Bristol, City of"
    )
    assert _problem(out, 6, "remote_outside_area")["reason"].startswith(
        "a phone or online service based outside the area (the point lies 2.3 km outside "
        "Bristol, City of): it is counted as a remote option"
    )


def test_a_named_contact_s_phone_and_email_are_never_the_service_s(capsys, tmp_path):
    accepted = tmp_path / "accepted.csv"
    code, out = _validate(capsys, "oruk_contacts.json", "--accepted", str(accepted))
    assert (code, out["format"], out["accepted"]) == (0, "oruk-json", 3)
    assert out["notes"][:2] == [
        "read as Open Referral UK 3.0: a page of its API (contents, total_items, total_pages)",
        "read page 1 of 1 (3 of 3 records) of a paged API response: every page is here",
    ]
    written = accepted.read_text(encoding="utf-8-sig")
    rows = {row["service_name"]: row for row in csv.DictReader(io.StringIO(written))}
    contacts = [(row["phone"], row["service_phone"], row["email"]) for row in rows.values()]
    assert contacts == [
        ("", "", ""),  # only its adviser's mobile and email: none is the service's
        ("", "0117 496 0301", ""),  # its own phone, not its volunteer's
        ("0117 496 0302", "", "hello@gull.example.org"),  # its organisation's own
    ]
    for private in ("07700 9001", "a.adviser@", "c.manager@", "d.helper@"):
        assert private not in written


def test_pages_of_a_paged_feed_say_which_and_how_many(capsys, tmp_path):
    code, out = _validate(capsys, "oruk_pages.json")
    assert (code, out["rows_read"], out["format"]) == (0, 3, "oruk-json")
    assert out["notes"][:2] == [
        "read as Open Referral UK 1.0: 2 pages of its API",
        "read pages 1, 2 of 2 (3 of 3 records) of a paged API response: every page is here",
    ]
    missing = (
        "read pages 1, 2 of 3 (4 of 5 records) of a paged API response: page 3 missing. Fix: "
        "fetch every page and load them together (a JSON list of the pages, or a zip of the "
        "page files), or ask the publisher for a full export"
    )
    code, out = _validate(capsys, "oruk_pages")  # a folder of page files
    assert (code, out["rows_read"]) == (0, 4) and out["notes"][1] == missing
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for page in sorted((REAL / "oruk_pages").iterdir()):
            archive.write(page, f"feed/{page.name}")
    zipped = tmp_path / "pages.zip"
    zipped.write_bytes(buffer.getvalue())
    assert main(["validate", str(zipped), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["notes"][1] == missing


@pytest.fixture(scope="module")
def testshire(tmp_path_factory) -> Path:
    """The synthetic two-ward Testshire, built into a temporary folder."""
    folder = tmp_path_factory.mktemp("testshire")
    build_area(syn.write_sources(folder / "raw"), syn.LAD, folder / "area")
    return folder / "area"


def test_messages_name_the_area_loaded(capsys, testshire):
    area = load_area(testshire)
    code, out = _validate(capsys, "districts.csv", "--area", str(testshire))
    assert code == 1  # no row gives a service in Testshire
    reasons = " ".join(p["reason"] + " " + p["fix"] for p in out["problems"])
    assert "Bristol" not in reasons and "BS2 8NX" not in reasons
    assert _problem(out, 4, "postcode_not_found")["reason"] == (
        "this postcode is in another area (not in Testshire) or does not exist: no postcode "
        "of Testshire is in district BS5 (its postcodes start with TS1, TS2)"
    )
    assert _problem(out, 2, "postcode_not_found")["fix"] == (
        f"give the full postcode such as {area.example_postcode}, or latitude and longitude"
    )
    code, out = _validate(capsys, "edge_points.csv", "--area", str(testshire))
    lon, lat = area.typical_lonlat
    assert (
        f"latitude about {lat:.2f} and longitude about {lon:.2f} in Testshire"
        in (_problem(out, 2, "outside_area")["fix"])
    )


def test_read_table_of_each_fixture_says_its_reader():
    assert read_table(REAL / "groups_api.json").notes[0].startswith("read as a JSON table")
    assert read_table(REAL / "oruk_contacts.json").notes[0].startswith("read as Open Referral")
    assert read_table(REAL / "orgs_only.json").format == "oruk-json"
