"""Read a services file of any accepted kind into a `RawTable`, or say why it cannot be read.

Accepted: CSV and XLSX (`analysis.ingest.table`), Open Referral UK JSON (see
`analysis.ingest.oruk`), other JSON lists of records (`analysis.ingest.json_table`) and
Open Referral UK CSV table packages (a folder or zip of CSV files, with or without
``datapackage.json``; or of the JSON pages of a paged feed). Files come as a path or, from
an upload, as bytes with their name. Before anything parses a file it is refused when it
is too large or empty.

A JSON file is read as Open Referral UK only when it has the standard's shape
(`analysis.ingest.oruk_shape.judge_json`), else as a table; the first note of the table
says which reader was used and why. ``--format oruk`` and ``--format template`` choose.

A file that cannot be read at all raises `IngestError` with the reason and the fix.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Final
from xml.parsers.expat import ExpatError

import pandas as pd

from analysis import settings
from analysis.errors import IngestError, check_choice
from analysis.ingest.fields import FIELD_NAMES
from analysis.ingest.json_table import read_json_table
from analysis.ingest.oruk import (
    OrukRecords,
    is_oruk_services_header,
    records_from_json,
    records_from_tables,
)
from analysis.ingest.oruk_record import ORUK_COLUMN_LABELS
from analysis.ingest.oruk_shape import is_page, judge_json, oruk_name, package_name
from analysis.ingest.table import RawTable, csv_records, decode_text, read_csv, read_xlsx
from analysis.model import (
    AUTO_FORMAT,
    CSV_FORMAT,
    FIELD_OTHER_LOCATIONS,
    FORMAT_CHOICES,
    JSON_FORMAT,
    ORUK_CSV_FORMAT,
    ORUK_FORMAT,
    ORUK_JSON_FORMAT,
    ROW,
    TEMPLATE_FORMAT,
    XLSX_FORMAT,
    FormatChoice,
    SourceFormat,
)

Source = Path | str | bytes

_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"
# What a file holds, as told by its bytes and name: besides the two spreadsheet formats,
# JSON, a zip archive (a CSV package), and the two spreadsheet kinds refused.
_JSON = JSON_FORMAT
_ZIP, _XLS, _ODS = "zip", "xls", "ods"


def read_table(
    source: Source,
    *,
    filename: str | None = None,
    format: FormatChoice = AUTO_FORMAT,
    sheet: str | None = None,
) -> RawTable:
    """Read a services file of any accepted kind.

    Whatever a hostile or damaged file makes a parser raise comes out as `IngestError`
    in plain words (see `unreadable_file_error`), never as the parser's own exception.

    Parameters
    ----------
    source
        A path (file, or folder of an Open Referral UK CSV package) or the file's bytes.
    filename
        The file's name when ``source`` is bytes (its extension helps detection).
    format
        ``"auto"`` (by extension and content), ``"template"`` (a table: CSV, XLSX or a
        JSON list of records, columns matched by name) or ``"oruk"`` (Open Referral UK
        JSON or CSV package).
    sheet
        The XLSX sheet to read; default the first.

    Raises
    ------
    IngestError
        When the file is missing, empty, undecodable, of an unknown kind or malformed.
    """
    try:
        return _read_any(source, filename=filename, format=format, sheet=sheet)
    except IngestError:
        raise
    except Exception as error:
        raise unreadable_file_error(_display_name(source, filename), error) from error


def _display_name(source: Source, filename: str | None) -> str:
    if filename:
        return filename
    return "upload" if isinstance(source, bytes) else Path(source).name


def unreadable_file_error(name: str, error: BaseException) -> IngestError:
    """The plain-words error for a file that made a parser fail.

    Names what the file seems to hold and the fix; never the exception's class or text,
    which speak of the program, not of the file.
    """
    text = str(error)
    if isinstance(error, RecursionError):
        reason = "its data is nested more deeply than a directory ever is"
        fix = "export the directory again as a flat list of services"
    elif isinstance(error, ValueError) and "digits" in text:
        reason = "it holds a number thousands of digits long"
        fix = "check the file's numbers (capacity, coordinates) and export it again"
    elif isinstance(error, MemoryError):
        reason = "it unpacks to more data than this server can hold"
        fix = "split the file, or save the sheet without its empty rows and columns"
    elif isinstance(error, SyntaxError | ExpatError):  # ElementTree's ParseError included
        reason = "the XML inside the workbook is damaged or uses features refused for safety"
        fix = "open it in a spreadsheet program and save it again as .xlsx or CSV UTF-8"
    elif isinstance(error, zipfile.BadZipFile | zlib.error | EOFError):
        reason = "its compressed content is damaged"
        fix = "save or download the file again"
    else:
        reason = "its content is not what a CSV, Excel workbook or Open Referral file holds"
        fix = "save it again as CSV UTF-8 or .xlsx, or check it is the file you meant"
    return IngestError(f"{name} could not be read: {reason}. Fix: {fix}")


def _read_any(
    source: Source, *, filename: str | None, format: FormatChoice, sheet: str | None
) -> RawTable:
    """`read_table` without the guard: a package folder, or the bytes of one file, read."""
    check_choice("format", format, FORMAT_CHOICES, error=IngestError)
    if not isinstance(source, bytes):
        package = _package_folder(Path(source), format=format)
        if package is not None:
            folder, name = package
            return _read_package(_folder_files(folder), name=filename or name)
    check_size(source, filename=filename)
    name = _display_name(source, filename)
    data = source if isinstance(source, bytes) else _file_bytes(Path(source))
    if not data.strip():
        raise IngestError(
            f"{name} is empty. Fix: export the directory again; the template starts with "
            "a header row"
        )
    kind = _detect_kind(data, name)
    _refuse_kind(kind, name, format=format)
    if kind == XLSX_FORMAT:
        return read_xlsx(data, name=name, sheet=sheet)
    if kind == _ZIP:
        return _read_package(_zip_files(data, name), name=name)
    if kind == _JSON:
        return _read_json(_parse_json(data, name=name), name=name, format=format)
    table = read_csv(data, name=name)
    if format == ORUK_FORMAT or (format == AUTO_FORMAT and is_oruk_services_header(table.headers)):
        return _read_package({PurePosixPath(name).name: data}, name=name)
    return table


def check_size(source: Source, *, filename: str | None = None) -> None:
    """Refuse a file larger than `settings.MAX_UPLOAD_BYTES` before anything reads it.

    Raises
    ------
    IngestError
        Naming the file's size and the limit.
    """
    if isinstance(source, bytes):
        size = len(source)
    else:
        path = Path(source)
        if not path.is_file():
            return  # a folder (Open Referral UK package) or a missing file: read_table says
        size = path.stat().st_size
    if size > settings.MAX_UPLOAD_BYTES:
        raise IngestError(
            f"{_display_name(source, filename)} is {_megabytes(size)}, over the limit of "
            f"{_megabytes(settings.MAX_UPLOAD_BYTES)}. "
            "Fix: split the file into smaller files, or remove columns and rows not needed"
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB ({size:,} bytes)"


def _package_folder(path: Path, *, format: FormatChoice) -> tuple[Path, str] | None:
    """The folder of an Open Referral UK CSV package that ``path`` names, with its name."""
    if path.is_dir():
        if format == TEMPLATE_FORMAT:
            raise IngestError(
                f"{path} is a folder; the template is one CSV or XLSX file. Fix: give "
                "the file, or use --format oruk for a folder of Open Referral UK CSVs"
            )
        return path, path.name
    if path.name.lower() == "datapackage.json" and any(path.parent.glob("*.csv")):
        # A package's descriptor stands for the package: read the folder it is in.
        return path.parent, path.parent.name
    return None


def _file_bytes(path: Path) -> bytes:
    """The bytes of a file, or the reason it cannot be read in words."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{path} does not exist. Fix: check the path and the file name") from None
    except OSError as error:
        raise IngestError(
            f"{path} cannot be read ({error.strerror}). Fix: check its permissions"
        ) from None


