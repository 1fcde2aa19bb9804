"""``db backup``: a consistent copy of the store while it is in use.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the database page by
page, giving a file that is a database as it was at one moment even while sessions write.
PostgreSQL: ``pg_dump`` in its custom format (restore with ``pg_restore``), run when it is
installed; docs/store.md gives the commands.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine

from analysis.errors import StoreError
from analysis.store.engine import POSTGRESQL, SQLITE, backend_name


def backup_store(engine: Engine, path: Path | str) -> Path:
    """Copy the store to ``path``; return it.

    Raises
    ------
    StoreError
        When the target exists, or ``pg_dump`` is missing or fails.
    """
    target = Path(path)
    if target.exists():
        raise StoreError(
            f"{target} exists already; a backup never overwrites a file. Fix: name a new file, "
            "e.g. with today's date"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    backend = backend_name(engine)
    if backend == SQLITE:
        return _sqlite_backup(engine, target)
    if backend == POSTGRESQL:
        return _pg_dump(engine, target)
    raise StoreError(f"backups of {backend} databases are not supported. Fix: use its own tools")


def _sqlite_backup(engine: Engine, target: Path) -> Path:
    raw = engine.raw_connection()
    try:
        source: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        raw.close()
    return target


def pg_tool(name: str) -> str | None:
    """The path of a PostgreSQL client program: on PATH, else Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _pg_dump(engine: Engine, target: Path) -> Path:
    program = pg_tool("pg_dump")
    if program is None:
        raise StoreError(
            "pg_dump is not installed, and it makes PostgreSQL backups. Fix: install the "
            "PostgreSQL client (Debian: apt-get install postgresql-client), or run pg_dump "
            "where it is installed (docs/store.md)"
        )
    url = engine.url
    arguments = [program, "--format=custom", f"--file={target}", "--no-owner"]
    for option, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value:
            arguments.append(f"{option}={value}")
    arguments.append(f"--dbname={url.database}")
    environment = {**os.environ, "PGPASSWORD": url.password or ""} if url.password else None
    done = subprocess.run(arguments, capture_output=True, text=True, env=environment, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise StoreError(
            f"pg_dump failed: {reason}. Fix: check the database URL and its user's rights"
        )
    return target
