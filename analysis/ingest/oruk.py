"""Open Referral UK -> records with the template's fields, one per service.

Open Referral UK (ORUK) is the data standard of UK service directories; its schemas and
examples are in ``../shared/data/openreferral/``. Accepted:

- JSON: a v1 API page (``content``, ``totalElements``…), a v3 page (``contents``,
  ``total_items``…), a list of pages, a bare list, one service, an organisation with its
  ``services``, ``service_at_location`` entries (grouped by service), a dataset of flat
  tables (``{"services": […], "organizations": […], …}``) or a data package with inline
  ``data``;
- CSV table packages (v1 or v3 table names, with or without ``datapackage.json``);
- the variants real feeds have: ``organisation`` spelt the British way, taxonomy terms
  as plain names, locations as GeoJSON points, missing fields.

Each service becomes one record: organisation fields from its organisation; categories
from its taxonomy terms (names, mapped later through the taxonomy's synonyms); location
from its first location with a postcode or coordinates (more locations go to
``other_locations``); area served from its service areas' names; audience from its
eligibility and ages. Nothing is dropped here: what does not fit is checked and reported
by `analysis.ingest.check`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from analysis.errors import IngestError

OTHER_LOCATIONS: Final = "other_locations"

# Field -> where an ORUK service record keeps it (shown as the "column" of problems).
ORUK_COLUMN_LABELS: Final[dict[str, str]] = {
    "org_id": "organization.id",
    "org_name": "organization.name",
    "org_kind": "organization.legal_status",
    "charity_number": "organization identifiers",
    "website": "organization.url",
    "email": "organization.email",
    "phone": "organization phones",
    "org_description": "organization.description",
    "service_id": "id",
    "service_name": "name",
    "service_description": "description",
    "categories": "taxonomy terms",
    "delivery": "attending_type",
    "postcode": "location address postal_code",
    "latitude": "location.latitude",
    "longitude": "location.longitude",
    "area_served": "service_areas",
    "area_value": "service_areas",
    "audience": "eligibility",
    "last_updated": "last_modified",
    "service_email": "email",
    "service_phone": "phones",
    "service_website": "url",
    "status": "status",
    OTHER_LOCATIONS: "other locations",
}

# Canonical table name -> file or key names used for it (v1 and v3, plural and singular).
TABLE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "organization": ("organizations", "organisations", "organisation"),
    "service": ("services",),
    "service_at_location": (
        "services_at_location",
        "service_at_locations",
        "services_at_locations",
    ),
    "location": ("locations",),
    "physical_address": ("physical_addresses",),
    "address": ("addresses",),
    "postal_address": ("postal_addresses",),
    "service_taxonomy": ("services_taxonomy", "service_taxonomys", "service_taxonomies"),
    "taxonomy": ("taxonomies",),
    "taxonomy_term": ("taxonomy_terms",),
    "attribute": ("attributes",),
    "service_area": ("service_areas",),
    "phone": ("phones",),
    "contact": ("contacts",),
    "eligibility": ("eligibilitys", "eligibilities"),
    "identifier": (
        "identifiers",
        "organization_identifier",
        "organization_identifiers",
        "organisation_identifiers",
    ),
    "schedule": ("schedules", "regular_schedule", "regular_schedules"),
}
_TABLE_NAMES: Final = {
    alias: name for name, aliases in TABLE_ALIASES.items() for alias in (name, *aliases)
}

_PAGE_LISTS: Final = ("content", "contents", "items", "data", "results")
_ORG_KEYS: Final = ("organization", "organisation")
_ORG_ONLY_KEYS: Final = (
    "logo",
    "website",
    "organization_identifiers",
    "organisation_identifiers",
    "parent_organization_id",
    "parent_organisation_id",
    "legal_status",
    "tax_status",
    "year_incorporated",
)
_SERVICE_KEYS: Final = (
    "organization",
    "organisation",
    "organization_id",
    "organisation_id",
    "service_at_locations",
    "status",
)
_CHARITY_SCHEMES: Final = ("GB-CHC", "GB-SC", "GB-NIC")


@dataclass(frozen=True)
class OrukRecord:
    """One service as template fields, with its row number and any further locations.

    ``other_locations`` holds (postcode, latitude, longitude) texts per extra location.
    """

    row: int
    values: dict[str, str]
    other_locations: tuple[tuple[str, str, str], ...] = ()

    def get(self, field: str, default: str = "") -> str:
        """The text of ``field``, ``default`` when the service has none."""
        return self.values.get(field, default)


@dataclass(frozen=True)
class OrukRecords:
    """The services of a feed, organisations listed without services, and remarks."""

    records: tuple[OrukRecord, ...]
    organisations: tuple[dict[str, str], ...]
    notes: tuple[str, ...]


def is_oruk_services_header(headers: Sequence[str]) -> bool:
    """True when a CSV header is that of an ORUK services table (id, organization_id, name)."""
    keys = {_key(header) for header in headers}
    return {"id", "name", "organization_id"} <= keys


def records_from_json(document: object, *, name: str = "feed") -> OrukRecords:
    """Records from a parsed ORUK JSON document of any accepted shape.

    Raises
    ------
    IngestError
        When the document is none of the accepted shapes, or is a data package
        descriptor without data.
    """
    notes: list[str] = []
    if isinstance(document, dict) and isinstance(document.get("resources"), list):
        return records_from_tables(_inline_tables(document, name), name=name, descriptor=document)
    if isinstance(document, dict) and _is_flat_dataset(document):
        tables = {
            key: [dict(record, _row=str(i)) for i, record in enumerate(value, start=1)]
            for key, value in document.items()
            if isinstance(value, list) and all(isinstance(item, dict) for item in value)
        }
        return records_from_tables(tables, name=name)
    items = _items(document, name, notes)
    if items and all(isinstance(item, dict) and _is_taxonomy_term(item) for item in items):
        raise IngestError(
            f"{name} lists {len(items)} taxonomy term(s), not services. Fix: load the feed's "
            "services (its /services endpoint); their taxonomy terms come with them"
        )
    services, organisations = _expand(items)
    if not services and organisations:
        notes.append(
            f"the file lists {len(organisations)} organisation(s) and no services; only "
            "services are rows"
        )
    records = tuple(
        _record(service, org, locations, row=position)
        for position, (service, org, locations) in enumerate(services, start=1)
    )
    return OrukRecords(records, tuple(_org_values(org) for org in organisations), tuple(notes))


def records_from_tables(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    name: str = "package",
    descriptor: Mapping[str, Any] | None = None,
) -> OrukRecords:
    """Records from ORUK tables (CSV package files or a JSON dataset), joined by their ids.

    Parameters
    ----------
    tables
        Table name (file name without ``.csv``, or a data package resource name; v1 and v3
        names) -> records, each with its row number under ``_row``.
    name
        The package's name, for messages.
    descriptor
        The package's ``datapackage.json``, if any.

    Raises
    ------
    IngestError
        When no services table is present.
    """
    canonical: dict[str, list[dict[str, Any]]] = {}
    unknown = []
    for table_name, records in tables.items():
        key = _TABLE_NAMES.get(_key(table_name))
        if key is None:
            unknown.append(table_name)
            continue
        canonical.setdefault(key, []).extend(
            {_key(k): v for k, v in record.items()} for record in records
        )
    if "service" not in canonical:
        listed = ""
        if descriptor is not None:
            paths = [str(r.get("path")) for r in descriptor.get("resources", []) if r.get("path")]
            listed = f" Its datapackage.json lists {len(paths)} tables ({', '.join(paths[:6])}…)"
        raise IngestError(
            f"{name} has no services table (found: {', '.join(sorted(tables)) or 'nothing'})."
            f"{listed} Fix: include services.csv (with organizations.csv, locations.csv, …) "
            "beside the descriptor and load the folder or a zip of it"
        )
    notes = []
    if unknown:
        notes.append(f"tables not used: {', '.join(sorted(unknown))}")

    orgs = {_text(org.get("id")): org for org in canonical.get("organization", [])}
    identifiers = _group(canonical.get("identifier", []), "organization_id")
    locations = {_text(loc.get("id")): dict(loc) for loc in canonical.get("location", [])}
    addresses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for table in ("physical_address", "address", "postal_address"):
        for address in canonical.get(table, []):
            addresses[_text(address.get("location_id"))].append(address)
    for location_id, location in locations.items():
        found = sorted(
            addresses.get(location_id, []),
            key=lambda a: _text(a.get("address_type")).lower() not in ("", "physical"),
        )
        location["physical_addresses"] = found
    at_location = _group(canonical.get("service_at_location", []), "service_id")
    terms = {
        _text(term.get("id")): _text(term.get("name")) or _text(term.get("term"))
        for table in ("taxonomy", "taxonomy_term")
        for term in canonical.get(table, [])
    }
    service_terms = _group(canonical.get("service_taxonomy", []), "service_id")
    attributes = _group(canonical.get("attribute", []), "link_id")
    areas = _group(canonical.get("service_area", []), "service_id")
    phones = _group(canonical.get("phone", []), "service_id")
    contact_phones = _group(canonical.get("phone", []), "contact_id")
    contacts = _group(canonical.get("contact", []), "service_id")
    eligibility = _group(canonical.get("eligibility", []), "service_id")
    schedules = _group(canonical.get("schedule", []), "service_id")

    used_orgs: set[str] = set()
    records = []
    for position, service in enumerate(canonical["service"], start=1):
        service_id = _text(service.get("id"))
        org_id = _text(service.get("organization_id"))
        used_orgs.add(org_id)
        org = dict(orgs.get(org_id, {"id": org_id} if org_id else {}))
        if org_id in identifiers:
            org["organization_identifiers"] = identifiers[org_id]
        names = [
            terms.get(_text(link.get("taxonomy_id"))) or _text(link.get("taxonomy_detail"))
            for link in service_terms.get(service_id, [])
        ]
        names += [
            terms.get(_text(link.get("taxonomy_term_id")), "")
            for link in attributes.get(service_id, [])
        ]
        names += [
            terms.get(term_id, term_id)
            for term_id in re.split(r"[,;]\s*", _text(service.get("taxonomy_ids")))
            if term_id
        ]
        nested = {
            **service,
            "service_at_locations": [
                {"location": locations[_text(link.get("location_id"))]}
                for link in at_location.get(service_id, [])
                if _text(link.get("location_id")) in locations
            ],
            "taxonomies": [term for term in names if term],
            "service_areas": areas.get(service_id, []),
            "phones": phones.get(service_id, [])
            + [
                phone
                for contact in contacts.get(service_id, [])
                for phone in contact_phones.get(_text(contact.get("id")), [])
            ],
            "eligibilitys": eligibility.get(service_id, []),
            "schedules": schedules.get(service_id, []),
        }
        row = int(_text(service.get("_row")) or position)
        records.append(_record(nested, org, [], row=row))
    lone = [org for org_id, org in orgs.items() if org_id not in used_orgs]
    return OrukRecords(tuple(records), tuple(_org_values(org) for org in lone), tuple(notes))


def _inline_tables(descriptor: Mapping[str, Any], name: str) -> dict[str, list[dict]]:
    tables = {}
    for resource in descriptor["resources"]:
        if isinstance(resource, dict) and isinstance(resource.get("data"), list):
            tables[str(resource.get("name") or resource.get("path"))] = [
                dict(record, _row=str(i))
                for i, record in enumerate(resource["data"], start=1)
                if isinstance(record, dict)
            ]
    if not tables:
        paths = [str(r.get("path")) for r in descriptor["resources"] if isinstance(r, dict)]
        raise IngestError(
            f"{name} is a data package descriptor: it describes {len(paths)} tables "
            f"({', '.join(paths[:6])}…) but holds no data. Fix: load the folder (or a zip) "
            "holding it together with its CSV files"
        )
    return tables


def _is_flat_dataset(document: Mapping[str, Any]) -> bool:
    services = document.get("services")
    if not isinstance(services, list) or not services or "name" in document:
        return False
    first = services[0]
    return (
        isinstance(first, dict)
        and any(key in first for key in ("organization_id", "organisation_id"))
        and not any(key in first for key in _ORG_KEYS)
    )


def _items(document: object, name: str, notes: list[str]) -> list[Any]:
    """The list of entries of a page, a list of pages, a bare list or a single object."""
    if isinstance(document, list):
        if document and all(isinstance(item, dict) and _page_list(item) for item in document):
            items: list[Any] = []
            for page in document:
                items.extend(_page_items(page, notes, several=True))
            notes.append(f"read {len(document)} pages")
            return items
        return document
    if isinstance(document, dict):
        if _page_list(document) is not None:
            return _page_items(document, notes, several=False)
        if isinstance(document.get("name"), str) or "id" in document:
            return [document]
    shown = sorted(document)[:8] if isinstance(document, dict) else type(document).__name__
    raise IngestError(
        f"{name} is JSON but not an Open Referral UK feed (top level: {shown}). Fix: give a "
        "services page ('content' or 'contents'), a list of services, or one service"
    )


def _page_list(page: Mapping[str, Any]) -> str | None:
    for key in _PAGE_LISTS:
        if isinstance(page.get(key), list):
            return key
    return None


def _page_items(page: Mapping[str, Any], notes: list[str], *, several: bool) -> list[Any]:
    key = _page_list(page)
    items = list(page[key]) if key else []
    total = page.get("totalElements", page.get("total_items"))
    if not several and isinstance(total, int) and total > len(items):
        number = page.get("number", page.get("page_number"))
        pages = page.get("totalPages", page.get("total_pages"))
        notes.append(
            f"this is page {number} of {pages} of a paged feed: it holds {len(items)} of "
            f"{total} records. Fix: fetch every page and load them together (a JSON list of "
            "the pages), or ask the publisher for a full export"
        )
    return items


def _is_taxonomy_term(item: Mapping[str, Any]) -> bool:
    term_keys = ("term", "vocabulary", "taxonomy", "parent_id", "version", "term_uri")
    return (
        any(key in item for key in term_keys)
        and not any(
            key in item for key in (*_SERVICE_KEYS, "services", "service", "description_html")
        )
        and not any(key in item for key in _ORG_ONLY_KEYS)
    )


def _is_organisation(item: Mapping[str, Any]) -> bool:
    if isinstance(item.get("services"), list):
        return True
    return not any(key in item for key in _SERVICE_KEYS) and any(
        key in item for key in _ORG_ONLY_KEYS
    )


def _expand(
    items: Iterable[Any],
) -> tuple[list[tuple[Any, dict, list[dict]]], list[dict]]:
    """(service, organisation, extra locations) per service; organisations without any."""
    services: list[tuple[Any, dict, list[dict]]] = []
    organisations: list[dict] = []
    by_id: dict[str, int] = {}
    for item in items:
        if not isinstance(item, dict):
            services.append((item, {}, []))
            continue
        if isinstance(item.get("service"), dict):
            # A service_at_location entry: one per (service, location); group by service.
            service = item["service"]
            location = item.get("location")
            service_id = _text(service.get("id"))
            if service_id and service_id in by_id:
                if isinstance(location, dict):
                    services[by_id[service_id]][2].append(location)
                continue
            by_id[service_id] = len(services)
            services.append((service, {}, [location] if isinstance(location, dict) else []))
            continue
        if _is_organisation(item):
            org = {key: value for key, value in item.items() if key != "services"}
            nested = item.get("services") or []
            if not nested:
                organisations.append(org)
            services.extend((service, org, []) for service in nested)
            continue
        services.append((item, {}, []))
    return services, organisations


def _record(
    service: Any, org_hint: Mapping[str, Any], locations: Sequence[Mapping], *, row: int
) -> OrukRecord:
    """One service as template fields."""
    if not isinstance(service, dict):
        return OrukRecord(row, {"service_description": _text(service)})
    org = _first(service, *_ORG_KEYS)
    if isinstance(org, str):
        org = {"name": org}
    if not isinstance(org, dict):
        org = dict(org_hint)
        org_id = _text(_first(service, "organization_id", "organisation_id"))
        if org_id and not org:
            org = {"id": org_id}
    values = _org_values(org)
    places = [_place(location) for location in (*_service_locations(service), *locations)]
    places = [place for place in places if any(place)]
    postcode, latitude, longitude = places[0] if places else ("", "", "")
    values.update(
        service_id=_text(service.get("id")),
        service_name=_text(service.get("name")),
        service_description=_text(service.get("description")),
        service_website=_text(service.get("url")),
        service_email=_text(service.get("email")),
        service_phone=_first_phone(service),
        status=_text(service.get("status")),
        last_updated=_text(_first(service, "last_modified", "last_updated", "assured_date")),
        categories="; ".join(_terms(service)),
        delivery="; ".join(_delivery(service)),
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        area_value="; ".join(_areas(service)),
        audience=_audience(service),
        contact_public="yes",
    )
    return OrukRecord(row, values, tuple(places[1:]))


def _org_values(org: Mapping[str, Any]) -> dict[str, str]:
    charity_number = _text(_first(org, "charity_number", "charity_no"))
    identifiers = _first(org, "organization_identifiers", "organisation_identifiers", "identifiers")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if not isinstance(identifier, dict):
            continue
        scheme = " ".join(
            _text(identifier.get(key))
            for key in ("identifier_scheme", "identification_body", "register", "identifier_type")
        )
        if scheme.upper().startswith(_CHARITY_SCHEMES) or "charit" in scheme.lower():
            charity_number = charity_number or _text(identifier.get("identifier"))
    kind = _text(_first(org, "legal_status", "tax_status", "kind", "organization_type"))
    return {
        "org_id": _text(org.get("id")),
        "org_name": _text(org.get("name")),
        "org_kind": kind,
        "charity_number": charity_number,
        "website": _text(_first(org, "url", "website")),
        "email": _text(org.get("email")),
        "phone": _first_phone(org),
        "org_description": _text(org.get("description")),
    }


def _service_locations(service: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for link in _as_list(service.get("service_at_locations")):
        if isinstance(link, dict) and isinstance(link.get("location"), dict):
            found.append(link["location"])
    found.extend(loc for loc in _as_list(service.get("locations")) if isinstance(loc, dict))
    if isinstance(service.get("location"), dict):
        found.append(service["location"])
    if any(key in service for key in ("latitude", "lat", "geometry")):
        found.append(service)
    return found


def _place(location: Mapping[str, Any]) -> tuple[str, str, str]:
    """(postcode, latitude, longitude) of a location, GeoJSON points included."""
    lat = _text(_first(location, "latitude", "lat"))
    lon = _text(_first(location, "longitude", "lon", "lng", "long"))
    if not (lat and lon):
        for point in (location, location.get("geometry"), location.get("point")):
            if (
                isinstance(point, dict)
                and str(point.get("type", "")).lower() == "point"
                and isinstance(point.get("coordinates"), list)
                and len(point["coordinates"]) >= 2
            ):
                lon, lat = _text(point["coordinates"][0]), _text(point["coordinates"][1])
                break
    postcode = _text(_first(location, "postcode", "postal_code", "post_code"))
    if not postcode:
        addresses = _first(location, "physical_addresses", "addresses", "address")
        addresses = addresses if isinstance(addresses, list) else [addresses]
        addresses += _as_list(location.get("postal_addresses"))
        ranked = sorted(
            (a for a in addresses if isinstance(a, dict)),
            key=lambda a: _text(a.get("address_type")).lower() not in ("", "physical"),
        )
        for address in ranked:
            postcode = _text(_first(address, "postal_code", "postcode", "post_code"))
            if postcode:
                break
    return postcode, lat, lon


def _terms(service: Mapping[str, Any]) -> list[str]:
    names: dict[str, None] = {}
    for key in (
        "service_taxonomys",
        "service_taxonomies",
        "taxonomies",
        "taxonomy_terms",
        "attributes",
        "categories",
        "category",
        "taxonomy",
        "taxonomy_term",
    ):
        for item in _as_list(service.get(key)):
            name = _term_name(item)
            if name:
                names[name.replace(";", ",")] = None
    return list(names)


def _term_name(item: Any) -> str:
    if isinstance(item, str):
        return item.strip()
    if not isinstance(item, dict):
        return _text(item)
    inner = item.get("taxonomy") or item.get("taxonomy_term") or item
    if isinstance(inner, str):
        return inner.strip()
    if not isinstance(inner, dict):
        return ""
    return _text(_first(inner, "name", "term", "label", "title")) or _text(
        item.get("taxonomy_detail")
    )


def _delivery(service: Mapping[str, Any]) -> list[str]:
    found: dict[str, None] = {}
    texts = [service.get("attending_type"), service.get("delivery")]
    for key in ("schedules", "regular_schedules"):
        texts += [
            s.get("attending_type") for s in _as_list(service.get(key)) if isinstance(s, dict)
        ]
    for text in texts:
        for value in _as_list(text):
            if _text(value):
                found[_text(value).replace(";", ",")] = None
    return list(found)


def _areas(service: Mapping[str, Any]) -> list[str]:
    found: dict[str, None] = {}
    for area in _as_list(service.get("service_areas")):
        text = (
            _text(_first(area, "service_area", "name", "description"))
            if isinstance(area, dict)
            else _text(area)
        )
        if text:
            found[text] = None
    return list(found)


def _audience(service: Mapping[str, Any]) -> str:
    parts: dict[str, None] = {}
    low, high = service.get("minimum_age"), service.get("maximum_age")
    for item in _as_list(_first(service, "eligibilitys", "eligibilities", "eligibility")):
        if isinstance(item, dict):
            text = _text(_first(item, "eligibility", "name", "description"))
            low = low if low not in (None, "") else item.get("minimum_age")
            high = high if high not in (None, "") else item.get("maximum_age")
        else:
            text = _text(item)
        if text:
            parts[text] = None
    low_text, high_text = _text(low), _text(high)
    if low_text and high_text:
        parts[f"ages {low_text}–{high_text}"] = None
    elif low_text:
        parts[f"ages {low_text}+"] = None
    elif high_text:
        parts[f"ages up to {high_text}"] = None
    return "; ".join(parts)


def _first_phone(owner: Mapping[str, Any]) -> str:
    candidates = list(_as_list(owner.get("phones")))
    for contact in _as_list(owner.get("contacts")):
        if isinstance(contact, dict):
            candidates += _as_list(contact.get("phones"))
    for phone in candidates:
        number = _text(phone.get("number")) if isinstance(phone, dict) else _text(phone)
        number = number.strip("\"' ")
        if number:
            return number
    return ""


def _group(records: Iterable[Mapping[str, Any]], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        grouped[_text(record.get(key))].append(dict(record))
    return grouped


def _first(mapping: Mapping[str, Any], *keys: str) -> Any:
    """The first value under ``keys`` that is not empty, else None."""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _key(name: str) -> str:
    """A table or column name compared: lower case, 'organisation' spelt 'organization'."""
    key = str(name).strip().lower().replace("organisation", "organization")
    return key[: -len(".csv")] if key.endswith(".csv") else key


def _text(value: Any) -> str:
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
