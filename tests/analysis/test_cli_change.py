"""`analyse --store | --as-of DATE [--compare-to DATE]`: the directory's database analysed on
a day, or what changed between two days, written and summed up in one line; a file or
reading options beside them, a day the history cannot answer, a table it cannot write are
refused with the fix and exit 2."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

from analysis.cli import main
from analysis.model import WARD_CODES
from analysis.settings import DEMO_SERVICES_PATH
from analysis.store.access import command_line
from analysis.store.config import DATABASE_URL_ENV, sqlite_url
from analysis.store.editing import archive_service, open_service, save_service
from analysis.store.engine import make_engine
from analysis.store.importing import import_file
from analysis.store.migrate import upgrade

IMPORTED = datetime(2026, 1, 10, 9, 0)
EDITED = IMPORTED + timedelta(days=2)
ARCHIVED_SERVICE = "beacon-works--listening-service"
"""Mental health and food for the wards Southville and Windmill Hill: archived on EDITED."""
CHANGED_SERVICE = "kestrel-works--handyperson-scheme"
"""Practical help for Knowle and Hengrove and Whitchurch Park: capacity 28 -> 56 on EDITED."""


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> dict:
    """A database holding the demo since IMPORTED, one service archived and one changed on
    EDITED; the two services' ward codes."""
    url = sqlite_url(tmp_path_factory.mktemp("history") / "history.sqlite3")
    engine = make_engine(url)
    upgrade(engine)
    import_file(engine, DEMO_SERVICES_PATH, source="demo", at=IMPORTED)
    archive_service(
        engine, ARCHIVED_SERVICE, expected_version=1, actor=command_line("e"), at=EDITED
    )
    save_service(
        engine,
        CHANGED_SERVICE,
        {"capacity": 56.0},
        expected_version=1,
        actor=command_line("e"),
        at=EDITED,
    )
    wards = {
        key: open_service(engine, key).record[WARD_CODES]
        for key in (ARCHIVED_SERVICE, CHANGED_SERVICE)
    }
    engine.dispose()
    return {"url": url, "wards": wards}


def _run(history: dict, *argv: str) -> int:
    return main(["analyse", *argv, "--database", history["url"]])


def _cells(table: pd.DataFrame, column: str) -> set[tuple[str, str]]:
    rows = table[table[column] > 0]
    return set(zip(rows["area_code"], rows["category"], strict=True))


def test_compare_to_writes_the_change_table_and_the_services_beside_it(history, tmp_path, capsys):
    out = tmp_path / "changes.csv"
    assert _run(history, "--compare-to", "2026-01-10", "--out", str(out)) == 0
    table = pd.read_csv(out)
    services = pd.read_csv(tmp_path / "changes-services.csv")
    assert len(table) == 34 * 15
    archived_wards = history["wards"][ARCHIVED_SERVICE]
    assert _cells(table, "services_closed") == {
        (ward, category) for ward in archived_wards for category in ("food", "mental_health")
    }
    assert _cells(table, "services_changed") == {
        (ward, "practical_help") for ward in history["wards"][CHANGED_SERVICE]
    }
    assert _cells(table, "services_opened") == set()
    assert services[["service_id", "change", "how", "fields_changed"]].fillna(
        ""
    ).values.tolist() == [
        [ARCHIVED_SERVICE, "closed", "archived", ""],
        [CHANGED_SERVICE, "changed", "changed", "capacity"],
    ]
    gaps = table["gap_change"].value_counts()
    opened, closed = gaps.get("gap opened", 0), gaps.get("gap closed", 0)
    assert capsys.readouterr().out == (
        f"wrote what changed in the directory of {history['url']} from the end of 2026-01-10 "
        f"to now (510 rows: 34 wards × 15 categories) to {out}, the services in "
        f"{tmp_path / 'changes-services.csv'}: 0 services opened, 1 closed, 1 changed; "
        f"{opened} gap{'' if opened == 1 else 's'} opened, {closed} closed (ward × category "
        "rows that became, or stopped being, missing or under-served)\n"
    )


def test_compare_to_as_xlsx_holds_both_tables_the_parameters_and_the_columns(history, tmp_path):
    out = tmp_path / "changes.xlsx"
    argv = ["--compare-to", "2026-01-10", "--as-of", "2026-01-12", "--category", "food"]
    assert _run(history, *argv, "--out", str(out)) == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["changes", "services", "parameters", "columns"]
    assert set(sheets["changes"]["category"]) == {"food"} and len(sheets["changes"]) == 34
    assert list(sheets["services"]["service_id"]) == [ARCHIVED_SERVICE]
    parameters = sheets["parameters"].set_index("parameter")["value"]
    assert parameters["earlier"] == "2026-01-10 23:59:59"
    assert parameters["later"] == "2026-01-12 23:59:59"
    assert parameters["categories"] == "food"
    columns = sheets["columns"].set_index("column")
    assert columns.loc["services_closed", "unit"] == "count of services"
    assert columns.loc["relative_provision_after", "unit"].startswith("ratio (1 = city average")


