"""A stored organisation and service as a form and back: every service of the demo comes
back from its form, through the importer's rules, as the record the store holds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from analysis import settings
from analysis.errors import StoreError
from analysis.ingest import load
from analysis.ingest.entry import check_entry
from analysis.ingest.load import build_directory
from analysis.ingest.options import DEFAULT_OPTIONS, ImportOptions
from analysis.ingest.read import read_table
from analysis.model import (
    AREA_KIND,
    AREA_VALUE,
    CATEGORIES,
    CONTACT_PUBLIC,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_SERVICE_EMAIL,
    LAST_UPDATED,
    LOCATIONS,
    ORG_ID,
    PHONE_PUBLIC,
    POSTCODE,
    SERVICE_ID,
    WARD_CODES,
    WARDS,
)
from analysis.settings import DEMO_SERVICES_PATH
from analysis.store.entry import entry_fields, entry_records
from analysis.store.importing import source_cells
from analysis.store.records import (
    ORGANISATION_FIELDS,
    SERVICE_FIELDS,
    SOURCE_TERMS,
    Record,
    organisation_records,
    service_records,
)
from analysis.taxonomy_file import load_taxonomy

ROW_OF_ITS_OWN = frozenset({LAST_UPDATED, CONTACT_PUBLIC, EMAIL_PUBLIC, PHONE_PUBLIC})
"""An organisation's fields a template row gives as its service's (the module's notes)."""


@dataclass(frozen=True)
class Imported:
    """What an import of a file stores: organisation and service records by id."""

    organisations: dict[str, Record]
    services: dict[str, Record]


def _import(source, area, taxonomy, *, filename=None, options=DEFAULT_OPTIONS) -> Imported:
    """The records `analysis.store.importing.import_file` writes for a file, in memory."""
    raw = read_table(source, filename=filename)
    directory, report = build_directory(raw, area=area, taxonomy=taxonomy, options=options)
    statuses, terms = source_cells(raw, report, directory)
    return Imported(
        organisation_records(directory.organisations),
        service_records(directory, statuses=statuses, source_terms=terms),
    )


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="module")
def demo(bristol, taxonomy) -> Imported:
    return _import(DEMO_SERVICES_PATH, bristol, taxonomy)


@pytest.fixture
def bristol_prepared_once(monkeypatch, bristol, shape):
    """Each check prepares Bristol from the same frames, to the same shape: give it the
    session's (`area_shape` is a pure function of the area), so that 900 checks take a
    minute and not five. The importer's checks run as they are."""
    prepare = load.area_shape

    def prepared(area, *, margin_m=settings.GEOCODE_MARGIN_M):
        if area is bristol and margin_m == shape.margin_m:
            return shape
        return prepare(area, margin_m=margin_m)

    monkeypatch.setattr(load, "area_shape", prepared)


def _round_trip(organisation: Record, service: Record | None, area, taxonomy, **ids):
    fields = entry_fields(organisation, service, area=area, taxonomy=taxonomy, **ids)
    check = check_entry(fields, area=area, taxonomy=taxonomy)
    assert check.is_accepted, (fields, check.problems)
    return check, *entry_records(check)


@pytest.mark.usefixtures("bristol_prepared_once")
def test_every_demo_service_comes_back_from_its_form(demo, bristol, taxonomy):
    differences = []
    for service_id, service in demo.services.items():
        organisation = demo.organisations[service[ORG_ID]]
        check, org_back, service_back = _round_trip(
            organisation, service, bristol, taxonomy, service_id=service_id
        )
        assert list(check.directory.services[SERVICE_ID]) == [service_id]
        assert list(check.directory.organisations[ORG_ID]) == [service[ORG_ID]]
        differences += [
            (service_id, name, service[name], service_back[name])
            for name in SERVICE_FIELDS
            if service_back[name] != service[name]
        ]
        differences += [
            (service[ORG_ID], name, organisation[name], org_back[name])
            for name in ORGANISATION_FIELDS
            if name not in ROW_OF_ITS_OWN and org_back[name] != organisation[name]
        ]
        # A template row says these once, for the service and its organisation alike.
        assert {name: org_back[name] for name in ROW_OF_ITS_OWN} == {
            name: service[name] for name in ROW_OF_ITS_OWN
        }
    assert not differences


