"""A stored organisation and service as a form's fields, and a checked form as records.

A person edits one organisation and one of its services through a form of the template's
columns, checked by the importer's own rules (`analysis.ingest.entry.check_entry`). Here
are its two ends on the store's side:

- `entry_fields`: the template texts that describe a stored organisation and service
  (what the form opens with);
- `entry_records`: the organisation record and the service record an accepted entry
  gives, made as an import makes them (`records.organisation_records`,
  `records.service_records`, `importing.source_cells`), so that they compare equal with
  stored records field for field.

``entry_records(check_entry(entry_fields(org, service)))`` gives back the stored records
on every field a person can edit (`records.SERVICE_FIELDS` but ``last_verified``), with
the exceptions below.

Notes
-----
What an entry's records hold that no form field sets, and a save must take from the
stored record instead:

- ``flags`` and ``source_row`` (`records.IMPORT_NOTES`): the entry's own warnings and
  row 2, the import bookkeeping of a one-row table; a person's save keeps the stored ones
  (`analysis.store.editing`);
- ``archived`` (always False) and ``last_verified`` (None): a soft delete and a
  verification are acts of their own, never a form's fields;
- the ids: the template's ``org_id`` and ``service_id`` carry them (`entry_fields` fills
  ``org_id`` from the service's organisation and both from ``org_id=``/``service_id=``);
  a record is keyed by its id outside it, and ``check.directory`` holds the ids.

What the template cannot say, so that a value comes back otherwise:

- an organisation's ``last_updated`` and its flags ``contact_public``, ``email_public``
  and ``phone_public``: a template row has one of each, the service's; the importer gives
  its organisation the latest ``last_updated`` of its rows and the first row's flags. An
  entry of an organisation and a service gives the organisation the service's; an
  organisation alone (``service=None``) writes its own and gets them back;
- a service's email, phone or website left blank while its organisation has one: a
  blank service contact means "its organisation's" (``service_email`` … are written only
  where they differ), so the organisation's comes back;
- the postcodes of a service's further venues: a record keeps the first venue's postcode
  only, so the others are written as coordinates (the venues themselves come back);
- ``source_terms`` when a service's categories are not what its terms name (a suggestion
  accepted, a reviewer's choice, an Open Referral UK term read by its code): the
  categories are written as their ids, so they come back, and the ids become its terms;
- a service with no delivery mode: a blank delivery is read as in person;
- an ``area_value`` that does not give the service's wards or radius (the wards or the
  radius given in ``area_served``'s words, "2 miles"): the wards' names (codes if two
  share a name) or the radius in km are written instead, so the area comes back and the
  value becomes what was written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

import numpy as np

from analysis.crs import bng_to_lonlat, lonlat_to_bng
from analysis.errors import StoreError
from analysis.geography import AreaSet, partial_postcode
from analysis.ingest.area_lookup import lookup_postcode_text
from analysis.ingest.area_served import match_wards
from analysis.ingest.cells import parse_categories, parse_radius_km
from analysis.ingest.entry import EntryCheck
from analysis.ingest.locate import AreaShape, area_shape
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_KIND,
    AREA_VALUE,
    AT_LOCATION,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_SERVICE_DESCRIPTION,
    FIELD_SERVICE_EMAIL,
    FIELD_SERVICE_PHONE,
    FIELD_SERVICE_WEBSITE,
    FIELD_STATUS,
    LAST_UPDATED,
    LIST_SEPARATOR,
    LOCATIONS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_KM,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    WARD_CODES,
    WARDS,
    WEBSITE,
)
from analysis.store.importing import source_cells
from analysis.store.records import (
    SOURCE_TERMS,
    Record,
    organisation_records,
    service_records,
    with_detail_flags,
)
from analysis.store.schema import ACTIVE
from analysis.taxonomy import Taxonomy

# How the template writes contact_public and the details' flags (as the file of accepted
# rows does).
YES: Final = "yes"
NO: Final = "no"
_DETAIL_FLAGS: Final = (EMAIL_PUBLIC, PHONE_PUBLIC)
_SERVICE_CONTACTS: Final = {
    EMAIL: FIELD_SERVICE_EMAIL,
    PHONE: FIELD_SERVICE_PHONE,
    WEBSITE: FIELD_SERVICE_WEBSITE,
}
_MM: Final = 3
"""Decimals of a venue's metres a record keeps (`analysis.store.records`)."""
_DEGREE_DECIMALS: Final = (6, 7, 8, 9)
"""Decimals tried for a venue's coordinates, fewest first: 9 is a tenth of a millimetre."""
_CORRECTIONS: Final = 2
"""Corrections of a venue's degrees by what reading them back misses (each gains digits)."""
_TERM_BREAK: Final = re.compile(r"[;\n]")
"""What splits a categories cell into terms, for the importer and for the store alike."""


