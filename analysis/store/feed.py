"""The living directory as an Open Referral UK 3.0 feed: its pages and objects, no web framework.

`Feed.current` reads the store once per data version (`analysis.store.reads.data_version`,
raised by every write) and translates every published record into its Open Referral UK
objects (`analysis.store.oruk_json`), so that a request only checks the version (one small
query), filters precomputed lists and slices a page. A web layer maps each method to its
endpoint (HSDS 3.0 API reference: ``/services``, ``/services/{id}`` …), a
`FeedParameterError` to a 400 naming the parameter and a `FeedNotFound` to a 404.

What is published: organisations and services not archived (a deletion), every status the
standard has (so that a client learns that a service closed), each contact detail only
where its own flag says public, and the terms linked to them. Proposals are never read:
their held versions live in their own table until a reviewer approves them. Optional
fields without a value are left out, never null. Ids are UUIDs, as the standard's schemas
ask: a stored id that is not one is published as a UUID derived from it (`public_id`).

Notes
-----
Times are UTC: ``last_modified`` is when the store last changed the service or its
organisation (``…Z``); ``modified_after`` takes ISO 8601 with or without a zone, and a
time without one is UTC. ``assured_date`` is the day the details were last checked (our
``last_updated``).
"""

from __future__ import annotations

import copy
import json
import math
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, ClassVar, Final

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.errors import PostcodeError, StoreError
from analysis.geography import AreaSet, lookup_postcode
from analysis.model import (
    AREA_KIND,
    CIRCLE_KINDS,
    CITYWIDE,
    DESCRIPTION,
    FIELD_STATUS,
    LAST_UPDATED,
    LOCATIONS,
    ORG_ID,
    RADIUS_M,
    SERVICE_NAME,
    WARD_CODES,
    WARDS,
)
from analysis.settings import OPENREFERRAL_DIR
from analysis.store import config, schema
from analysis.store.oruk_json import _organisation, _service, attributes
from analysis.store.reads import data_version, stored_records
from analysis.store.records import ARCHIVED, Record
from analysis.store.schema import (
    NEED_TAXONOMY,
    ORGANIZATION_RESOURCE,
    SERVICE_LINK,
    SERVICE_RESOURCE,
    SERVICE_STATUSES,
    SOURCE_TAXONOMY_PREFIX,
)
from analysis.store.writes import derived_id
from analysis.taxonomy_file import load_taxonomy

HSDS_VERSION: Final = "3.0"
PROFILE_URL: Final = "https://github.com/OpenReferralUK/uk-profile"
"""The Open Referral UK profile of HSDS 3.0 the feed follows (its schemas' repository)."""

PUBLISHED_STATUSES: Final = SERVICE_STATUSES
"""Every status of the standard is published with the service: a client syncing with
``modified_after`` must learn that a service closed. Archived records never are."""

_NAMESPACE: Final = uuid.UUID("5f0c2a8e-3b71-4d0a-9e55-6a1d2c7b9f40")
_OPENAPI_REF: Final = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
# Query parameters of the standard this feed does not filter on: refused, so that a client
# never takes an unfiltered page for a filtered one.
_UNSUPPORTED: Final = ("minimum_age", "maximum_age", "start_time", "end_time", "day", "format")
_REQUIRED_BLANK_KEYS: Final = frozenset(
    {"address_1", "city", "state_province", "postal_code", "country", "address_type"}
)
"""Keys an address must have (the UK profile's schema) even when we know no value."""


class FeedParameterError(StoreError):
    """A query parameter of the feed has a value it cannot use; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


class FeedNotFound(StoreError):
    """No published object of the feed has the id asked for."""


def public_id(kind: str, stored_id: str) -> str:
    """The id the feed publishes for a stored organisation or service: the stored id when it
    is a UUID (as the standard asks), else a UUID derived from ``kind`` and it, stable."""
    try:
        if str(uuid.UUID(stored_id)) == stored_id.lower():
            return stored_id.lower()
    except ValueError:
        pass
    return str(uuid.uuid5(_NAMESPACE, f"{kind}\x1f{stored_id}"))


def feed_index(base_url: str) -> dict:
    """The feed's ``/``: the HSDS version, the profile and where its OpenAPI document is."""
    return {
        "version": HSDS_VERSION,
        "profile": PROFILE_URL,
        "openapi_url": f"{base_url.rstrip('/')}/openapi.json",
    }


