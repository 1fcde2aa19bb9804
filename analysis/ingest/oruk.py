"""Open Referral UK documents -> records with the template's fields, one per service.

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

This module finds the services in a document (pages, lists, organisations, tables joined
by their ids); `analysis.ingest.oruk_record` makes each one a record: organisation fields
from its organisation; categories from its taxonomy terms (names, mapped later through
the taxonomy's synonyms); location from its first location with a postcode or
coordinates (more locations go to ``other_locations``); area served from its service
areas' names; audience from its eligibility and ages. Nothing is dropped here: what does
not fit is checked and reported by `analysis.ingest.check`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from analysis.errors import IngestError
from analysis.ingest.oruk_record import (
    ORG_KEYS,
    OrukRecord,
    as_text,
    is_physical,
    org_values,
    service_record,
)
from analysis.ingest.oruk_shape import describe_pages, read_pages

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
        service_record(service, org, locations, row=position)
        for position, (service, org, locations) in enumerate(services, start=1)
    )
    return OrukRecords(records, tuple(org_values(org) for org in organisations), tuple(notes))


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
    canonical, unknown = _canonical_tables(tables)
    if "service" not in canonical:
        raise _no_services_table(tables, name=name, descriptor=descriptor)
    links = _links(canonical)
    records = []
    for position, service in enumerate(canonical["service"], start=1):
        nested, org = _nest(service, links)
        row = int(as_text(service.get("_row")) or position)
        records.append(service_record(nested, org, [], row=row))
    used = {as_text(service.get("organization_id")) for service in canonical["service"]}
    lone = [org for org_id, org in links.organisations.items() if org_id not in used]
    notes = (f"tables not used: {', '.join(sorted(unknown))}",) if unknown else ()
    return OrukRecords(tuple(records), tuple(org_values(org) for org in lone), notes)


def _canonical_tables(
    tables: Mapping[str, Sequence[Mapping[str, Any]]],
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """Tables under their canonical (v3, singular) names, keys compared; the names unknown."""
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
    return canonical, unknown


def _no_services_table(
    tables: Mapping[str, object], *, name: str, descriptor: Mapping[str, Any] | None
) -> IngestError:
    listed = ""
    if descriptor is not None:
        paths = [str(r.get("path")) for r in descriptor.get("resources", []) if r.get("path")]
        listed = f" Its datapackage.json lists {len(paths)} tables ({', '.join(paths[:6])}…)"
    return IngestError(
        f"{name} has no services table (found: {', '.join(sorted(tables)) or 'nothing'})."
        f"{listed} Fix: include services.csv (with organizations.csv, locations.csv, …) "
        "beside the descriptor and load the folder or a zip of it"
    )


@dataclass(frozen=True)
class _Links:
    """A package's tables, each grouped by the id that links it to a service or organisation."""

    organisations: dict[str, dict[str, Any]]
    identifiers: dict[str, list[dict]]
    locations: dict[str, dict[str, Any]]
    at_location: dict[str, list[dict]]
    term_names: dict[str, str]
    service_terms: dict[str, list[dict]]
    attributes: dict[str, list[dict]]
    areas: dict[str, list[dict]]
    phones: dict[str, list[dict]]
    org_phones: dict[str, list[dict]]
    eligibility: dict[str, list[dict]]
    schedules: dict[str, list[dict]]


def _links(canonical: Mapping[str, list[dict[str, Any]]]) -> _Links:
    """The tables of a package grouped for joining them to its services."""

    def by(table: str, key: str) -> dict[str, list[dict]]:
        return _group(canonical.get(table, []), key)

    return _Links(
        organisations={as_text(org.get("id")): org for org in canonical.get("organization", [])},
        identifiers=by("identifier", "organization_id"),
        locations=_locations(canonical),
        at_location=by("service_at_location", "service_id"),
        term_names={
            as_text(term.get("id")): as_text(term.get("name")) or as_text(term.get("term"))
            for table in ("taxonomy", "taxonomy_term")
            for term in canonical.get(table, [])
        },
        service_terms=by("service_taxonomy", "service_id"),
        attributes=by("attribute", "link_id"),
        areas=by("service_area", "service_id"),
        phones=by("phone", "service_id"),
        org_phones=by("phone", "organization_id"),
        eligibility=by("eligibility", "service_id"),
        schedules=by("schedule", "service_id"),
    )