def entry_fields(
    organisation: Record,
    service: Record | None,
    *,
    area: AreaSet,
    taxonomy: Taxonomy,
    org_id: str | None = None,
    service_id: str | None = None,
) -> dict[str, str]:
    """The template's column texts that describe a stored organisation and service.

    Parameters
    ----------
    organisation
        The organisation's record (`analysis.store.records`).
    service
        One of its services' records; None for the organisation alone (its columns, with
        its own ``last_updated`` and ``contact_public``).
    area, taxonomy
        The area the service is placed in and the need categories: what the entry will
        be checked against.
    org_id, service_id
        The ids to write in ``org_id`` and ``service_id``; default the service's
        organisation and blank (a blank id is made from the names, as for a file).

    Returns
    -------
    dict
        Template column -> text, every column the form shows (the service's own contacts
        and its status included), for `analysis.ingest.entry.check_entry`.

    Notes
    -----
    A venue that is its postcode's own point is written as the postcode alone, so that a
    new postcode moves it; any other venue as its coordinates too (WGS84, the fewest
    decimals, 6 to 9, that give back the stored point to the millimetre). Categories are
    written as the service's own terms when these name exactly its categories, else as
    the category ids. See the module's notes for what does not come back.
    """
    default_org_id = str(service[ORG_ID]) if service is not None else ""
    fields = {
        ORG_ID: default_org_id if org_id is None else org_id,
        ORG_NAME: _text(organisation[ORG_NAME]),
        FIELD_ORG_KIND: _text(organisation[ORG_KIND]),
        CHARITY_NUMBER: _text(organisation[CHARITY_NUMBER]),
        WEBSITE: _text(organisation[WEBSITE]),
        EMAIL: _text(organisation[EMAIL]),
        PHONE: _text(organisation[PHONE]),
        FIELD_ORG_DESCRIPTION: _text(organisation[DESCRIPTION]),
    }
    if service is None:
        fields[LAST_UPDATED] = _text(organisation[LAST_UPDATED])
        return fields | _flag_texts(organisation)
    shape = _venue_area(area, _text(service[POSTCODE]) if service[LOCATIONS] else "")
    fields |= {
        SERVICE_ID: service_id or "",
        SERVICE_NAME: _text(service[SERVICE_NAME]),
        FIELD_SERVICE_DESCRIPTION: _text(service[DESCRIPTION]),
        CATEGORIES: _categories_text(service, taxonomy),
        DELIVERY: LIST_SEPARATOR.join(service[DELIVERY]),
        **_place_texts(service, shape),
        **_area_texts(service, shape),
        CAPACITY: _number_text(service[CAPACITY]),
        AUDIENCE: _text(service[AUDIENCE]),
        ACTIVE_FROM: _text(service[ACTIVE_FROM]),
        ACTIVE_UNTIL: _text(service[ACTIVE_UNTIL]),
        LAST_UPDATED: _text(service[LAST_UPDATED]),
        **_flag_texts(service),
    }
    for org_field, own_field in _SERVICE_CONTACTS.items():
        own = _text(service[org_field])
        fields[own_field] = "" if own == fields[org_field] else own
    fields[FIELD_STATUS] = _text(service[FIELD_STATUS]) or ACTIVE
    return fields


def _flag_texts(record: Record) -> dict[str, str]:
    """Whether the record's website, email and phone are public, as the template writes it.

    Each detail's flag is written, even where it is the record's ``contact_public``, so
    that the form shows it and a change of ``contact_public`` alone moves no other.
    """
    flags = with_detail_flags(record)
    return {flag: YES if flags[flag] else NO for flag in (CONTACT_PUBLIC, *_DETAIL_FLAGS)}


def entry_records(check: EntryCheck) -> tuple[Record, Record]:
    """The organisation record and the service record the store would write for an entry.

    They are made as an import of the entry's one-row table makes them: its status and
    its own category terms read from the table (`analysis.store.importing.source_cells`),
    the rest from the Directory the importer built. See the module's notes for the
    fields a save takes from the stored record instead (flags, row, archived, verified).

    Raises
    ------
    StoreError
        When the importer rejected the entry: it gives no record.
    """
    directory = check.directory
    if directory is None:
        errors = [problem for problem in check.problems if problem.is_error]
        why = f": {errors[0].column or 'the entry'}: {errors[0].message}" if errors else ""
        raise StoreError(
            f"the entry was not accepted{why}; it gives no record to store. Fix: correct "
            "the fields its problems name and check it again"
        )
    statuses, terms = source_cells(check.table, check.report, directory)
    (organisation,) = organisation_records(directory.organisations).values()
    (service,) = service_records(directory, statuses=statuses, source_terms=terms).values()
    return organisation, service