def openapi_document(base_url: str) -> dict:
    """The UK profile's OpenAPI document with the feed's address and only what it serves.

    Notes
    -----
    The HSDS 3.0 document as the UK profile ships it, patched by the profile (RFC 7386);
    then the ``/organizations`` paths (which the profile drops) are added back, the
    parameters of ``/services`` are the ones this feed takes, and
    ``/service_at_locations/{id}`` answers with a service at location (the shipped document
    names the service schema there).
    """
    document = _openapi_base()
    document["servers"] = [{"url": base_url.rstrip("/")}]
    return document


# ---------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------


def _given(query: Mapping[str, str], name: str) -> str | None:
    """The parameter's value, None when absent or blank (a form's empty field)."""
    value = query.get(name)
    if value is None or not str(value).strip():
        return None
    return str(value).strip()


def _whole(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = _given(query, name)
    if text is None:
        return default
    try:
        number = int(text)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise FeedParameterError(
            name,
            f"{name} must be a whole number from {low} to {high}, not {text!r}. "
            f"Fix: ask for e.g. {name}={default}",
        )
    return number


def _flag(query: Mapping[str, str], name: str) -> bool:
    text = _given(query, name)
    if text is None or text.lower() in _FALSE:
        return False
    if text.lower() in _TRUE:
        return True
    raise FeedParameterError(
        name, f"{name} must be true or false, not {text!r}. Fix: write {name}=true"
    )


def _moment(query: Mapping[str, str], name: str) -> datetime | None:
    text = _given(query, name)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "+"))
    except ValueError:
        raise FeedParameterError(
            name,
            f"{name} must be an ISO 8601 date or date-time, not {text!r}. Fix: write e.g. "
            f"{name}=2026-01-10T09:00:00Z (a time without a zone is UTC)",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _refuse_unsupported(query: Mapping[str, str]) -> None:
    for name in _UNSUPPORTED:
        if _given(query, name) is not None:
            raise FeedParameterError(
                name, f"this feed does not filter on {name}. Fix: leave {name} out of the query"
            )


def _page(items: Sequence[dict], query: Mapping[str, str]) -> dict:
    """The standard's Page of ``items`` for the ``page`` and ``per_page`` asked."""
    per_page = _whole(query, "per_page", config.FEED_PER_PAGE, 1, config.FEED_MAX_PER_PAGE)
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    number = _whole(query, "page", 1, 1, 10**9)
    if number > pages:
        raise FeedParameterError(
            "page",
            f"page {number} is past the last page, {pages} ({total} items, {per_page} a page). "
            f"Fix: ask for a page from 1 to {pages}",
        )
    contents = list(items[(number - 1) * per_page : number * per_page])
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number == pages,
        "empty": total == 0,
        "contents": contents,
    }


# ---------------------------------------------------------------------------------------
# The feed
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PublishedService:
    """One published service: its objects, and what the filters look at."""

    id: str
    organization_id: str
    text: str
    term_ids: frozenset[str]
    taxonomy_ids: frozenset[str]
    modified: datetime
    full: dict
    listed: dict
    minimal: dict
    area_kind: str
    ward_codes: frozenset[str]
    radius_m: float | None
    venues: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class _Located:
    """One service at one of its venues."""

    service: int
    easting: float
    northing: float
    listed: dict
    full: dict


