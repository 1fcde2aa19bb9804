"""Exports of what changed between two moments (`analysis.provision.change.DirectoryChange`).

Two tables: the ward × category change table and the list of services opened, closed or
changed. As CSV they are two files, the list beside the table with ``-services`` added to
its name (``changes.csv`` and ``changes-services.csv``); as XLSX one workbook with the
sheets ``changes``, ``services``, ``parameters`` (the two moments, thresholds, method,
filters) and ``columns`` (each column's unit and meaning). Cells are neutralised as in
every export (`analysis.outputs.export.prepare_for_spreadsheet`). The list names which
fields changed, never their values, so no contact detail reaches the file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Final

import pandas as pd

from analysis.errors import AnalysisError
from analysis.model import (
    CATEGORIES,
    NEED,
    NEED_UNIT,
    ORG_ID,
    ORG_NAME,
    SERVICE_ID,
    SERVICE_NAME,
)
from analysis.outputs.export import (
    COLUMN_DESCRIPTIONS,
    COLUMNS_SHEET,
    DESCRIPTION_COLUMNS,
    PARAMETER_COLUMNS,
    PARAMETER_KEY,
    PARAMETERS_SHEET,
    parameters_frame,
    write_csv,
    write_xlsx,
    xlsx_bytes,
)
from analysis.provision.change import (
    AFTER,
    BEFORE,
    CHANGE,
    COMPARED_FIELDS,
    COMPARED_MEASURES,
    FIELDS_CHANGED,
    GAP_CHANGE,
    GAP_CHANGES,
    HOW,
    SERVICES_CHANGED,
    SERVICES_CLOSED,
    SERVICES_OPENED,
    STANDING_AFTER,
    STANDING_BEFORE,
    WARD_NAMES,
    WARDS,
    DirectoryChange,
)
from analysis.provision.filters import Filters

CHANGE_SUFFIXES: Final = (".csv", ".xlsx")
CHANGES_SHEET: Final = "changes"
SERVICES_SHEET: Final = "services"
SERVICES_FILE_SUFFIX: Final = "-services"
"""Added to the change table's file name for the per-service list's CSV."""

CHANGE_DESCRIPTIONS: Final[dict[str, tuple[str, str]]] = {
    NEED: COLUMN_DESCRIPTIONS[NEED],
    NEED_UNIT: COLUMN_DESCRIPTIONS[NEED_UNIT],
    SERVICES_OPENED: (
        "count of services",
        "services open at the later moment and not at the earlier (new, reactivated, "
        "restored) that reach the ward in the category then",
    ),
    SERVICES_CLOSED: (
        "count of services",
        "services open at the earlier moment and not at the later (archived, inactive, "
        "temporarily closed, defunct) that reached the ward in the category then",
    ),
    SERVICES_CHANGED: (
        "count of services",
        "services open at both moments with a field changed, reaching the ward in the "
        "category at either",
    ),
    GAP_CHANGE: (
        f"one of {len(GAP_CHANGES)} values",
        f"{', '.join(GAP_CHANGES)}: a gap is a class of missing or under-served",
    ),
    SERVICE_ID: ("", "the service's id in the directory"),
    SERVICE_NAME: ("", "the service's name (at the later moment; the earlier for a closure)"),
    ORG_ID: ("", "the organisation's id"),
    ORG_NAME: ("", "the organisation's name then"),
    CHANGE: ("", "opened, closed or changed"),
    HOW: (
        "",
        "new, reactivated, restored; archived (deleted) or the status it took: inactive, "
        "temporarily closed, defunct; changed",
    ),
    FIELDS_CHANGED: (
        "field names",
        f"which of its fields differ between the moments (compared: {', '.join(COMPARED_FIELDS)})",
    ),
    STANDING_BEFORE: ("", "active, another status, archived, or not listed, at the earlier moment"),
    STANDING_AFTER: ("", "the same at the later moment"),
    CATEGORIES: ("", "the service's need categories (data/taxonomy.csv ids)"),
    WARDS: ("ward codes", "the wards it counts in, in any of its categories"),
    WARD_NAMES: ("", "the names of those wards"),
}
"""Unit and one-line meaning of each column of the change table and the service list
(the provision columns at both moments are in `MEASURE_DESCRIPTIONS`)."""

MEASURE_DESCRIPTIONS: Final[dict[str, tuple[str, str]]] = {
    f"{measure}{when}": (
        COLUMN_DESCRIPTIONS[measure][0],
        f"{label}: {COLUMN_DESCRIPTIONS[measure][1]}",
    )
    for measure in COMPARED_MEASURES
    for when, label in ((BEFORE, "at the earlier moment"), (AFTER, "at the later moment"))
}
"""Unit and meaning of each provision column at the earlier and the later moment."""

FILTER_MEANINGS: Final[dict[str, str]] = {
    "delivery": "services delivered in any of these modes",
    "audiences": "services for any of these audiences, and those open to everyone",
    "active_on": "services whose dates include this day",
    "org_kinds": "services of organisations of these kinds",
    "stale_after_months": "records not updated for more than this many months before each "
    "moment are stale",
    "stale": "stale records dropped (exclude) or counted at half weight (down-weight)",
}


def change_sheets(change: DirectoryChange) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: ``changes``, ``services``, ``parameters``, ``columns``."""
    return {
        CHANGES_SHEET: change.table,
        SERVICES_SHEET: change.services,
        PARAMETERS_SHEET: change_parameters_frame(change),
        COLUMNS_SHEET: change_columns_frame(change),
    }


