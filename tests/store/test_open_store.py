"""open_store: a new database is created, migrated and given the demo; an existing one is
opened as it is."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from analysis.cli import main
from analysis.errors import StoreError
from analysis.store.access import command_line
from analysis.store.engine import make_engine
from analysis.store.migrate import head_revision
from analysis.store.opening import DEMO_SOURCE, open_store
from analysis.store.reads import data_version, load_directory_from_store


def test_a_new_store_opens_on_the_demo_and_a_second_open_changes_nothing(store_url, bristol, shape):
    engine = open_store(store_url, area=bristol)
    try:
        assert len(load_directory_from_store(engine, shape=shape).services) == 900
        version = data_version(engine)
    finally:
        engine.dispose()
    again = open_store(store_url, area=bristol)
    try:
        assert data_version(again) == version
    finally:
        again.dispose()
    assert DEMO_SOURCE == "demo"


def test_open_store_without_the_demo_leaves_it_empty(store_url, shape):
    engine = open_store(store_url, load_demo=False)
    try:
        assert load_directory_from_store(engine, shape=shape).services.empty
    finally:
        engine.dispose()


def test_db_upgrade_creates_then_says_up_to_date(backend, tmp_path, capsys, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'store.sqlite3'}"
    else:
        from tests.store.conftest import _pg_create

        url = _pg_create(
            request.getfixturevalue("postgres"), f"upgrade_{tmp_path.name[-8:]}".replace("-", "_")
        )
    assert main(["db", "upgrade", "--database", url]) == 0
    assert "created the schema of" in capsys.readouterr().out
    assert main(["db", "upgrade", "--database", url]) == 0
    assert f"is up to date (revision {head_revision()})" in capsys.readouterr().out


def _old_store(backend, tmp_path, request, bristol, revision: str):
    """A database at ``revision`` holding the demo: imported at the newest revision, then
    migrated down (the importer writes the newest schema only)."""
    from alembic import command

    from analysis.settings import DEMO_SERVICES_PATH
    from analysis.store.importing import import_file
    from analysis.store.migrate import alembic_config, current_revision, upgrade

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        from tests.store.conftest import _pg_create

        url = _pg_create(
            request.getfixturevalue("postgres"), f"old_{tmp_path.name[-8:]}".replace("-", "_")
        )
    engine = make_engine(url)
    upgrade(engine)
    import_file(engine, DEMO_SERVICES_PATH, source="before", area=bristol)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
    assert current_revision(engine) == revision
    return engine


def test_a_store_made_before_accounts_keeps_its_directory_when_migrated(
    backend, tmp_path, request, bristol
):
    from analysis.store.accounts import list_accounts
    from analysis.store.migrate import upgrade

    engine = _old_store(backend, tmp_path, request, bristol, "0001")
    try:
        assert "account" not in sa.inspect(engine).get_table_names()
        with engine.connect() as connection:
            before = connection.execute(sa.select(sa.func.count()).select_from(sa.text("service")))
            count = before.scalar_one()
        assert upgrade(engine) == ("0001", head_revision())
        assert len(load_directory_from_store(engine).services) == count == 900
        assert list_accounts(engine, command_line()) == []
    finally:
        engine.dispose()


def test_a_store_made_before_each_detail_had_its_flag_shows_what_it_showed(
    backend, tmp_path, request, bristol
):
    from analysis.store import schema
    from analysis.store.migrate import upgrade

    engine = _old_store(backend, tmp_path, request, bristol, "0002")
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns("service")}
        assert "contact_public" in columns and "email_public" not in columns
        assert upgrade(engine) == ("0002", head_revision())
        with engine.connect() as connection:
            for table in (schema.service, schema.organization):
                rows = connection.execute(
                    sa.select(table.c.contact_public, table.c.email_public, table.c.phone_public)
                ).all()
                assert len(rows) > 0
                assert all(
                    row.email_public == row.phone_public == row.contact_public for row in rows
                )
                assert {row.contact_public for row in rows} == {True, False}
            phones = connection.execute(
                sa.select(schema.phone.c.public, schema.service.c.phone_public).join(
                    schema.service, schema.phone.c.service_id == schema.service.c.id
                )
            ).all()
            assert phones and all(public == flag for public, flag in phones)
        services = load_directory_from_store(engine).services
        assert len(services) == 900
        assert services["email_public"].equals(services["contact_public"])
        assert services["phone_public"].equals(services["contact_public"])
    finally:
        engine.dispose()


def test_the_database_url_comes_from_the_environment(tmp_path, monkeypatch, capsys):
    path = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("SAFETYNET_DATABASE_URL", f"sqlite:///{path}")
    assert main(["db", "upgrade"]) == 0
    assert path.is_file() and str(path) in capsys.readouterr().out


def test_a_database_made_by_a_newer_version_is_refused_with_the_fix(store_url, tmp_path, capsys):
    engine = make_engine(store_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    for command in (["db", "upgrade"], ["db", "export", "--out", str(tmp_path / "out.csv")]):
        assert main([*command, "--database", store_url]) == 2
        error = capsys.readouterr().err
        assert "schema revision '9999', which this version of the project does not know" in error
        assert "Fix: run that newer version" in error and "Traceback" not in error
    with pytest.raises(StoreError, match="a newer version made it"):
        open_store(store_url)
