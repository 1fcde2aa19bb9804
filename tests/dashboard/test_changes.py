"""The what-changed page: two days of the directory's history side by side."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from analysis.model import (
    CATEGORIES,
    SERVICE_ID,
)
from analysis.settings import DEMO_SERVICES_PATH, REPO_ROOT
from analysis.store.access import command_line
from analysis.store.config import DATABASE_URL_ENV, sqlite_url
from analysis.store.editing import open_service, save_service
from analysis.store.engine import make_engine
from analysis.store.importing import import_file
from analysis.store.migrate import upgrade
from analysis.store.reads import load_directory_from_store
from dashboard.pages.changes import chosen_day

APP = str(REPO_ROOT / "dashboard" / "app.py")
IMPORTED = datetime(2026, 9, 1, 9, 0)
CLOSED = datetime(2026, 11, 1, 9, 0)
CLOSED_COUNT = 25


@pytest.fixture
def history(tmp_path, monkeypatch) -> str:
    """A database holding the demo since 1 September 2026, 25 food services closed on
    1 November 2026."""
    url = sqlite_url(tmp_path / "history.sqlite3")
    engine = make_engine(url)
    upgrade(engine)
    import_file(engine, DEMO_SERVICES_PATH, source="demo", at=IMPORTED)
    services = load_directory_from_store(engine).services
    food = services[services[CATEGORIES].map(lambda cats: "food" in cats)]
    for service_id in food[SERVICE_ID][:CLOSED_COUNT]:
        stored = open_service(engine, service_id)
        save_service(
            engine,
            service_id,
            {"status": "inactive"},
            expected_version=stored.version,
            actor=command_line("test"),
            at=CLOSED,
        )
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in {"page": "changes", **query}.items():
        at.query_params[name] = value
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_page_counts_what_closed_between_the_days(history):
    at = _app(since="2026-10-01", until="2026-11-15", category="food")
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Services closed"] == str(CLOSED_COUNT)
    assert metrics["Services opened"] == metrics["Services changed"] == "0"
    assert "900 open services (all categories) at the end of 01 October 2026" in (
        at.caption[0].value
    )
    assert f"and {900 - CLOSED_COUNT:,} at the end of 15 November 2026" in at.caption[0].value
    assert [d.value for d in at.date_input] == [date(2026, 10, 1), date(2026, 11, 15)]
    assert at.query_params["since"] == "2026-10-01"
    assert at.query_params["until"] == "2026-11-15"


def test_the_closed_services_are_listed_with_how_and_where(history):
    at = _app(since="2026-10-01", until="2026-11-15", category="food")
    wards, services = (frame.value for frame in at.dataframe)
    assert len(services) == CLOSED_COUNT
    assert set(services["What happened"]) == {"closed"}
    assert set(services["How"]) == {"inactive"}
    assert (services["Wards it counts in"] != "").all()
    assert len(wards) > 0
    assert (wards["Closed"] > 0).all() or (wards["Gap"] != "no gap").all()
    assert wards["Closed"].sum() >= CLOSED_COUNT  # a service counts in every ward it reaches
    assert (wards["Opened"] == 0).all()


def test_a_service_closed_counts_in_each_of_its_categories(history):
    engine = make_engine(history)
    services = load_directory_from_store(engine, as_of=date(2026, 10, 1)).services
    engine.dispose()
    food = services[services[CATEGORIES].map(lambda cats: "food" in cats)]
    closed_befriending = sum("befriending" in cats for cats in food[CATEGORIES][:CLOSED_COUNT])
    at = _app(since="2026-10-01", until="2026-11-15", category="befriending")
    assert not at.exception
    assert _metrics(at)["Services closed"] == str(closed_befriending)


def test_a_day_before_the_history_is_the_first_day(history):
    at = _app(since="2020-01-01", until="2026-10-15", category="food")
    assert not at.exception
    assert at.date_input[0].value == date(2026, 9, 1)
    metrics = _metrics(at)
    assert metrics["Services closed"] == metrics["Services opened"] == "0"  # closures came later


def test_days_in_the_wrong_order_are_refused_with_the_fix(history):
    at = _app(since="2026-11-15", until="2026-10-01")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The first day is after the second. Fix: choose an earlier 'From' day."
    ]
    assert not at.metric
    assert not at.dataframe


def test_a_link_day_is_kept_within_the_history():
    first, today = date(2026, 9, 1), date(2026, 12, 2)
    assert chosen_day("", date(2026, 10, 1), first=first, today=today) == date(2026, 10, 1)
    assert chosen_day("2019-05-05", today, first=first, today=today) == first
    assert chosen_day("2030-01-01", first, first=first, today=today) == today