def _locations(canonical: Mapping[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Locations by id, each with its addresses (physical first) from the address tables."""
    addresses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for table in ("physical_address", "address", "postal_address"):
        for address in canonical.get(table, []):
            addresses[as_text(address.get("location_id"))].append(address)
    locations = {as_text(loc.get("id")): dict(loc) for loc in canonical.get("location", [])}
    for location_id, location in locations.items():
        found = addresses.get(location_id, [])
        location["physical_addresses"] = sorted(found, key=lambda a: not is_physical(a))
    return locations


def _nest(service: Mapping[str, Any], links: _Links) -> tuple[dict[str, Any], dict[str, Any]]:
    """A service of a package as a nested service (as in a JSON feed), and its organisation."""
    service_id = as_text(service.get("id"))
    org_id = as_text(service.get("organization_id"))
    org = dict(links.organisations.get(org_id, {"id": org_id} if org_id else {}))
    if org_id in links.identifiers:
        org["organization_identifiers"] = links.identifiers[org_id]
    own_phones = [
        phone
        for phone in links.org_phones.get(org_id, [])
        if not any(as_text(phone.get(key)) for key in ("service_id", "contact_id"))
    ]
    if own_phones and not org.get("phones"):
        org["phones"] = own_phones
    location_ids = [
        as_text(link.get("location_id")) for link in links.at_location.get(service_id, [])
    ]
    nested = {
        **service,
        "service_at_locations": [
            {"location": links.locations[location_id]}
            for location_id in location_ids
            if location_id in links.locations
        ],
        "taxonomies": _term_names(service, service_id, links),
        "service_areas": links.areas.get(service_id, []),
        # A phone row of a contact is that person's, never the service's public number.
        "phones": [p for p in links.phones.get(service_id, []) if not as_text(p.get("contact_id"))],
        "eligibilitys": links.eligibility.get(service_id, []),
        "schedules": links.schedules.get(service_id, []),
    }
    return nested, org


def _term_names(service: Mapping[str, Any], service_id: str, links: _Links) -> list[str]:
    """The names of a package service's terms: linked, as attributes, or listed by id."""
    terms = links.term_names
    names = [
        terms.get(as_text(link.get("taxonomy_id"))) or as_text(link.get("taxonomy_detail"))
        for link in links.service_terms.get(service_id, [])
    ]
    names += [
        terms.get(as_text(link.get("taxonomy_term_id")), "")
        for link in links.attributes.get(service_id, [])
    ]
    names += [
        terms.get(term_id, term_id)
        for term_id in re.split(r"[,;]\s*", as_text(service.get("taxonomy_ids")))
        if term_id
    ]
    return [name for name in names if name]


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
        and not any(key in first for key in ORG_KEYS)
    )


def _items(document: object, name: str, notes: list[str]) -> list[Any]:
    """The list of entries of a page, a list of pages, a bare list or a single object."""
    if isinstance(document, list):
        if document and all(isinstance(item, dict) and _page_list(item) for item in document):
            return _pages_items(document, notes)
        return document
    if isinstance(document, dict):
        if _page_list(document) is not None:
            return _pages_items([document], notes)
        if isinstance(document.get("name"), str) or "id" in document:
            return [document]
    shown = sorted(document)[:8] if isinstance(document, dict) else type(document).__name__
    raise IngestError(
        f"{name} is JSON but not an Open Referral UK feed nor a list of records (top level: "
        f"{shown}). Fix: give a services page ('content' or 'contents'), a list of "
        "services or of records, or one service"
    )


def _page_list(page: Mapping[str, Any]) -> str | None:
    for key in _PAGE_LISTS:
        if isinstance(page.get(key), list):
            return key
    return None


def _pages_items(pages: Sequence[Mapping[str, Any]], notes: list[str]) -> list[Any]:
    """The entries of one or several pages, in page order, with the note on which pages."""
    numbered = read_pages(pages)
    # Pages are read in their own order, whatever order the file lists them in.
    order = sorted(
        range(len(pages)),
        key=lambda i: (numbered[i].number is None, numbered[i].number or 0, i),
    )
    items: list[Any] = []
    for index in order:
        items.extend(pages[index][_page_list(pages[index])])
    described = describe_pages(pages)
    if described:
        notes.append(described)
    elif len(pages) > 1:
        notes.append(f"read {len(pages)} pages ({len(items):,} records)")
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
            service_id = as_text(service.get("id"))
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


def _group(records: Iterable[Mapping[str, Any]], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        grouped[as_text(record.get(key))].append(dict(record))
    return grouped


def _key(name: str) -> str:
    """A table or column name compared: lower case, 'organisation' spelt 'organization'."""
    key = str(name).strip().lower().replace("organisation", "organization")
    return key[: -len(".csv")] if key.endswith(".csv") else key
