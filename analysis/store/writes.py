"""The one way records are written: `write_records`, which keeps the history.

Every change to an organisation or a service — an import, a person's edit, a reviewer's
verification, a soft delete — goes through `write_records`. For each record it compares
the new values with the stored ones and, when any differ:

- writes the record's tables (the main row; its venues, areas, terms and phone only when
  those fields changed);
- raises the record's ``version`` by one, on the condition that it is still the version
  read (optimistic locking: a record changed meanwhile by someone else is refused with
  `StaleRecordError`, and nothing of the batch is written);
- writes one history row per changed field (before and after, as JSON), or one row with
  every value for a record created;
- raises the store's data version once per call (caches key on it).

A record whose values are all the same is not written at all: no version, no history,
no data version. Who acts (``actor``) is recorded on every history row; checking that
they may is the caller's business until accounts exist.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from analysis.crs import bng_to_lonlat
from analysis.errors import RecordMovedError, StaleRecordError
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
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_STATUS,
    FLAGS,
    LAST_UPDATED,
    LOCATIONS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_M,
    SERVICE_NAME,
    SOURCE_ROW,
    WARD_CODES,
    WEBSITE,
)
from analysis.store import config, schema
from analysis.store.records import (
    ARCHIVED,
    CAPACITY_UNIT,
    IMPORT_NOTES,
    LAST_VERIFIED,
    ORGANISATION_FIELDS,
    SERVICE_FIELDS,
    SOURCE_TERMS,
    Record,
    as_date,
    as_datetime,
    changed_fields,
    to_json,
)
from analysis.store.schema import (
    CREATED,
    NEED_TAXONOMY,
    ORGANIZATION_RESOURCE,
    SERVICE_LINK,
    SERVICE_RESOURCE,
    SOURCE_TAXONOMY_PREFIX,
    STATE_ROW,
    UPDATED,
    ChangeSource,
    ResourceType,
)

_NAMESPACE: Final = uuid.UUID("5f3c8d1e-2b7a-4c69-9e0f-6a1d2b3c4e5f")
"""Namespace of the store's derived ids (taxonomies and their terms): one name, one id."""

_BIND_ID: Final = "b_id"
_BIND_VERSION: Final = "b_version"
"""Names of the bound parameters that select a row to update and its expected version."""
_VENUE_FIELDS: Final = frozenset({LOCATIONS, POSTCODE})
_AREA_FIELDS: Final = frozenset({WARD_CODES})
_TERM_FIELDS: Final = frozenset({CATEGORIES, SOURCE_TERMS})
_PHONE_FIELDS: Final = frozenset({PHONE, PHONE_PUBLIC})


@dataclass(frozen=True)
class Write:
    """One record to store: its id, all its values, and what the writer last saw.

    Attributes
    ----------
    resource_type
        ``"organization"`` or ``"service"``.
    resource_id
        The record's id in the store.
    record
        Every field of the record (`analysis.store.records`), import notes included.
    expected_version
        The version the writer opened (an edit form's); None to write over whatever
        is stored (an import, which compares values instead).
    source, source_id
        Where a new record comes from; kept from the first write.
    """

    resource_type: ResourceType
    resource_id: str
    record: Record
    expected_version: int | None = None
    source: str | None = None
    source_id: str | None = None


@dataclass(frozen=True)
class Stored:
    """A record as the store holds it, with its version and where it came from."""

    record: Record
    version: int
    source: str | None = None
    source_id: str | None = None


@dataclass(frozen=True)
class WriteOutcome:
    """What `write_records` did: ids created, changed (a new version) and unchanged."""

    created: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    data_version: int | None = None
    """The store's data version after the write; None when nothing was written."""
    fields_changed: dict[str, tuple[str, ...]] = field(default_factory=dict)


