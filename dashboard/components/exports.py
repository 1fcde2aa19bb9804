"""Download buttons: the current map as standalone HTML, a table as CSV and XLSX.

The bytes come from `dashboard.maps.offline.standalone_html` (no external references) and
`analysis.outputs.export` (formula cells neutralised by `analysis.escape.spreadsheet_cell`),
the same functions the command line writes its files with, so a downloaded file is as safe
as the CLI's. Nothing is written to disk.
"""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from analysis.outputs.export import (
    PARAMETERS_SHEET,
    TABLE_SHEET,
    csv_bytes,
    html_bytes,
    xlsx_bytes,
)
from dashboard.maps.offline import standalone_html

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_downloads(
    table_df: pd.DataFrame, parameters_df: pd.DataFrame | None = None
) -> tuple[bytes, bytes]:
    """The CSV and XLSX bytes of a table as shown, parameters on a second XLSX sheet.

    The CSV starts with a UTF-8 byte-order mark, so Excel opens accented names correctly.
    """
    sheets = {TABLE_SHEET: table_df}
    if parameters_df is not None:
        sheets[PARAMETERS_SHEET] = parameters_df
    return csv_bytes(table_df, byte_order_mark=True), xlsx_bytes(sheets)


def map_html_bytes(m: folium.Map) -> bytes:
    """The map as one self-contained HTML file."""
    return html_bytes(standalone_html(m))


def download_buttons(
    *,
    stem: str,
    table_df: pd.DataFrame,
    parameters_df: pd.DataFrame | None = None,
    map_: folium.Map | None = None,
    key: str,
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
    """
    columns = st.columns(3)
    if map_ is not None:
        columns[0].download_button(
            "Map (HTML)",
            data=map_html_bytes(map_),
            file_name=f"{stem}.html",
            mime="text/html",
            key=f"{key}_html",
            help="Opens in any browser, with no internet needed.",
        )
    csv_data, xlsx_data = table_downloads(table_df, parameters_df)
    columns[1].download_button(
        "Table (CSV)",
        data=csv_data,
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
    )
    columns[2].download_button(
        "Table (XLSX)",
        data=xlsx_data,
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
    )
