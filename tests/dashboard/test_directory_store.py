"""The dashboard shows the directory held in the database, and a write on the next rerun.

Each test opens a database of its own (a SQLite file, the demo loaded as on a first
start) and writes to it with the store's own functions, as a CLI import or another
dashboard process would.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analysis.geography import load_area
from analysis.ingest.load import load_directory
from analysis.ingest.read import read_table
from analysis.model import SERVICE_ID, SERVICE_NAME, WARD_CODE
from analysis.provision.pipeline import Analysis
from analysis.settings import DEMO_SERVICES_PATH, REPO_ROOT
from analysis.store.access import PUBLIC, NotAllowedError, command_line
from analysis.store.accounts import invite
from analysis.store.config import DATABASE_URL_ENV, sqlite_url
from analysis.store.editing import open_service, save_service
from analysis.store.opening import open_store
from analysis.store.reads import load_directory_from_store
from analysis.store.summary import store_summary
from analysis.taxonomy_file import load_taxonomy
from dashboard.data import import_upload
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    """The URL of a database of this test only, holding the demo, set for the app."""
    url = sqlite_url(tmp_path / "directory.sqlite3")
    open_store(url)
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def _app(page: str, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in {"page": page, **query}.items():
        at.query_params[name] = value
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _ward_tables(at: AppTest) -> str:
    return " ".join(str(df.value.to_numpy().tolist()) for df in at.dataframe)


def test_a_service_closed_in_the_store_leaves_every_page_on_the_next_rerun(database):
    engine = open_store(database)
    area = load_area()
    directory = load_directory_from_store(engine, area=area)
    names = directory.services[SERVICE_NAME]
    ward = area.wards[WARD_CODE].iloc[0]
    reaching = Analysis(directory, area, load_taxonomy()).services_in(ward)
    # A service whose name no other service has, so its leaving the ward's table is seen.
    first = reaching[reaching[SERVICE_NAME].map(names.value_counts()) == 1].iloc[0]
    service_id, name = first[SERVICE_ID], first[SERVICE_NAME]
    data, ward_page = _app("data"), _app("ward", ward=ward)
    data.run()
    ward_page.run()
    assert not data.exception and not ward_page.exception
    assert _metrics(data)["Active services"] == "900"
    assert name in _ward_tables(ward_page)

    stored = open_service(engine, service_id)
    save_service(
        engine,
        service_id,
        {"status": "inactive"},
        expected_version=stored.version,
        actor=command_line("someone elsewhere"),
    )
    data.run()
    ward_page.run()
    assert not data.exception and not ward_page.exception
    assert _metrics(data)["Active services"] == "899"
    assert _metrics(data)["Not active"] == "1"
    assert name not in _ward_tables(ward_page)


def test_the_data_page_names_the_directory_and_its_last_change(database):
    at = _app("data")
    at.run()
    assert not at.exception
    summary = store_summary(open_store(database))
    captions = " ".join(shown(c.value) for c in at.caption)
    assert f"data version {summary.data_version:,}" in captions
    assert "held in an embedded SQLite file" in captions
    assert "directory.sqlite3" not in captions  # where the database is stays on the server
    assert any(
        shown(c.value) == "Services: Demo data (fictional), in the directory"
        for c in at.sidebar.caption
    )


@pytest.mark.parametrize("role", ["public", "editor"])
def test_only_a_reviewer_may_import_an_upload_the_store_refuses_others(database, role):
    area, taxonomy = load_area(), load_taxonomy()
    raw = read_table(DEMO_SERVICES_PATH)
    directory, report = load_directory(DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    actor = PUBLIC
    if role == "editor":
        engine = open_store(database)
        actor = invite(engine, command_line(), "ed@example.org", base_url="http://x").account.actor
    with pytest.raises(NotAllowedError, match="may not import"):
        import_upload(directory, report, raw, source="mine", full=False, actor=actor)
    assert store_summary(open_store(database)).sources == ("demo",)


def test_a_reviewers_import_is_stored_for_every_session(database, tmp_path):
    engine = open_store(database)
    reviewer = invite(
        engine, command_line(), "rev@example.org", base_url="http://x", role="reviewer"
    ).account.actor
    area, taxonomy = load_area(), load_taxonomy()
    lines = DEMO_SERVICES_PATH.read_text(encoding="utf-8").splitlines()
    renamed = [lines[0]] + [
        line.replace("Ember Together", "Kestrel Hall", 1) for line in lines[1:4]
    ]
    path = tmp_path / "kestrel.csv"
    path.write_text("\n".join(renamed), encoding="utf-8")
    directory, report = load_directory(path, area=area, taxonomy=taxonomy)
    done = import_upload(
        directory, report, read_table(path), source="kestrel", full=False, actor=reviewer
    )
    assert done.created == 3 and done.source == "kestrel"

    at = _app("data")
    at.run()
    assert not at.exception
    assert _metrics(at)["Active services"] == "903"
    info = " ".join(shown(box.value) for box in at.info)
    assert "from demo, kestrel" in info  # no longer only the demo: the real sources named
    assert not any(
        "Demo data" in shown(c.value) for c in at.sidebar.caption
    )  # the directory is not the demo any more


def test_an_unreachable_database_is_told_without_naming_it(monkeypatch):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody listens there
    monkeypatch.setenv(
        DATABASE_URL_ENV, f"postgresql+psycopg://secretuser:pw@127.0.0.1:{port}/directory"
    )
    at = _app("overview")
    at.run()
    assert not at.exception
    [error] = [shown(e.value) for e in at.error]
    assert error.startswith("The directory of services could not be read")
    assert "quote it" in error
    assert "secretuser" not in error and str(port) not in error