def utc_now() -> datetime:
    """Now, in UTC without a zone (as the store keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def write_records(
    connection: Connection,
    writes: Sequence[Write],
    *,
    stored: Mapping[str, Stored],
    actor: str,
    source_kind: ChangeSource,
    at: datetime | None = None,
    import_id: int | None = None,
) -> WriteOutcome:
    """Write records of one type, with their history, in the caller's transaction.

    Parameters
    ----------
    connection
        A connection inside a transaction (a failure leaves nothing written).
    writes
        The records, all of one resource type.
    stored
        What the store holds of each (by id; absent = a new record), as read in this
        transaction (`analysis.store.reads.stored_records`).
    actor
        Who makes the change: a user name, ``"cli"``, ``"import"``…
    source_kind
        ``"import"``, ``"edit"`` or ``"review"``.
    at
        When (UTC); default now.
    import_id
        The ``import_run`` the change belongs to, if any.

    Raises
    ------
    StaleRecordError
        When a record is not at the version its writer opened; `RecordMovedError` when
        it changed between the read and this write.
    """
    at = at or utc_now()
    if not writes:
        return WriteOutcome()
    resource_type = writes[0].resource_type
    fields = SERVICE_FIELDS if resource_type == SERVICE_RESOURCE else ORGANISATION_FIELDS
    created: list[Write] = []
    changed: list[tuple[Write, Stored, list[str]]] = []
    noted: list[tuple[Write, Stored]] = []
    unchanged: list[str] = []
    for write in writes:
        old = stored.get(write.resource_id)
        if old is None:
            created.append(write)
            continue
        _check_version(write, old)
        differ = changed_fields(old.record, write.record, fields)
        if differ:
            changed.append((write, old, differ))
        elif resource_type == SERVICE_RESOURCE and changed_fields(
            old.record, write.record, IMPORT_NOTES
        ):
            noted.append((write, old))
        else:
            unchanged.append(write.resource_id)
    if not (created or changed or noted):
        return WriteOutcome(unchanged=tuple(unchanged))
    data_version = bump_data_version(connection, at)
    context = _Context(connection, resource_type, actor, source_kind, at, import_id)
    _create(context, created)
    _update(context, changed)
    _note(context, noted)
    return WriteOutcome(
        created=tuple(w.resource_id for w in created),
        changed=tuple(w.resource_id for w, _, _ in changed),
        unchanged=(*unchanged, *(w.resource_id for w, _ in noted)),
        data_version=data_version,
        fields_changed={w.resource_id: tuple(differ) for w, _, differ in changed},
    )


def _check_version(write: Write, old: Stored) -> None:
    if write.expected_version is None or write.expected_version == old.version:
        return
    fields = SERVICE_FIELDS if write.resource_type == SERVICE_RESOURCE else ORGANISATION_FIELDS
    differ = changed_fields(old.record, write.record, fields)
    both = "; ".join(
        f"{name}: yours {write.record.get(name)!r}, now {old.record.get(name)!r}" for name in differ
    )
    raise StaleRecordError(
        f"{write.resource_type} {write.resource_id!r} was changed by someone else since you "
        f"opened it (you opened version {write.expected_version}, it is now at version "
        f"{old.version}){f': {both}' if both else ''}. Nothing was saved. Fix: open it again, "
        "check the values now stored, and make your change again"
    )


def bump_data_version(connection: Connection, at: datetime) -> int:
    """Raise the store's data version by one; return the new value.

    Taken first in a write, the row's lock also orders concurrent writers.
    """
    state = schema.store_state
    connection.execute(
        state.update()
        .where(state.c.id == STATE_ROW)
        .values(data_version=state.c.data_version + 1, updated_at=at)
    )
    return int(
        connection.execute(
            sa.select(state.c.data_version).where(state.c.id == STATE_ROW)
        ).scalar_one()
    )


@dataclass(frozen=True)
class _Context:
    connection: Connection
    resource_type: ResourceType
    actor: str
    source_kind: ChangeSource
    at: datetime
    import_id: int | None

    @property
    def table(self) -> sa.Table:
        return schema.service if self.resource_type == SERVICE_RESOURCE else schema.organization

    def change_row(self, resource_id: str, version: int, **values: Any) -> dict[str, Any]:
        return columns(
            schema.change,
            resource_id=resource_id,
            resource_type=self.resource_type,
            updated_at=self.at,
            updated_by=self.actor,
            source_kind=self.source_kind,
            import_id=self.import_id,
            version=version,
            **values,
        )


def _create(context: _Context, created: Sequence[Write]) -> None:
    if not created:
        return
    fields = SERVICE_FIELDS if context.resource_type == SERVICE_RESOURCE else ORGANISATION_FIELDS
    rows = [
        columns(
            context.table,
            **_main_row(context.resource_type, w.resource_id, w.record),
            source=w.source,
            source_id=w.source_id,
            version=1,
            created_at=context.at,
            modified_at=context.at,
        )
        for w in created
    ]
    _execute_many(context.connection, context.table.insert(), rows)
    everything = frozenset(fields)
    _write_children(context, [(w, w.source, everything) for w in created])
    history = [
        context.change_row(
            w.resource_id,
            1,
            last_action_type=CREATED,
            field_name="",
            previous_value=None,
            replacement_value=to_json({name: w.record.get(name) for name in fields}),
        )
        for w in created
    ]
    _execute_many(context.connection, schema.change.insert(), history)


def _update(context: _Context, changed: Sequence[tuple[Write, Stored, list[str]]]) -> None:
    if not changed:
        return
    table = context.table
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam(_BIND_ID))
        .where(table.c.version == sa.bindparam(_BIND_VERSION))
    )
    rows = [
        {
            **_main_row(context.resource_type, w.resource_id, w.record, with_id=False),
            **columns(table, version=old.version + 1, modified_at=context.at),
            _BIND_ID: w.resource_id,
            _BIND_VERSION: old.version,
        }
        for w, old, _ in changed
    ]
    _update_checked(context, statement, rows)
    _write_children(
        context, [(w, old.source, frozenset(differ)) for w, old, differ in changed], replace=True
    )
    history = [
        context.change_row(
            w.resource_id,
            old.version + 1,
            last_action_type=UPDATED,
            field_name=name,
            previous_value=to_json(old.record.get(name)),
            replacement_value=to_json(w.record.get(name)),
        )
        for w, old, differ in changed
        for name in differ
    ]
    _execute_many(context.connection, schema.change.insert(), history)


def _note(context: _Context, noted: Sequence[tuple[Write, Stored]]) -> None:
    """Keep the last import's notes (warnings, row) of records otherwise unchanged."""
    if not noted:
        return
    table = schema.service
    statement = table.update().where(table.c.id == sa.bindparam(_BIND_ID))
    rows = [
        {
            **columns(
                table, flags=w.record.get(FLAGS, []), source_row=int(w.record.get(SOURCE_ROW) or 0)
            ),
            _BIND_ID: w.resource_id,
        }
        for w, _ in noted
    ]
    _execute_many(context.connection, statement, rows)


