"""Open Referral UK: v1 and v3 JSON, feed variants, CSV packages and the standard's examples."""

from __future__ import annotations

import io
import json
import math
import shutil
import zipfile

import pytest

from analysis.errors import IngestError
from analysis.ingest.load import load_directory
from analysis.ingest.oruk import is_oruk_services_header, records_from_json, records_from_tables
from analysis.ingest.read import read_table
from tests.analysis.ingest.helpers import AS_OF, ORUK_DATA, SHARED_OPENREFERRAL, TAXONOMY, load


def _load_path(path, bristol):
    return load_directory(path, area=bristol, taxonomy=TAXONOMY, as_of=AS_OF)


def test_v1_page(bristol):
    directory, report = _load_path(ORUK_DATA / "v1_page.json", bristol)
    assert (report.format, report.rows_read, report.accepted, report.rejected) == (
        "oruk-json",
        3,
        3,
        0,
    )
    services = directory.services.set_index("service_name")
    pantry = services.loc["Heron Community Pantry"]
    assert pantry["categories"] == ("food",)  # 'Adult social care' is broad ...
    assert report.categories.broad_terms == {"Adult social care": 1}  # ... and is listed
    assert report.unmapped_categories == {}
    assert (pantry["postcode"], pantry["area_kind"], pantry["radius_m"]) == (
        "BS5 0HE",
        "at_location",
        1500.0,
    )
    # Its only phone is its contact's ('Front desk'): a contact's number is not the
    # service's public one.
    assert (pantry["phone"], pantry["audience"]) == ("", "adults; ages 18+")
    assert report.notes[0] == (
        "read as Open Referral UK 1.0: a page of its API (content, totalElements, totalPages)"
    )
    line = services.loc["Heron Debt Line"]
    assert (line["delivery"], line["area_kind"], line["area_value"]) == (
        ("phone",),
        "citywide",
        "Bristol",
    )
    club = services.loc["Kestrel Youth Club"]
    assert (club["area_kind"], club["ward_codes"]) == ("wards", ("E05010896", "E05010907"))
    assert set(directory.organisations["org_name"]) == {"Heron Neighbours", "Kestrel Trust"}
    assert report.mapping_used["latitude"] == "location.latitude"


def test_v3_page_several_locations_identifiers_and_status(bristol):
    directory, report = _load_path(ORUK_DATA / "v3_page.json", bristol)
    assert (report.rows_read, report.accepted, report.rejected) == (2, 2, 0)
    cafe, closed = directory.services.itertuples(index=False)
    assert cafe.categories == ("mental_health",)
    assert cafe.delivery == ("in person", "online")
    assert cafe.postcode == "BS8 1TH"  # the physical address, not the postal one
    # Two locations: the union of two 3 km catchments, larger than one circle.
    assert cafe.geometry.area > 1.2 * 3.14 * 3000**2
    # Open Referral UK has no capacity field: a feed's capacities are all unknown.
    assert math.isnan(cafe.capacity) and math.isnan(closed.capacity)
    assert cafe.flags == ("unknown_capacity",)
    assert closed.flags == ("unknown_capacity", "inactive")
    assert report.unmapped_categories == {"Cake decorating": 1}
    org = directory.organisations.iloc[0]
    assert (org["kind"], org["charity_number"]) == ("charity", "9900001")


def test_messy_feed_variants(bristol):
    directory, report = _load_path(ORUK_DATA / "messy_feed.json", bristol)
    assert (report.rows_read, report.accepted, report.rejected) == (4, 4, 0)
    by_name = directory.services.set_index("service_name")
    food = by_name.loc["Bramble Food & Advice"]
    assert food["categories"] == ("food", "money_advice")
    assert food["location"].distance(by_name.loc["Bramble Lifts"]["location"]) > 1000
    assert by_name.loc["Bramble Lifts"]["org_id"] == "org-m"  # joined by name, not duplicated
    assert report.unmapped_categories == {"Knitting circle": 1}
    assert by_name.loc["Bramble Listening Line"]["area_kind"] == "citywide"
    mystery = by_name.loc["Mystery Drop-in"]
    assert mystery["flags"] == (
        "org_name_from_service",
        "uncategorised",
        "no_location",
        "unknown_capacity",
    )
    assert mystery["geometry"].is_empty


@pytest.mark.parametrize("package", ["package_v1", "package_v3"])
def test_csv_packages_from_folder_and_zip(bristol, package):
    folder = ORUK_DATA / package
    directory, report = _load_path(folder, bristol)
    assert report.format == "oruk-csv"
    assert report.rejected == 0 and report.rows_read == len(directory.services)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{package}/{path.name}")
    zipped, zipped_report = load(buffer.getvalue(), bristol, filename=f"{package}.zip")
    assert zipped_report.to_dict() | {"source": ""} == report.to_dict() | {"source": ""}
    assert zipped.services.drop(columns="geometry").equals(
        directory.services.drop(columns="geometry")
    )