def _refuse_kind(kind: str, name: str, *, format: FormatChoice) -> None:
    """Refuse the kinds of file never read, and kinds that are not the format asked for."""
    if kind == _XLS:
        raise IngestError(
            f"{name} is an old Excel (.xls) workbook, which is not read. Fix: open it and "
            "save it as .xlsx (Excel Workbook) or CSV UTF-8"
        )
    if kind == _ODS:
        raise IngestError(
            f"{name} is an OpenDocument spreadsheet, which is not read. Fix: save it as "
            ".xlsx or CSV UTF-8"
        )
    if format == TEMPLATE_FORMAT and kind == _ZIP:
        raise IngestError(
            f"{name} is a zip archive, not a table (CSV, XLSX or JSON). Fix: use --format "
            "oruk (or auto) for an Open Referral UK package, or unzip it and load the table"
        )
    if format == ORUK_FORMAT and kind == XLSX_FORMAT:
        raise IngestError(
            f"{name} is an XLSX workbook; Open Referral UK comes as JSON or CSV files. Fix: "
            "use --format template (or auto) for spreadsheets"
        )
    suffix = PurePosixPath(name.lower()).suffix
    if kind == _ZIP and suffix in (".csv", ".txt", ".json"):
        raise IngestError(
            f"{name} is a zip archive, not the {suffix[1:].upper()} file its name says. "
            "Fix: unzip it and load the file inside, or save the data again as CSV UTF-8"
        )


def _detect_kind(data: bytes, name: str) -> str:
    """What the file holds, from its first bytes and its name's extension."""
    suffix = PurePosixPath(name.lower()).suffix
    if data.startswith(_OLE_MAGIC) or suffix == ".xls":
        return _XLS
    if suffix == ".ods":
        return _ODS
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = set(archive.namelist())
        except zipfile.BadZipFile:
            members = set()
        if "xl/workbook.xml" in members or suffix in (".xlsx", ".xlsm"):
            return XLSX_FORMAT
        if "content.xml" in members and "mimetype" in members:
            return _ODS
        return _ZIP
    if suffix in (".xlsx", ".xlsm"):
        return XLSX_FORMAT
    if suffix in (".json", ".geojson"):
        return _JSON
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return _JSON if start in (b"{", b"[") else CSV_FORMAT


