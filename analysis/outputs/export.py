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
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
    "columns_frame",
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
"""Columns of `columns_frame`: each table column's unit and meaning."""
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


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """Each frame on its own sheet of an XLSX workbook, as the workbook's bytes.

    Text cells are neutralised (openpyxl would otherwise store ``=...`` as a live formula)
    and control characters that XLSX cannot hold are removed. Sheet names are cut to
    Excel's 31 characters.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            clean = prepare_for_spreadsheet(frame)
            for column in clean.columns:
                if _is_text(clean[column]):
                    clean[column] = clean[column].map(_strip_illegal)
            clean.to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()


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


def export_metrics(result: MetricsResult, area: AreaSet, path: Path | str) -> Path:
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
    if suffix == ".csv":
        return write_csv(result.table, target)
    if suffix == ".xlsx":
        sheets = {
            TABLE_SHEET: result.table,
            PARAMETERS_SHEET: parameters_frame(result),
            COLUMNS_SHEET: columns_frame(result.table),
        }
        return write_xlsx(sheets, target)
    key = WARD_CODE if result.level == WARD_LEVEL else LSOA_CODE
    layer = area.wards if result.level == WARD_LEVEL else area.neighbourhoods
    outlines = layer[[key, layer.geometry.name]].rename(columns={key: AREA_CODE})
    features = outlines.merge(result.table, on=AREA_CODE, how="right")
    return write_geojson(
        gpd.GeoDataFrame(features, geometry=layer.geometry.name, crs=layer.crs),
        target,
        metadata={**parameters_dict(result), COLUMNS_SHEET: columns_dict(result.table)},
    )


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
    """The parameters of ``result`` as a table: ``parameter``, ``value``, ``meaning``."""
    meaning = PARAMETER_MEANINGS.get
    rows: list[tuple[str, object, str]] = [("level", result.level, meaning("level", ""))]
    rows += [(f"threshold {k}", v, meaning(k, "")) for k, v in result.thresholds.as_dict().items()]
    rows += [(f"method {k}", v, meaning(k, "")) for k, v in method_dict(result).items()]
    rows += [
        (f"catchment km {k}", v, meaning("catchment_km", ""))
        for k, v in result.catchments_km.items()
    ]
    rows += [(f"services {k}", v, meaning(k, "")) for k, v in result.service_counts.items()]
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))


def columns_frame(table_df: pd.DataFrame) -> pd.DataFrame:
    """Unit and meaning of each column of ``table_df``, in its order (``column``, ``unit``,
    ``meaning``); a column the table of metrics does not have gets blanks."""
    rows = [(str(c), *COLUMN_DESCRIPTIONS.get(str(c), ("", ""))) for c in table_df.columns]
    return pd.DataFrame(rows, columns=list(DESCRIPTION_COLUMNS))


def columns_dict(table_df: pd.DataFrame) -> dict[str, dict[str, str]]:
    """`columns_frame` as JSON-ready values: column -> {unit, meaning}."""
    return {
        row[COLUMN]: {UNIT: row[UNIT], MEANING: row[MEANING]}
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
