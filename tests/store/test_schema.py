"""The schema: migrations make exactly the tables the code uses, and the database keeps
its rules (foreign keys, closed vocabularies) on SQLite as on PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from analysis.errors import StoreError
from analysis.store import schema
from analysis.store.engine import make_engine
from analysis.store.migrate import current_revision, head_revision, table_names, upgrade
from analysis.store.writes import utc_now


def test_the_migrations_make_the_schema_the_code_uses(store):
    with store.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert differences == []
    assert set(table_names(store)) == {*schema.metadata.tables, "alembic_version"}
    assert current_revision(store) == head_revision()


def test_upgrade_again_changes_nothing(store):
    assert upgrade(store) == (head_revision(), head_revision())


def test_a_new_database_is_created_at_the_newest_revision(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'store.sqlite3'}")
    assert current_revision(engine) is None
    assert upgrade(engine) == (None, head_revision())
    assert (tmp_path / "new" / "store.sqlite3").is_file()


def _organisation(identifier: str) -> dict:
    now = utc_now()
    return {
        "id": identifier,
        "name": "Heron Hub",
        "kind": "charity",
        "created_at": now,
        "modified_at": now,
    }


def _service(organization_id: str, **extra) -> dict:
    now = utc_now()
    return {
        "id": "s1",
        "organization_id": organization_id,
        "name": "Pantry",
        "delivery": [],
        "area_kind": "at_location",
        "capacity_unit": "places per week",
        "flags": [],
        "created_at": now,
        "modified_at": now,
        **extra,
    }


def test_a_service_of_no_stored_organisation_is_refused(store):
    with pytest.raises(IntegrityError), store.begin() as connection:
        connection.execute(schema.service.insert().values(**_service("nobody")))


@pytest.mark.parametrize("column, value", [("status", "closed"), ("area_kind", "somewhere")])
def test_a_status_or_area_kind_outside_the_vocabulary_is_refused(store, column, value):
    with store.begin() as connection:
        connection.execute(schema.organization.insert().values(**_organisation("o1")))
    with pytest.raises(IntegrityError), store.begin() as connection:
        connection.execute(schema.service.insert().values(**_service("o1", **{column: value})))


def test_sqlite_connections_enforce_foreign_keys_wait_and_log_ahead(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    with engine.connect() as connection:
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("foreign_keys", "journal_mode", "busy_timeout")
        }
    assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}


@pytest.mark.parametrize(
    "url, expected",
    [
        ("mysql://u:p@host/db", "names 'mysql', which the store does not use"),
        ("not a url", "is not a database URL the store can use"),
    ],
)
def test_a_database_url_the_store_cannot_use_is_refused_with_the_fix(url, expected):
    with pytest.raises(StoreError, match=expected) as caught:
        make_engine(url)
    assert "SAFETYNET_DATABASE_URL" in str(caught.value)


def test_an_unreachable_database_is_one_line_with_the_fix(backend, request, tmp_path):
    if backend == "postgresql":
        server = request.getfixturevalue("postgres")
        url = server.url("nowhere").replace(f":{server.port}/", ":1/")
    else:
        blocker = tmp_path / "a file"
        blocker.write_text("not a folder", encoding="utf-8")
        url = f"sqlite:///{blocker / 'store.sqlite3'}"
    with pytest.raises(StoreError, match="cannot open the database") as caught:
        upgrade(make_engine(url))
    assert "Fix:" in str(caught.value) and "\n" not in str(caught.value)


def test_the_data_version_starts_at_zero(store):
    with store.connect() as connection:
        assert connection.execute(sa.select(schema.store_state.c.data_version)).scalar_one() == 0