@pytest.mark.usefixtures("bristol_prepared_once")
def test_every_demo_organisation_alone_comes_back_from_its_form(demo, bristol, taxonomy):
    differences = []
    for org_id, organisation in demo.organisations.items():
        check, org_back, _ = _round_trip(organisation, None, bristol, taxonomy, org_id=org_id)
        assert list(check.directory.organisations[ORG_ID]) == [org_id]
        differences += [
            (org_id, name, organisation[name], org_back[name])
            for name in ORGANISATION_FIELDS
            if org_back[name] != organisation[name]
        ]
    assert not differences


HEADER = (
    "org_id,org_name,service_id,service_name,categories,delivery,postcode,latitude,longitude,"
    "area_served,area_value,capacity,email,service_email"
)
ROWS = [
    "ash,Ash Club,venues,Two venues,food,in person,BS5 0HE; BS1 1BT,,,,,40,hi@ash.example.org,",
    "ash,Ash Club,placed,At a point,food,in person,BS5 0HE,51.45,-2.58,,,12.5,hi@ash.example.org,"
    "own@ash.example.org",
    "ash,Ash Club,nowhere,No place yet,food,in person,,,,,,,hi@ash.example.org,",
    "ash,Ash Club,said,Wards in words,Advice,phone,,,,Easton; Lawrence Hill,,,hi@ash.example.org,",
    "ash,Ash Club,district,District only,food,in person,BS13,,,2 miles,,,hi@ash.example.org,",
]
"""Rows 2 to 6 of a file: what the demo does not hold (several venues, a district alone,
no place, wards and a radius said in area_served's words, a reviewer's category)."""


@pytest.fixture(scope="module")
def rows(bristol, taxonomy, tmp_path_factory) -> Imported:
    path = tmp_path_factory.mktemp("entry") / "rows.csv"
    path.write_text("\n".join([HEADER, *ROWS]), encoding="utf-8")
    # A reviewer filed the row with broad terms under food.
    return _import(path, bristol, taxonomy, options=ImportOptions(category_choices={5: ("food",)}))


def test_several_venues_come_back_the_first_by_its_postcode(rows, bristol, taxonomy):
    service = rows.services["venues"]
    assert len(service[LOCATIONS]) == 2
    fields = entry_fields(rows.organisations["ash"], service, area=bristol, taxonomy=taxonomy)
    assert fields[POSTCODE] == "BS5 0HE;"
    assert fields[FIELD_LATITUDE].startswith("; 51.")
    _, _, back = _round_trip(rows.organisations["ash"], service, bristol, taxonomy)
    assert back[LOCATIONS] == service[LOCATIONS]
    assert back[POSTCODE] == service[POSTCODE]


def test_a_venue_at_its_postcode_is_written_as_the_postcode_alone(rows, bristol, taxonomy):
    organisation = rows.organisations["ash"]
    placed = entry_fields(organisation, rows.services["placed"], area=bristol, taxonomy=taxonomy)
    assert (placed[POSTCODE], placed[FIELD_LATITUDE], placed[FIELD_LONGITUDE]) == (
        "BS5 0HE",
        "51.45",
        "-2.58",
    )
    district = entry_fields(
        organisation, rows.services["district"], area=bristol, taxonomy=taxonomy
    )
    assert (district[POSTCODE], district[FIELD_LATITUDE]) == ("BS13", "")


def test_a_new_postcode_moves_the_venue(rows, bristol, taxonomy):
    organisation, service = rows.organisations["ash"], rows.services["district"]
    fields = entry_fields(organisation, service, area=bristol, taxonomy=taxonomy)
    check = check_entry({**fields, POSTCODE: "BS1 1BT"}, area=bristol, taxonomy=taxonomy)
    _, moved = entry_records(check)
    assert moved[LOCATIONS] == rows.services["venues"][LOCATIONS][1:]
    assert moved[POSTCODE] == "BS1 1BT"