@dataclass(frozen=True)
class Feed:
    """Every published object of the store at one data version, ready to page.

    Build it with `current`; it is read-only, shared by every request of its version (the
    objects returned are shared too: serialise them, never change them).
    """

    version: int
    area: AreaSet
    services_list: tuple[_PublishedService, ...]
    services_by_id: Mapping[str, _PublishedService]
    organizations_list: tuple[dict, ...]
    organizations_full: Mapping[str, dict]
    taxonomies_list: tuple[dict, ...]
    terms_list: tuple[dict, ...]
    located: tuple[_Located, ...]
    located_by_id: Mapping[str, _Located]

    _cache: ClassVar[dict[tuple[str, str], Feed]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def current(cls, store: Engine, area: AreaSet) -> Feed:
        """The feed of the store's data now: built once per data version, then shared.

        Notes
        -----
        Each call reads the data version (one query); a write raises it, so the next call
        builds the feed again. One build at a time: callers of a new version wait for it.
        """
        key = (store.url.render_as_string(hide_password=False), area.lad_code)
        version = data_version(store)
        found = cls._cache.get(key)
        if found is not None and found.version == version:
            return found
        with cls._lock:
            found = cls._cache.get(key)
            if found is None or found.version != version:
                found = build_feed(store, area)
                cls._cache[key] = found
        return found

    # -- services ------------------------------------------------------------------------

    def services(self, query: Mapping[str, str]) -> dict:
        """``/services``: a Page of services, filtered (AND) and shaped as asked.

        ``search`` (in the name or description, any case), ``taxonomy_term_id``,
        ``taxonomy_id``, ``organization_id``, ``modified_after`` (on or after, UTC when no
        zone), ``minimal`` (no nested objects), ``full`` (every nested object); default
        the one-to-one fields with the organisation.
        """
        minimal, full = _flag(query, "minimal"), _flag(query, "full")
        if minimal and full:
            raise FeedParameterError(
                "full", "minimal and full cannot both be true. Fix: ask for one of them"
            )
        chosen = self._filtered(query)
        shape: Callable[[_PublishedService], dict] = (
            (lambda s: s.full)
            if full
            else (lambda s: s.minimal)
            if minimal
            else (lambda s: s.listed)
        )
        return _page(_Mapped(chosen, shape), query)

    def service(self, service_id: str) -> dict:
        """``/services/{id}``: the fully nested service."""
        found = self.services_by_id.get(service_id)
        if found is None:
            raise FeedNotFound(
                f"no published service has the id {service_id!r}. Fix: take an id from /services"
            )
        return found.full

    def _filtered(self, query: Mapping[str, str]) -> Sequence[_PublishedService]:
        _refuse_unsupported(query)
        chosen: Sequence[_PublishedService] = self.services_list
        search = _given(query, "search")
        term_id, taxonomy_id = _given(query, "taxonomy_term_id"), _given(query, "taxonomy_id")
        org_id, after = _given(query, "organization_id"), _moment(query, "modified_after")
        if search is not None:
            words = search.casefold()
            chosen = [s for s in chosen if words in s.text]
        if term_id is not None:
            chosen = [s for s in chosen if term_id in s.term_ids]
        if taxonomy_id is not None:
            chosen = [s for s in chosen if taxonomy_id in s.taxonomy_ids]
        if org_id is not None:
            chosen = [s for s in chosen if s.organization_id == org_id]
        if after is not None:
            chosen = [s for s in chosen if s.modified >= after]
        return chosen

    # -- organisations -------------------------------------------------------------------

    def organizations(self, query: Mapping[str, str]) -> dict:
        """``/organizations``: a Page of organisations (their one-to-one fields); ``search``
        in the name or description."""
        chosen: Sequence[dict] = self.organizations_list
        search = _given(query, "search")
        if search is not None:
            words = search.casefold()
            chosen = [
                o for o in chosen if words in f"{o['name']}\n{o.get('description', '')}".casefold()
            ]
        return _page(chosen, query)

    def organization(self, organization_id: str) -> dict:
        """``/organizations/{id}``: the organisation with its published services."""
        found = self.organizations_full.get(organization_id)
        if found is None:
            raise FeedNotFound(
                f"no published organization has the id {organization_id!r}. "
                "Fix: take an id from /organizations"
            )
        return found

    # -- taxonomies ----------------------------------------------------------------------

    def taxonomies(self, query: Mapping[str, str]) -> dict:
        """``/taxonomies``: our need categories' taxonomy and each source's own."""
        return _page(self.taxonomies_list, query)

    def taxonomy(self, taxonomy_id: str) -> dict:
        """``/taxonomies/{id}``."""
        return _one(self.taxonomies_list, taxonomy_id, "taxonomy", "/taxonomies")

    def taxonomy_terms(self, query: Mapping[str, str]) -> dict:
        """``/taxonomy_terms``: every published term; ``taxonomy_id`` keeps one taxonomy's."""
        chosen: Sequence[dict] = self.terms_list
        taxonomy_id = _given(query, "taxonomy_id")
        if taxonomy_id is not None:
            chosen = [term for term in chosen if term.get("taxonomy_id") == taxonomy_id]
        return _page(chosen, query)

    def taxonomy_term(self, term_id: str) -> dict:
        """``/taxonomy_terms/{id}``."""
        return _one(self.terms_list, term_id, "taxonomy term", "/taxonomy_terms")

    # -- services at locations -----------------------------------------------------------

    def service_at_locations(self, query: Mapping[str, str]) -> dict:
        """``/service_at_locations``: a Page of services at their venues.

        With ``postcode`` (one of the area's), those whose area served covers it; with
        ``proximity`` too (metres), those whose venue is that close to the postcode's
        point, nearest first. The services' filters of `services` apply as well.
        """
        chosen = {id(s) for s in self._filtered(query)}
        located = [
            entry for entry in self.located if id(self.services_list[entry.service]) in chosen
        ]
        postcode_text, proximity_text = _given(query, "postcode"), _given(query, "proximity")
        if proximity_text is not None and postcode_text is None:
            raise FeedParameterError(
                "proximity", "proximity needs a postcode to measure from. Fix: add postcode=…"
            )
        if postcode_text is not None:
            try:
                point = lookup_postcode(self.area, postcode_text)
            except PostcodeError as error:
                raise FeedParameterError("postcode", str(error)) from None
            located = self._near(
                located, (point.easting, point.northing), point.ward_code, proximity_text
            )
        return _page([entry.listed for entry in located], query)

    def _near(
        self,
        located: list[_Located],
        point: tuple[float, float],
        ward_code: str,
        proximity_text: str | None,
    ) -> list[_Located]:
        if not located:
            return located
        xy = np.array([(entry.easting, entry.northing) for entry in located])
        gap_m = np.hypot(xy[:, 0] - point[0], xy[:, 1] - point[1])
        if proximity_text is not None:
            try:
                proximity_m = float(proximity_text)
            except ValueError:
                proximity_m = -1.0
            if not proximity_m > 0 or not math.isfinite(proximity_m):
                raise FeedParameterError(
                    "proximity",
                    f"proximity must be a distance in metres above 0, not {proximity_text!r}. "
                    "Fix: write e.g. proximity=1000",
                )
            order = np.argsort(gap_m, kind="stable")
            return [located[i] for i in order if gap_m[i] <= proximity_m]
        return [
            entry
            for entry in located
            if _covers(self.services_list[entry.service], point, ward_code)
        ]

    def service_at_location(self, sal_id: str) -> dict:
        """``/service_at_locations/{id}``: the venue with its service."""
        found = self.located_by_id.get(sal_id)
        if found is None:
            raise FeedNotFound(
                f"no published service at location has the id {sal_id!r}. "
                "Fix: take an id from /service_at_locations"
            )
        return found.full


class _Mapped(Sequence):
    """A sequence shown through a function, so a page shapes only the items it holds."""

    def __init__(self, items: Sequence[Any], shape: Callable[[Any], dict]) -> None:
        self.items, self.shape = items, shape

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self.shape(item) for item in self.items[index]]
        return self.shape(self.items[index])


