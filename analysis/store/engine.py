"""Opening the store: an engine for SQLite or PostgreSQL, its schema brought up to date.

SQLite (the default, one file) gets, on every connection, foreign keys enforced (SQLite
leaves them off unless asked), write-ahead logging (readers do not wait for a writer, and
a writer does not wait for readers) and a busy timeout (a second writer waits rather than
failing at once). PostgreSQL is reached through psycopg 3 with a URL such as
``postgresql+psycopg://user:password@host/database``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from analysis.errors import StoreError
from analysis.store import config

SQLITE: str = "sqlite"
POSTGRESQL: str = "postgresql"


def make_engine(url: str | None = None) -> Engine:
    """An engine for the database at ``url`` (default `config.database_url`).

    A SQLite file's folder is created when missing. Nothing is connected yet.

    Raises
    ------
    StoreError
        When the URL is not a database URL this project can use.
    """
    text = config.database_url(url)
    try:
        parsed = sa.engine.make_url(text)
        backend = parsed.get_backend_name()
        if backend not in (SQLITE, POSTGRESQL):
            raise StoreError(
                f"the database URL names {backend!r}, which the store does not use. Fix: set "
                f"{config.DATABASE_URL_ENV} to a sqlite:///PATH or "
                "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE URL"
            )
        if backend == SQLITE:
            return _sqlite_engine(parsed)
        return sa.create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise StoreError(
            f"{redacted(text)!r} is not a database URL the store can use ({error}). Fix: set "
            f"{config.DATABASE_URL_ENV} to sqlite:///PATH or "
            "postgresql+psycopg://USER:PASSWORD@HOST/DATABASE"
        ) from error


def _sqlite_engine(parsed: sa.engine.URL) -> Engine:
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot open the database {database}: its folder cannot be made "
                f"({error.strerror}). Fix: set {config.DATABASE_URL_ENV} to a sqlite:///PATH in "
                "a folder this user can write"
            ) from error
    engine = sa.create_engine(parsed)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(config.SQLITE_BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def backend_name(engine: Engine) -> str:
    """``"sqlite"`` or ``"postgresql"``."""
    return engine.url.get_backend_name()


def redacted(url: str | sa.engine.URL) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(the URL given)"


def check_reachable(engine: Engine) -> None:
    """Connect once; raise `StoreError` naming the database and the fix when it fails."""
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise StoreError(
            f"cannot open the database {redacted(engine.url)}: {reason}. Fix: check that the "
            f"server is running and {config.DATABASE_URL_ENV} names it, with the right user "
            "and password"
        ) from error
