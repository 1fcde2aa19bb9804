"""A person's changes to one service: save, verify, archive (a soft delete), restore.

Each is one call of `analysis.store.writes.write_records` in its own transaction, with
the version the person opened (optimistic locking: a record changed meanwhile by someone
else is refused with both values, nothing overwritten). ``actor`` names who acts; the
accounts that check they may will call these with the signed-in user.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ParamSpec

from sqlalchemy.engine import Engine

from analysis.errors import RecordMovedError, RecordNotFoundError, StoreError, check_choice
from analysis.model import AREA_KIND, AREA_SERVED_KINDS, FIELD_STATUS, FLAGS, SOURCE_ROW
from analysis.store.reads import stored_records
from analysis.store.records import ARCHIVED, LAST_VERIFIED, SERVICE_FIELDS, time_text
from analysis.store.schema import (
    BY_EDIT,
    BY_REVIEW,
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


def save_service(
    store: Engine,
    service_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
    actor: str,
    source_kind: ChangeSource = BY_EDIT,
    at: datetime | None = None,
) -> int:
    """Change fields of a service; return its version after (the same when nothing changed).

    Parameters
    ----------
    changes
        Field -> new plain value (`analysis.store.records`); other fields stay.
    expected_version
        The version the person opened (`open_service`).
    actor
        Who saves.
    source_kind
        ``"edit"``, or ``"review"`` for a reviewer's decision.

    Raises
    ------
    StoreError
        When a field is not one of a service's, or a status or area kind is not known.
    StaleRecordError
        When the service changed since ``expected_version``.
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
    return _write(store, service_id, changes, expected_version, actor, source_kind, at)


def verify_service(
    store: Engine,
    service_id: str,
    *,
    expected_version: int,
    actor: str,
    at: datetime | None = None,
) -> int:
    """Record that ``actor`` confirmed the service is right, now: its ``last_verified``.

    A verification is a reviewer's act (history source ``review``); saving the same
    values, or importing them again, is not one.
    """
    at = at or utc_now()
    changes = {LAST_VERIFIED: time_text(at)}
    return _write(store, service_id, changes, expected_version, actor, BY_REVIEW, at)


def archive_service(
    store: Engine, service_id: str, *, expected_version: int, actor: str, at: datetime | None = None
) -> int:
    """Delete a service softly: it leaves the directory, and stays restorable with its
    history."""
    return _write(store, service_id, {ARCHIVED: True}, expected_version, actor, BY_EDIT, at)


def restore_service(
    store: Engine, service_id: str, *, expected_version: int, actor: str, at: datetime | None = None
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
    actor: str,
    source_kind: ChangeSource,
    at: datetime | None,
) -> int:
    with store.begin() as connection:
        found = stored_records(connection, SERVICE_RESOURCE, ids=[service_id])
        if service_id not in found:
            raise RecordNotFoundError(
                f"no service has the id {service_id!r}. Fix: use an id the store holds"
            )
        stored = found[service_id]
        record = {**stored.record, **changes}
        # A person's save keeps the last import's notes as they are.
        record[FLAGS], record[SOURCE_ROW] = stored.record[FLAGS], stored.record[SOURCE_ROW]
        outcome = write_records(
            connection,
            [Write(SERVICE_RESOURCE, service_id, record, expected_version=expected_version)],
            stored=found,
            actor=actor,
            source_kind=source_kind,
            at=at,
        )
    return stored.version + (1 if outcome.changed else 0)
