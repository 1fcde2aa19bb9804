"""Exports: the area × category table as CSV, XLSX or GeoJSON, and HTML pages.

Each format has a function that returns the file's bytes (`csv_bytes`, `xlsx_bytes`,
`geojson_bytes`, `html_bytes`), for the dashboard's downloads, and a writer that saves
those bytes to a path (`write_csv`, ...), for the command line: both give the same file.

Spreadsheet cells that would run as a formula are neutralised (OWASP "CSV injection"): a
text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe, so opening the file shows the text and runs nothing (the one rule in
`analysis.escape.spreadsheet_cell`, shared with the rejected-rows CSV of
`analysis.ingest.import_report`).

Every number exported says what it is: the XLSX workbook has a ``columns`` sheet giving
each table column's unit and meaning (`columns_frame`) and its ``parameters`` sheet a
meaning per parameter; GeoJSON carries both in its ``metadata``. A CSV holds the table
alone, its header the column names `columns_frame` describes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis import settings
from analysis.crs import to_display
from analysis.errors import AnalysisError
from analysis.escape import spreadsheet_cell
from analysis.geography import AreaSet
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    COLUMN,
    COUNT_IMPUTED,
    COUNT_NO_COVERAGE,
    COUNT_OTHER_CATEGORIES,
    COUNT_REMOTE,
    COUNT_SERVICES,
    COUNT_UNCATEGORISED,
    COUNT_USED,
    DUPLICATE_PAIRS,
    IMPUTED_SHARE,
    LIST_SEPARATOR,
    LOCAL_SERVICES,
    LSOA_CODE,
    NEED,
    NEED_UNIT,
    ORGANISATIONS,
    POPULATION,
    PROVISION_CLASS,
    PROVISION_CLASSES,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    REPORTED_CLOSED_SERVICES,
    SMALL_NUMBERS,
    STALE_SERVICES,
    UNCERTAIN,
    VALUE,
    WARD_CODE,
    WARD_LEVEL,
)
from analysis.provision.metrics import MetricsResult

__all__ = [
    "ExportAbout",
    "about_text",
    "attribution_lines",
    "columns_frame",
    "export_about",
    "csv_bytes",
    "export_metrics",
    "geojson_bytes",
    "html_bytes",
    "prepare_for_spreadsheet",
    "write_csv",
    "write_geojson",
    "write_html",
    "write_xlsx",
    "xlsx_bytes",
]

SUFFIXES: Final = (".csv", ".xlsx", ".geojson")
TABLE_SHEET: Final = "table"
PARAMETERS_SHEET: Final = "parameters"
COLUMNS_SHEET: Final = "columns"
UNIT: Final = "unit"
MEANING: Final = "meaning"
PARAMETER_COLUMNS: Final = ("parameter", VALUE, MEANING)
"""Columns of `parameters_frame`: what was set, to what, and what it means."""
DESCRIPTION_COLUMNS: Final = (COLUMN, UNIT, MEANING)
"""Columns of a description table: each table column's unit and meaning."""
RP_MEANING: Final = "1 = city average per person in need"
"""What a relative provision of 1 means, written wherever one is shown."""

