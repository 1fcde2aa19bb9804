"""Download bytes: a table as CSV (for Excel) and XLSX, a map as HTML, nothing on disk."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import folium
import openpyxl
import pandas as pd

from analysis.escape import html_text
from analysis.geography import default_area_path, load_area
from analysis.model import AREA_NAME, IMPUTED_SHARE, LOCAL_SERVICES, RELATIVE_PROVISION
from analysis.outputs.export import COLUMN_HEADERS, DEMO_BANNER, ExportAbout
from dashboard.components.exports import (
    file_stem,
    map_html_bytes,
    page_about,
    table_downloads,
)
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


DEMO_ABOUT = ExportAbout(
    title="Food: relative provision by ward",
    area="Bristol, City of",
    source="Demo data (fictional), in the directory",
    made=date(2026, 3, 1),
    licence=("Contains OS data © Crown copyright.",),
    demo=True,
)
SHOWN = pd.DataFrame(
    {
        COLUMN_HEADERS[AREA_NAME]: ["Ashley"],
        COLUMN_HEADERS[LOCAL_SERVICES]: [3],
        COLUMN_HEADERS[RELATIVE_PROVISION]: [0.456],
        COLUMN_HEADERS[IMPUTED_SHARE]: [0.25],
    }
)


def test_xlsx_with_about_says_what_it_is_and_is_formatted():
    _, data = table_downloads(SHOWN, PARAMETERS, DEMO_ABOUT)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["about", "table", "parameters", "columns"]
    about = {label: text for label, text in book["about"].iter_rows(values_only=True)}
    assert about["Warning"] == DEMO_BANNER
    assert about["Area"] == "Bristol, City of" and about["Made on"] == "2026-03-01"
    assert about["Data source"] == "Demo data (fictional), in the directory"
    assert about["Reference data"] == "Contains OS data © Crown copyright."
    table = book["table"]
    assert table.freeze_panes == "A2"
    assert [c.number_format for c in table[2]] == ["General", "#,##0", "0.00", "0%"]
    columns = list(book["columns"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in columns] == [
        AREA_NAME,
        LOCAL_SERVICES,
        RELATIVE_PROVISION,
        IMPUTED_SHARE,
    ]
    assert all(unit for _, _, unit, _ in columns[1:])  # every number has its unit


def test_file_names_carry_the_date_and_demo():
    assert file_stem("safety-net-food-class", DEMO_ABOUT) == "safety-net-food-class-2026-03-01-demo"
    assert file_stem("safety-net-food-class", None) == "safety-net-food-class"


def test_page_about_takes_the_source_label_and_the_demo_flag():
    bristol_area = load_area(default_area_path())
    source = SimpleNamespace(label="services.csv (uploaded)", shows_demo=False)
    about = page_about(SimpleNamespace(area=bristol_area, source=source), "Title")
    assert about.source == "services.csv (uploaded)" and not about.demo
    assert about.area == bristol_area.name
    assert any("Open Government Licence" in line for line in about.licence)


def test_map_html_has_a_title_heading_banner_licence_and_the_map_once():
    m = offline_map(location=[51.45, -2.6], zoom_start=12)
    folium.CircleMarker([51.45, -2.6], radius=4).add_to(m)
    m.get_root().render()  # st_folium renders the map before the download is made
    about = replace(DEMO_ABOUT, title="Food <b>gaps</b>", source="=evil.csv <script>")
    for _ in range(2):  # a second download of the same map holds it once too
        page = map_html_bytes(m, about).decode("utf-8")
        assert page.count("L.map(") == 1 and page.count('class="folium-map"') == 1
    assert "<title>Food &lt;b&gt;gaps&lt;/b&gt;</title>" in page
    assert "<h1>Food &lt;b&gt;gaps&lt;/b&gt;</h1>" in page
    assert '<script>"' not in page and "=evil.csv &lt;script&gt;" in page
    assert html_text(DEMO_BANNER) in page and "Made on: 2026-03-01" in page
    assert "Area: Bristol, City of" in page
    assert "<p>Contains OS data © Crown copyright.</p>" in page
    assert page.index("<h1>") < page.index('class="folium-map"') < page.index("Contains OS")
    assert external_references(page) == []
    assert "<title>" not in map_html_bytes(m).decode("utf-8")  # no about: as before
