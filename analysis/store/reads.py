"""Reading the store: its records now or on a past date, and the Directory they make.

`stored_records` reads records from the tables. `records_as_of` takes today's records
and undoes, newest first, every change made after the date (the history holds each
field's previous value), dropping records created after it: what the directory held
then, field for field. `load_directory_from_store` builds from them the same
`analysis.directory.Directory` the importer builds from a file, areas served drawn again
from the area's wards, so that the analysis runs on it unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.directory import Directory
from analysis.geography import AreaSet, load_area
from analysis.ingest.area_served import build_area_served
from analysis.ingest.locate import AreaShape, area_shape
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_KIND,
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    CRS_COMPUTE,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_STATUS,
    FLAGS,
    LAST_UPDATED,
    LOCATION,
    LOCATIONS,
    ORG_COLUMNS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_M,
    REPORTED_CLOSED,
    SERVICE_COLUMNS,
    SERVICE_ID,
    SERVICE_NAME,
    SOURCE_ROW,
    WARD_CODES,
    WEBSITE,
)
from analysis.store import schema
from analysis.store.feedback import reported_closed
from analysis.store.records import (
    ARCHIVED,
    CAPACITY_UNIT,
    LAST_VERIFIED,
    SOURCE_TERMS,
    Record,
    day_text,
    from_json,
    time_text,
    with_detail_flags,
)
from analysis.store.schema import (
    ACTIVE,
    CREATED,
    NEED_TAXONOMY,
    ORGANIZATION_RESOURCE,
    SERVICE_LINK,
    SERVICE_RESOURCE,
    SOURCE_TAXONOMY_PREFIX,
    STATE_ROW,
    ResourceType,
)
from analysis.store.writes import Stored

AsOf = date | datetime
"""A past moment: a date means the end of that day (UTC)."""


def data_version(store: Engine | Connection) -> int:
    """The store's data version: raised by every write, so a cache keyed on it is fresh."""
    with _connected(store) as connection:
        state = schema.store_state
        return int(
            connection.execute(
                sa.select(state.c.data_version).where(state.c.id == STATE_ROW)
            ).scalar_one()
        )


def stored_records(
    connection: Connection,
    resource_type: ResourceType,
    *,
    source: str | None = None,
    ids: Sequence[str] | None = None,
) -> dict[str, Stored]:
    """Records of one type as stored now, archived ones included, by id.

    Parameters
    ----------
    source
        Only the records of this source.
    ids
        Only these records.
    """
    table = schema.service if resource_type == SERVICE_RESOURCE else schema.organization
    where: list[Any] = []
    if source is not None:
        where.append(table.c.source == source)
    if ids is not None:
        where.append(table.c.id.in_(list(ids)))
    rows = connection.execute(sa.select(table).where(*where)).all()
    if resource_type == ORGANIZATION_RESOURCE:
        phones = _phones(connection, schema.phone.c.organization_id, where, table)
        return {row.id: _stored(row, _organisation_record(row, phones)) for row in rows}
    children = _service_children(connection, where)
    return {row.id: _stored(row, _service_record(row, children)) for row in rows}


def _stored(row: sa.Row, record: Record) -> Stored:
    return Stored(record, int(row.version), row.source, row.source_id)


def _organisation_record(row: sa.Row, phones: Mapping[str, str]) -> Record:
    return {
        ORG_NAME: row.name,
        ORG_KIND: row.kind,
        CHARITY_NUMBER: row.charity_number,
        WEBSITE: row.website,
        EMAIL: row.email,
        PHONE: phones.get(row.id, ""),
        DESCRIPTION: row.description,
        LAST_UPDATED: day_text(row.last_updated),
        CONTACT_PUBLIC: bool(row.contact_public),
        EMAIL_PUBLIC: bool(row.email_public),
        PHONE_PUBLIC: bool(row.phone_public),
        ARCHIVED: bool(row.archived),
    }


@dataclass(frozen=True)
class _Children:
    venues: Mapping[str, list[tuple[list[float], str]]]
    wards: Mapping[str, list[str]]
    categories: Mapping[str, list[str]]
    source_terms: Mapping[str, list[str]]
    phones: Mapping[str, str]