COLUMN_DESCRIPTIONS: Final[dict[str, tuple[str, str]]] = {
    AREA_CODE: ("", "ONS code of the ward or neighbourhood"),
    AREA_NAME: ("", "name of the ward or neighbourhood"),
    WARD_CODE: ("", "ONS code of the ward the neighbourhood is in"),
    CATEGORY: ("", "need category id (data/taxonomy.csv)"),
    POPULATION: ("residents", "residents of the area"),
    NEED: (
        "people, in the row's need_unit",
        "how many people the category is for: residents its need indicator counts",
    ),
    NEED_UNIT: ("", "the unit the row's need is counted in"),
    LOCAL_SERVICES: (
        "count of services",
        "services of the category in person or area-based that reach at least one of the "
        "area's neighbourhoods",
    ),
    ORGANISATIONS: (
        "count of organisations",
        "distinct organisations running those local services",
    ),
    REMOTE_OPTIONS: (
        "count of services",
        "phone, online and citywide services of the category: open to anyone, counted apart "
        "from local help",
    ),
    ACCESSIBILITY_PER_1000: (
        "places a week per 1,000 people in need",
        "local supply reaching the area's people in need, nearer services counting more "
        "(enhanced two-step floating catchment)",
    ),
    RELATIVE_PROVISION: (
        f"ratio ({RP_MEANING})",
        "places per person in need as a multiple of the whole area's: 0.5 = half, 2 = twice",
    ),
    IMPUTED_SHARE: (
        "share of the supply, 0-1",
        "share of the area's supply (accessibility_per_1000) from services whose capacity is "
        "unknown, so estimated",
    ),
    DUPLICATE_PAIRS: (
        "count of pairs of services",
        "pairs of local services of the category, run by two organisations, that reach "
        "mostly the same people in need, counted in the area holding most of those people",
    ),
    STALE_SERVICES: (
        "count of services",
        f"of the services behind the row (local and remote), those not checked for over "
        f"{settings.STALE_AFTER_MONTHS} months on the day of the export: check them before "
        "relying on the figure",
    ),
    REPORTED_CLOSED_SERVICES: (
        "count of services",
        "of the services behind the row, those two or more members of the public reported "
        "closed since they were last checked",
    ),
    PROVISION_CLASS: (
        f"one of {len(PROVISION_CLASSES)} classes",
        f"{', '.join(PROVISION_CLASSES)}: from need, local services and relative provision "
        "(thresholds among the parameters)",
    ),
    UNCERTAIN: (
        "true or false",
        "more of the supply is estimated than uncertain_imputed_share: read the class with care",
    ),
    SMALL_NUMBERS: (
        "true or false",
        "the values rest on few local services, residents or people in need: read with care",
    ),
}
"""Unit and one-line meaning of each column of the area × category table."""

PARAMETER_MEANINGS: Final[dict[str, str]] = {
    "level": "the areas of the table: wards or neighbourhoods",
    "under_served_below": f"relative provision below this is under-served ({RP_MEANING})",
    "well_provided_from": f"relative provision from this is well provided ({RP_MEANING})",
    "small_numbers_services": "fewer local services than this (but some): small numbers",
    "small_numbers_population": "fewer residents than this: small numbers",
    "small_numbers_need": "fewer people in need than this (but some): small numbers",
    "uncertain_imputed_share": "a class is uncertain when more than this share (0-1) of "
    "the supply is estimated",
    "decay": "stepped: nearer neighbourhoods count more (1, 0.68, 0.22 by thirds of the "
    "radius); none: all of a catchment counts fully",
    "catchment_factor": "multiplies every recorded catchment radius (1 = as recorded)",
    "capacity_imputation": "what an unknown capacity counts at, among the known "
    "capacities of its category",
    "need_source": "indicator: the category's need indicator; population: every resident",
    "duplicate_min_jaccard": "least share (0-1) of the need two services reach that both "
    "reach, for a duplicate pair",
    "catchment_km": "km: radius around a venue of this category that it serves",
    COUNT_SERVICES: "services in the directory analysed",
    COUNT_USED: "services in a category of the table",
    COUNT_UNCATEGORISED: "services in no category, counted nowhere",
    COUNT_OTHER_CATEGORIES: "services only in categories left out of the table",
    COUNT_REMOTE: "phone, online and citywide services, counted as remote options",
    COUNT_NO_COVERAGE: "local services that reach no neighbourhood of the area",
    COUNT_IMPUTED: "services whose capacity is unknown, counted at an estimate",
}
"""One-line meaning of each parameter, by its key."""


COLUMN_HEADERS: Final[dict[str, str]] = {
    AREA_CODE: "Code",
    AREA_NAME: "Area",
    WARD_CODE: "Ward code",
    CATEGORY: "Category",
    POPULATION: "Residents",
    NEED: "People in need",
    NEED_UNIT: "Counted as",
    LOCAL_SERVICES: "Local services",
    ORGANISATIONS: "Organisations",
    REMOTE_OPTIONS: "Phone, online, citywide",
    ACCESSIBILITY_PER_1000: "Places a week per 1,000 in need",
    RELATIVE_PROVISION: f"Relative provision ({RP_MEANING})",
    IMPUTED_SHARE: "Supply estimated",
    DUPLICATE_PAIRS: "Duplicate pairs",
    STALE_SERVICES: "Of those, out of date",
    REPORTED_CLOSED_SERVICES: "Of those, reported closed",
    PROVISION_CLASS: "Class",
    UNCERTAIN: "Uncertain",
    SMALL_NUMBERS: "Small numbers",
}
"""The header a person reads above each table column (the dashboard's words); the machine
name stays on the ``columns`` sheet and in CSV headers."""