def test_package_v1_joins_its_tables(bristol):
    directory, report = _load_path(ORUK_DATA / "package_v1", bristol)
    services = directory.services.set_index("service_id")
    assert services.loc["svc-1", "categories"] == ("food", "befriending")
    assert services.loc["svc-2", "categories"] == ("carers",)  # taxonomy_detail 'Respite'
    assert services.loc["svc-3", "categories"] == ("food",)  # services.taxonomy_ids
    assert services.loc["svc-3", "ward_codes"] == ("E05010918", "E05010887")
    assert services.loc["svc-1", "phone"] == "0117 496 0002"
    assert services.loc["svc-1", "source_row"] == 2
    orgs = directory.organisations.set_index("org_id")
    assert orgs.loc["org-1", "charity_number"] == "9900002"
    assert orgs.loc["org-2", "kind"] == "mutual aid group"
    assert "org-3" in orgs.index  # listed without services, still an organisation
    assert report.mapping_used["categories"] == "taxonomy terms"


def test_extended_data_package_imports_without_rejection(bristol, tmp_path):
    descriptor = SHARED_OPENREFERRAL / "uk-v1" / "ExtendedDataPackage.json"
    if not descriptor.is_file():
        pytest.skip(f"Open Referral UK files not found at {SHARED_OPENREFERRAL}")
    # The descriptor holds no data; its tables are our v1 fixture CSVs, named as it says.
    shutil.copytree(ORUK_DATA / "package_v1", tmp_path / "package")
    shutil.copy(descriptor, tmp_path / "package" / "datapackage.json")
    directory, report = _load_path(tmp_path / "package", bristol)
    assert (report.rows_read, report.accepted, report.rejected) == (3, 3, 0)
    assert len(directory.organisations) == 3
    # The descriptor's path stands for its folder.
    _, same = _load_path(tmp_path / "package" / "datapackage.json", bristol)
    assert same.to_dict() == report.to_dict()


def test_a_descriptor_alone_is_not_data(bristol):
    descriptor = SHARED_OPENREFERRAL / "uk-v1" / "ExtendedDataPackage.json"
    if not descriptor.is_file():
        pytest.skip(f"Open Referral UK files not found at {SHARED_OPENREFERRAL}")
    with pytest.raises(
        IngestError,
        match="ExtendedDataPackage.json is a data package descriptor: it describes 26 tables "
        "\\(organizations.csv, identifiers.csv, programs.csv, services.csv, "
        "services_taxonomy.csv, services_at_location.csv…\\) but holds no data. Fix: load the "
        "folder \\(or a zip\\) holding it together with its CSV files",
    ):
        read_table(descriptor)


STANDARD_EXAMPLES = [
    "service_full.json",
    "service_list.json",
    "organization_full.json",
    "organization_list.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
]


@pytest.mark.parametrize("name", STANDARD_EXAMPLES)
def test_the_standard_v3_examples_import_without_rejection(bristol, name):
    path = SHARED_OPENREFERRAL / "uk-v3" / "examples" / name
    if not path.is_file():
        pytest.skip(f"Open Referral UK files not found at {SHARED_OPENREFERRAL}")
    _, report = _load_path(path, bristol)
    assert report.rejected == 0
    assert report.rows_read == (0 if name == "organization_list.json" else 1)
    shape = {
        "service_full.json": "one service",
        "organization_full.json": "an organisation with its services",
        "service_at_location_full.json": "a service_at_location entry",
    }.get(name, "a page of its API")
    assert report.notes[0].startswith(f"read as Open Referral UK 3.0: {shape} (")


def test_the_standard_v3_csv_examples_import_without_rejection(bristol, tmp_path):
    examples = SHARED_OPENREFERRAL / "uk-v3" / "examples" / "csv"
    if not examples.is_dir():
        pytest.skip(f"Open Referral UK files not found at {SHARED_OPENREFERRAL}")
    shutil.copytree(examples, tmp_path / "package")
    shutil.copy(SHARED_OPENREFERRAL / "uk-v3" / "datapackage.json", tmp_path / "package")
    directory, report = _load_path(tmp_path / "package", bristol)
    assert (report.rows_read, report.accepted, report.rejected) == (1, 1, 0)
    # Its example location (latitude 100) and postcode ('ABC 1234') are reported, not fatal.
    codes = {problem.code for problem in report.problems}
    assert {"bad_coordinates", "bad_postcode", "no_location"} <= codes
    assert directory.services.iloc[0]["source_row"] == 2


def test_taxonomy_files_are_not_services():
    with pytest.raises(IngestError, match="t.json lists 2 taxonomy term\\(s\\), not services"):
        records_from_json([{"id": "1", "term": "a"}, {"id": "2", "vocabulary": "v"}], name="t.json")