def _service_record(row: sa.Row, children: _Children) -> Record:
    service_id = row.id
    venues = children.venues.get(service_id, [])
    return {
        ORG_ID: row.organization_id,
        SERVICE_NAME: row.name,
        DESCRIPTION: row.description,
        CATEGORIES: children.categories.get(service_id, []),
        SOURCE_TERMS: children.source_terms.get(service_id, []),
        DELIVERY: list(row.delivery or []),
        POSTCODE: venues[0][1] if venues else "",
        LOCATIONS: [xy for xy, _ in venues],
        AREA_KIND: row.area_kind,
        AREA_VALUE: row.area_value,
        RADIUS_M: row.radius_m,
        WARD_CODES: children.wards.get(service_id, []),
        CAPACITY: row.capacity,
        CAPACITY_UNIT: row.capacity_unit,
        AUDIENCE: row.audience,
        ACTIVE_FROM: day_text(row.active_from),
        ACTIVE_UNTIL: day_text(row.active_until),
        LAST_UPDATED: day_text(row.last_updated),
        EMAIL: row.email,
        PHONE: children.phones.get(service_id, ""),
        WEBSITE: row.url,
        CONTACT_PUBLIC: bool(row.contact_public),
        EMAIL_PUBLIC: bool(row.email_public),
        PHONE_PUBLIC: bool(row.phone_public),
        FIELD_STATUS: row.status,
        ARCHIVED: bool(row.archived),
        LAST_VERIFIED: time_text(row.last_verified),
        FLAGS: list(row.flags or []),
        SOURCE_ROW: int(row.source_row or 0),
    }


def _service_children(connection: Connection, where: Sequence[Any]) -> _Children:
    """Venues, wards, terms and phones of the services ``where`` selects."""
    service = schema.service
    link, place = schema.service_at_location, schema.location
    venues: dict[str, list[tuple[list[float], str]]] = defaultdict(list)
    query = (
        sa.select(link.c.service_id, place.c.easting, place.c.northing, place.c.postcode)
        .join(place, place.c.id == link.c.location_id)
        .join(service, service.c.id == link.c.service_id)
        .where(*where)
        .order_by(link.c.service_id, link.c.position)
    )
    for service_id, x, y, postcode in connection.execute(query):
        venues[service_id].append(([x, y], postcode))
    area = schema.service_area
    wards: dict[str, list[str]] = defaultdict(list)
    query = (
        sa.select(area.c.service_id, area.c.code)
        .join(service, service.c.id == area.c.service_id)
        .where(*where)
        .order_by(area.c.service_id, area.c.position)
    )
    for service_id, code in connection.execute(query):
        wards[service_id].append(code)
    categories, source_terms = _terms(connection, where)
    phones = _phones(connection, schema.phone.c.service_id, where, service)
    return _Children(venues, wards, categories, source_terms, phones)


