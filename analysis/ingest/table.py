"""A file's records as text cells (`RawTable`), and the readers of spreadsheet files.

CSV (UTF-8 with or without byte-order mark, UTF-16 with one, else Windows-1252; the
delimiter is detected) and XLSX (first sheet or a named one) become a `RawTable`: the
header found (title rows above it skipped), its names made unique, and each record kept
with the row number a spreadsheet shows. Nothing is interpreted beyond the file's own
structure: meaning is the business of `analysis.ingest.mapping` and `analysis.ingest.check`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Final

import pandas as pd

from analysis.errors import IngestError
from analysis.ingest.mapping import known_field
from analysis.model import CSV_FORMAT, ROW, XLSX_FORMAT, SourceFormat

# Delimiters tried first, in order of preference on a tie.
COMMON_DELIMITERS: Final = (",", ";", "\t", "|")
# Rows searched for the header (title rows above it are common in spreadsheets).
HEADER_SEARCH_ROWS: Final = 10
_SNIFF_RECORDS: Final = 50


@dataclass(frozen=True)
class RawTable:
    """A file's records as text, before any interpretation.

    Attributes
    ----------
    frame
        One row per non-blank record, index = row number (see
        `analysis.ingest.import_report`), cells str. For templates the columns are the
        file's headers (made unique); for a JSON table, the records' keys as dotted paths
        (`analysis.ingest.json_table`); for Open Referral UK they are the template's fields
        (plus ``other_locations``, a tuple of (postcode, latitude, longitude) per extra
        location).
    format
        How the file was read.
    name
        The file's name.
    blank_rows
        Entirely blank records skipped.
    notes
        Remarks for the report: which reader and why, encoding, delimiter, sheet, header
        row, paging.
    is_canonical
        True when the columns are already the template's fields (Open Referral UK).
    column_labels
        Field -> where in the record it came from (Open Referral UK).
    extra_values
        Row -> number of non-empty values beyond the header's last column.
    organisations
        Organisations listed without services (Open Referral UK), template field names.
    """

    frame: pd.DataFrame
    format: SourceFormat
    name: str
    blank_rows: int = 0
    notes: tuple[str, ...] = ()
    is_canonical: bool = False
    column_labels: dict[str, str] = field(default_factory=dict)
    extra_values: dict[int, int] = field(default_factory=dict)
    organisations: pd.DataFrame | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        """The table's column headers."""
        return tuple(str(column) for column in self.frame.columns)


def decode_text(data: bytes, *, name: str = "file") -> tuple[str, str]:
    """Decode a text file's bytes; return the text and the encoding used.

    Notes
    -----
    A byte-order mark decides (UTF-8 or UTF-16). Otherwise UTF-8 is tried, then
    Windows-1252, the encoding of CSV files saved by Excel on Windows ('£', curly
    quotes), which decodes almost any byte; the report notes the fallback.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in data[:2000]:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is NUL.
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    else:
        try:
            return _fix_line_ends(data.decode("utf-8")), "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        return _fix_line_ends(data.decode(encoding)), encoding
    except UnicodeDecodeError:
        if encoding == "cp1252":
            # cp1252 leaves five bytes undefined; latin-1 maps every byte.
            return _fix_line_ends(data.decode("latin-1")), "latin-1"
        raise IngestError(
            f"{name} is not readable text in {encoding}. Fix: save it as CSV UTF-8"
        ) from None


def _fix_line_ends(text: str) -> str:
    """Undo a doubled carriage return (``\\r\\r\\n``, from converting line ends twice)."""
    return text.replace("\r\r\n", "\r\n") if "\r\r\n" in text else text


def sniff_delimiter(text: str) -> str:
    """Detect a CSV file's delimiter from its first records.

    Notes
    -----
    Each candidate (``,`` ``;`` tab ``|`` and any other punctuation in the first line)
    splits the first 50 records; the winner gives the most records with the same number
    of fields as the header, then the most fields. A file with one column gives ``,``.
    """
    head = text[:65536]
    first_line = head.split("\n", 1)[0]
    others = sorted(
        {
            char
            for char in first_line
            if not char.isalnum() and char not in " \"'_\r" and char not in COMMON_DELIMITERS
        }
    )
    best: tuple[float, int, int] = (0.0, 1, 0)
    chosen = ","
    for rank, delimiter in enumerate((*COMMON_DELIMITERS, *others)):
        try:
            records = [
                row
                for _, row in zip(
                    range(_SNIFF_RECORDS),
                    csv.reader(io.StringIO(head, newline=""), delimiter=delimiter),
                    strict=False,
                )
                if any(cell.strip() for cell in row)
            ]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        # A truncated last record in the sample must not count against the delimiter.
        body = records[1:-1] if len(head) < len(text) else records[1:]
        consistent = sum(len(row) == width for row in body) / len(body) if body else 1.0
        score = (round(consistent, 2), width, -rank)
        if score > best:
            best, chosen = score, delimiter
    return chosen


def read_csv(data: bytes, *, name: str = "file.csv") -> RawTable:
    """Read a CSV file's bytes into a `RawTable` (encoding and delimiter detected)."""
    text, encoding = decode_text(data, name=name)
    delimiter = sniff_delimiter(text)
    try:
        rows = list(numbered_csv_rows(text, delimiter))
    except csv.Error as error:
        raise IngestError(
            f"{name} is not valid CSV ({error}). Fix: save it again as CSV UTF-8 from the "
            "spreadsheet"
        ) from None
    notes = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"read as {encoding} text, not UTF-8")
    if delimiter != ",":
        notes.append(f"values separated by {_delimiter_name(delimiter)}")
    return _table_from_rows(rows, name=name, format=CSV_FORMAT, notes=notes)


