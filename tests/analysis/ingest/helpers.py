"""Shared helpers for the ingest tests: load a tiny CSV written inline, at a fixed date."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import openpyxl

from analysis.directory import Directory
from analysis.geography import AreaSet
from analysis.ingest.import_report import ImportReport
from analysis.ingest.load import load_directory
from analysis.ingest.options import ImportOptions
from analysis.settings import REPO_ROOT
from analysis.taxonomy_file import load_taxonomy

AS_OF = date(2026, 11, 28)
TAXONOMY = load_taxonomy()
ORUK_DATA = Path(__file__).resolve().parents[2] / "data" / "oruk"
SHARED_OPENREFERRAL = REPO_ROOT.parent / "shared" / "data" / "openreferral"


def csv_bytes(header: list[str], *rows: list[str], delimiter: str = ",") -> bytes:
    """A CSV file's bytes (UTF-8) from a header and rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(*sheets: tuple[str, list[list[object]]]) -> bytes:
    """An XLSX workbook's bytes from (sheet title, rows) pairs."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def load(
    data: bytes, area: AreaSet, *, filename: str = "t.csv", **options
) -> tuple[Directory, ImportReport]:
    """`load_directory` on bytes with the shipped taxonomy and a fixed 'today'; keyword
    ``options`` are those of `ImportOptions`."""
    return load_directory(
        data,
        filename=filename,
        area=area,
        taxonomy=TAXONOMY,
        as_of=AS_OF,
        options=ImportOptions(**options),
    )


def load_rows(area: AreaSet, *rows: dict[str, str], **options) -> tuple[Directory, ImportReport]:
    """Load template rows given as dicts (missing fields empty); header = union of keys."""
    header: list[str] = []
    for row in rows:
        header.extend(key for key in row if key not in header)
    body = [[row.get(column, "") for column in header] for row in rows]
    return load(csv_bytes(header, *body), area, **options)


def problems(report: ImportReport, code: str) -> list[str]:
    """The messages of the problems of one kind."""
    return [str(problem) for problem in report.problems if problem.code == code]
