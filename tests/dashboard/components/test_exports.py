"""Download bytes: a table as CSV (for Excel) and XLSX, a map as HTML, nothing on disk."""

from __future__ import annotations

import io

import folium
import openpyxl
import pandas as pd

from dashboard.components.exports import map_html_bytes, table_downloads
from dashboard.maps.offline import external_references, offline_map

HOSTILE = '=HYPERLINK("http://evil.example","click")'
TABLE = pd.DataFrame(
    {"Ward": [HOSTILE, "Café", "+44 117"], "Need": [1.5, 0.0, 2.0], "Small": [True, False, True]}
)
PARAMETERS = pd.DataFrame({"parameter": ["@threshold"], "value": [0.5]})


def test_csv_round_trips_with_formulas_neutralised():
    data, _ = table_downloads(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads accents only with the mark
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["Ward"].tolist() == ["'" + HOSTILE, "Café", "'+44 117"]
    assert back["Need"].tolist() == [1.5, 0.0, 2.0]
    assert back["Small"].tolist() == [True, False, True]
    assert not any(line.startswith((b"=", b"+", b"@")) for line in data.splitlines())


def test_xlsx_round_trips_with_text_cells_and_the_parameters_sheet():
    _, data = table_downloads(TABLE, PARAMETERS)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["table", "parameters"]
    rows = [[c.value for c in row] for row in book["table"].iter_rows()]
    assert rows == [
        ["Ward", "Need", "Small"],
        ["'" + HOSTILE, 1.5, True],
        ["Café", 0, False],
        ["'+44 117", 2, True],
    ]
    assert book["table"]["A2"].data_type == "s"
    assert all(c.data_type != "f" for s in book for row in s.iter_rows() for c in row)
    assert book["parameters"]["A2"].value == "'@threshold"


def test_xlsx_without_parameters_has_one_sheet():
    _, data = table_downloads(TABLE)
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["table"]


def test_map_html_is_self_contained_utf8():
    m = offline_map(location=[51.45, -2.6], zoom_start=12)
    folium.CircleMarker([51.45, -2.6], radius=4).add_to(m)
    page = map_html_bytes(m).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert external_references(page) == []