COUNT_FORMAT: Final = "#,##0"
RATIO_FORMAT: Final = "0.00"
RATE_FORMAT: Final = "#,##0.0"
SHARE_FORMAT: Final = "0%"
COLUMN_FORMATS: Final[dict[str, str]] = {
    POPULATION: COUNT_FORMAT,
    NEED: COUNT_FORMAT,
    LOCAL_SERVICES: COUNT_FORMAT,
    ORGANISATIONS: COUNT_FORMAT,
    REMOTE_OPTIONS: COUNT_FORMAT,
    DUPLICATE_PAIRS: COUNT_FORMAT,
    STALE_SERVICES: COUNT_FORMAT,
    REPORTED_CLOSED_SERVICES: COUNT_FORMAT,
    ACCESSIBILITY_PER_1000: RATE_FORMAT,
    RELATIVE_PROVISION: RATIO_FORMAT,
    IMPUTED_SHARE: SHARE_FORMAT,
}
"""Excel number format of each numeric column, by its unit in `COLUMN_DESCRIPTIONS`:
whole numbers for counts, 2 decimals for ratios, a percentage for shares."""

PARAMETER_LABELS: Final[dict[str, str]] = {
    "level": "Areas of the table",
    "under_served_below": "Under-served below (relative provision)",
    "well_provided_from": "Well provided from (relative provision)",
    "small_numbers_services": "Small numbers: fewer local services than",
    "small_numbers_population": "Small numbers: fewer residents than",
    "small_numbers_need": "Small numbers: fewer people in need than",
    "uncertain_imputed_share": "Uncertain: estimated share of supply above",
    "decay": "Distance decay",
    "catchment_factor": "Catchment factor",
    "capacity_imputation": "Unknown capacity counted at",
    "need_source": "Need counted from",
    "duplicate_min_jaccard": "Duplicate pair: shared need at least",
    "catchment_km": "Catchment radius (km)",
    COUNT_SERVICES: "Services in the directory",
    COUNT_USED: "Services in a category of the table",
    COUNT_UNCATEGORISED: "Services in no category",
    COUNT_OTHER_CATEGORIES: "Services only in other categories",
    COUNT_REMOTE: "Remote services (phone, online, citywide)",
    COUNT_NO_COVERAGE: "Local services reaching no neighbourhood",
    COUNT_IMPUTED: "Services with capacity unknown",
}
"""Plain name of each parameter, by its key (the key stays in the ``key`` column)."""

PARAMETER_KEY: Final = "key"
"""Column of `parameters_frame` holding the machine name, e.g. ``threshold decay``."""

ABOUT_SHEET: Final = "about"
ABOUT_FILE_SUFFIX: Final = "-about.txt"
UNKNOWN_SOURCE: Final = "not recorded (the directory given to the command)"
HEADER: Final = "header"
DEMO_BANNER: Final = (
    "FICTIONAL DEMO DATA: the organisations and services are invented, to try Safety Net "
    "out. Do not plan, fund or refer anyone from these figures."
)
"""The line every export of the demo data starts with."""
WARNING: Final = "Warning"
"""The label of `DEMO_BANNER` on an ``about`` sheet."""

_SHEET_HEADERS: Final = {
    PARAMETER_COLUMNS[0]: "Parameter",
    VALUE: "Value",
    MEANING: "Meaning",
    COLUMN: "Column",
    HEADER: "Header",
    UNIT: "Unit",
}
"""Headers of the parameters and columns sheets' own columns."""
_HEADER_FONT: Final = Font(bold=True)
_BANNER_FONT: Final = Font(bold=True, color="FFFFFF", size=12)
_BANNER_FILL: Final = PatternFill("solid", fgColor="B00020")
_TITLE_FONT: Final = Font(bold=True, size=14)
_MAX_WIDTH: Final = 60
_WIDTH_SAMPLE: Final = 500  # rows looked at to fit a column's width