def _terms(
    connection: Connection, where: Sequence[Any]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    attribute, term, taxonomy = schema.attribute, schema.taxonomy_term, schema.taxonomy
    service = schema.service
    query = (
        sa.select(attribute.c.link_id, taxonomy.c.name, term.c.code)
        .join(term, term.c.id == attribute.c.taxonomy_term_id)
        .join(taxonomy, taxonomy.c.id == term.c.taxonomy_id)
        .join(service, service.c.id == attribute.c.link_id)
        .where(attribute.c.link_type == SERVICE_LINK, *where)
        .order_by(attribute.c.link_id, attribute.c.position)
    )
    categories: dict[str, list[str]] = defaultdict(list)
    source_terms: dict[str, list[str]] = defaultdict(list)
    for link_id, taxonomy_name, code in connection.execute(query):
        if taxonomy_name == NEED_TAXONOMY:
            categories[link_id].append(code)
        elif taxonomy_name.startswith(SOURCE_TAXONOMY_PREFIX):
            source_terms[link_id].append(code)
    return categories, source_terms


def _phones(
    connection: Connection, owner: sa.Column, where: Sequence[Any], table: sa.Table
) -> dict[str, str]:
    phone = schema.phone
    query = (
        sa.select(owner, phone.c.number)
        .join(table, table.c.id == owner)
        .where(phone.c.contact_id.is_(None), *where)
        .order_by(owner, phone.c.id)
    )
    found: dict[str, str] = {}
    for owner_id, number in connection.execute(query):
        found.setdefault(owner_id, number)
    return found


# ---------------------------------------------------------------------------------------
# As of a past date
# ---------------------------------------------------------------------------------------


def cutoff(as_of: AsOf) -> datetime:
    """The last moment ``as_of`` covers: the end of the day for a date (UTC, naive)."""
    if isinstance(as_of, datetime):
        return as_of if as_of.tzinfo is None else as_of.astimezone(UTC).replace(tzinfo=None)
    return datetime.combine(as_of, time.max)


def records_as_of(
    connection: Connection, resource_type: ResourceType, as_of: AsOf | None
) -> dict[str, Record]:
    """Every record of one type as it was at ``as_of`` (now when None), archived included.

    Notes
    -----
    Changes are undone newest first: each update puts back the field's previous value,
    and a record whose creation is after the moment is dropped. The import notes (flags,
    row) are today's: they are not versioned.
    """
    records = {
        key: dict(stored.record)
        for key, stored in stored_records(connection, resource_type).items()
    }
    if as_of is None:
        return records
    change = schema.change
    later = connection.execute(
        sa.select(
            change.c.resource_id,
            change.c.last_action_type,
            change.c.field_name,
            change.c.previous_value,
        )
        .where(change.c.resource_type == resource_type, change.c.updated_at > cutoff(as_of))
        .order_by(change.c.id.desc())
    )
    for resource_id, action, field_name, previous in later:
        if action == CREATED:
            records.pop(resource_id, None)
        elif resource_id in records:
            records[resource_id][field_name] = from_json(previous)
    return records


# ---------------------------------------------------------------------------------------
# The Directory
# ---------------------------------------------------------------------------------------


def load_directory_from_store(
    store: Engine | Connection,
    *,
    as_of: AsOf | None = None,
    area: AreaSet | None = None,
    shape: AreaShape | None = None,
    statuses: Sequence[str] = (ACTIVE,),
) -> Directory:
    """The Directory the store holds (on ``as_of``, default now), as the importer builds it.

    Parameters
    ----------
    store
        An engine or a connection.
    as_of
        A past date (its end) or moment, UTC; None for now.
    area
        The reference geography that draws areas served; default the bundled area.
    shape
        The area already prepared (`analysis.ingest.locate.area_shape`); saves its cost.
    statuses
        The statuses of the services to include (default active ones). Archived records
        are never included.

    Returns
    -------
    Directory
        Organisations (not archived) and services, services' areas in EPSG:27700.
    """
    directory, _ = read_directory(store, as_of=as_of, area=area, shape=shape, statuses=statuses)
    return directory


def read_directory(
    store: Engine | Connection,
    *,
    as_of: AsOf | None = None,
    area: AreaSet | None = None,
    shape: AreaShape | None = None,
    statuses: Sequence[str] = (ACTIVE,),
) -> tuple[Directory, list[Record]]:
    """`load_directory_from_store` and the service records it holds, in its order."""
    with _connected(store) as connection:
        organisations = records_as_of(connection, ORGANIZATION_RESOURCE, as_of)
        services = records_as_of(connection, SERVICE_RESOURCE, as_of)
        # The public's reports are of the directory now, not of a past day.
        closed = reported_closed(connection) if as_of is None else set()
    kept = {
        key: record
        for key, record in services.items()
        if not record[ARCHIVED] and record[FIELD_STATUS] in statuses
    }
    ordered = sorted(kept.items(), key=lambda item: (item[1][SOURCE_ROW] or 0, item[0]))
    orgs = {key: record for key, record in organisations.items() if not record[ARCHIVED]}
    if shape is None:
        shape = area_shape(load_area() if area is None else area)
    directory = Directory(
        organisations=organisations_frame(orgs),
        services=services_frame(
            [(key, record) for key, record in ordered], shape, reported_closed=closed
        ),
    )
    return directory, [record for _, record in ordered]


def organisations_frame(records: Mapping[str, Record]) -> pd.DataFrame:
    """The Directory's organisations frame of organisation records."""
    frame = pd.DataFrame(
        [{ORG_ID: key, **with_detail_flags(record)} for key, record in records.items()],
        columns=[*ORG_COLUMNS, ARCHIVED],
    )
    frame = frame[list(ORG_COLUMNS)]
    frame[LAST_UPDATED] = _days(frame[LAST_UPDATED])
    for flag in (CONTACT_PUBLIC, EMAIL_PUBLIC, PHONE_PUBLIC):
        frame[flag] = frame[flag].astype(bool)
    return frame.reset_index(drop=True)


def services_frame(
    items: Sequence[tuple[str, Record]],
    shape: AreaShape,
    *,
    reported_closed: Collection[str] = frozenset(),
) -> gpd.GeoDataFrame:
    """The Directory's services frame of service records: areas drawn, venues as points,
    and the store's own columns (`STORE_SERVICE_COLUMNS`): when a person last confirmed
    each, and whether the public reported it closed (``reported_closed``: those ids)."""
    plain = [column for column in SERVICE_COLUMNS if column not in (LOCATION, LOCATIONS)]
    rows = [
        {
            SERVICE_ID: key,
            **{column: record.get(column) for column in plain if column != SERVICE_ID},
        }
        for key, record in ((key, with_detail_flags(record)) for key, record in items)
    ]
    frame = pd.DataFrame(rows, columns=plain)
    for column in (CATEGORIES, DELIVERY, WARD_CODES, FLAGS):
        frame[column] = [tuple(values or ()) for values in frame[column]]
    for column in (ACTIVE_FROM, ACTIVE_UNTIL, LAST_UPDATED):
        frame[column] = _days(frame[column])
    for column in (RADIUS_M, CAPACITY):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for flag in (CONTACT_PUBLIC, EMAIL_PUBLIC, PHONE_PUBLIC):
        frame[flag] = frame[flag].astype(bool)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].fillna(0).astype("int64")
    venues = [[tuple(xy) for xy in record[LOCATIONS]] for _, record in items]
    geometry = build_area_served(
        list(frame[AREA_KIND]),
        points=venues,
        radius_m=list(frame[RADIUS_M]),
        ward_codes=list(frame[WARD_CODES]),
        shape=shape,
    )
    first = [shapely.Point(each[0]) if each else None for each in venues]
    every = [
        shapely.MultiPoint(each) if len(each) > 1 else one
        for each, one in zip(venues, first, strict=True)
    ]
    services = gpd.GeoDataFrame(frame, geometry=np.asarray(geometry.values), crs=CRS_COMPUTE)
    services.insert(len(plain), LOCATION, gpd.GeoSeries(first, crs=CRS_COMPUTE))
    services.insert(len(plain) + 1, LOCATIONS, gpd.GeoSeries(every, crs=CRS_COMPUTE))
    verified = [record.get(LAST_VERIFIED) for _, record in items]
    services.insert(
        len(plain) + 2,
        LAST_VERIFIED,
        pd.to_datetime(pd.Series(verified, dtype=object), errors="coerce").astype("datetime64[us]"),
    )
    closed = frozenset(reported_closed)
    services.insert(len(plain) + 3, REPORTED_CLOSED, [key in closed for key, _ in items])
    return services


def _days(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")


class _connected:
    """A connection for reading: the one given, or a new one of the engine given."""

    def __init__(self, store: Engine | Connection) -> None:
        self.store = store
        self.owned: Connection | None = None

    def __enter__(self) -> Connection:
        if isinstance(self.store, Connection):
            return self.store
        self.owned = self.store.connect()
        return self.owned

    def __exit__(self, *exc: object) -> None:
        if self.owned is not None:
            self.owned.close()
