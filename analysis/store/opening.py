"""`open_store`: the store ready to use — created, migrated, and holding the demo when new.

The dashboard and the CLI call it with no argument: the database of
``SAFETYNET_DATABASE_URL``, else the SQLite file of `analysis.store.config`, so that
``make run`` on a fresh clone opens on the fictional demo directory with no setup.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from analysis import settings
from analysis.geography import AreaSet
from analysis.store import schema
from analysis.store.engine import make_engine
from analysis.store.importing import IMPORT_ACTOR, import_file
from analysis.store.locking import setting_up
from analysis.store.migrate import upgrade

DEMO_SOURCE: Final = "demo"
"""The source name of the fictional demo directory loaded into a new store."""


def open_store(
    url: str | None = None, *, load_demo: bool = True, area: AreaSet | None = None
) -> Engine:
    """The store's engine, its schema up to date; the demo loaded when it holds nothing.

    Processes opening one new database together take turns (`locking.setting_up`): one
    creates the schema and loads the demo, the others find it done.

    Parameters
    ----------
    url
        The database URL; default `analysis.store.config.database_url`.
    load_demo
        Load the fictional demo directory (`settings.DEMO_SERVICES_PATH`) into a store
        with no service yet.
    area
        The reference geography the demo is placed in; default the bundled area.

    Raises
    ------
    StoreError
        When the database cannot be reached or the URL is not one the store uses.
    """
    engine = make_engine(url)
    try:
        with setting_up(engine):
            upgrade(engine)
            if load_demo and is_empty(engine):
                import_file(
                    engine,
                    settings.DEMO_SERVICES_PATH,
                    source=DEMO_SOURCE,
                    area=area,
                    actor=IMPORT_ACTOR,
                )
    except BaseException:
        engine.dispose()
        raise
    return engine


def is_empty(engine: Engine) -> bool:
    """True when the store holds no service, archived or not."""
    with engine.connect() as connection:
        return (
            connection.execute(sa.select(sa.func.count()).select_from(schema.service)).scalar_one()
            == 0
        )
