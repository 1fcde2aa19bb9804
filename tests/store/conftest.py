"""Fixtures of the store's tests: every store test runs on SQLite and on PostgreSQL.

SQLite is a file in a temporary folder. PostgreSQL is a real server started for the
session (`tests.store.pgserver`). Each test gets a database of its own, copied from a
template migrated once (and, for ``demo_store``, holding the demo imported once): a
SQLite file copied, a PostgreSQL ``CREATE DATABASE … TEMPLATE``.

Where PostgreSQL cannot be started, its tests are skipped with the reason printed — except
under CI (``CI`` set), where that is a failure: CI must run them.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from analysis.settings import DEMO_SERVICES_PATH
from analysis.store.config import sqlite_url
from analysis.store.engine import make_engine
from analysis.store.importing import import_file
from analysis.store.migrate import upgrade
from tests.store.pgserver import PostgresServer, server_for_tests

BACKENDS = ("sqlite", "postgresql")
DEMO_SOURCE = "demo"
DEMO_AT = datetime(2026, 1, 10, 9, 0, 0)
"""When the demo is imported into ``demo_store`` (UTC): tests date later changes after it."""

_numbers = itertools.count()


@pytest.fixture(scope="session")
def bristol():
    """The bundled Bristol area, loaded once."""
    from analysis.geography import default_area_path, load_area

    return load_area(default_area_path())


@pytest.fixture(scope="session")
def shape(bristol):
    """Bristol prepared for drawing areas served, once."""
    from analysis.ingest.locate import area_shape

    return area_shape(bristol)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with server_for_tests() as server:
        yield server


def _pg_create(server: PostgresServer, name: str, template: str | None = None) -> str:
    admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            like = f" TEMPLATE {template}" if template else ""
            connection.execute(sa.text(f"CREATE DATABASE {name}{like}"))
    finally:
        admin.dispose()
    return server.url(name)


class _Templates:
    """Migrated template databases of one backend, made on first use."""

    def __init__(self, backend: str, folder: Path, request: pytest.FixtureRequest) -> None:
        self.backend, self.folder, self.request = backend, folder, request
        self.made: dict[str, str] = {}

    def template(self, name: str, bristol) -> str:
        if name not in self.made:
            url = self._new(f"template_{name}")
            engine = make_engine(url)
            upgrade(engine)
            if name == "demo":
                import_file(
                    engine, DEMO_SERVICES_PATH, source=DEMO_SOURCE, area=bristol, at=DEMO_AT
                )
            engine.dispose()
            self.made[name] = url
        return self.made[name]

    def copy(self, name: str, bristol) -> str:
        template = self.template(name, bristol)
        number = next(_numbers)
        if self.backend == "sqlite":
            path = self.folder / f"store_{number}.sqlite3"
            shutil.copyfile(sa.engine.make_url(template).database, path)
            return sqlite_url(path)
        server: PostgresServer = self.request.getfixturevalue("postgres")
        return _pg_create(server, f"store_{number}", sa.engine.make_url(template).database)

    def _new(self, name: str) -> str:
        if self.backend == "sqlite":
            return sqlite_url(self.folder / f"{name}.sqlite3")
        server: PostgresServer = self.request.getfixturevalue("postgres")
        return _pg_create(server, name)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory, request) -> dict[str, _Templates]:
    folder = tmp_path_factory.mktemp("stores")
    return {backend: _Templates(backend, folder, request) for backend in BACKENDS}


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The database kind a store test runs on: each runs once on each."""
    return request.param


@pytest.fixture
def store_url(backend, _templates, bristol) -> str:
    """The URL of a new, migrated, empty database of the test's backend."""
    return _templates[backend].copy("empty", bristol)


@pytest.fixture
def store(store_url) -> Iterator[sa.engine.Engine]:
    """A new, migrated, empty store of the test's backend."""
    engine = make_engine(store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_store(backend, _templates, bristol) -> Iterator[sa.engine.Engine]:
    """A store holding the demo directory, imported at `DEMO_AT` as source ``demo``."""
    engine = make_engine(_templates[backend].copy("demo", bristol))
    yield engine
    engine.dispose()