def test_the_day_before_the_edits_compared_to_it_shows_nothing_changed(history, tmp_path, capsys):
    out = tmp_path / "none.csv"
    assert (
        _run(history, "--compare-to", "2026-01-10", "--as-of", "2026-01-11", "--out", str(out)) == 0
    )
    table = pd.read_csv(out)
    assert (table[["services_opened", "services_closed", "services_changed"]] == 0).all().all()
    assert pd.read_csv(tmp_path / "none-services.csv").empty
    assert ": 0 services opened, 0 closed, 0 changed; 0 gaps opened, 0 closed" in (
        capsys.readouterr().out
    )


def test_as_of_alone_writes_the_table_of_that_day(history, tmp_path, capsys):
    before, now = tmp_path / "before.csv", tmp_path / "now.csv"
    assert _run(history, "--as-of", "2026-01-11", "--out", str(before)) == 0
    first = capsys.readouterr().out.splitlines()
    assert first[0] == f"read the directory of {history['url']} as of the end of 2026-01-11 (UTC)"
    assert "; 900 services, 0 filtered out" in first[1]
    assert _run(history, "--store", "--out", str(now)) == 0
    second = capsys.readouterr().out.splitlines()
    assert second[0] == f"read the directory of {history['url']} now"
    assert "; 899 services, 0 filtered out" in second[1]
    rows = ["area_code", "category"]
    then = pd.read_csv(before).set_index(rows)["local_services"]
    today = pd.read_csv(now).set_index(rows)["local_services"]
    assert set((then - today)[lambda drop: drop > 0].index) == {
        (ward, category)
        for ward in history["wards"][ARCHIVED_SERVICE]
        for category in ("food", "mental_health")
    }


def test_the_store_is_the_environments_without_database(history, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(DATABASE_URL_ENV, history["url"])
    assert main(["analyse", "--store", "--out", str(tmp_path / "gaps.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"read the directory of {history['url']} now\n")
    assert "; 899 services," in out


def test_without_store_options_analyse_reads_the_demo_file_as_before(tmp_path, capsys):
    assert main(["analyse", "--out", str(tmp_path / "gaps.csv")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wrote 510 rows (34 wards × 15 categories)")
    assert "; 900 services, 0 filtered out" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            [str(DEMO_SERVICES_PATH), "--as-of", "2026-01-11"],
            f"the services file {DEMO_SERVICES_PATH} and --as-of both name the directory to "
            "analyse: --as-of reads the directory's database. Fix: leave out "
            f"{DEMO_SERVICES_PATH} to analyse the database, or --as-of to analyse the file.",
        ),
        (
            ["--store", "--default-category", "food"],
            "--default-category says how to read a services file, and --store reads the "
            "directory's database, which needs no reading. Fix: leave out --default-category.",
        ),
        (
            ["--compare-to", "2026-01-12", "--as-of", "2026-01-11"],
            "--compare-to 2026-01-12 is after --as-of 2026-01-11: what changed runs from the "
            "--compare-to day to the --as-of day. Fix: give --compare-to the earlier day.",
        ),
        (
            ["--compare-to", "2026-01-09"],
            "2026-01-09 is before the directory's history starts (2026-01-10 09:00 UTC, its "
            "first record): it held nothing then. Fix: choose a day from 2026-01-10 on.",
        ),
        (
            ["--as-of", "2026-01-09"],
            "2026-01-09 is before the directory's history starts",
        ),
        (
            ["--as-of", "10/01/2026"],
            "--as-of '10/01/2026' is not a date. Fix: write it as YYYY-MM-DD, e.g. 2026-06-30.",
        ),
        (
            ["--compare-to", "2026-01-10", "--level", "neighbourhood"],
            "--compare-to writes what changed per ward × category; --level neighbourhood is "
            "not one it writes.",
        ),
    ],
)
def test_what_the_store_cannot_answer_is_refused_with_the_fix(
    history, tmp_path, capsys, argv, message
):
    out = tmp_path / "out.csv"
    assert _run(history, *argv, "--out", str(out)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}")
    assert err.count("\n") == 1
    assert not out.exists()


def test_a_change_table_is_csv_or_xlsx(history, tmp_path, capsys):
    out = tmp_path / "changes.geojson"
    assert _run(history, "--compare-to", "2026-01-10", "--out", str(out)) == 2
    assert capsys.readouterr().err == (
        "error: cannot write what changed to changes.geojson: the suffix '.geojson' is not one "
        "of .csv, .xlsx. Fix: name the output e.g. changes.xlsx (or changes.csv, with the "
        "services in changes-services.csv).\n"
    )
    assert not out.exists()
