"""The history of the people's side: one row per account, claim, editor or proposal change.

Records and their versions have their own history (`analysis.store.history`); this one
tells who invited, approved, declined, granted, revoked or deleted what, and when. It
never holds a password or a secret link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.store import schema
from analysis.store.access import Actor, authorise


@dataclass(frozen=True)
class AccessEvent:
    """One act on the people's side."""

    at: datetime
    actor: str
    action: str
    account_id: str | None
    organisation_id: str | None
    detail: str


def record_event(
    connection: Connection,
    actor: Actor,
    action: str,
    at: datetime,
    *,
    account_id: str | None = None,
    organisation_id: str | None = None,
    detail: str = "",
) -> None:
    """Add one row to the history of access, in the caller's transaction."""
    connection.execute(
        sa.insert(schema.access_event).values(
            at=at,
            actor=actor.label,
            action=action,
            account_id=account_id,
            organization_id=organisation_id,
            detail=detail,
        )
    )


def access_events(store: Engine, actor: Actor, *, limit: int = 500) -> list[AccessEvent]:
    """The newest acts first (reviewers and admins).

    Raises
    ------
    NotAllowedError
        When ``actor`` may not see the history of access.
    """
    table = schema.access_event
    with store.connect() as connection:
        authorise(connection, actor, "see access history")
        rows = connection.execute(
            sa.select(
                table.c.at,
                table.c.actor,
                table.c.action,
                table.c.account_id,
                table.c.organization_id,
                table.c.detail,
            )
            .order_by(table.c.id.desc())
            .limit(limit)
        ).all()
    return [AccessEvent(*row) for row in rows]
