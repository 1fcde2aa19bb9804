"""A record's history: every version, who made it, when, from what, field by field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.errors import RecordNotFoundError
from analysis.store import schema
from analysis.store.records import from_json
from analysis.store.schema import CREATED, SERVICE_RESOURCE, ResourceType


@dataclass(frozen=True)
class Change:
    """One row of the history: a field's change, or a record's creation (field ``""``)."""

    version: int
    updated_at: datetime
    updated_by: str
    source_kind: str
    action: str
    field_name: str
    previous: Any
    replacement: Any
    import_source: str | None = None


def record_history(
    store: Engine, resource_id: str, *, resource_type: ResourceType = SERVICE_RESOURCE
) -> list[Change]:
    """Every change of one record, oldest first.

    Raises
    ------
    RecordNotFoundError
        When the store has no history for that id.
    """
    change, run = schema.change, schema.import_run
    query = (
        sa.select(
            change.c.version,
            change.c.updated_at,
            change.c.updated_by,
            change.c.source_kind,
            change.c.last_action_type,
            change.c.field_name,
            change.c.previous_value,
            change.c.replacement_value,
            run.c.source,
        )
        .outerjoin(run, run.c.id == change.c.import_id)
        .where(change.c.resource_type == resource_type, change.c.resource_id == resource_id)
        .order_by(change.c.id)
    )
    with store.connect() as connection:
        rows = connection.execute(query).all()
    if not rows:
        raise RecordNotFoundError(
            f"no {resource_type} with the id {resource_id!r} has a history in the store. Fix: "
            "use an id the store holds (the service_id column of 'python -m analysis db "
            "export --out directory.csv')"
        )
    return [
        Change(
            version=row[0],
            updated_at=row[1],
            updated_by=row[2],
            source_kind=row[3],
            action=row[4],
            field_name=row[5],
            previous=from_json(row[6]),
            replacement=from_json(row[7]),
            import_source=row[8],
        )
        for row in rows
    ]


def history_lines(changes: Sequence[Change]) -> list[str]:
    """The history as text: a heading per version, a line per field changed."""
    lines: list[str] = []
    heading = None
    for each in changes:
        kind = each.source_kind + (f" of {each.import_source}" if each.import_source else "")
        this = (each.version, each.updated_at, each.updated_by, kind)
        if this != heading:
            heading = this
            lines.append(
                f"version {each.version}, {each.updated_at:%Y-%m-%d %H:%M:%S} UTC, by "
                f"{each.updated_by} ({kind}):"
            )
        if each.action == CREATED:
            lines.append("  created:")
            lines.extend(f"    {line}" for line in _values(each.replacement))
        else:
            lines.append(
                f"  {each.field_name}: {_shown(each.previous)} -> {_shown(each.replacement)}"
            )
    return lines


def _values(values: Any) -> list[str]:
    """A created record's values, one field a line, empty ones left out."""
    if not isinstance(values, dict):
        return [_shown(values)]
    return [
        f"{name}: {_shown(value)}"
        for name, value in values.items()
        if value not in (None, "", []) and value is not False
    ]


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return "; ".join(_shown(item) for item in value)
    return str(value)
