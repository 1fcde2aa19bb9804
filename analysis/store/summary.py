"""What the store holds, in a few numbers: for the dashboard's "data in use" and its caches.

`data_version` alone is what a page reads on every rerun (one row); `store_summary` is
read once per data version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.store import schema
from analysis.store.engine import POSTGRESQL, SQLITE, backend_name
from analysis.store.schema import ACTIVE, STATE_ROW

_BACKENDS = {SQLITE: "an embedded SQLite file", POSTGRESQL: "a shared PostgreSQL server"}


@dataclass(frozen=True)
class StoreSummary:
    """The store at one data version.

    Attributes
    ----------
    data_version
        Raised by every write that changes something.
    updated_at
        When the last such write was (UTC).
    active_services
        Services active and not archived: those the maps count.
    other_services
        Services inactive, temporarily closed or defunct, not archived.
    organisations
        Organisations not archived.
    sources
        The sources of the services active, by name.
    first_at
        When the first record was written (UTC); None for an empty store. Before it the
        directory held nothing.
    backend
        The kind of database in words ("an embedded SQLite file", "a shared PostgreSQL
        server"): where it is, its host and user, are not shown to visitors.
    """

    data_version: int
    updated_at: datetime
    active_services: int
    other_services: int
    organisations: int
    sources: tuple[str, ...]
    first_at: datetime | None
    backend: str

    def holds_only(self, source: str) -> bool:
        """True when every active service comes from ``source`` (or there is none)."""
        return set(self.sources) <= {source}


def store_summary(engine: Engine) -> StoreSummary:
    """Count what the store holds now (a few small queries in one transaction)."""
    service, state = schema.service, schema.store_state
    with engine.connect() as connection:
        version, updated_at = connection.execute(
            sa.select(state.c.data_version, state.c.updated_at).where(state.c.id == STATE_ROW)
        ).one()
        current = ~service.c.archived
        by_status = dict(
            connection.execute(
                sa.select(service.c.status, sa.func.count())
                .where(current)
                .group_by(service.c.status)
            ).all()
        )
        sources = connection.execute(
            sa.select(service.c.source)
            .where(current, service.c.status == ACTIVE)
            .distinct()
            .order_by(service.c.source)
        ).scalars()
        organisations = connection.execute(
            sa.select(sa.func.count())
            .select_from(schema.organization)
            .where(~schema.organization.c.archived)
        ).scalar_one()
        first_at = connection.execute(sa.select(sa.func.min(schema.change.c.updated_at))).scalar()
        return StoreSummary(
            data_version=int(version),
            updated_at=updated_at,
            active_services=int(by_status.get(ACTIVE, 0)),
            other_services=int(sum(by_status.values()) - by_status.get(ACTIVE, 0)),
            organisations=int(organisations),
            sources=tuple(sources),
            first_at=first_at,
            backend=_BACKENDS.get(backend_name(engine), backend_name(engine)),
        )


def organisation_names(store: Engine) -> dict[str, str]:
    """Organisation id -> name, of every organisation not deleted (for finding one)."""
    organisation = schema.organization
    with store.connect() as connection:
        rows = connection.execute(
            sa.select(organisation.c.id, organisation.c.name).where(
                organisation.c.archived.is_(False)
            )
        ).all()
    return {row.id: row.name for row in rows}