@dataclass(frozen=True)
class ExportAbout:
    """What an export says about itself: its title, area, day made, data source, licence.

    ``source`` is the directory's label (the demo data, the directory database, an
    uploaded file's name); ``licence`` the reference data's attribution lines
    (`attribution_lines`); ``demo`` adds `DEMO_BANNER`.
    """

    title: str
    area: str
    source: str
    made: date
    licence: tuple[str, ...] = ()
    demo: bool = False
    notes: tuple[str, ...] = field(default=())

    def rows(self) -> list[tuple[str, str]]:
        """(label, text) lines, the banner first when the data is the demo."""
        rows = [(WARNING, DEMO_BANNER)] if self.demo else []
        rows += [
            ("Title", self.title),
            ("Area", self.area),
            ("Made on", self.made.isoformat()),
            ("Data source", self.source),
        ]
        rows += [("Note", note) for note in self.notes]
        rows += [("Reference data", line) for line in self.licence]
        return rows

    def file_tag(self) -> str:
        """The facts a file name carries: the day made, and ``demo`` for the demo data."""
        return self.made.isoformat() + ("-demo" if self.demo else "")


def attribution_lines(attribution: str) -> tuple[str, ...]:
    """The source statements of an area's ATTRIBUTION.md, one line each, then the licence.

    The text above the ``---`` rule is kept without its heading, each bullet and the
    paragraph before them as one line; the licence's name and address follow as one line.
    """
    sources, _, licence = attribution.partition("\n---\n")
    lines: list[str] = []
    for raw in sources.splitlines():
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("- ") or not lines:
            lines.append(text.removeprefix("- ").strip())
        else:  # a wrapped line continues the statement above it
            lines[-1] = f"{lines[-1]} {text}"
    head = [line.strip() for line in licence.strip().splitlines()[:2] if line.strip()]
    if head:
        lines.append(": ".join(head))
    return tuple(lines)


def export_about(
    area: AreaSet,
    *,
    title: str,
    source: str,
    demo: bool = False,
    made: date | None = None,
    notes: tuple[str, ...] = (),
) -> ExportAbout:
    """The `ExportAbout` of an export of ``area`` made today (or on ``made``)."""
    return ExportAbout(
        title=title,
        area=area.name,
        source=source,
        made=made or date.today(),
        licence=attribution_lines(area.attribution),
        demo=demo,
        notes=notes,
    )


def about_text(about: ExportAbout, columns_df: pd.DataFrame | None = None) -> str:
    """The plain-text companion of a CSV: what `ExportAbout` says, then each column's
    header, unit and meaning (`columns_frame`)."""
    lines = [f"{label}: {text}" for label, text in about.rows()]
    if columns_df is not None and not columns_df.empty:
        lines += ["", "Columns (name in the CSV header: header; unit; meaning):"]
        lines += [
            f"- {row[COLUMN]}: {row[HEADER]}; {row[UNIT] or 'text'}; {row[MEANING]}"
            for row in columns_df.to_dict("records")
        ]
    return "\n".join(lines) + "\n"