def _update_checked(context: _Context, statement: sa.Update, rows: list[dict]) -> None:
    """Run the versioned updates; refuse the whole write when one found its record moved."""
    connection = context.connection
    if connection.dialect.supports_sane_multi_rowcount:
        done = sum(
            connection.execute(statement, batch).rowcount
            for batch in _batches(rows, config.WRITE_BATCH_ROWS)
        )
        if done == len(rows):
            return
    else:
        missed = [row for row in rows if connection.execute(statement, row).rowcount != 1]
        if not missed:
            return
    raise RecordMovedError(
        f"a {context.resource_type} changed while it was being saved (by another session or "
        "process). Nothing was saved. Fix: open it again and make your change again"
    )


def _main_row(
    resource_type: ResourceType, resource_id: str, record: Record, *, with_id: bool = True
) -> dict[str, Any]:
    row = (_service_row if resource_type == SERVICE_RESOURCE else _organisation_row)(record)
    return {**row, schema.service.c.id.key: resource_id} if with_id else row


def _organisation_row(record: Record) -> dict[str, Any]:
    return columns(
        schema.organization,
        name=record[ORG_NAME],
        kind=record[ORG_KIND],
        charity_number=record[CHARITY_NUMBER],
        website=record[WEBSITE],
        email=record[EMAIL],
        description=record[DESCRIPTION],
        last_updated=as_date(record[LAST_UPDATED]),
        contact_public=record[CONTACT_PUBLIC],
        email_public=record[EMAIL_PUBLIC],
        phone_public=record[PHONE_PUBLIC],
        archived=record[ARCHIVED],
    )


def _service_row(record: Record) -> dict[str, Any]:
    return columns(
        schema.service,
        organization_id=record[ORG_ID],
        name=record[SERVICE_NAME],
        description=record[DESCRIPTION],
        url=record[WEBSITE],
        email=record[EMAIL],
        status=record[FIELD_STATUS],
        delivery=record[DELIVERY],
        area_kind=record[AREA_KIND],
        area_value=record[AREA_VALUE],
        radius_m=record[RADIUS_M],
        capacity=record[CAPACITY],
        capacity_unit=record[CAPACITY_UNIT],
        audience=record[AUDIENCE],
        active_from=as_date(record[ACTIVE_FROM]),
        active_until=as_date(record[ACTIVE_UNTIL]),
        last_updated=as_date(record[LAST_UPDATED]),
        last_verified=as_datetime(record[LAST_VERIFIED]),
        contact_public=record[CONTACT_PUBLIC],
        email_public=record[EMAIL_PUBLIC],
        phone_public=record[PHONE_PUBLIC],
        archived=record[ARCHIVED],
        flags=record.get(FLAGS, []),
        source_row=int(record.get(SOURCE_ROW) or 0),
    )