def _one(items: Sequence[dict], item_id: str, what: str, listing: str) -> dict:
    for item in items:
        if item["id"] == item_id:
            return item
    raise FeedNotFound(
        f"no published {what} has the id {item_id!r}. Fix: take an id from {listing}"
    )


def _covers(service: _PublishedService, point: tuple[float, float], ward_code: str) -> bool:
    """Whether the service's area served holds the point (in its ward, circle or city)."""
    if service.area_kind == CITYWIDE:
        return True
    if service.area_kind == WARDS:
        return ward_code in service.ward_codes
    if service.area_kind in CIRCLE_KINDS and service.radius_m:
        return any(
            math.hypot(x - point[0], y - point[1]) <= service.radius_m for x, y in service.venues
        )
    return False


# ---------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """What one build reads from the store, in one connection."""

    version: int
    organisations: dict[str, Record]
    services: dict[str, Record]
    modified: dict[tuple[str, str], datetime]
    taxonomies: dict[str, sa.Row]
    terms: dict[str, sa.Row]
    links: dict[str, list[str]]


def _read(connection: Connection) -> _Read:
    # The version first: a write during the reads leaves a newer version, so the next
    # request builds again rather than keep newer data under an older version.
    version = data_version(connection)
    organisations = {
        key: stored.record
        for key, stored in stored_records(connection, ORGANIZATION_RESOURCE).items()
    }
    services = {
        key: stored.record for key, stored in stored_records(connection, SERVICE_RESOURCE).items()
    }
    modified: dict[tuple[str, str], datetime] = {}
    for kind, table in (
        (ORGANIZATION_RESOURCE, schema.organization),
        (SERVICE_RESOURCE, schema.service),
    ):
        for key, at in connection.execute(sa.select(table.c.id, table.c.modified_at)):
            modified[(kind, key)] = at.replace(tzinfo=UTC)
    taxonomies = {row.id: row for row in connection.execute(sa.select(schema.taxonomy))}
    terms = {row.id: row for row in connection.execute(sa.select(schema.taxonomy_term))}
    attribute = schema.attribute
    links: dict[str, list[str]] = defaultdict(list)
    query = (
        sa.select(attribute.c.link_id, attribute.c.taxonomy_term_id)
        .where(attribute.c.link_type == SERVICE_LINK)
        .order_by(attribute.c.link_id, attribute.c.position)
    )
    for link_id, term_id in connection.execute(query):
        links[link_id].append(term_id)
    return _Read(version, organisations, services, modified, taxonomies, terms, links)