def _venue_area(area: AreaSet, postcode: str) -> AreaShape:
    """The area prepared for the importer's own lookups of one service's postcode and wards.

    Only a few postcodes can give a postcode's point: itself, or for a district or sector
    alone the district's postcodes (whose centroids are its point). The table is cut to
    them, since preparing the whole of it takes a tenth of a second or more.
    """
    codes = area.postcodes[POSTCODE].astype(str)
    partial = partial_postcode(postcode) if postcode else None
    if partial is not None:
        kept = codes.str.startswith(f"{partial.split(' ')[0]} ")
    else:
        kept = codes == postcode
    return area_shape(replace(area, postcodes=area.postcodes[kept.to_numpy()]))


def _categories_text(service: Record, taxonomy: Taxonomy) -> str:
    """The categories cell: the service's own terms when they name its categories, else ids.

    The terms are written one after another with ``; ``, so each must read back as one
    term (no ``;`` or line break inside, none blank or given twice).
    """
    categories, terms = tuple(service[CATEGORIES]), list(service[SOURCE_TERMS])
    text = LIST_SEPARATOR.join(terms)
    readable = len(set(terms)) == len(terms) and all(
        term and term == term.strip() and not _TERM_BREAK.search(term) for term in terms
    )
    if readable and parse_categories(text, taxonomy).ids == categories:
        return text
    return LIST_SEPARATOR.join(categories)


def _place_texts(service: Record, shape: AreaShape) -> dict[str, str]:
    """The postcode, latitude and longitude cells of a service's venues (`;` between)."""
    postcode = _text(service[POSTCODE])
    venues = [tuple(xy) for xy in service[LOCATIONS]]
    if not venues:
        return {POSTCODE: postcode, FIELD_LATITUDE: "", FIELD_LONGITUDE: ""}
    looked = lookup_postcode_text(postcode, shape.postcodes)
    own = looked.point is not None and _mm(looked.point) == _mm(venues[0])
    cells = [(postcode, "", "") if own else (postcode, *_degrees(venues[0]))]
    cells += [("", *_degrees(venue)) for venue in venues[1:]]
    columns = zip(*cells, strict=True)
    return {
        name: LIST_SEPARATOR.join(pieces).strip() if any(pieces) else ""
        for name, pieces in zip((POSTCODE, FIELD_LATITUDE, FIELD_LONGITUDE), columns, strict=True)
    }


def _degrees(venue: tuple[float, float]) -> tuple[str, str]:
    """Latitude and longitude texts of a venue that read back as it, to the millimetre.

    The transform back from degrees is not the exact inverse of the one to them (by up to
    a millimetre), so the degrees are corrected by what reading them back misses.
    """
    target = np.asarray(venue, dtype=float)
    start = _lonlat(target)
    lonlat = start
    for _ in range(_CORRECTIONS):
        missed = target - np.asarray(lonlat_to_bng(*lonlat), dtype=float)
        lonlat = lonlat + _lonlat(target + missed) - start
    for decimals in _DEGREE_DECIMALS:
        lon_text, lat_text = (_decimal(float(value), decimals) for value in lonlat)
        if _mm(lonlat_to_bng(float(lon_text), float(lat_text))) == _mm(venue):
            break
    return lat_text, lon_text


def _area_texts(service: Record, shape: AreaShape) -> dict[str, str]:
    """The area served and its value: the value as given when it gives the same area."""
    kind, value = _text(service[AREA_KIND]), _text(service[AREA_VALUE])
    codes = tuple(service[WARD_CODES])
    if kind == WARDS and match_wards(value, shape)[0] != codes:
        # By their names, as a person writes them, unless two wards share one.
        names = LIST_SEPARATOR.join(shape.ward_names.get(code, code) for code in codes)
        value = names if match_wards(names, shape)[0] == codes else LIST_SEPARATOR.join(codes)
    if kind == RADIUS_KM:
        radius_km = parse_radius_km(value)
        if radius_km is None or radius_km * 1000.0 != service[RADIUS_M]:
            value = _number_text(service[RADIUS_M] / 1000.0)
    if kind == AT_LOCATION and not service[LOCATIONS]:
        # Asked for, a catchment without a place rejects the row; left to the importer,
        # it is kept (flagged no_location), as the stored service was.
        kind = ""
    return {FIELD_AREA_SERVED: kind, AREA_VALUE: value}


def _lonlat(xy: np.ndarray) -> np.ndarray:
    return np.asarray(bng_to_lonlat(*xy), dtype=float)


def _mm(xy: object) -> tuple[float, ...]:
    return tuple(np.round(np.asarray(xy, dtype=float), _MM).tolist())


def _decimal(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def _number_text(value: float | None) -> str:
    """A number as a cell: whole numbers without ``.0``; blank for None."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _text(value: object) -> str:
    return "" if value is None else str(value)