# ---------------------------------------------------------------------------------------
# A record's other rows: venues, wards, taxonomy terms, phone
# ---------------------------------------------------------------------------------------


def _write_children(
    context: _Context,
    items: Sequence[tuple[Write, str | None, frozenset[str]]],
    *,
    replace: bool = False,
) -> None:
    """Write the rows of the fields that changed (all of them for a new record)."""
    connection = context.connection
    if context.resource_type == ORGANIZATION_RESOURCE:
        phones = [(w, fields) for w, _, fields in items if fields & _PHONE_FIELDS]
        _write_phones(connection, phones, owner=schema.phone.c.organization_id, replace=replace)
        return
    venues = [w for w, _, fields in items if fields & _VENUE_FIELDS]
    areas = [w for w, _, fields in items if fields & _AREA_FIELDS]
    terms = [(w, source) for w, source, fields in items if fields & _TERM_FIELDS]
    phones = [(w, fields) for w, _, fields in items if fields & _PHONE_FIELDS]
    if replace:
        _delete_venues(connection, [w.resource_id for w in venues])
        _delete_where(connection, schema.service_area.c.service_id, [w.resource_id for w in areas])
        _delete_where(
            connection,
            schema.attribute.c.link_id,
            [w.resource_id for w, _ in terms],
            schema.attribute.c.link_type == SERVICE_LINK,
        )
    _insert_venues(connection, venues)
    _execute_many(
        connection,
        schema.service_area.insert(),
        [
            columns(
                schema.service_area,
                id=_new_id(),
                service_id=w.resource_id,
                name=code,
                code=code,
                position=position,
            )
            for w in areas
            for position, code in enumerate(w.record[WARD_CODES])
        ],
    )
    _insert_terms(connection, terms)
    _write_phones(connection, phones, owner=schema.phone.c.service_id, replace=replace)


def _insert_venues(connection: Connection, writes: Sequence[Write]) -> None:
    pairs = [(w, position, xy) for w in writes for position, xy in enumerate(w.record[LOCATIONS])]
    if not pairs:
        return
    xy = np.asarray([each for _, _, each in pairs], dtype=float)
    lon, lat = bng_to_lonlat(xy[:, 0], xy[:, 1])
    locations, links = [], []
    for (w, position, (x, y)), one_lon, one_lat in zip(
        pairs, np.asarray(lon).tolist(), np.asarray(lat).tolist(), strict=True
    ):
        location_id = _new_id()
        locations.append(
            columns(
                schema.location,
                id=location_id,
                name=w.record[SERVICE_NAME] if position == 0 else "",
                # The record's postcode is its first venue's (the Directory keeps one).
                postcode=w.record[POSTCODE] if position == 0 else "",
                latitude=one_lat,
                longitude=one_lon,
                easting=x,
                northing=y,
            )
        )
        links.append(
            columns(
                schema.service_at_location,
                id=_new_id(),
                service_id=w.resource_id,
                location_id=location_id,
                position=position,
            )
        )
    _execute_many(connection, schema.location.insert(), locations)
    _execute_many(connection, schema.service_at_location.insert(), links)


def _delete_venues(connection: Connection, service_ids: Sequence[str]) -> None:
    link = schema.service_at_location
    for batch in _batches(list(service_ids), config.WRITE_BATCH_ROWS):
        location_ids = list(
            connection.execute(
                sa.select(link.c.location_id).where(link.c.service_id.in_(batch))
            ).scalars()
        )
        connection.execute(link.delete().where(link.c.service_id.in_(batch)))
        for ids in _batches(location_ids, config.WRITE_BATCH_ROWS):
            connection.execute(schema.location.delete().where(schema.location.c.id.in_(ids)))


