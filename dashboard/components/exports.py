"""Download buttons: the current map as standalone HTML, a table as CSV and XLSX.

The bytes come from `dashboard.maps.offline.standalone_html` (no external references) and
`analysis.outputs.export` (formula cells neutralised), so a downloaded file is as safe as the
CLI's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import folium
import pandas as pd
import streamlit as st

from analysis.outputs.export import prepare_for_spreadsheet, write_xlsx
from dashboard.maps.offline import standalone_html

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(table_df: pd.DataFrame) -> bytes:
    """``table_df`` as UTF-8 CSV (with BOM, so Excel reads accents), formulas neutralised."""
    return (
        prepare_for_spreadsheet(table_df)
        .to_csv(index=False, lineterminator="\r\n")
        .encode("utf-8-sig")
    )


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, through `analysis.outputs.export.write_xlsx`."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(sheets, Path(folder) / "table.xlsx")
        return path.read_bytes()


def map_html_bytes(m: folium.Map) -> bytes:
    """The map as one self-contained HTML file."""
    return standalone_html(m).encode("utf-8")


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
    columns[1].download_button(
        "Table (CSV)",
        data=csv_bytes(table_df),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
    )
    sheets = {"table": table_df}
    if parameters_df is not None:
        sheets["parameters"] = parameters_df
    columns[2].download_button(
        "Table (XLSX)",
        data=xlsx_bytes(sheets),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
    )
