"""Check one organisation and one of its services, typed into a form, by the importer's rules.

A form holds the template's columns (`analysis.ingest.fields`) for one service and its
organisation. `check_entry` makes them the one row of a table and runs the importer on it
(`analysis.ingest.load.build_directory`, default options), exactly as for an uploaded
file: the same rules, the same messages. What it found comes back per column, so that a
form shows each problem beside its field; the accepted entry comes back as a Directory of
one organisation and one service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd

from analysis.directory import Directory
from analysis.errors import ColumnMappingError
from analysis.geography import AreaSet
from analysis.ingest.fields import FIELD_NAMES
from analysis.ingest.import_report import WHOLE_ROW, ImportReport, Problem
from analysis.ingest.load import build_directory
from analysis.ingest.table import RawTable
from analysis.model import CSV_FORMAT, ERROR, ORG_NAME, ROW, WARNING, Severity
from analysis.taxonomy import Taxonomy

ENTRY_ROW: Final = 2
"""The entry's row number: the first record of a file (its header is row 1)."""
ENTRY_NAME: Final = "entry"
"""The name the entry's table is given (a report names its source)."""
NO_COLUMN: Final = ""
"""The column of a problem with the entry as a whole rather than one of its fields."""


@dataclass(frozen=True)
class FieldProblem:
    """One problem the importer found with an entry, at the column it concerns.

    Attributes
    ----------
    column
        The template column (`analysis.ingest.fields.FIELD_NAMES`) to show it beside;
        `NO_COLUMN` when it concerns the entry as a whole.
    value
        The value at fault, as the importer read it (may be empty: a missing value).
    message
        The importer's reason and fix, as a report states them after the row, column
        and value (``"<reason>. Fix: <fix>"``).
    severity
        ``"error"`` when the importer rejects the entry for it; ``"warning"`` when the
        entry is accepted and the code kept in the service's flags.
    code
        The importer's problem code (``"postcode_not_found"``…; docs/data-format.md).
    """

    column: str
    value: str
    message: str
    severity: Severity = WARNING
    code: str = ""

    @property
    def is_error(self) -> bool:
        """True when this problem rejects the entry."""
        return self.severity == ERROR


@dataclass(frozen=True)
class EntryCheck:
    """What the importer made of one entry.

    Attributes
    ----------
    directory
        The organisation and its service when the entry is accepted (warnings or not);
        None when it is rejected.
    problems
        Every problem with the entry, errors first, then in the template's column order.
    report
        The importer's whole report of the entry's one-row table.
    table
        The table the entry was checked as (one row, `ENTRY_ROW`; columns the fields given).
    """

    directory: Directory | None
    problems: tuple[FieldProblem, ...]
    report: ImportReport
    table: RawTable

    @property
    def is_accepted(self) -> bool:
        """True when the importer accepts the entry."""
        return self.directory is not None

    def problems_of(self, column: str) -> tuple[FieldProblem, ...]:
        """The problems to show beside ``column`` (`NO_COLUMN`: those of the whole entry)."""
        return tuple(problem for problem in self.problems if problem.column == column)


def check_entry(
    fields: Mapping[str, str],
    *,
    area: AreaSet,
    taxonomy: Taxonomy,
    as_of: date | None = None,
) -> EntryCheck:
    """Check one service and its organisation's columns as the importer checks a file's row.

    Parameters
    ----------
    fields
        Template column (`analysis.ingest.fields.FIELD_NAMES`, e.g. ``"postcode"``) -> the
        text typed; columns left out are as a file without them (``service_name`` left
        out: the organisation runs this one service), blank ones as empty cells.
    area, taxonomy
        The area the entry is placed in and the need categories, as for an import.
    as_of
        The date the service is judged current on (``ended``); default today.

    Returns
    -------
    EntryCheck
        The accepted organisation and service (or None), and every problem by column.

    Raises
    ------
    ColumnMappingError
        When a key of ``fields`` is not a column of the template.

    Notes
    -----
    The row is the importer's, so each problem is what importing the same row as a file
    reports, without the "row N, column C, value V:" that places it in a file. The
    file-level parts of the report are not problems of the entry: its notes and what the
    file ``lacks`` for an analysis (a row outside the area, or without a category, has its
    own warning). An entry left entirely blank is one row with no name (``no_name``),
    where a file would skip the blank row.
    """
    unknown = [name for name in fields if name not in FIELD_NAMES]
    if unknown:
        raise ColumnMappingError(
            f"{unknown[0]!r} is not a column of the template. Fix: name each field by one "
            f"of {', '.join(FIELD_NAMES)}"
        )
    # A name column is what makes a table a directory; a form always has one.
    given = {ORG_NAME: "", **{name: _text(value) for name, value in fields.items()}}
    columns = [name for name in FIELD_NAMES if name in given]
    frame = pd.DataFrame(
        [[given[name] for name in columns]],
        columns=columns,
        index=pd.Index([ENTRY_ROW], name=ROW),
        dtype=object,
    )
    table = RawTable(frame=frame, format=CSV_FORMAT, name=ENTRY_NAME)
    directory, report = build_directory(table, area=area, taxonomy=taxonomy, as_of=as_of)
    # The report names each problem's column by the file's header: back to the field.
    field_of = {header: name for name, header in report.mapping_used.items()}
    problems = tuple(_field_problem(problem, field_of) for problem in report.problems)
    return EntryCheck(
        directory=directory if report.accepted else None,
        problems=problems,
        report=report,
        table=table,
    )


def _field_problem(problem: Problem, field_of: Mapping[str, str]) -> FieldProblem:
    """A report's problem at the field it concerns (the whole entry: `NO_COLUMN`)."""
    if problem.column == WHOLE_ROW:
        column = NO_COLUMN
    else:
        # A field the entry gave no column for is named by its field name.
        column = field_of.get(problem.column, problem.column)
        column = column if column in FIELD_NAMES else NO_COLUMN
    return FieldProblem(
        column=column,
        value=problem.value,
        message=problem_message(problem),
        severity=problem.severity,
        code=problem.code,
    )


def problem_message(problem: Problem) -> str:
    """A problem's reason and fix, as `Problem` states them after its row, column and value."""
    return f"{problem.reason}. Fix: {problem.fix}"


def _text(value: object) -> str:
    return "" if value is None else str(value)
