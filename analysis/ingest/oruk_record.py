"""One Open Referral UK service (and its organisation) as a record of the template's fields.

The record holds what the checker reads, typed as the feed gives it: text for single
values, and tuples for what a service lists — its taxonomy terms (`CATEGORIES`), attending
types (`DELIVERY`), service areas (`AREA_VALUE`) and further locations (`Place`s). Nothing
is joined here to be split again by the checker, and nothing is judged: what does not fit
is checked and reported by `analysis.ingest.check`.

The keys read from a feed are Open Referral UK's own (``"phones"``, ``"organization"``…),
with the variants real feeds use (``"organisation"``, ``"lat"``, GeoJSON points).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from analysis.ingest.cells import CategoryTerms, Cell, FeedTerm, Place, Terms
from analysis.ingest.coordinates import format_degrees, is_point_object, point_from_value
from analysis.ingest.fields import FIELD_NAMES
from analysis.model import (
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DELIVERY,
    EMAIL,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_OTHER_LOCATIONS,
    FIELD_SERVICE_DESCRIPTION,
    FIELD_SERVICE_EMAIL,
    FIELD_SERVICE_PHONE,
    FIELD_SERVICE_WEBSITE,
    FIELD_STATUS,
    LAST_UPDATED,
    ORG_ID,
    ORG_NAME,
    PHONE,
    POSTCODE,
    SERVICE_ID,
    SERVICE_NAME,
    WEBSITE,
)
from analysis.vocabulary_map import vocabulary_codes

# Field -> where an ORUK service record keeps it (shown as the "column" of problems).
ORUK_COLUMN_LABELS: Final[dict[str, str]] = {
    ORG_ID: "organization.id",
    ORG_NAME: "organization.name",
    FIELD_ORG_KIND: "organization.legal_status",
    CHARITY_NUMBER: "organization identifiers",
    WEBSITE: "organization.url",
    EMAIL: "organization.email",
    PHONE: "organization phones",
    FIELD_ORG_DESCRIPTION: "organization.description",
    SERVICE_ID: "id",
    SERVICE_NAME: "name",
    FIELD_SERVICE_DESCRIPTION: "description",
    CATEGORIES: "taxonomy terms",
    DELIVERY: "attending_type",
    POSTCODE: "location address postal_code",
    FIELD_LATITUDE: "location.latitude",
    FIELD_LONGITUDE: "location.longitude",
    FIELD_AREA_SERVED: "service_areas",
    AREA_VALUE: "service_areas",
    AUDIENCE: "eligibility",
    CAPACITY: "capacities",
    LAST_UPDATED: "assured_date",
    FIELD_SERVICE_EMAIL: "email",
    FIELD_SERVICE_PHONE: "phones",
    FIELD_SERVICE_WEBSITE: "url",
    FIELD_STATUS: "status",
    FIELD_OTHER_LOCATIONS: "other locations",
}

ORG_KEYS: Final = ("organization", "organisation")
_CHARITY_SCHEMES: Final = ("GB-CHC", "GB-SC", "GB-NIC")
# Where a service lists its taxonomy terms (v1, v3 and plain lists of names).
_TERM_KEYS: Final = (
    "service_taxonomys",
    "service_taxonomies",
    "taxonomies",
    "taxonomy_terms",
    "attributes",
    "categories",
    "category",
    "taxonomy",
    "taxonomy_term",
)
_ADDRESS_KEYS: Final = ("physical_addresses", "addresses", "address")
_MODIFIED_KEYS: Final = ("assured_date", "last_updated", "last_modified")
_EMPTY: Final[dict[str, Cell]] = {
    **dict.fromkeys(FIELD_NAMES, ""),
    CATEGORIES: (),
    DELIVERY: (),
    AREA_VALUE: (),
    # A feed is published: its contact details are public.
    CONTACT_PUBLIC: True,
}


@dataclass(frozen=True)
class OrukRecord:
    """One service as template fields, with its row number and its further locations.

    ``values`` holds every template field: text, or a tuple for categories, delivery and
    area value. The first location is in postcode, latitude and longitude.
    """

    row: int
    values: dict[str, Cell]
    other_locations: tuple[Place, ...] = ()

    def get(self, field: str, default: Cell = "") -> Cell:
        """The value of ``field``, ``default`` when the service has none."""
        return self.values.get(field, default)


def service_record(
    service: Any, org_hint: Mapping[str, Any], locations: Sequence[Mapping], *, row: int
) -> OrukRecord:
    """One service as template fields.

    Parameters
    ----------
    service
        The service object (anything else becomes a record with only a description).
    org_hint
        Its organisation when the service does not nest one (an organisation's services).
    locations
        Locations given beside the service (``service_at_location`` entries).
    row
        Its row number (see `analysis.ingest.import_report`).
    """
    if not isinstance(service, dict):
        return OrukRecord(row, {**_EMPTY, FIELD_SERVICE_DESCRIPTION: as_text(service)})
    places = [place(location) for location in (*_service_locations(service), *locations)]
    places = [found for found in places if any(found)] or [Place()]
    values: dict[str, Cell] = {
        **_EMPTY,
        **org_values(_organisation(service, org_hint)),
        SERVICE_ID: as_text(service.get("id")),
        SERVICE_NAME: as_text(service.get("name")),
        FIELD_SERVICE_DESCRIPTION: as_text(service.get("description")),
        FIELD_SERVICE_WEBSITE: as_text(service.get("url")),
        FIELD_SERVICE_EMAIL: as_text(service.get("email")),
        FIELD_SERVICE_PHONE: first_phone(service),
        FIELD_STATUS: as_text(service.get("status")),
        # The day the details were last checked: HSDS 3's assured_date, before the time
        # the record last changed in its feed.
        LAST_UPDATED: as_text(first_given(service, *_MODIFIED_KEYS)),
        CATEGORIES: _terms(service),
        DELIVERY: _attending_types(service),
        POSTCODE: places[0].postcode,
        FIELD_LATITUDE: places[0].latitude,
        FIELD_LONGITUDE: places[0].longitude,
        AREA_VALUE: _service_areas(service),
        AUDIENCE: _audience(service),
        CAPACITY: _capacity(service),
    }
    return OrukRecord(row, values, tuple(places[1:]))


def _organisation(service: Mapping[str, Any], org_hint: Mapping[str, Any]) -> Mapping[str, Any]:
    """The service's organisation: nested, named, or the one it was listed under."""
    org = first_given(service, *ORG_KEYS)
    if isinstance(org, str):
        return {"name": org}
    if isinstance(org, dict):
        return org
    org_id = as_text(first_given(service, "organization_id", "organisation_id"))
    return dict(org_hint) if org_hint or not org_id else {"id": org_id}


def org_values(org: Mapping[str, Any]) -> dict[str, str]:
    """An organisation as the template's organisation fields."""
    charity_number = as_text(first_given(org, "charity_number", "charity_no"))
    identifiers = first_given(
        org, "organization_identifiers", "organisation_identifiers", "identifiers"
    )
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if not isinstance(identifier, dict):
            continue
        scheme = " ".join(
            as_text(identifier.get(key))
            for key in ("identifier_scheme", "identification_body", "register", "identifier_type")
        )
        if scheme.upper().startswith(_CHARITY_SCHEMES) or "charit" in scheme.lower():
            charity_number = charity_number or as_text(identifier.get("identifier"))
    kind = first_given(org, "legal_status", "tax_status", "kind", "organization_type")
    return {
        ORG_ID: as_text(org.get("id")),
        ORG_NAME: as_text(org.get("name")),
        FIELD_ORG_KIND: as_text(kind),
        CHARITY_NUMBER: charity_number,
        WEBSITE: as_text(first_given(org, "url", "website")),
        EMAIL: as_text(org.get("email")),
        PHONE: first_phone(org),
        FIELD_ORG_DESCRIPTION: as_text(org.get("description")),
    }


def _service_locations(service: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for link in as_list(service.get("service_at_locations")):
        if isinstance(link, dict) and isinstance(link.get("location"), dict):
            found.append(link["location"])
    found.extend(loc for loc in as_list(service.get("locations")) if isinstance(loc, dict))
    if isinstance(service.get("location"), dict):
        found.append(service["location"])
    if any(key in service for key in ("latitude", "lat", "geometry")):
        found.append(service)
    # A feed's own variant: coordinates in an object of another name ('location_coord').
    found.extend(
        value
        for key, value in service.items()
        if key not in ("location", "geometry") and is_point_object(value)
    )
    return found


def place(location: Mapping[str, Any]) -> Place:
    """The postcode and coordinates of a location: its own keys (``latitude``/``lat``,
    ``longitude``/``lng``/``lon``/``long``), a GeoJSON point (itself, or under
    ``geometry`` or ``point``), or a coordinate object of another name; the postcode from
    its own key or its addresses (physical first)."""
    point = None
    for candidate in (location, location.get("geometry"), location.get("point")):
        point = point_from_value(candidate) if isinstance(candidate, dict) else None
        if point is not None:
            break
    if point is None:
        point = next((point_from_value(v) for v in location.values() if is_point_object(v)), None)
    lat = format_degrees(point.lat) if point else ""
    lon = format_degrees(point.lon) if point else ""
    if point is None:
        # Keep what the location says even when it is not a number, for the checker.
        lat = as_text(first_given(location, "latitude", "lat"))
        lon = as_text(first_given(location, "longitude", "lon", "lng", "long"))
    postcode = as_text(first_given(location, "postcode", "postal_code", "post_code"))
    if not postcode:
        addresses = first_given(location, *_ADDRESS_KEYS)
        addresses = addresses if isinstance(addresses, list) else [addresses]
        addresses += as_list(location.get("postal_addresses"))
        for address in sorted(
            (a for a in addresses if isinstance(a, dict)), key=lambda a: not is_physical(a)
        ):
            postcode = as_text(first_given(address, "postal_code", "postcode", "post_code"))
            if postcode:
                break
    return Place(postcode, lat, lon)


def is_physical(address: Mapping[str, Any]) -> bool:
    """True for a physical address (or one of no stated type), which wins over postal ones."""
    return as_text(address.get("address_type")).lower() in ("", "physical")


def _terms(service: Mapping[str, Any]) -> CategoryTerms:
    """A service's taxonomy terms, each once, in the order given: a `FeedTerm` where the
    term carries an id of a vocabulary the vocabulary map knows (esd, Family Hubs…), so
    that it is categorised by that id, else its name."""
    terms: dict[str | FeedTerm, None] = {}
    for key in _TERM_KEYS:
        for item in as_list(service.get(key)):
            term = _term_name(item)
            if term:
                terms[term] = None
    return tuple(terms)


def _term_name(item: Any) -> str | FeedTerm:
    """One taxonomy term: ORUK 1 ``{id, name, vocabulary}`` (or its link holding it), ORUK
    3 ``{id, code, term_uri, name/term, taxonomy, taxonomy_detail}``, or a plain name."""
    if isinstance(item, str):
        return item.strip()
    if not isinstance(item, dict):
        return as_text(item)
    inner = item.get("taxonomy") or item.get("taxonomy_term") or item
    if isinstance(inner, str):
        return inner.strip()
    if not isinstance(inner, dict):
        return ""
    detail = item.get("taxonomy_detail")
    name = as_text(first_given(inner, "name", "term", "label", "title")) or (
        as_text(detail) if isinstance(detail, str) else ""
    )
    vocabulary = _vocabulary(inner)
    codes = [as_text(inner.get(key)) for key in ("code", "term_uri", "id")]
    known = [code for code in codes if code and vocabulary_codes(vocabulary, code)]
    return FeedTerm(name, vocabulary, known[0]) if known else name


def _vocabulary(term: Mapping[str, Any]) -> str:
    """The name (or URI) of a term's vocabulary: ORUK 1 ``vocabulary``, ORUK 3 ``taxonomy``
    or its ``taxonomy_detail``."""
    detail = term.get("taxonomy_detail")
    detail = detail if isinstance(detail, dict) else {}
    named = first_given(term, "vocabulary", "taxonomy") or first_given(detail, "name", "uri")
    return as_text(named) if isinstance(named, str) else ""


def _attending_types(service: Mapping[str, Any]) -> Terms:
    """How the service is attended, from itself and its schedules, each text once."""
    found: dict[str, None] = {}
    texts = [service.get("attending_type"), service.get("delivery")]
    for key in ("schedules", "regular_schedules"):
        texts += [s.get("attending_type") for s in as_list(service.get(key)) if isinstance(s, dict)]
    for text in texts:
        for value in as_list(text):
            if as_text(value):
                found[as_text(value)] = None
    return tuple(found)


def _service_areas(service: Mapping[str, Any]) -> Terms:
    """The names of a service's service areas, each once, in the order given."""
    found: dict[str, None] = {}
    for area in as_list(service.get("service_areas")):
        text = (
            as_text(first_given(area, "service_area", "name", "description"))
            if isinstance(area, dict)
            else as_text(area)
        )
        if text:
            found[text] = None
    return tuple(found)


def _audience(service: Mapping[str, Any]) -> str:
    """Who the service is for, in words: its eligibility and ages (free text, as shown)."""
    parts: dict[str, None] = {}
    low, high = service.get("minimum_age"), service.get("maximum_age")
    for item in as_list(first_given(service, "eligibilitys", "eligibilities", "eligibility")):
        if isinstance(item, dict):
            text = as_text(first_given(item, "eligibility", "name", "description"))
            low = low if low not in (None, "") else item.get("minimum_age")
            high = high if high not in (None, "") else item.get("maximum_age")
        else:
            text = as_text(item)
        if text:
            parts[text] = None
    low_text, high_text = as_text(low), as_text(high)
    if low_text and high_text:
        parts[f"ages {low_text}–{high_text}"] = None
    elif low_text:
        parts[f"ages {low_text}+"] = None
    elif high_text:
        parts[f"ages up to {high_text}"] = None
    return "; ".join(parts)


def _capacity(service: Mapping[str, Any]) -> str:
    """The places a week a service offers, from HSDS 3.1's ``capacities`` (service capacity:
    ``maximum`` in a ``unit``); a unit that is not per week is kept in the text, so that the
    checker reports it rather than read it as places a week."""
    for capacity in as_list(service.get("capacities")):
        if not isinstance(capacity, dict) or capacity.get("maximum") in (None, ""):
            continue
        unit = capacity.get("unit")
        unit_name = as_text(unit.get("name")) if isinstance(unit, dict) else as_text(unit)
        number = as_text(capacity.get("maximum"))
        weekly = not unit_name or "week" in unit_name.lower()
        return number if weekly else f"{number} {unit_name}"
    return ""


def first_phone(owner: Mapping[str, Any]) -> str:
    """The first phone number of a service or organisation itself.

    The phones of its ``contacts`` are left out: a contact is a named person, and their
    number is theirs, not the public number of the service (a feed publishes it for
    professionals to reach that person, and it must not end up on a public card).
    """
    for phone in as_list(owner.get("phones")):
        number = as_text(phone.get("number")) if isinstance(phone, dict) else as_text(phone)
        number = number.strip("\"' ")
        if number:
            return number
    return ""


def first_given(mapping: Mapping[str, Any], *keys: str) -> Any:
    """The first value under ``keys`` that is not empty, else None."""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def as_list(value: Any) -> list[Any]:
    """A value that may be one item or a list, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_text(value: Any) -> str:
    """A feed's value as text: numbers without a needless ``.0``, booleans yes or no."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)