def build_feed(store: Engine, area: AreaSet) -> Feed:
    """Read the store and translate every published record (`Feed.current` caches it)."""
    with store.connect() as connection:
        read = _read(connection)
    orgs = {key: record for key, record in read.organisations.items() if not record[ARCHIVED]}
    kept = [
        (key, record)
        for key, record in read.services.items()
        if not record[ARCHIVED]
        and record[FIELD_STATUS] in PUBLISHED_STATUSES
        and record[ORG_ID] in orgs
    ]
    terms = _published_terms(read, [key for key, _ in kept])
    published: list[_PublishedService] = []
    for key, record in kept:
        published.append(_published_service(key, record, orgs[record[ORG_ID]], read, terms, area))
    published.sort(key=lambda s: (s.listed["name"].casefold(), s.id))
    services_list = tuple(published)
    organizations = _organisations(orgs, services_list, read)
    located = tuple(
        _Located(position, x, y, _listed_located(link, service), _full_located(link, service))
        for position, service in enumerate(services_list)
        for link, (x, y) in zip(
            service.full.get("service_at_locations", []), service.venues, strict=True
        )
    )
    return Feed(
        version=read.version,
        area=area,
        services_list=services_list,
        services_by_id={s.id: s for s in services_list},
        organizations_list=tuple(_one_to_one(org) for org in organizations),
        organizations_full={org["id"]: org for org in organizations},
        taxonomies_list=tuple(_taxonomies(read, terms)),
        terms_list=tuple(
            sorted(terms.values(), key=lambda t: (t["taxonomy"], t["name"].casefold(), t["id"]))
        ),
        located=located,
        located_by_id={link.full["id"]: link for link in located},
    )


def _published_terms(read: _Read, service_ids: Sequence[str]) -> dict[str, dict]:
    """Term id -> the ORUK term: every one of our categories, and each term a published
    service is linked to."""
    categories = {category.id: category for category in _categories()}
    used = {term_id for key in service_ids for term_id in read.links.get(key, [])}
    need_id = derived_id(NEED_TAXONOMY)
    wanted = {derived_id(NEED_TAXONOMY, code): code for code in categories} | {
        term_id: read.terms[term_id].code for term_id in used if term_id in read.terms
    }
    out: dict[str, dict] = {}
    for term_id, code in wanted.items():
        row = read.terms.get(term_id)
        taxonomy_id = row.taxonomy_id if row is not None else need_id
        taxonomy = read.taxonomies.get(taxonomy_id)
        taxonomy_name = taxonomy.name if taxonomy is not None else NEED_TAXONOMY
        category = categories.get(code) if taxonomy_id == need_id else None
        name = category.label if category else (row.name if row is not None else code)
        description = category.description if category else (row.description if row else "")
        term = {"id": term_id, "code": code, "name": name, "description": description}
        out[term_id] = {**term, "taxonomy": taxonomy_name, "taxonomy_id": taxonomy_id}
    return out


