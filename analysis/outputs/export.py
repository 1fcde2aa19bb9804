"""Exports: the area × category table as CSV, XLSX or GeoJSON, and HTML pages.

Each format has a function that returns the file's bytes (`csv_bytes`, `xlsx_bytes`,
`geojson_bytes`, `html_bytes`), for the dashboard's downloads, and a writer that saves
those bytes to a path (`write_csv`, ...), for the command line: both give the same file.

Spreadsheet cells that would run as a formula are neutralised (OWASP "CSV injection"): a
text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe, so opening the file shows the text and runs nothing (the one rule in
`analysis.escape.spreadsheet_cell`, shared with the rejected-rows CSV of
`analysis.ingest.import_report`).
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

from analysis.crs import to_display
from analysis.errors import AnalysisError
from analysis.escape import spreadsheet_cell
from analysis.geography import AreaSet
from analysis.model import AREA_CODE, LIST_SEPARATOR, LSOA_CODE, VALUE, WARD_CODE, WARD_LEVEL
from analysis.provision.metrics import MetricsResult

__all__ = [
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
PARAMETER_COLUMNS: Final = ("parameter", VALUE)
"""Columns of `parameters_frame`: what was set, and to what."""


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
        ``.csv`` (the table), ``.xlsx`` (the table, and a ``parameters`` sheet with the
        thresholds, catchments and service counts) or ``.geojson`` (one feature per area ×
        category with the area's outline, parameters in ``metadata``).

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
        return write_xlsx(
            {TABLE_SHEET: result.table, PARAMETERS_SHEET: parameters_frame(result)}, target
        )
    key = WARD_CODE if result.level == WARD_LEVEL else LSOA_CODE
    layer = area.wards if result.level == WARD_LEVEL else area.neighbourhoods
    outlines = layer[[key, layer.geometry.name]].rename(columns={key: AREA_CODE})
    features = outlines.merge(result.table, on=AREA_CODE, how="right")
    return write_geojson(
        gpd.GeoDataFrame(features, geometry=layer.geometry.name, crs=layer.crs),
        target,
        metadata=parameters_dict(result),
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
    """The parameters of ``result`` as a two-column table (``parameter``, ``value``)."""
    rows: list[tuple[str, object]] = [("level", result.level)]
    rows += [(f"threshold {k}", v) for k, v in result.thresholds.as_dict().items()]
    rows += [(f"method {k}", v) for k, v in method_dict(result).items()]
    rows += [(f"catchment km {k}", v) for k, v in result.catchments_km.items()]
    rows += [(f"services {k}", v) for k, v in result.service_counts.items()]
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS))


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
