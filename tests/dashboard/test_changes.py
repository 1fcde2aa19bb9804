"""The what-changed page: two days of the directory's history side by side."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.model import (
    ADEQUATE,
    AREA_CODE,
    AREA_NAME,
    CATEGORIES,
    CATEGORY,
    MISSING,
    PROVISION_CLASS,
    SERVICE_ID,
    UNDER_SERVED,
    WELL_PROVIDED,
)
from analysis.settings import DEMO_SERVICES_PATH, REPO_ROOT
from analysis.store.config import DATABASE_URL_ENV, sqlite_url
from analysis.store.editing import open_service, save_service
from analysis.store.engine import make_engine
from analysis.store.importing import import_file
from analysis.store.migrate import upgrade
from analysis.store.reads import load_directory_from_store
from dashboard.pages.changes import CLASS_NOW, CLASS_THEN, chosen_day, class_changes, gap_moves

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
            actor="test",
            at=CLOSED,
        )
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    return url


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in {"page": "changes", **query}.items():
        at.query_params[name] = value
    return at.run()


def test_the_page_shows_the_directory_on_both_days(history):
    at = _app(since="2026-10-01", until="2026-11-15")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Services then"] == "900"
    assert metrics["Services now"] == str(900 - CLOSED_COUNT)
    assert [d.value for d in at.date_input] == [date(2026, 10, 1), date(2026, 11, 15)]
    assert at.query_params["since"] == "2026-10-01"
    assert at.query_params["until"] == "2026-11-15"


def test_a_day_before_the_history_is_the_first_day(history):
    at = _app(since="2020-01-01", until="2026-10-15")
    assert not at.exception
    assert at.date_input[0].value == date(2026, 9, 1)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Services then"] == metrics["Services now"] == "900"  # closures came later


def test_days_in_the_wrong_order_are_refused_with_the_fix(history):
    at = _app(since="2026-11-15", until="2026-10-01")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The first day is after the second. Fix: choose an earlier 'From' day."
    ]
    assert not at.metric


def test_a_link_day_is_kept_within_the_history():
    first, today = date(2026, 9, 1), date(2026, 12, 2)
    assert chosen_day("", date(2026, 10, 1), first=first, today=today) == date(2026, 10, 1)
    assert chosen_day("2019-05-05", today, first=first, today=today) == first
    assert chosen_day("2030-01-01", first, first=first, today=today) == today


def _table(classes: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            AREA_CODE: list(classes),
            AREA_NAME: [f"Ward {code}" for code in classes],
            CATEGORY: "food",
            PROVISION_CLASS: list(classes.values()),
        }
    )


def test_class_changes_list_only_the_wards_that_moved_and_count_gaps():
    then = _table({"A": ADEQUATE, "B": MISSING, "C": UNDER_SERVED, "D": WELL_PROVIDED})
    now = _table({"A": UNDER_SERVED, "B": ADEQUATE, "C": MISSING, "D": WELL_PROVIDED})
    changes = class_changes(then, now, "food")
    assert list(changes["Code"]) == ["A", "B", "C"]
    assert list(changes[CLASS_THEN]) == [ADEQUATE, MISSING, UNDER_SERVED]
    assert list(changes[CLASS_NOW]) == [UNDER_SERVED, ADEQUATE, MISSING]
    # A became a gap, B stopped being one; C moved within the gaps.
    assert gap_moves(changes) == (1, 1)