def test_paged_feeds_say_which_pages_of_how_many_and_accept_lists_of_pages():
    page = {
        "content": [{"id": "1", "name": "A"}],
        "totalElements": 30,
        "totalPages": 3,
        "number": 1,
    }
    fix = (
        "Fix: fetch every page and load them together (a JSON list of the pages, or a zip of "
        "the page files), or ask the publisher for a full export"
    )
    assert records_from_json(page).notes == (
        "read page 1 of 3 (1 of 30 records) of a paged API response: pages 2, 3 missing. " + fix,
    )
    second = {"content": [{"id": "2", "name": "B"}], "totalElements": 30, "number": 2}
    parsed = records_from_json([second, page])  # read in page order, whatever the file's
    assert [record.get("service_name") for record in parsed.records] == ["A", "B"]
    assert parsed.notes == (
        "read pages 1, 2 of 3 (2 of 30 records) of a paged API response: page 3 missing. " + fix,
    )
    whole = [dict(p, totalElements=3) for p in (page, second)]
    whole.append({"content": [{"id": "3", "name": "C"}], "totalElements": 3, "number": 3})
    assert records_from_json(whole).notes == (
        "read pages 1–3 of 3 (3 of 3 records) of a paged API response: every page is here",
    )
    short = records_from_json([dict(p, totalPages=2) for p in (page, second)]).notes[0]
    assert short.startswith(
        "read pages 1, 2 of 2 (2 of 30 records) of a paged API response: 28 records are not "
        "in the file."
    )
    twice = records_from_json([page, page]).notes[0]
    assert twice.startswith("read page 1 of 3 (2 of 30 records) of a paged API response: page 1 ")
    assert "page 1 given more than once; pages 2, 3 missing" in twice


def test_pages_numbered_from_zero_and_v3_pages():
    zero = {"content": [{"id": "1", "name": "A"}], "totalElements": 2, "totalPages": 2, "number": 0}
    one = {"content": [{"id": "2", "name": "B"}], "totalElements": 2, "totalPages": 2, "number": 1}
    assert records_from_json([zero, one]).notes == (
        "read pages 1, 2 of 2 (2 of 2 records) of a paged API response: every page is here",
    )
    v3 = {"contents": [{"id": "1", "name": "A"}], "total_items": 40, "total_pages": 4}
    v3["page_number"] = 2
    assert (
        records_from_json(v3)
        .notes[0]
        .startswith(
            "read page 2 of 4 (1 of 40 records) of a paged API response: pages 1, 3, 4 missing."
        )
    )


def test_service_at_location_entries_are_grouped_by_service():
    entries = [
        {"service": {"id": "s", "name": "A"}, "location": {"latitude": 51.45, "longitude": -2.6}},
        {"service": {"id": "s", "name": "A"}, "location": {"postcode": "BS1 1BT"}},
    ]
    (record,) = records_from_json(entries).records
    assert (record.get("latitude"), record.get("longitude")) == ("51.45", "-2.6")
    assert record.other_locations == (("BS1 1BT", "", ""),)


def test_flat_json_dataset_and_inline_data_package():
    dataset = {
        "organisations": [{"id": "o", "name": "Org"}],
        "services": [{"id": "s", "organisation_id": "o", "name": "Svc"}],
    }
    (record,) = records_from_json(dataset).records
    assert (record.get("org_name"), record.row) == ("Org", 1)
    package = {"resources": [{"name": "service", "data": [{"id": "s", "name": "Svc"}]}]}
    (record,) = records_from_json(package).records
    assert record.get("service_name") == "Svc"


def test_unrecognised_json_and_missing_services_table():
    with pytest.raises(IngestError, match="x.json is JSON but not an Open Referral UK feed"):
        records_from_json({"colour": "blue"}, name="x.json")
    with pytest.raises(IngestError, match="p has no services table \\(found: locations\\)"):
        records_from_tables({"locations": []}, name="p")


def test_a_lone_services_csv_is_recognised():
    assert is_oruk_services_header(["id", "organisation_id", "name", "description"])
    assert not is_oruk_services_header(["org_id", "org_name"])
    table = read_table(b"id,organization_id,name\ns1,o1,Svc\n", filename="services.csv")
    assert (table.format, table.frame.loc[2, "service_name"]) == ("oruk-csv", "Svc")
    assert json.dumps(table.column_labels)  # labels are plain text


def test_a_package_contact_s_phone_is_never_the_service_s(bristol, tmp_path):
    package = tmp_path / "package"
    shutil.copytree(ORUK_DATA / "package_v1", package)
    with (package / "phones.csv").open("a", encoding="utf-8") as phones:
        phones.write("ph-2,,svc-2,,ct-1,,07700 900123,,,,,\n")  # a named person's mobile
        phones.write("ph-3,,,org-1,,,0117 496 0003,,,,,\n")  # the organisation's own
    (package / "contacts.csv").write_text(
        "id,organization_id,service_id,name,title,department,email\n"
        "ct-1,,svc-2,A. Person,Coordinator,,a.person@example.org\n",
        encoding="utf-8",
    )
    directory, report = _load_path(package, bristol)
    assert report.rejected == 0
    services = directory.services.set_index("service_id")
    assert services.loc["svc-1", "phone"] == "0117 496 0002"  # its own
    assert services.loc["svc-2", "phone"] == "0117 496 0003"  # its organisation's
    shown = directory.services.to_csv() + directory.organisations.to_csv()
    assert "07700 900123" not in shown and "a.person@example.org" not in shown
    assert report.notes[0].startswith("read as an Open Referral UK 1.0 CSV package: tables ")
