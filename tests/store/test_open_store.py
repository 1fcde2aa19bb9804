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


def test_a_store_made_before_accounts_keeps_its_directory_when_migrated(
    backend, tmp_path, request, bristol
):
    from analysis.settings import DEMO_SERVICES_PATH
    from analysis.store.accounts import list_accounts
    from analysis.store.importing import import_file
    from analysis.store.migrate import upgrade

    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        from tests.store.conftest import _pg_create

        url = _pg_create(
            request.getfixturevalue("postgres"), f"old_{tmp_path.name[-8:]}".replace("-", "_")
        )
    engine = make_engine(url)
    try:
        upgrade(engine, "0001")
        import_file(engine, DEMO_SERVICES_PATH, source="before", area=bristol)
        before = len(load_directory_from_store(engine).services)
        assert upgrade(engine) == ("0001", head_revision())
        assert len(load_directory_from_store(engine).services) == before
        assert list_accounts(engine, command_line()) == []
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