def test_the_rows_come_back_but_for_what_a_template_row_cannot_say(rows, bristol, taxonomy):
    organisation = rows.organisations["ash"]
    for service_id, service in rows.services.items():
        _, _, back = _round_trip(organisation, service, bristol, taxonomy)
        differ = {name for name in SERVICE_FIELDS if back[name] != service[name]}
        expected = {
            # Wards said in area_served's words are written in area_value.
            "said": {AREA_VALUE, SOURCE_TERMS},
            # A radius in miles is written in km.
            "district": {AREA_VALUE},
        }.get(service_id, set())
        assert differ == expected, service_id
    said = rows.services["said"]
    assert (said[AREA_KIND], said[AREA_VALUE]) == (WARDS, "")
    fields = entry_fields(organisation, said, area=bristol, taxonomy=taxonomy)
    assert fields[AREA_VALUE] == "; ".join(bristol.ward_name(code) for code in said[WARD_CODES])
    # The reviewer's category is written as its id, which becomes the service's term.
    assert (said[CATEGORIES], said[SOURCE_TERMS]) == (["food"], ["Advice"])
    assert fields[CATEGORIES] == "food"


def test_a_service_s_own_contact_is_written_apart(rows, bristol, taxonomy):
    organisation = rows.organisations["ash"]
    own = entry_fields(organisation, rows.services["placed"], area=bristol, taxonomy=taxonomy)
    assert (own[EMAIL], own[FIELD_SERVICE_EMAIL]) == ("hi@ash.example.org", "own@ash.example.org")
    same = entry_fields(organisation, rows.services["venues"], area=bristol, taxonomy=taxonomy)
    assert same[FIELD_SERVICE_EMAIL] == ""
    # A service without an email of its own reads as its organisation's.
    blank = {**rows.services["venues"], EMAIL: ""}
    _, _, back = _round_trip(organisation, blank, bristol, taxonomy)
    assert back[EMAIL] == "hi@ash.example.org"


@pytest.mark.parametrize(
    ("contact", "email", "phone"), [(True, False, True), (False, True, False), (False, False, True)]
)
def test_each_detail_s_flag_comes_back_from_the_form(
    rows, bristol, taxonomy, contact, email, phone
):
    flags = {CONTACT_PUBLIC: contact, EMAIL_PUBLIC: email, PHONE_PUBLIC: phone}
    organisation = {**rows.organisations["ash"], **flags}
    service = {**rows.services["placed"], **flags}
    fields = entry_fields(organisation, service, area=bristol, taxonomy=taxonomy)
    assert {name: fields[name] for name in flags} == {
        name: "yes" if value else "no" for name, value in flags.items()
    }
    _, org_back, back = _round_trip(organisation, service, bristol, taxonomy)
    assert {name: back[name] for name in flags} == flags
    assert {name: org_back[name] for name in flags} == flags
    _, org_alone = entry_records(
        check_entry(
            entry_fields(organisation, None, area=bristol, taxonomy=taxonomy),
            area=bristol,
            taxonomy=taxonomy,
        )
    )
    assert {name: org_alone[name] for name in flags} == flags


def test_a_service_without_a_place_is_left_to_the_importer(rows, bristol, taxonomy):
    service = rows.services["nowhere"]
    assert service[LOCATIONS] == []
    fields = entry_fields(rows.organisations["ash"], service, area=bristol, taxonomy=taxonomy)
    assert fields[FIELD_AREA_SERVED] == ""


def test_a_rejected_entry_gives_no_record(rows, bristol, taxonomy):
    fields = entry_fields(
        rows.organisations["ash"], rows.services["venues"], area=bristol, taxonomy=taxonomy
    )
    check = check_entry({**fields, FIELD_AREA_SERVED: "radius_km"}, area=bristol, taxonomy=taxonomy)
    assert not check.is_accepted
    with pytest.raises(StoreError, match="the entry was not accepted: area_value: .*radius"):
        entry_records(check)
