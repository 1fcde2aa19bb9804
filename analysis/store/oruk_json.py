"""The store's services as an Open Referral UK 3.0 JSON page, which our importer reads back.

One page of the ``/services`` list (``contents`` holding full service objects, each with
its organisation, locations, service areas, taxonomy terms and schedules), as a feed
publishes it. It is a publishing format: each contact detail not marked public (its own
flag: ``email_public``, ``phone_public``, ``contact_public`` for the website) is left out.

Where Open Referral UK 3.0 has no field for what the data model holds, the page uses the
name of the field that carries it elsewhere in Open Referral: the organisation's kind as
``legal_status`` (Open Referral UK 1), the audience as ``eligibilitys`` (UK 1), capacity
as ``capacities`` with its unit (HSDS 3.1's service capacity), and the dates a service
runs as its schedule's ``valid_from`` and ``valid_to``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd

from analysis.crs import bng_to_lonlat
from analysis.directory import is_detail_public
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_KIND,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CITYWIDE,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    FIELD_STATUS,
    LAST_UPDATED,
    LOCATIONS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    POSTCODE,
    RADIUS_KM,
    RADIUS_M,
    SERVICE_NAME,
    WARD_CODES,
    WARDS,
    WEBSITE,
)
from analysis.store.records import CAPACITY_UNIT, Record
from analysis.store.schema import NEED_TAXONOMY, SERVICE_LINK
from analysis.store.writes import derived_id

_NAMESPACE: Final = uuid.UUID("0d5b7f0e-8f3a-4b1e-a9c2-3e4f5a6b7c8d")
_CHARITY_SCHEME: Final = "GB-CHC"


def oruk_page(services: Mapping[str, Record], organisations: Mapping[str, Record]) -> dict:
    """One Open Referral UK page holding every service given, by id.

    Parameters
    ----------
    services
        Service records (`analysis.store.records`) by service id.
    organisations
        Organisation records by organisation id (each service's must be there).
    """
    contents = [
        _service(service_id, record, organisations[record[ORG_ID]], record[ORG_ID])
        for service_id, record in services.items()
    ]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def oruk_json_bytes(services: Mapping[str, Record], organisations: Mapping[str, Record]) -> bytes:
    """`oruk_page` as UTF-8 JSON."""
    page = oruk_page(services, organisations)
    return json.dumps(page, ensure_ascii=False, indent=1).encode("utf-8")


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def _service(service_id: str, record: Record, org: Record, org_id: str) -> dict[str, Any]:
    shown = _public_details(record)
    out: dict[str, Any] = {
        "id": service_id,
        "organization_id": org_id,
        "name": record[SERVICE_NAME],
        "description": record[DESCRIPTION],
        "url": shown[WEBSITE],
        "email": shown[EMAIL],
        "status": record[FIELD_STATUS],
        "organization": _organisation(org_id, org),
        "phones": _phones(service_id, shown[PHONE]),
        "service_at_locations": _locations(service_id, record),
        "service_areas": _areas(service_id, record),
        "attributes": attributes(service_id, [category_term(code) for code in record[CATEGORIES]]),
        "schedules": _schedules(service_id, record),
    }
    if record[LAST_UPDATED]:
        out["last_modified"] = record[LAST_UPDATED]
    if record[AUDIENCE]:
        out["eligibilitys"] = [
            {"id": _id(service_id, "eligibility"), "eligibility": record[AUDIENCE]}
        ]
    if record[CAPACITY] is not None:
        out["capacities"] = [
            {
                "id": _id(service_id, "capacities"),
                "service_id": service_id,
                "maximum": record[CAPACITY],
                "unit": {"id": _id("unit", record[CAPACITY_UNIT]), "name": record[CAPACITY_UNIT]},
            }
        ]
    return out


def _organisation(org_id: str, org: Record) -> dict[str, Any]:
    shown = _public_details(org)
    out: dict[str, Any] = {
        "id": org_id,
        "name": org[ORG_NAME],
        "description": org[DESCRIPTION],
        "email": shown[EMAIL],
        "website": shown[WEBSITE],
        "legal_status": org[ORG_KIND],
        "phones": _phones(org_id, shown[PHONE]),
    }
    if org[CHARITY_NUMBER]:
        out["organization_identifiers"] = [
            {
                "id": _id(org_id, "identifier"),
                "organization_id": org_id,
                "identifier_scheme": _CHARITY_SCHEME,
                "identifier_type": "Charity Number",
                "identifier": org[CHARITY_NUMBER],
            }
        ]
    return out


def _public_details(record: Record) -> dict[str, str]:
    """The record's website, email and phone, each blank unless its flag says public."""
    return {
        detail: record[detail] if is_detail_public(record, detail) else ""
        for detail in (WEBSITE, EMAIL, PHONE)
    }


def _phones(owner_id: str, number: str) -> list[dict[str, str]]:
    return [{"id": _id(owner_id, "phone"), "number": number}] if number else []


def _locations(service_id: str, record: Record) -> list[dict[str, Any]]:
    venues: Sequence[Sequence[float]] = record[LOCATIONS]
    if not venues:
        return []
    eastings, northings = zip(*venues, strict=True)
    lons, lats = bng_to_lonlat(list(eastings), list(northings))
    out = []
    for position, (lon, lat) in enumerate(zip(pd.Series(lons), pd.Series(lats), strict=True)):
        location_id = _id(service_id, "location", str(position))
        location: dict[str, Any] = {
            "id": location_id,
            "location_type": "physical",
            "latitude": float(lat),
            "longitude": float(lon),
        }
        if position == 0 and record[POSTCODE]:
            location["addresses"] = [
                {
                    "id": _id(location_id, "address"),
                    "location_id": location_id,
                    "address_type": "physical",
                    "postal_code": record[POSTCODE],
                }
            ]
        out.append(
            {
                "id": _id(service_id, "at", str(position)),
                "service_id": service_id,
                "location_id": location_id,
                "location": location,
            }
        )
    return out


def _areas(service_id: str, record: Record) -> list[dict[str, str]]:
    kind = record[AREA_KIND]
    if kind == WARDS:
        names = list(record[WARD_CODES])
    elif kind == RADIUS_KM:
        names = [f"{record[RADIUS_M] / 1000:g} km"]
    elif kind == CITYWIDE:
        names = [CITYWIDE]
    else:
        names = []
    return [
        {
            "id": _id(service_id, "area", name),
            "service_id": service_id,
            "name": name,
            "service_area": name,
        }
        for name in names
    ]


def category_term(code: str) -> dict[str, str]:
    """One of our need categories as a taxonomy term, named by its code."""
    # The stored term's own id, so the feed is a projection of the tables.
    return {
        "id": derived_id(NEED_TAXONOMY, code),
        "code": code,
        "name": code,
        "taxonomy": NEED_TAXONOMY,
    }


def attributes(service_id: str, terms: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The attributes linking a service to each taxonomy term given (each an ORUK term)."""
    return [
        {
            "id": _id(service_id, "attribute", term["id"]),
            "link_id": service_id,
            "link_type": SERVICE_LINK,
            "taxonomy_term_id": term["id"],
            "taxonomy_term": dict(term),
        }
        for term in terms
    ]


def _schedules(service_id: str, record: Record) -> list[dict[str, Any]]:
    dates = {
        key: value
        for key, value in (("valid_from", record[ACTIVE_FROM]), ("valid_to", record[ACTIVE_UNTIL]))
        if value
    }
    modes = list(record[DELIVERY]) or ([""] if dates else [])
    return [
        {
            "id": _id(service_id, "schedule", mode),
            "service_id": service_id,
            **dates,
            **({"attending_type": mode} if mode else {}),
        }
        for mode in modes
    ]