def prepare_for_spreadsheet(table_df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table_df`` safe to open in a spreadsheet.

    Tuples and lists become ``"a; b"`` text; every text cell and column name is neutralised
    with `spreadsheet_cell`. Numeric and boolean columns are left as they are.
    """
    out = pd.DataFrame(table_df).copy()
    if isinstance(out, gpd.GeoDataFrame):
        out = pd.DataFrame(out.drop(columns=out.geometry.name))
    for column in out.columns:
        if _is_text(out[column]):
            out[column] = out[column].map(lambda v: spreadsheet_cell(_flatten(v)))
    out.columns = [spreadsheet_cell(str(column)) for column in out.columns]
    return out


def csv_bytes(table_df: pd.DataFrame, *, byte_order_mark: bool = False) -> bytes:
    """``table_df`` as UTF-8 CSV, formula cells neutralised, rows ended with CRLF.

    Parameters
    ----------
    table_df
        The table to write; see `prepare_for_spreadsheet`.
    byte_order_mark
        Start with a UTF-8 byte-order mark, which Excel needs to read accented letters
        when the file is opened by double-clicking it (the dashboard's downloads).

    Notes
    -----
    CRLF is the line end of RFC 4180, and makes pandas quote a cell that holds a carriage
    return, so the row survives the round trip.
    """
    text = prepare_for_spreadsheet(table_df).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig" if byte_order_mark else "utf-8")


def xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame],
    *,
    about: ExportAbout | None = None,
    human_headers: bool = False,
) -> bytes:
    """Each frame on its own sheet of an XLSX workbook, as the workbook's bytes.

    Text cells are neutralised (openpyxl would otherwise store ``=...`` as a live formula)
    and control characters that XLSX cannot hold are removed. Sheet names are cut to
    Excel's 31 characters. Every sheet has a bold, frozen header row and fitted column
    widths; a column `COLUMN_FORMATS` knows (by machine name or header) gets its number
    format.

    Parameters
    ----------
    about
        When given, a first ``about`` sheet: the demo banner, title, area, date, source
        and licence (`ExportAbout`).
    human_headers
        Head each known column with its `COLUMN_HEADERS` text instead of its machine name
        (which the ``columns`` sheet keeps). Off for files read back by a program.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if about is not None:
            _write_about(writer.book.create_sheet(ABOUT_SHEET), about, list(sheets))
        for name, frame in sheets.items():
            clean = prepare_for_spreadsheet(frame)
            for column in clean.columns:
                if _is_text(clean[column]):
                    clean[column] = clean[column].map(_strip_illegal)
            formats = [_number_format(str(c)) for c in frame.columns]
            if human_headers:
                clean.columns = [
                    _header(str(c), str(shown))
                    for c, shown in zip(frame.columns, clean.columns, strict=True)
                ]
            clean.to_excel(writer, sheet_name=name[:31], index=False)
            _lay_out(writer.sheets[name[:31]], formats)
    return buffer.getvalue()


def _header(column: str, shown: str) -> str:
    # A known column gets its header; any other keeps its (neutralised) name.
    return COLUMN_HEADERS.get(column) or _SHEET_HEADERS.get(column, shown)


def _number_format(column: str) -> str | None:
    if column in COLUMN_FORMATS:
        return COLUMN_FORMATS[column]
    by_header = {header: key for key, header in COLUMN_HEADERS.items()}
    return COLUMN_FORMATS.get(by_header.get(column, ""))


def _lay_out(sheet: Worksheet, formats: list[str | None]) -> None:
    """Bold frozen header, number formats, and each column as wide as its text (capped)."""
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
    for index, column in enumerate(sheet.iter_cols(max_row=_WIDTH_SAMPLE), start=1):
        number_format = formats[index - 1] if index <= len(formats) else None
        if number_format:
            for cell in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell[0].number_format = number_format
        longest = max((len(_shown(cell.value)) for cell in column), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(longest + 2, 8), _MAX_WIDTH
        )


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def _write_about(sheet: Worksheet, about: ExportAbout, sheet_names: list[str]) -> None:
    """The ``about`` sheet: the banner in white on red, then (label, text) rows."""
    rows = about.rows()
    if COLUMNS_SHEET in sheet_names:
        rows.append(
            (
                "Columns",
                f"each column's unit, meaning and machine name (as in the CSV) are on the "
                f"'{COLUMNS_SHEET}' sheet",
            )
        )
    if PARAMETERS_SHEET in sheet_names:
        rows.append(
            ("Parameters", f"the thresholds and method are on the '{PARAMETERS_SHEET}' sheet")
        )
    for label, text in rows:
        sheet.append([spreadsheet_cell(label), spreadsheet_cell(_strip_illegal(text))])
    for row in sheet.iter_rows():
        label, text = row
        text.alignment = Alignment(wrap_text=True, vertical="top")
        label.font = _HEADER_FONT
        if text.value == about.title:
            text.font = _TITLE_FONT
        if text.value == DEMO_BANNER:
            text.font, text.fill, label.fill = _BANNER_FONT, _BANNER_FILL, _BANNER_FILL
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 100


def geojson_bytes(table_gdf: gpd.GeoDataFrame, *, metadata: Mapping | None = None) -> bytes:
    """A GeoDataFrame (EPSG:27700) as RFC 7946 GeoJSON in WGS84, UTF-8.

    Tuples become ``"a; b"`` text. ``metadata`` is stored as a top-level ``"metadata"``
    member (a foreign member, ignored by GIS software that does not know it).

    Raises
    ------
    analysis.errors.CRSError
        When ``table_gdf`` is not in EPSG:27700.
    """
    frame = table_gdf.copy()
    for column in frame.columns:
        if column != frame.geometry.name and frame[column].dtype == object:
            frame[column] = frame[column].map(_flatten)
    collection = json.loads(to_display(frame).to_json(na="null", drop_id=True))
    if metadata is not None:
        collection["metadata"] = dict(metadata)
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def html_bytes(text: str) -> bytes:
    """An HTML page (e.g. `analysis.outputs.profile.render_ward_profile`) as UTF-8."""
    return text.encode("utf-8")


def write_csv(table_df: pd.DataFrame, path: Path | str) -> Path:
    """Write `csv_bytes` of ``table_df`` (no byte-order mark); return the path."""
    return _write_bytes(csv_bytes(table_df), path)


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path | str) -> Path:
    """Write `xlsx_bytes` of ``sheets``; return the path."""
    return _write_bytes(xlsx_bytes(sheets), path)


def write_geojson(
    table_gdf: gpd.GeoDataFrame, path: Path | str, *, metadata: Mapping | None = None
) -> Path:
    """Write `geojson_bytes` of ``table_gdf`` (with ``metadata``); return the path."""
    return _write_bytes(geojson_bytes(table_gdf, metadata=metadata), path)


def export_metrics(
    result: MetricsResult, area: AreaSet, path: Path | str, *, about: ExportAbout | None = None
) -> Path:
    """Write the area × category table in the format the suffix names.

    Parameters
    ----------
    result
        The metrics to write.
    area
        The reference geography, for the areas' outlines (GeoJSON).
    path
        ``.csv`` (the table), ``.xlsx`` (the table, a ``parameters`` sheet with the
        thresholds, method, catchments and service counts, and a ``columns`` sheet with
        each column's unit and meaning) or ``.geojson`` (one feature per area × category
        with the area's outline; parameters and columns in ``metadata``).
    about
        Title, date, data source and licence (`export_about`); by default the table's
        title, today and a source "not recorded". The XLSX gets it as a first ``about``
        sheet (and human headers), the GeoJSON in ``metadata``, and a CSV, which stays the
        bare table, in a text file beside it (`about_path_for`).

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    AnalysisError
        For another suffix, or when the file cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise AnalysisError(
            f"cannot write {target.name}: the suffix {target.suffix or '(none)'!r} is not "
            f"one of {', '.join(SUFFIXES)}. Fix: name the output e.g. gaps.csv."
        )
    about = about or export_about(area, title=metrics_title(result), source=UNKNOWN_SOURCE)
    if suffix == ".csv":
        text = about_text(about, columns_frame(result.table))
        _write_bytes(text.encode("utf-8"), about_path_for(target))
        return write_csv(result.table, target)
    if suffix == ".xlsx":
        sheets = {
            TABLE_SHEET: result.table,
            PARAMETERS_SHEET: parameters_frame(result),
            COLUMNS_SHEET: columns_frame(result.table),
        }
        return _write_bytes(xlsx_bytes(sheets, about=about, human_headers=True), target)
    key = WARD_CODE if result.level == WARD_LEVEL else LSOA_CODE
    layer = area.wards if result.level == WARD_LEVEL else area.neighbourhoods
    outlines = layer[[key, layer.geometry.name]].rename(columns={key: AREA_CODE})
    features = outlines.merge(result.table, on=AREA_CODE, how="right")
    return write_geojson(
        gpd.GeoDataFrame(features, geometry=layer.geometry.name, crs=layer.crs),
        target,
        metadata={
            ABOUT_SHEET: about_dict(about),
            **parameters_dict(result),
            COLUMNS_SHEET: columns_dict(result.table),
        },
    )


def metrics_title(result: MetricsResult) -> str:
    """The title of an export of ``result``: what the table is, at its level."""
    # The level's own word ("ward", "neighbourhood") reads as English.
    return f"Safety Net: provision of community services by {result.level} and need category"


def about_path_for(path: Path | str) -> Path:
    """Where the text companion of the CSV at ``path`` goes: ``<stem>-about.txt`` beside it."""
    target = Path(path)
    return target.with_name(f"{target.stem}{ABOUT_FILE_SUFFIX}")


def about_dict(about: ExportAbout) -> dict[str, object]:
    """`ExportAbout` as JSON-ready values (GeoJSON ``metadata``)."""
    return {
        "title": about.title,
        "area": about.area,
        "made": about.made.isoformat(),
        "source": about.source,
        "demo": about.demo,
        "banner": DEMO_BANNER if about.demo else "",
        "licence": list(about.licence),
    }


def parameters_dict(result: MetricsResult) -> dict[str, object]:
    """Everything that produced ``result``, as JSON-ready values."""
    return {
        "level": result.level,
        "thresholds": result.thresholds.as_dict(),
        "method": method_dict(result),
        "catchments_km": dict(result.catchments_km),
        "service_counts": dict(result.service_counts),
    }


def parameters_frame(result: MetricsResult) -> pd.DataFrame:
    """The parameters of ``result`` as a table: ``parameter`` (its plain name), ``value``,
    ``meaning`` and ``key`` (the machine name, e.g. ``threshold under_served_below``)."""
    rows = [_parameter("level", "level", result.level)]
    rows += [_parameter(f"threshold {k}", k, v) for k, v in result.thresholds.as_dict().items()]
    rows += [_parameter(f"method {k}", k, v) for k, v in method_dict(result).items()]
    rows += [
        _parameter(f"catchment km {k}", "catchment_km", v, suffix=k)
        for k, v in result.catchments_km.items()
    ]
    rows += [_parameter(f"services {k}", k, v) for k, v in result.service_counts.items()]
    return pd.DataFrame(rows, columns=[*PARAMETER_COLUMNS, PARAMETER_KEY])


def _parameter(
    key: str, name: str, value: object, *, suffix: str = ""
) -> tuple[str, object, str, str]:
    label = PARAMETER_LABELS.get(name, key)
    if suffix:  # one row per category: the category's id after the plain name
        label = f"{label}: {suffix}"
    return label, value, PARAMETER_MEANINGS.get(name, ""), key


def columns_frame(table_df: pd.DataFrame) -> pd.DataFrame:
    """Header, unit and meaning of each column of ``table_df``, in its order (``column``,
    ``header``, ``unit``, ``meaning``).

    A column is found by its machine name or by its `COLUMN_HEADERS` text (the dashboard's
    tables); one the table of metrics does not have keeps its name and gets blanks.
    """
    by_header = {header: key for key, header in COLUMN_HEADERS.items()}
    rows = []
    for shown in map(str, table_df.columns):
        key = shown if shown in COLUMN_DESCRIPTIONS else by_header.get(shown, shown)
        unit, meaning = COLUMN_DESCRIPTIONS.get(key, ("", ""))
        rows.append((key, COLUMN_HEADERS.get(key, shown), unit, meaning))
    return pd.DataFrame(rows, columns=[COLUMN, HEADER, UNIT, MEANING])


def columns_dict(table_df: pd.DataFrame) -> dict[str, dict[str, str]]:
    """`columns_frame` as JSON-ready values: column -> {header, unit, meaning}."""
    return {
        row[COLUMN]: {HEADER: row[HEADER], UNIT: row[UNIT], MEANING: row[MEANING]}
        for row in columns_frame(table_df).to_dict("records")
    }


def method_dict(result: MetricsResult) -> dict[str, object]:
    """How supply, reach and need were measured, by name."""
    method = result.method
    return {
        "decay": method.decay,
        "catchment_factor": method.catchment_factor,
        "capacity_imputation": method.imputation,
        "need_source": method.need_source,
        "duplicate_min_jaccard": method.duplicate_min_jaccard,
    }


def write_html(text: str, path: Path | str) -> Path:
    """Write `html_bytes` of an HTML page; return the path."""
    return _write_bytes(html_bytes(text), path)


def _is_text(column: pd.Series) -> bool:
    # pandas 3 gives text its own dtype ("str"); older pandas and mixed columns use object.
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def _flatten(value: object) -> object:
    if isinstance(value, tuple | list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


def _strip_illegal(value: object) -> object:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _target(path: Path | str) -> Path:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise AnalysisError(
            f"cannot create the folder {target.parent}: {error.strerror or error}. Fix: "
            "choose an output path in a folder you can write to."
        ) from error
    return target


def _write_bytes(data: bytes, path: Path | str) -> Path:
    target = _target(path)
    try:
        target.write_bytes(data)
    except OSError as error:
        raise AnalysisError(
            f"cannot write {target}: {error.strerror or error}. Fix: choose an output path "
            "in a folder you can write to, and close the file if a spreadsheet has it open."
        ) from error
    return target
