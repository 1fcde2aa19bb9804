"""A person's changes to one service: save, verify, archive (a soft delete), restore.

Each is one call of `analysis.store.writes.write_records` in its own transaction, with
the version the person opened (optimistic locking: a record changed meanwhile by someone
else is refused with both values, nothing overwritten). Each publishes at once, so it is
a reviewer's (or the command line's): the ``actor`` is checked in the write's transaction
(`analysis.store.access`). An editor's change goes through `analysis.store.proposals`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ParamSpec

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.errors import RecordMovedError, RecordNotFoundError, StoreError, check_choice
from analysis.model import AREA_KIND, AREA_SERVED_KINDS, FIELD_STATUS, FLAGS, ORG_ID, SOURCE_ROW
from analysis.store import schema
from analysis.store.access import Action, Actor, authorise
from analysis.store.reads import stored_records
from analysis.store.records import ARCHIVED, LAST_VERIFIED, SERVICE_FIELDS, time_text
from analysis.store.schema import (
    BY_EDIT,
    BY_REVIEW,
    ORGANIZATION_RESOURCE,
    SERVICE_RESOURCE,
    SERVICE_STATUSES,
    ChangeSource,
)
from analysis.store.writes import Stored, Write, utc_now, write_records

_EDITABLE = frozenset(SERVICE_FIELDS) - {LAST_VERIFIED}


def open_service(store: Engine, service_id: str) -> Stored:
    """A service as stored now, with the version an edit must name.

    Raises
    ------
    RecordNotFoundError
        When no service has that id.
    """
    with store.connect() as connection:
        found = stored_records(connection, SERVICE_RESOURCE, ids=[service_id])
    if service_id not in found:
        raise RecordNotFoundError(
            f"no service has the id {service_id!r}. Fix: use an id the store holds (see "
            "'python -m analysis db export --out directory.csv', column service_id)"
        )
    return found[service_id]


def open_organisation(store: Engine, organisation_id: str) -> Stored:
    """An organisation as stored now, with the version an edit must name.

    Raises
    ------
    RecordNotFoundError
        When no organisation has that id.
    """
    with store.connect() as connection:
        found = stored_records(connection, ORGANIZATION_RESOURCE, ids=[organisation_id])
    if organisation_id not in found:
        raise RecordNotFoundError(
            f"no organisation has the id {organisation_id!r}. Fix: choose one from the list"
        )
    return found[organisation_id]


def organisation_services(store: Engine, organisation_id: str) -> dict[str, Stored]:
    """The services of one organisation as stored now (archived ones left out), by id."""
    with store.connect() as connection:
        ids = list(
            connection.execute(
                sa.select(schema.service.c.id).where(
                    schema.service.c.organization_id == organisation_id,
                    schema.service.c.archived.is_(False),
                )
            ).scalars()
        )
        return stored_records(connection, SERVICE_RESOURCE, ids=ids) if ids else {}


def save_service(
    store: Engine,
    service_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    actor: Actor,
    source_kind: ChangeSource = BY_EDIT,
    at: datetime | None = None,
) -> int:
    """Change fields of a service; return its version after (the same when nothing changed).

    A save that changes something also sets ``last_verified``: the person checked the
    entry.

    Parameters
    ----------
    changes
        Field -> new plain value (`analysis.store.records`); other fields stay.
    expected_version
        The version the person opened (`open_service`).
    actor
        Who saves: a reviewer, an admin or the command line.
    source_kind
        ``"edit"``, or ``"review"`` for a reviewer's decision.

    Raises
    ------
    StoreError
        When a field is not one of a service's, or a status or area kind is not known.
    StaleRecordError
        When the service changed since ``expected_version``.
    NotAllowedError
        When ``actor`` may not publish changes.
    """
    unknown = sorted(set(changes) - _EDITABLE)
    if unknown:
        raise StoreError(
            f"{unknown[0]!r} is not a field a person can change on a service. Fix: use one of "
            f"{', '.join(sorted(_EDITABLE))}"
        )
    if FIELD_STATUS in changes:
        check_choice(FIELD_STATUS, changes[FIELD_STATUS], SERVICE_STATUSES, error=StoreError)
    if AREA_KIND in changes:
        check_choice("area served", changes[AREA_KIND], AREA_SERVED_KINDS, error=StoreError)
    return _write(
        store, service_id, changes, expected_version, actor, source_kind, at, confirms=True
    )


def verify_service(
    store: Engine,
    service_id: str,
    *,
    expected_version: int,
    actor: Actor,
    at: datetime | None = None,
) -> int:
    """Record that ``actor`` confirmed the service is right, now: its ``last_verified``.

    A verification is a reviewer's act (history source ``review``); saving the same
    values, or importing them again, is not one.
    """
    at = at or utc_now()
    changes = {LAST_VERIFIED: time_text(at)}
    return _write(
        store, service_id, changes, expected_version, actor, BY_REVIEW, at, action="verify"
    )


def archive_service(
    store: Engine,
    service_id: str,
    *,
    expected_version: int,
    actor: Actor,
    at: datetime | None = None,
) -> int:
    """Delete a service softly: it leaves the directory, and stays restorable with its
    history."""
    return _write(store, service_id, {ARCHIVED: True}, expected_version, actor, BY_EDIT, at)


def restore_service(
    store: Engine,
    service_id: str,
    *,
    expected_version: int,
    actor: Actor,
    at: datetime | None = None,
) -> int:
    """Bring an archived service back into the directory."""
    return _write(store, service_id, {ARCHIVED: False}, expected_version, actor, BY_EDIT, at)


P = ParamSpec("P")


def _read_again_once(write: Callable[P, int]) -> Callable[P, int]:
    """Run ``write`` again, once, when someone saved between its read and its write."""

    @functools.wraps(write)
    def retried(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return write(*args, **kwargs)
        except RecordMovedError:
            # Read again, so that the refusal names their values beside ours (or, if they
            # saved the same version we opened, nothing is lost).
            return write(*args, **kwargs)

    return retried


@_read_again_once
def _write(
    store: Engine,
    service_id: str,
    changes: Mapping[str, Any],
    expected_version: int,
    actor: Actor,
    source_kind: ChangeSource,
    at: datetime | None,
    action: Action = "publish change",
    *,
    confirms: bool = False,
) -> int:
    with store.begin() as connection:
        found = stored_records(connection, SERVICE_RESOURCE, ids=[service_id])
        if service_id not in found:
            raise RecordNotFoundError(
                f"no service has the id {service_id!r}. Fix: use an id the store holds"
            )
        stored = found[service_id]
        authorise(connection, actor, action, stored.record[ORG_ID])
        record = {**stored.record, **changes}
        if confirms and record != stored.record:
            # A person who saves the entry has looked at all of it: that checks it, too.
            record[LAST_VERIFIED] = time_text(at or utc_now())
        # A person's save keeps the last import's notes as they are.
        record[FLAGS], record[SOURCE_ROW] = stored.record[FLAGS], stored.record[SOURCE_ROW]
        outcome = write_records(
            connection,
            [Write(SERVICE_RESOURCE, service_id, record, expected_version=expected_version)],
            stored=found,
            actor=actor.label,
            source_kind=source_kind,
            at=at,
        )
    return stored.version + (1 if outcome.changed else 0)