def _parse_json(data: bytes, *, name: str) -> object:
    text, _ = decode_text(data, name=name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise IngestError(
            f"{name} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}). Fix: download the feed again; check it was saved completely"
        ) from None


def _read_json(document: object, *, name: str, format: FormatChoice) -> RawTable:
    """A JSON document as Open Referral UK or as a table: as ``format`` says, else by shape."""
    if format == ORUK_FORMAT:
        note = f"read as {oruk_name(document)}, as --format oruk asks"
    elif format == TEMPLATE_FORMAT:
        return read_json_table(
            document, name=name, note="read as a JSON table, as --format template asks"
        )
    else:
        shape = judge_json(document)
        if not shape.is_oruk:
            return read_json_table(document, name=name, note=shape.note)
        note = shape.note
    parsed = records_from_json(document, name=name)
    return _oruk_table(parsed, name=name, format=ORUK_JSON_FORMAT, note=note)


def _folder_files(folder: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    if not files:
        raise IngestError(
            f"{folder} is an empty folder. Fix: give the folder holding the Open Referral UK "
            "CSV files (services.csv, organizations.csv, …)"
        )
    return files


def _zip_files(data: bytes, name: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {
                PurePosixPath(info.filename).name: archive.read(info)
                for info in archive.infolist()
                if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            }
    except (zipfile.BadZipFile, zipfile.LargeZipFile) as error:
        raise IngestError(
            f"{name} is not a readable zip archive ({error}). Fix: zip the CSV files again"
        ) from None


def _read_package(files: dict[str, bytes], *, name: str) -> RawTable:
    """An Open Referral UK CSV package: CSV tables, optionally described by datapackage.json;
    or, without CSV tables, the JSON pages of a paged feed, read together."""
    if not any(file_name.lower().endswith(".csv") for file_name in files):
        document = _json_pages(files)
        if document is not None:
            return _read_json(document, name=name, format=AUTO_FORMAT)
    descriptor = None
    for file_name in files:
        if file_name.lower().endswith(".json"):
            text, _ = decode_text(files[file_name], name=file_name)
            try:
                candidate = json.loads(text)
            except json.JSONDecodeError as error:
                raise IngestError(
                    f"{file_name} in {name} is not valid JSON (line {error.lineno}: "
                    f"{error.msg}). Fix: restore the package's datapackage.json"
                ) from None
            if isinstance(candidate, dict) and isinstance(candidate.get("resources"), list):
                descriptor = candidate
    paths = {}
    if descriptor is not None:
        for resource in descriptor["resources"]:
            if isinstance(resource, dict) and resource.get("name") and resource.get("path"):
                paths[str(resource["path"]).rsplit("/", 1)[-1]] = str(resource["name"])
    tables: dict[str, list[dict[str, str]]] = {}
    for file_name, data in files.items():
        if not file_name.lower().endswith(".csv"):
            continue
        table_name = paths.get(file_name, file_name[: -len(".csv")])
        tables[table_name] = csv_records(data, file_name)
    return _oruk_table(
        records_from_tables(tables, name=name, descriptor=descriptor),
        name=name,
        format=ORUK_CSV_FORMAT,
        note=f"read as {package_name(tables)}: tables {', '.join(sorted(tables))}",
    )


def _json_pages(files: dict[str, bytes]) -> object | None:
    """The JSON a package without CSV tables holds: its pages of a paged response (in name
    order) as a list, or its one JSON file; None when it holds neither."""
    documents = [
        _parse_json(files[file_name], name=file_name)
        for file_name in sorted(files)
        if file_name.lower().endswith(".json")
    ]
    pages = [document for document in documents if is_page(document)]
    if pages and len(pages) == len(documents):
        return pages
    return documents[0] if len(documents) == 1 else None


def _oruk_table(
    parsed: OrukRecords, *, name: str, format: SourceFormat, note: str = ""
) -> RawTable:
    """A feed's records as a table of the template's fields, typed cells kept as they are."""
    index = pd.Index([record.row for record in parsed.records], name=ROW, dtype=int)
    columns = {
        field: pd.Series([record.values[field] for record in parsed.records], dtype=object)
        for field in FIELD_NAMES
    }
    columns[FIELD_OTHER_LOCATIONS] = pd.Series(
        [record.other_locations for record in parsed.records], dtype=object
    )
    frame = pd.DataFrame(
        {field: column.to_numpy() for field, column in columns.items()}, index=index
    )
    organisations = pd.DataFrame(
        [[org.get(column, "") for column in FIELD_NAMES] for org in parsed.organisations],
        columns=list(FIELD_NAMES),
        dtype=object,
    )
    return RawTable(
        frame=frame,
        format=format,
        name=name,
        notes=(note, *parsed.notes) if note else tuple(parsed.notes),
        is_canonical=True,
        column_labels=dict(ORUK_COLUMN_LABELS),
        organisations=organisations,
    )
