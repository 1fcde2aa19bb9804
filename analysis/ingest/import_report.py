"""The ingest report: every row read is accepted or rejected, and every problem is named.

A `Problem` names the row, the column, the value, the reason and a suggested fix. The
`Report` counts rows (``rows_read == accepted + rejected``, always), lists the problems,
the category terms that matched nothing, the column mapping that was used, and keeps the
rejected rows so they can be written out as CSV with their reasons.

Row numbers
-----------
For spreadsheets and CSV files (the template, an Open Referral UK CSV package) a row number
is the one a spreadsheet program shows: the header is row 1 and the first record row 2
(rows above the header and blank rows keep their numbers). For Open Referral UK JSON it is
the service's position in the file, the first service being 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from analysis.escape import spreadsheet_cell
from analysis.ingest.category_report import CategoryShares
from analysis.model import (
    CODE,
    COLUMN,
    ERROR,
    FIX,
    REASON,
    ROW,
    SEVERITY,
    VALUE,
    WARNING,
    Severity,
)

WHOLE_ROW: Final = "(whole row)"
"""The column of a problem with a whole row (an exact repeat, values beyond the header)."""


@dataclass(frozen=True)
class Finding:
    """A problem found while checking a table, before it is tied to a file's row and column.

    Attributes
    ----------
    position
        0-based position of the record in the table being checked.
    field
        The template field (e.g. ``"postcode"``) the problem is about.
    code
        Short machine-readable kind, e.g. ``"postcode_not_found"``; kept in the service's
        ``flags`` when the row is accepted.
    value
        The offending value as it was read.
    reason
        What is wrong, in words a spreadsheet user understands.
    fix
        What to do about it.
    severity
        ``"error"`` rejects the row; ``"warning"`` keeps it, flagged.
    """

    position: int
    field: str
    code: str
    value: str
    reason: str
    fix: str
    severity: Severity


@dataclass(frozen=True)
class Issue:
    """What is wrong with one value, before it is tied to a row: a `Finding` without a place.

    Attributes
    ----------
    code, value, reason, fix, severity
        As in `Finding`.
    field
        The field at fault when it is not the one being read (an area served that needs a
        postcode points at the postcode); None means the field being read.
    """

    code: str
    value: str
    reason: str
    fix: str
    severity: Severity = WARNING
    field: str | None = None

    def at(self, position: int, field: str) -> Finding:
        """The finding of the record at ``position`` whose ``field`` was being read."""
        return Finding(
            position=position,
            field=self.field or field,
            code=self.code,
            value=self.value,
            reason=self.reason,
            fix=self.fix,
            severity=self.severity,
        )


class Findings:
    """Every finding of one table, collected as the checks go and reported together.

    The checks add what they find and decide nothing; which rows are rejected follows
    from the errors once every check has run (`rejected`).
    """

    def __init__(self) -> None:
        self._found: list[Finding] = []

    def add(
        self,
        *,
        position: int,
        field: str,
        code: str,
        reason: str,
        fix: str,
        value: str = "",
        severity: Severity = WARNING,
    ) -> None:
        """Record one finding; arguments as the attributes of `Finding`."""
        self._found.append(Finding(position, field, code, value, reason, fix, severity))

    def add_issues(self, issues: Iterable[Issue], *, position: int, field: str) -> None:
        """Record the issues of the value read from ``field`` of the record at ``position``."""
        self._found.extend(issue.at(position, field) for issue in issues)

    def extend(self, findings: Iterable[Finding]) -> None:
        """Record findings made elsewhere (geocoding, ids), as they are."""
        self._found.extend(findings)

    def drop_records(self, positions: Iterable[int]) -> None:
        """Forget what was found on these records (exact repeats are reported once, as such)."""
        dropped = set(positions)
        self._found = [f for f in self._found if f.position not in dropped]

    def rejected(self, count: int) -> np.ndarray:
        """True for each of ``count`` records with at least one error."""
        mask = np.zeros(count, dtype=bool)
        mask[[f.position for f in self._found if f.severity == ERROR]] = True
        return mask

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._found)

    def __len__(self) -> int:
        return len(self._found)


@dataclass(frozen=True)
class Problem:
    """One problem with one row of a file: where, what, why, and how to fix it."""

    row: int
    column: str
    value: str
    reason: str
    fix: str
    severity: Severity
    code: str

    def __str__(self) -> str:
        return (
            f"row {self.row}, column {self.column!r}, value {_shorten(self.value)!r}: "
            f"{self.reason}. Fix: {self.fix}"
        )

    def as_dict(self) -> dict[str, object]:
        """The problem as plain JSON-ready values."""
        return {
            ROW: self.row,
            COLUMN: self.column,
            VALUE: self.value,
            REASON: self.reason,
            FIX: self.fix,
            SEVERITY: self.severity,
            CODE: self.code,
        }


def to_problems(
    findings: Iterable[Finding], rows: Sequence[int], labels: Mapping[str, str]
) -> tuple[Problem, ...]:
    """Tie findings to the file: row numbers and the file's own column names.

    Parameters
    ----------
    findings
        Findings of a checked table.
    rows
        Row number of each position of the table.
    labels
        Field -> the file's column (or, for a feed, the part of the record) it came from.
    """
    return tuple(
        Problem(
            row=int(rows[f.position]),
            column=labels.get(f.field, f.field) if f.field else WHOLE_ROW,
            value=f.value,
            reason=f.reason,
            fix=f.fix,
            severity=f.severity,
            code=f.code,
        )
        for f in findings
    )


@dataclass(frozen=True)
class ImportReport:
    """What happened to every row of one file.

    Attributes
    ----------
    source
        The file's name.
    format
        How it was read: ``"csv"``, ``"xlsx"``, ``"oruk-json"`` or ``"oruk-csv"``.
    rows_read
        Non-blank records read (rows of a table, services of a feed).
    accepted
        Rows that became services of the Directory (with or without warnings).
    rejected
        Rows that did not; each has at least one error in ``problems``.
    warnings
        Accepted rows carrying at least one warning (listed in ``problems``).
    problems
        Every problem, errors and warnings, in row order.
    unmapped_categories
        Category terms that matched no need category -> number of rows using them,
        most used first. Add them to the taxonomy's synonyms to map them.
    mapping_used
        Template field -> the file's column it was read from (for feeds: the part of the
        record). For a CSV or spreadsheet this is a valid ``--columns`` mapping file.
    ignored_columns
        Columns of the file that no field reads.
    blank_rows_skipped
        Entirely blank rows, skipped and not counted in ``rows_read``.
    notes
        Remarks about the file as a whole: encoding, delimiter, sheet, header row, pages.
    rejected_rows
        The rejected rows as read, one per rejected row, with ``row`` and ``reason`` first.
    lacks
        What the file as a whole lacks for an analysis (no service in the area, no row
        with a category), each a sentence with its fix; empty when it can be analysed.
    categories
        How the accepted rows got their categories: by their own terms, by suggestion,
        by a person's choice, or not at all; the broad terms used; the rows to review.
    """

    source: str
    format: str
    rows_read: int
    accepted: int
    rejected: int
    warnings: int
    problems: tuple[Problem, ...]
    unmapped_categories: dict[str, int] = field(default_factory=dict)
    mapping_used: dict[str, str] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    blank_rows_skipped: int = 0
    notes: tuple[str, ...] = ()
    rejected_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[ROW, REASON]))
    lacks: tuple[str, ...] = ()
    categories: CategoryShares = field(default_factory=CategoryShares)

    def __post_init__(self) -> None:
        if self.rows_read != self.accepted + self.rejected:
            raise ValueError(
                f"report of {self.source} does not add up: {self.rows_read} rows read but "
                f"{self.accepted} accepted + {self.rejected} rejected"
            )
        if len(self.rejected_rows) != self.rejected:
            raise ValueError(
                f"report of {self.source} keeps {len(self.rejected_rows)} rejected rows, "
                f"expected {self.rejected}"
            )

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that rejected rows."""
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def warning_problems(self) -> tuple[Problem, ...]:
        """The problems kept with accepted rows."""
        return tuple(p for p in self.problems if p.severity == WARNING)

    def summary(self) -> str:
        """One line: rows read, accepted (with warnings), rejected."""
        return (
            f"{self.source}: {self.rows_read} rows read, {self.accepted} accepted "
            f"({self.warnings} with warnings), {self.rejected} rejected"
        )

    def category_lines(self) -> tuple[str, ...]:
        """The lines beside the summary on how the accepted rows got their categories:
        the shares by own terms, by suggestion and not at all, suggestions waiting, and
        the broad terms used (see `analysis.ingest.category_report.CategoryShares.lines`)."""
        return self.categories.lines()

    def to_dict(self) -> dict[str, object]:
        """The report as JSON-ready values (what ``validate --json`` prints)."""
        return {
            "source": self.source,
            "format": self.format,
            "lacks": list(self.lacks),
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "blank_rows_skipped": self.blank_rows_skipped,
            "unmapped_categories": dict(self.unmapped_categories),
            "categorised": self.categories.as_dict(),
            "mapping_used": dict(self.mapping_used),
            "ignored_columns": list(self.ignored_columns),
            "notes": list(self.notes),
            "problems": [problem.as_dict() for problem in self.problems],
        }

    def rejected_rows_csv(self) -> str:
        """The rejected rows as CSV text: ``row``, ``reason``, then the file's own columns.

        Notes
        -----
        Cells that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return) are prefixed with an apostrophe, so opening the
        file runs nothing: the rule of `analysis.escape.spreadsheet_cell`, shared with
        every export; a cell that is one plain number (a longitude) is left alone, so the
        file reads back with the same problems. The file is the uploader's own: it keeps
        the values they gave, contacts too, so that they can fix each row.
        """
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        columns = [str(column) for column in self.rejected_rows.columns]
        writer.writerow(spreadsheet_cell(column) for column in columns)
        for values in self.rejected_rows.itertuples(index=False, name=None):
            writer.writerow(spreadsheet_cell(_cell_text(value)) for value in values)
        return buffer.getvalue()


def _cell_text(value: object) -> str:
    """A cell of the rejected rows as text: a feed's lists joined, its locations spelt out."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "; ".join(
            item if isinstance(item, str) else " ".join(str(part) for part in item if part)
            for item in value
        )
    if isinstance(value, float) and value != value:
        return ""
    return str(value)


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