@cache
def _categories() -> tuple:
    return tuple(load_taxonomy().categories)


def _taxonomies(read: _Read, terms: Mapping[str, dict]) -> list[dict]:
    """Our categories' taxonomy first, then each source's with a published term."""
    used = {term["taxonomy_id"] for term in terms.values()}
    need_id = derived_id(NEED_TAXONOMY)
    out = [
        {
            "id": need_id,
            "name": NEED_TAXONOMY,
            "description": (
                "Safety Net's need categories: what a service helps with, the same across "
                "every source (data/taxonomy.csv)."
            ),
        }
    ]
    for row in sorted(read.taxonomies.values(), key=lambda row: row.name):
        if row.id == need_id or row.id not in used:
            continue
        source = row.name.removeprefix(SOURCE_TAXONOMY_PREFIX)
        taxonomy = {
            "id": row.id,
            "name": row.name,
            "description": row.description
            or f"The words the source {source} used for what its services do, as it gave them.",
            "uri": row.uri,
            "version": row.version,
        }
        out.append(_pruned(taxonomy))
    return out


def _published_service(
    key: str,
    record: Record,
    org: Record,
    read: _Read,
    terms: Mapping[str, dict],
    area: AreaSet,
) -> _PublishedService:
    service_id, org_id = (
        public_id(SERVICE_RESOURCE, key),
        public_id(ORGANIZATION_RESOURCE, record[ORG_ID]),
    )
    modified = max(
        read.modified[(SERVICE_RESOURCE, key)],
        read.modified[(ORGANIZATION_RESOURCE, record[ORG_ID])],
    )
    linked = [terms[term_id] for term_id in read.links.get(key, []) if term_id in terms]
    full = _service(service_id, record, org, org_id)
    full.pop("last_modified", None)
    if record[LAST_UPDATED]:
        full["assured_date"] = record[LAST_UPDATED]
    full["last_modified"] = modified.strftime("%Y-%m-%dT%H:%M:%SZ")
    for link in full["service_at_locations"]:
        for address in link["location"].get("addresses", []):
            _complete_address(address, area)
    full = _pruned({**full, "attributes": []})
    # Added after pruning: a term's description is required, even when blank.
    if linked:
        full["attributes"] = attributes(service_id, linked)
    full["organization"] = _organisation_object(org_id, org)
    listed = {**_one_to_one(full), "organization": _one_to_one(full["organization"])}
    return _PublishedService(
        id=service_id,
        organization_id=org_id,
        text=f"{record[SERVICE_NAME]}\n{record[DESCRIPTION]}".casefold(),
        term_ids=frozenset(term["id"] for term in linked),
        taxonomy_ids=frozenset(term["taxonomy_id"] for term in linked),
        modified=modified,
        full=full,
        listed=listed,
        minimal=_one_to_one(full),
        area_kind=record[AREA_KIND],
        ward_codes=frozenset(record[WARD_CODES]),
        radius_m=record[RADIUS_M],
        venues=tuple((float(x), float(y)) for x, y in record[LOCATIONS]),
    )


def _organisation_object(org_id: str, org: Record) -> dict:
    out = _pruned(_organisation(org_id, org))
    out.setdefault("description", "")  # required by the standard, even when unknown
    return out


def _organisations(
    orgs: Mapping[str, Record], services: Sequence[_PublishedService], read: _Read
) -> list[dict]:
    """Each published organisation, with its published services (one-to-one fields)."""
    theirs: dict[str, list[dict]] = defaultdict(list)
    for service in services:
        theirs[service.organization_id].append(service.minimal)
    out = []
    for key, record in orgs.items():
        org_id = public_id(ORGANIZATION_RESOURCE, key)
        org = _organisation_object(org_id, record)
        if theirs.get(org_id):
            org["services"] = theirs[org_id]
        out.append(org)
    out.sort(key=lambda org: (org["name"].casefold(), org["id"]))
    return out