def read_xlsx(data: bytes, *, name: str = "file.xlsx", sheet: str | None = None) -> RawTable:
    """Read one sheet of an XLSX workbook into a `RawTable`.

    Notes
    -----
    Cells are read as values (formulas give their last saved result). Whole numbers are
    written without ``.0``; dates as ``YYYY-MM-DD``.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise IngestError(
            f"{name} is not a readable XLSX workbook ({error}). Fix: open it in a "
            "spreadsheet program and save it again as .xlsx or CSV UTF-8"
        ) from None
    try:
        names = list(workbook.sheetnames)
        if sheet is None:
            chosen = names[0]
        else:
            matches = [n for n in names if n == sheet] or [
                n for n in names if n.strip().casefold() == sheet.strip().casefold()
            ]
            if not matches:
                raise IngestError(
                    f"{name} has no sheet {sheet!r}; its sheets are "
                    f"{', '.join(repr(n) for n in names)}. Fix: pass one of these with --sheet"
                )
            chosen = matches[0]
        worksheet = workbook[chosen]
        rows = [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    notes = [f"read sheet {chosen!r}"]
    if len(names) > 1:
        notes[0] += f" (the workbook also has {', '.join(repr(n) for n in names if n != chosen)})"
    return _table_from_rows(rows, name=name, format=XLSX_FORMAT, notes=notes)


def numbered_csv_rows(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    """(row number, cells); a record spanning several lines is one row, as in a spreadsheet."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield from enumerate(reader, start=1)


def _table_from_rows(
    rows: Sequence[tuple[int, list[str]]],
    *,
    name: str,
    format: SourceFormat,
    notes: list[str],
) -> RawTable:
    """Find the header, make its names unique, and keep the non-blank records below it."""
    non_blank = [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]
    if not non_blank:
        raise IngestError(
            f"{name} has no rows. Fix: export the directory again; the template starts with "
            "a header row"
        )
    header_index = _header_index(non_blank)
    header_number, header_cells = non_blank[header_index]
    if header_index:
        skipped = ", ".join(str(number) for number, _ in non_blank[:header_index])
        notes.append(
            f"the header is row {header_number}; rows above it ({skipped}) were skipped as titles"
        )
    while header_cells and not header_cells[-1].strip():
        header_cells = header_cells[:-1]
    headers = _unique_headers(header_cells, notes)
    width = len(headers)
    records: list[list[str]] = []
    numbers: list[int] = []
    extra_values: dict[int, int] = {}
    blank = 0
    for number, cells in rows:
        if number <= header_number:
            continue
        if not any(cell.strip() for cell in cells):
            blank += 1
            continue
        extra = [cell for cell in cells[width:] if cell.strip()]
        if extra:
            extra_values[number] = len(extra)
        padded = cells[:width] + [""] * (width - len(cells))
        records.append(padded)
        numbers.append(number)
    # Trailing blank rows are the usual end of an export, not skipped records.
    trailing = 0
    for number, cells in reversed(rows):
        if any(cell.strip() for cell in cells):
            break
        if number > header_number:
            trailing += 1
    frame = pd.DataFrame(records, columns=headers, index=pd.Index(numbers, name=ROW), dtype=object)
    return RawTable(
        frame=frame,
        format=format,
        name=name,
        blank_rows=blank - trailing,
        notes=tuple(notes),
        extra_values=extra_values,
    )


def _header_index(non_blank: Sequence[tuple[int, list[str]]]) -> int:
    """Index of the row among the first few that looks most like a header."""
    best_index, best_score = 0, 0
    for index, (_, cells) in enumerate(non_blank[:HEADER_SEARCH_ROWS]):
        score = sum(known_field(cell) is not None for cell in cells if cell.strip())
        if score > best_score:
            best_index, best_score = index, score
    if best_score >= 2:
        return best_index
    for index, (_, cells) in enumerate(non_blank[:HEADER_SEARCH_ROWS]):
        if sum(bool(cell.strip()) for cell in cells) >= 2:
            return index
    return 0


def _unique_headers(cells: Sequence[str], notes: list[str]) -> list[str]:
    headers: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells):
        header = cell.strip() or f"column {_column_letter(position)}"
        if header in seen:
            count = 2
            while f"{header} ({count})" in seen:
                count += 1
            notes.append(f"the header {header!r} appears twice; the second is {header} ({count})")
            header = f"{header} ({count})"
        seen.add(header)
        headers.append(header)
    return headers


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _delimiter_name(delimiter: str) -> str:
    names = {";": "semicolons", "\t": "tabs", "|": "vertical bars", ",": "commas"}
    return names.get(delimiter, f"{delimiter!r}")


def csv_records(data: bytes, file_name: str) -> list[dict[str, str]]:
    """A CSV table as dicts, each with its spreadsheet row number under ``_row``."""
    text, _ = decode_text(data, name=file_name)
    if not text.strip():
        return []
    delimiter = sniff_delimiter(text)
    try:
        rows = list(numbered_csv_rows(text, delimiter))
    except csv.Error as error:
        raise IngestError(
            f"{file_name} is not valid CSV ({error}). Fix: export the table again"
        ) from None
    header = [cell.strip() for cell in rows[0][1]]
    records = []
    for number, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        record = dict(zip(header, cells, strict=False))
        record["_row"] = str(number)
        records.append(record)
    return records
