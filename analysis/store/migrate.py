"""Schema migrations with alembic, run from code (``python -m analysis db upgrade``).

The migration scripts are in ``migrations/versions``; SQLite's are rendered in batch mode
(a table is copied to change it, since SQLite's ALTER TABLE cannot drop or alter a
column). No ``alembic.ini`` is needed: the configuration is made here. To write a new
migration, see docs/store.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from analysis.errors import StoreError
from analysis.store.engine import check_reachable, redacted

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic configuration for the store's migrations, bound to ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the store has no migration"
    return head


def known_revisions() -> frozenset[str]:
    """The revision ids of every migration this version of the project has."""
    return frozenset(
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )


def refuse_unknown(engine: Engine, revision: str | None) -> None:
    """Refuse a database at a revision this version does not know: a newer one made it.

    Raises
    ------
    StoreError
        Naming the revision and the fix.
    """
    if revision is None or revision in known_revisions():
        return
    raise StoreError(
        f"the database {redacted(engine.url)} is at schema revision {revision!r}, which this "
        f"version of the project does not know (its newest is {head_revision()}): a newer "
        "version made it. Fix: run that newer version, or restore a backup made before it"
    )


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None when it has no schema yet."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Create or migrate the schema to ``revision``; return (revision before, after).

    Raises
    ------
    StoreError
        When the database cannot be reached, or a newer version of the project made it.
    """
    check_reachable(engine)
    before = current_revision(engine)
    refuse_unknown(engine, before)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
    return before, current_revision(engine) or ""


def is_current(engine: Engine) -> bool:
    """True when the database's schema is at the newest migration."""
    return current_revision(engine) == head_revision()


def table_names(engine: Engine) -> list[str]:
    """The tables the database holds (for checks and messages)."""
    return sorted(sa.inspect(engine).get_table_names())