def _insert_terms(connection: Connection, items: Sequence[tuple[Write, str | None]]) -> None:
    """Attribute rows linking each service to its need categories and its source's terms,
    in the order given (a service's first category decides its default catchment)."""
    rows, wanted = [], {}
    for w, source in items:
        linked = [(NEED_TAXONOMY, code) for code in w.record[CATEGORIES]]
        linked += [
            (SOURCE_TAXONOMY_PREFIX + (source or ""), term) for term in w.record[SOURCE_TERMS]
        ]
        for position, (taxonomy_name, code) in enumerate(linked):
            term_id = derived_id(taxonomy_name, code)
            wanted[term_id] = (taxonomy_name, code)
            rows.append(
                columns(
                    schema.attribute,
                    id=_new_id(),
                    link_id=w.resource_id,
                    link_type=SERVICE_LINK,
                    taxonomy_term_id=term_id,
                    position=position,
                )
            )
    _ensure_terms(connection, wanted)
    _execute_many(connection, schema.attribute.insert(), rows)


def _ensure_terms(connection: Connection, wanted: Mapping[str, tuple[str, str]]) -> None:
    """Create the taxonomies and terms not yet stored (ids derived from their names)."""
    if not wanted:
        return
    taxonomies = {derived_id(name): name for name, _ in wanted.values()}
    have = _existing(connection, schema.taxonomy.c.id, list(taxonomies))
    _execute_many(
        connection,
        schema.taxonomy.insert(),
        [
            columns(schema.taxonomy, id=taxonomy_id, name=name, description="", uri="", version="")
            for taxonomy_id, name in taxonomies.items()
            if taxonomy_id not in have
        ],
    )
    have = _existing(connection, schema.taxonomy_term.c.id, list(wanted))
    _execute_many(
        connection,
        schema.taxonomy_term.insert(),
        [
            columns(
                schema.taxonomy_term,
                id=term_id,
                taxonomy_id=derived_id(name),
                code=code,
                name=code,
                description="",
                parent_id=None,
            )
            for term_id, (name, code) in wanted.items()
            if term_id not in have
        ],
    )


def _write_phones(
    connection: Connection,
    items: Sequence[tuple[Write, frozenset[str]]],
    *,
    owner: sa.Column,
    replace: bool,
) -> None:
    if not items:
        return
    if replace:
        _delete_where(
            connection,
            owner,
            [w.resource_id for w, _ in items],
            schema.phone.c.contact_id.is_(None),
        )
    _execute_many(
        connection,
        schema.phone.insert(),
        [
            {
                **columns(
                    schema.phone,
                    id=_new_id(),
                    number=w.record[PHONE],
                    description="",
                    public=bool(w.record[PHONE_PUBLIC]),
                ),
                owner.key: w.resource_id,
            }
            for w, _ in items
            if w.record[PHONE]
        ],
    )


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def columns(table: sa.Table, **values: Any) -> dict[str, Any]:
    """A row of ``table`` from its columns' values; a name that is no column raises.

    Rows name columns through here, not in dict literals, so that the schema module is
    the one place where a column's name is spelled and a misspelling fails at once.
    """
    known = _column_keys(table.name)
    unknown = [name for name in values if name not in known]
    if unknown:
        raise KeyError(f"{table.name} has no column {unknown[0]!r}")
    return values


@functools.cache
def _column_keys(table_name: str) -> frozenset[str]:
    return frozenset(schema.metadata.tables[table_name].c.keys())


@functools.cache
def derived_id(*names: str) -> str:
    """A stable UUID for a taxonomy (its name) or a term (taxonomy name and code)."""
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(names)))


def _new_id() -> str:
    return str(uuid.uuid4())


def _existing(connection: Connection, column: sa.Column, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for batch in _batches(list(ids), config.WRITE_BATCH_ROWS):
        found.update(connection.execute(sa.select(column).where(column.in_(batch))).scalars())
    return found


def _delete_where(
    connection: Connection, column: sa.Column, ids: Sequence[str], *extra: Any
) -> None:
    for batch in _batches(list(ids), config.WRITE_BATCH_ROWS):
        connection.execute(column.table.delete().where(column.in_(batch), *extra))


def _execute_many(connection: Connection, statement: Any, rows: list[dict[str, Any]]) -> None:
    for batch in _batches(rows, config.WRITE_BATCH_ROWS):
        connection.execute(statement, batch)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def batched(items: Iterable, size: int = config.WRITE_BATCH_ROWS) -> Iterator[list]:
    """``items`` in lists of at most ``size``."""
    yield from _batches(list(items), size)
