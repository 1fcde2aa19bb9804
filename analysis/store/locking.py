"""One process at a time sets a store up: creating the schema and loading the demo.

Several dashboard processes started together on one new database would each find it
empty, each migrate it and each load the demo. `setting_up` makes them take turns: on
PostgreSQL a session advisory lock (held by one connection, released when it closes, so a
crashed process frees it), on SQLite an exclusive ``flock`` on a lock file beside the
database (released by the kernel when the process ends). The second process in finds the
schema current and the demo loaded, and does nothing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis.store.engine import POSTGRESQL, SQLITE, backend_name, check_reachable

SETUP_LOCK_KEY: Final = 0x5AFE_7E7
"""The PostgreSQL advisory-lock key of setting up a store (any fixed 64-bit number)."""
LOCK_SUFFIX: Final = ".setup-lock"
"""Added to a SQLite file's name to name its lock file."""


@contextmanager
def setting_up(engine: Engine) -> Iterator[None]:
    """Hold the store's set-up lock while the block runs; wait for it when another holds it.

    Raises
    ------
    StoreError
        When the database cannot be reached (before any lock is asked for).
    """
    check_reachable(engine)
    backend = backend_name(engine)
    database = _sqlite_file(engine) if backend == SQLITE else None
    if backend == POSTGRESQL:
        with _advisory_lock(engine):
            yield
    elif database is not None:
        with _file_lock(database.with_name(database.name + LOCK_SUFFIX)):
            yield
    else:
        yield  # an in-memory database belongs to one process: nobody to wait for


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        connection.execute(sa.select(sa.func.pg_advisory_lock(SETUP_LOCK_KEY)))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.select(sa.func.pg_advisory_unlock(SETUP_LOCK_KEY)))
            connection.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_file(engine: Engine) -> Path | None:
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