def change_xlsx_bytes(change: DirectoryChange) -> bytes:
    """`change_sheets` as an XLSX workbook's bytes (the dashboard's download)."""
    return xlsx_bytes(change_sheets(change))


def services_path_for(path: Path | str) -> Path:
    """Where the CSV of the per-service list goes beside the change table's ``path``."""
    target = Path(path)
    return target.with_name(f"{target.stem}{SERVICES_FILE_SUFFIX}{target.suffix}")


def export_change(change: DirectoryChange, path: Path | str) -> list[Path]:
    """Write what changed in the format the suffix names; return the files written.

    Parameters
    ----------
    change
        The comparison to write.
    path
        ``.csv``: the change table there and the service list in `services_path_for`;
        ``.xlsx``: one workbook of `change_sheets`.

    Raises
    ------
    AnalysisError
        For another suffix, or when a file cannot be written.
    """
    target = check_change_path(path)
    if target.suffix.lower() == ".xlsx":
        return [write_xlsx(change_sheets(change), target)]
    return [write_csv(change.table, target), write_csv(change.services, services_path_for(target))]


def check_change_path(path: Path | str) -> Path:
    """``path`` when `export_change` can write it (by its suffix).

    Raises
    ------
    AnalysisError
        For a suffix other than ``.csv`` and ``.xlsx``.
    """
    target = Path(path)
    if target.suffix.lower() not in CHANGE_SUFFIXES:
        raise AnalysisError(
            f"cannot write what changed to {target.name}: the suffix "
            f"{target.suffix or '(none)'!r} is not one of {', '.join(CHANGE_SUFFIXES)}. Fix: "
            "name the output e.g. changes.xlsx (or changes.csv, with the services in "
            "changes-services.csv)."
        )
    return target


def change_parameters_frame(change: DirectoryChange) -> pd.DataFrame:
    """The two moments, categories, filters, thresholds and method: what produced it."""
    rows: list[tuple[str, object, str]] = [
        ("earlier", _moment(change.earlier), "the directory as it was at this moment (UTC)"),
        ("later", _moment(change.later), "compared with the directory at this moment (UTC)"),
        (
            "categories",
            "; ".join(change.categories) if change.categories else "all",
            "the need categories of the table",
        ),
    ]
    rows += _filter_rows(change.filters)
    after = parameters_frame(change.after)
    # The service counts are the later moment's only; the change table has both moments'.
    kept = ~after[PARAMETER_KEY].str.startswith("services ")
    rows += list(after.loc[kept, list(PARAMETER_COLUMNS)].itertuples(index=False, name=None))
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))


def change_columns_frame(change: DirectoryChange) -> pd.DataFrame:
    """Unit and meaning of every column of both tables (``column``, ``unit``, ``meaning``)."""
    columns = list(dict.fromkeys([*change.table.columns, *change.services.columns]))
    descriptions = {**COLUMN_DESCRIPTIONS, **CHANGE_DESCRIPTIONS, **MEASURE_DESCRIPTIONS}
    rows = [(str(c), *descriptions.get(str(c), ("", ""))) for c in columns]
    return pd.DataFrame(rows, columns=list(DESCRIPTION_COLUMNS))


def _filter_rows(filters: Filters) -> list[tuple[str, object, str]]:
    rows: list[tuple[str, object, str]] = []
    for name, meaning in FILTER_MEANINGS.items():
        value = getattr(filters, name)
        if name == "stale" and filters.stale_after_months is None:
            continue
        if value is None or value == ():
            continue
        if isinstance(value, tuple):
            value = "; ".join(value)
        elif isinstance(value, pd.Timestamp):
            value = value.date().isoformat()
        rows.append((f"filter {name}", value, meaning))
    return rows


def _moment(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"