def _complete_address(address: dict, area: AreaSet) -> None:
    """Give an address the keys the UK profile requires: the city only where its postcode is
    one of the area's, the rest blank (the store keeps no street address)."""
    postcode = address.get("postal_code", "")
    address.setdefault("address_1", "")
    address.setdefault("city", area.name if postcode in area.postcodes.index else "")
    address.setdefault("state_province", "")
    address.setdefault("country", config.FEED_COUNTRY)


def _listed_located(link: dict, service: _PublishedService) -> dict:
    return {
        **_one_to_one(link),
        "location": _one_to_one(link["location"]),
        "service": service.minimal,
    }


def _full_located(link: dict, service: _PublishedService) -> dict:
    return {**link, "service": service.listed}


def _one_to_one(item: Mapping[str, Any]) -> dict:
    """The item's own fields, without the objects and lists nested in it."""
    return {key: value for key, value in item.items() if not isinstance(value, dict | list)}


def _pruned(value: Any) -> Any:
    """``value`` without the optional fields that have no value: the standard omits them."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = _pruned(item)
            if item in (None, "", [], {}) and key not in _REQUIRED_BLANK_KEYS:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


# ---------------------------------------------------------------------------------------
# The OpenAPI document
# ---------------------------------------------------------------------------------------

_SERVED_PATHS: Final = (
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
)
_LIST_PARAMETERS: Final = ("search", "page", "per_page", "taxonomy_term_id", "taxonomy_id")
_SERVICE_PARAMETERS: Final = (
    *_LIST_PARAMETERS,
    "organization_id",
    "modified_after",
    "minimal",
    "full",
)


@cache
def _openapi_text() -> str:
    core = json.loads((OPENREFERRAL_DIR / "openapi.json").read_text(encoding="utf-8"))
    patch = json.loads((OPENREFERRAL_DIR / "profile_openapi.json").read_text(encoding="utf-8"))
    document = _merge_patch(core, patch)
    paths = document.get("paths") or {}
    paths.update(_organisation_paths())
    document["paths"] = {path: paths[path] for path in _SERVED_PATHS if paths.get(path)}
    document["paths"]["/services"]["get"]["parameters"] = _refs(_SERVICE_PARAMETERS)
    located = document["paths"]["/service_at_locations"]["get"]
    located["parameters"] = _refs(
        (*_SERVICE_PARAMETERS[:-2], "modified_after", "postcode", "proximity")
    )
    document["paths"]["/taxonomy_terms"]["get"]["parameters"] = _refs(
        ("page", "per_page", "taxonomy_id")
    )
    one = document["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]
    one["content"]["application/json"]["schema"] = {
        "$ref": f"{_OPENAPI_REF}compiled/service_at_location.json"
    }
    parameters = document["components"]["parameters"]
    for name in _UNSUPPORTED:
        parameters.pop(name, None)
    return json.dumps(document)


def _openapi_base() -> dict:
    return json.loads(_openapi_text())


def _refs(names: Sequence[str]) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{name}"} for name in names]


def _merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge, ``null`` removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = _merge_patch(out.get(key), value)
    return out


def _organisation_paths() -> dict[str, dict]:
    """HSDS 3.0's organisation endpoints, which the UK profile leaves out and we serve."""
    page = {"$ref": "#/components/schemas/Page"}
    listed = {"type": "array", "items": {"$ref": f"{_OPENAPI_REF}compiled/organization_list.json"}}
    return {
        "/organizations": {
            "get": {
                "summary": "Paginated listing of organizations (their one-to-one fields).",
                "operationId": "getPaginatedListOfOrganizations",
                "parameters": _refs(("search", "page", "per_page")),
                "responses": {
                    "200": {
                        "description": "Paginated listing of organizations.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "properties": {"contents": listed},
                                    "allOf": [page],
                                }
                            }
                        },
                    }
                },
            }
        },
        "/organizations/{id}": {
            "parameters": [
                {
                    "in": "path",
                    "name": "id",
                    "required": True,
                    "description": "The id of the organization to retrieve.",
                    "schema": {"type": "string"},
                }
            ],
            "get": {
                "summary": "A fully nested organization with its services, by id.",
                "operationId": "getOrganizationById",
                "responses": {
                    "200": {
                        "description": "The organization matching the {id}.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"{_OPENAPI_REF}compiled/organization.json"}
                            }
                        },
                    }
                },
            },
        },
    }
