"""More than one process on one store: setting a new store up once, and two people saving
the same record at the same moment.

Real processes (set-up) and real threads with engines of their own (saves) on SQLite and
PostgreSQL; nothing is simulated.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from analysis.errors import StaleRecordError
from analysis.model import CAPACITY
from analysis.store import schema
from analysis.store.access import command_line
from analysis.store.config import sqlite_url
from analysis.store.editing import open_service, save_service
from analysis.store.engine import make_engine
from analysis.store.history import record_history

PROCESSES = 3
SAVERS = 4
SERVICE = "ember-together--benefits-help"
PROCESS_TIMEOUT_S = 240

OPEN_WHEN_TOLD = """
import sys, time
from pathlib import Path
from analysis.store.opening import open_store

url, start = sys.argv[1], Path(sys.argv[2])
while not start.exists():
    time.sleep(0.005)
open_store(url).dispose()
"""
"""A process that opens the store at argv[1] as soon as the file argv[2] appears."""


def _new_database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with nothing in it, not even the schema."""
    if backend == "sqlite":
        return sqlite_url(tmp_path / "new.sqlite3")
    from tests.store.conftest import _pg_create

    name = f"fresh_{tmp_path.name[-12:]}".replace("-", "_").lower()
    return _pg_create(request.getfixturevalue("postgres"), name)


def test_processes_opening_a_new_store_together_load_the_demo_once(backend, tmp_path, request):
    url = _new_database(backend, tmp_path, request)
    start = tmp_path / "start"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_WHEN_TOLD, url, str(start)],
            cwd=Path(__file__).resolve().parents[2],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    time.sleep(1.0)  # every process past its imports, waiting on the start file
    start.touch()
    results = [process.communicate(timeout=PROCESS_TIMEOUT_S) for process in processes]
    failures = [
        err for process, (_, err) in zip(processes, results, strict=True) if process.returncode
    ]
    assert not failures, failures[0]

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            runs = connection.execute(
                sa.select(sa.func.count()).select_from(schema.import_run)
            ).scalar_one()
            services = connection.execute(
                sa.select(sa.func.count()).select_from(schema.service)
            ).scalar_one()
    finally:
        engine.dispose()
    assert (runs, services) == (1, 900)


def test_people_saving_one_version_at_the_same_moment_one_wins_the_rest_are_told(demo_store):
    url = demo_store.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(SAVERS)
    outcomes: dict[float, object] = {}

    def save(capacity: float) -> None:
        engine = make_engine(url)
        try:
            barrier.wait()
            outcomes[capacity] = save_service(
                engine,
                SERVICE,
                {CAPACITY: capacity},
                expected_version=1,
                actor=command_line(f"p{capacity}"),
            )
        except StaleRecordError as error:
            outcomes[capacity] = error
        finally:
            engine.dispose()

    threads = [threading.Thread(target=save, args=(10.0 + n,)) for n in range(SAVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    winners = [capacity for capacity, outcome in outcomes.items() if outcome == 2]
    told = [outcome for outcome in outcomes.values() if isinstance(outcome, StaleRecordError)]
    assert len(outcomes) == SAVERS and len(winners) == 1 and len(told) == SAVERS - 1, outcomes
    (winner,) = winners
    for error in told:
        assert "changed by someone else since you opened it" in str(error)
        assert f"now {winner}" in str(error) and "Nothing was saved" in str(error)
    stored = open_service(demo_store, SERVICE)
    assert (stored.version, stored.record[CAPACITY]) == (2, winner)
    capacity_changes = [
        row for row in record_history(demo_store, SERVICE) if row.field_name == CAPACITY
    ]
    assert [row.updated_by for row in capacity_changes] == [f"p{winner}"]
