"""Download buttons: the current map as standalone HTML, a table as CSV and XLSX.

The bytes come from `dashboard.maps.offline.standalone_html` (no external references) and
`analysis.outputs.export` (formula cells neutralised by `analysis.escape.spreadsheet_cell`),
the same functions the command line writes its files with, so a downloaded file is as safe
as the CLI's. Nothing is written to disk.

Given an `ExportAbout` (`page_about`), the XLSX opens on an ``about`` sheet (title, area,
date, data source, licence, the demo banner), the file names carry the date and ``demo``,
and a text file says the same of the CSV, which stays the bare table.
"""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from analysis.outputs.export import (
    COLUMNS_SHEET,
    PARAMETERS_SHEET,
    TABLE_SHEET,
    ExportAbout,
    about_text,
    columns_frame,
    csv_bytes,
    export_about,
    html_bytes,
    xlsx_bytes,
)
from dashboard.context import PageContext
from dashboard.maps.offline import standalone_html

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page_about(ctx: PageContext, title: str) -> ExportAbout:
    """What an export from this page says about itself: its source is the services in use."""
    return export_about(ctx.area, title=title, source=ctx.source.label, demo=ctx.source.shows_demo)


def table_downloads(
    table_df: pd.DataFrame,
    parameters_df: pd.DataFrame | None = None,
    about: ExportAbout | None = None,
) -> tuple[bytes, bytes]:
    """The CSV and XLSX bytes of a table as shown, parameters on a second XLSX sheet.

    The CSV starts with a UTF-8 byte-order mark, so Excel opens accented names correctly.
    With ``about``, the workbook starts with an ``about`` sheet and ends with a
    ``columns`` sheet (each column's unit and meaning).
    """
    sheets = {TABLE_SHEET: table_df}
    if parameters_df is not None:
        sheets[PARAMETERS_SHEET] = parameters_df
    if about is not None:
        sheets[COLUMNS_SHEET] = columns_frame(table_df)
    xlsx = xlsx_bytes(sheets, about=about, human_headers=about is not None)
    return csv_bytes(table_df, byte_order_mark=True), xlsx


def map_html_bytes(m: folium.Map, about: ExportAbout | None = None) -> bytes:
    """The map as one self-contained HTML file, titled by ``about`` when given."""
    return html_bytes(standalone_html(m, about))


def file_stem(stem: str, about: ExportAbout | None) -> str:
    """``stem`` with the date made and ``demo`` when known, so a saved file says both."""
    return f"{stem}-{about.file_tag()}" if about is not None else stem


def download_buttons(
    *,
    stem: str,
    table_df: pd.DataFrame,
    parameters_df: pd.DataFrame | None = None,
    map_: folium.Map | None = None,
    key: str,
    about: ExportAbout | None = None,
) -> None:
    """Download buttons for the map (HTML) and the table (CSV, XLSX), side by side.

    Parameters
    ----------
    stem
        File name without extension, e.g. ``safety-net-food-class``.
    table_df
        The table as shown (readable column names).
    parameters_df
        Thresholds and filters, written as a second XLSX sheet.
    map_
        The map to export; no HTML button when None.
    key
        Prefix of the buttons' keys.
    about
        Title, area, date, source and licence (`page_about`): on every file, and in an
        "About these files" text download for the CSV.
    """
    name = file_stem(stem, about)
    columns = st.columns(4 if about is not None else 3)
    if map_ is not None:
        columns[0].download_button(
            "Map (HTML)",
            data=map_html_bytes(map_, about),
            file_name=f"{name}.html",
            mime="text/html",
            key=f"{key}_html",
            help="Opens in any browser, with no internet needed.",
        )
    csv_data, xlsx_data = table_downloads(table_df, parameters_df, about)
    columns[1].download_button(
        "Table (CSV)",
        data=csv_data,
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        help="The bare table, for other tools; what it is and its licence are in the "
        "'About' text file.",
    )
    columns[2].download_button(
        "Table (XLSX)",
        data=xlsx_data,
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
    )
    if about is not None:
        columns[3].download_button(
            "About these files (TXT)",
            data=about_text(about, columns_frame(table_df)).encode("utf-8"),
            file_name=f"{name}-about.txt",
            mime="text/plain",
            key=f"{key}_about",
        )
