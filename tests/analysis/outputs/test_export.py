"""Exports: CSV, XLSX and GeoJSON of the metrics table, formula cells neutralised."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter
from shapely import box

from analysis.errors import AnalysisError, CRSError
from analysis.escape import spreadsheet_cell as neutralise_cell
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    IMPUTED_SHARE,
    LOCAL_SERVICES,
    NEED,
    RELATIVE_PROVISION,
    TABLE_COLUMNS,
    WARD_CODE,
)
from analysis.outputs.export import (
    COLUMN_HEADERS,
    DEMO_BANNER,
    about_path_for,
    attribution_lines,
    columns_frame,
    csv_bytes,
    export_about,
    export_metrics,
    geojson_bytes,
    html_bytes,
    prepare_for_spreadsheet,
    write_csv,
    write_geojson,
    write_html,
    write_xlsx,
    xlsx_bytes,
)
from analysis.provision.coverage import compute_coverage
from analysis.provision.metrics import compute_metrics
from tests.analysis.tiny import make_area, make_directory, make_taxonomy, service

AREA = make_area()
TAXONOMY = make_taxonomy()
# One food service for the wards listed, W1 (Z1 + Z2, 4,000 residents): 10 places a week.
DIRECTORY = make_directory(
    [service("S", box(0, 0, 2000, 1000), kind="wards", ward_codes=("W1",), capacity=10)]
)
HOSTILE = '=HYPERLINK("http://evil.example","click")'


def result(level="ward"):
    area = replace(AREA, wards=AREA.wards.assign(ward_name=[HOSTILE, "@SUM(A1)"]))
    return compute_metrics(
        compute_coverage(DIRECTORY, area, TAXONOMY), DIRECTORY, area, TAXONOMY, level=level
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 117", "'+44 117"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ashley", "Ashley"),
        ("", ""),
        (-1.5, -1.5),
        (True, True),
        (None, None),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_prepare_for_spreadsheet_flattens_tuples_and_neutralises_text_and_headers():
    frame = pd.DataFrame({"=name": ["=x", "ok"], "cats": [("a", "b"), ()], "n": [-1, 2]})
    out = prepare_for_spreadsheet(frame)
    assert out.to_dict("list") == {"'=name": ["'=x", "ok"], "cats": ["a; b", ""], "n": [-1, 2]}
    assert frame.columns[0] == "=name"  # the input is not changed


def test_csv_has_the_table_and_no_live_formula(tmp_path):
    path = export_metrics(result(), AREA, tmp_path / "out" / "gaps.csv")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(TABLE_COLUMNS)
    back = pd.read_csv(path)
    assert len(back) == 6
    # W1's food: 10 places for 4,000 people = 2.5 a week per 1,000; the city has the same
    # 10 places for 10,000 people, 1 per 1,000, so relative provision 2.5.
    food_w1 = back.iloc[0]
    assert food_w1["category"] == "food"
    assert food_w1[NEED] == 4000 and food_w1[LOCAL_SERVICES] == 1
    assert food_w1[ACCESSIBILITY_PER_1000] == pytest.approx(2.5)
    assert food_w1[RELATIVE_PROVISION] == pytest.approx(2.5)
    assert back[RELATIVE_PROVISION].tolist() == pytest.approx(
        result().table[RELATIVE_PROVISION].tolist()
    )
    assert back["area_name"].iloc[0] == "'" + HOSTILE
    assert back["area_name"].iloc[3] == "'@SUM(A1)"
    assert not any(line.startswith(("=", "@", "+", "-")) for line in text.splitlines())


def test_xlsx_cells_are_text_and_parameters_and_columns_are_described(tmp_path):
    path = export_metrics(result(), AREA, tmp_path / "gaps.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["about", "table", "parameters", "columns"]
    sheet = book["table"]
    assert [c.value for c in sheet[1]] == [COLUMN_HEADERS.get(c, c) for c in TABLE_COLUMNS]
    cell = sheet["B2"]
    assert cell.value == "'" + HOSTILE
    assert cell.data_type == "s"
    assert all(c.data_type != "f" for s in book for row in s.iter_rows() for c in row)
    assert [c.value for c in book["parameters"][1]] == ["Parameter", "Value", "Meaning", "key"]
    rows = list(book["parameters"].iter_rows(min_row=2, values_only=True))
    parameters = {key: value for _, value, _, key in rows}
    assert parameters["threshold under_served_below"] == 0.5
    assert parameters["threshold well_provided_from"] == 2.0
    assert parameters["method decay"] == "stepped"
    assert parameters["catchment km food"] == 1.0
    assert parameters["services services"] == 1
    assert all(meaning for _, _, meaning, _ in rows)  # every parameter says what it means
    meanings = {key: meaning for _, _, meaning, key in rows}
    assert "well provided" in meanings["threshold well_provided_from"]
    assert meanings["catchment km food"].startswith("km:")
    names = {key: name for name, _, _, key in rows}
    assert names["threshold under_served_below"] == "Under-served below (relative provision)"
    assert names["catchment km food"] == "Catchment radius (km): food"
    # no code name is left for a person to decode
    assert not any("_" in name for name in names.values())
    columns = list(book["columns"].iter_rows(values_only=True))
    assert columns[0] == ("Column", "Header", "Unit", "Meaning")
    described = {name: (unit, meaning) for name, _, unit, meaning in columns[1:]}
    assert list(described) == list(TABLE_COLUMNS)  # the machine names, as in the CSV
    assert all(meaning for _, meaning in described.values())
    assert described[ACCESSIBILITY_PER_1000][0] == "places a week per 1,000 people in need"
    assert "1 = city average per person in need" in described[RELATIVE_PROVISION][0]
    numeric = result().table.select_dtypes("number").columns
    assert all(described[column][0] for column in numeric)  # every number has its unit


def test_xlsx_table_is_laid_out_for_reading(tmp_path):
    path = export_metrics(result(), AREA, tmp_path / "gaps.xlsx")
    sheet = openpyxl.load_workbook(path)["table"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    column_of = {c: i + 1 for i, c in enumerate(TABLE_COLUMNS)}

    def number_format(column):
        return sheet.cell(row=2, column=column_of[column]).number_format

    assert number_format(LOCAL_SERVICES) == "#,##0"  # counts: whole numbers
    assert number_format(NEED) == "#,##0"
    assert number_format(RELATIVE_PROVISION) == "0.00"  # ratios: 2 decimals
    assert number_format(IMPUTED_SHARE) == "0%"  # shares: a percentage
    widths = [sheet.column_dimensions[get_column_letter(i)].width for i in column_of.values()]
    assert all(8 <= width <= 60 for width in widths)
    header = COLUMN_HEADERS[RELATIVE_PROVISION]
    assert widths[column_of[RELATIVE_PROVISION] - 1] >= len(header)


def test_xlsx_about_sheet_has_title_area_date_source_licence_and_the_demo_banner(tmp_path):
    about = export_about(
        AREA, title="Food gaps", source="Demo data (fictional)", demo=True, made=date(2026, 3, 1)
    )
    path = export_metrics(result(), AREA, tmp_path / "gaps.xlsx", about=about)
    rows = list(openpyxl.load_workbook(path)["about"].iter_rows(values_only=True))
    assert rows[0] == ("Warning", DEMO_BANNER) and "FICTIONAL DEMO DATA" in rows[0][1]
    facts = {label: text for label, text in rows[1:5]}
    assert facts == {
        "Title": "Food gaps",
        "Area": AREA.name,
        "Made on": "2026-03-01",
        "Data source": "Demo data (fictional)",
    }
    licence = [text for label, text in rows if label == "Reference data"]
    assert licence == list(attribution_lines(AREA.attribution)) and licence
    plain = export_about(AREA, title="t", source="services.csv")
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx_bytes({}, about=plain)))["about"].values)
    assert all(text != DEMO_BANNER for _, text in rows)
    assert ("Data source", "services.csv") in rows


def test_attribution_lines_keep_the_statements_and_the_licence_not_its_text():
    text = (
        "# Data attribution: X\n\nThe reference data was derived\nfrom public files:\n\n"
        "- Ward boundaries: ONS.\n- Postcodes: OS.\n\n---\n\nOpen Government Licence v3.0\n"
        "https://example.org/ogl\n\nYou are encouraged to use...\n"
    )
    assert attribution_lines(text) == (
        "The reference data was derived from public files:",
        "Ward boundaries: ONS.",
        "Postcodes: OS.",
        "Open Government Licence v3.0: https://example.org/ogl",
    )


def test_csv_stays_the_bare_table_with_its_facts_in_a_text_file_beside_it(tmp_path):
    about = export_about(AREA, title="Gaps", source="Demo data", demo=True, made=date(2026, 3, 1))
    path = export_metrics(result(), AREA, tmp_path / "gaps.csv", about=about)
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(TABLE_COLUMNS)
    companion = about_path_for(path)
    assert companion.name == "gaps-about.txt"
    text = companion.read_text(encoding="utf-8")
    assert text.startswith(f"Warning: {DEMO_BANNER}\n")
    for fact in ("Title: Gaps", f"Area: {AREA.name}", "Made on: 2026-03-01", "Data source: Demo"):
        assert fact in text
    assert f"- {RELATIVE_PROVISION}: {COLUMN_HEADERS[RELATIVE_PROVISION]}; ratio" in text
    assert about.file_tag() == "2026-03-01-demo"


def test_geojson_has_one_feature_per_row_in_wgs84_with_parameters(tmp_path):
    path = export_metrics(result(level="neighbourhood"), AREA, tmp_path / "gaps.geojson")
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 12
    first = collection["features"][0]
    assert first["properties"]["area_code"] == "Z1"
    assert first["properties"]["category"] == "food"
    assert first["geometry"]["type"] == "Polygon"
    lon, lat = first["geometry"]["coordinates"][0][0]
    assert -10 < lon < 2 and 49 < lat < 51
    metadata = collection["metadata"]
    assert metadata["level"] == "neighbourhood"
    assert metadata["thresholds"]["well_provided_from"] == 2.0
    assert metadata["method"]["decay"] == "stepped"
    # The neighbourhood table adds the ward of each neighbourhood, described too.
    assert list(metadata["columns"]) == list(result(level="neighbourhood").table.columns)
    assert WARD_CODE in metadata["columns"]
    assert metadata["columns"][NEED]["meaning"]


def test_columns_frame_describes_the_columns_given_in_order():
    table = result().table[[RELATIVE_PROVISION, NEED]].assign(extra=1)
    frame = columns_frame(table)
    assert frame["column"].tolist() == [RELATIVE_PROVISION, NEED, "extra"]
    assert frame["unit"].iloc[-1] == "" and frame["meaning"].iloc[-1] == ""
    # a table shown with the headers (the dashboard's) is described by machine name
    shown = table.rename(columns=COLUMN_HEADERS)
    assert columns_frame(shown)["column"].tolist() == [RELATIVE_PROVISION, NEED, "extra"]
    assert columns_frame(shown)["header"].iloc[0] == COLUMN_HEADERS[RELATIVE_PROVISION]


def test_unknown_suffix_and_unwritable_paths_are_refused(tmp_path):
    with pytest.raises(
        AnalysisError,
        match=r"cannot write gaps\.txt: the suffix '\.txt' is not one of \.csv, \.xlsx, "
        r"\.geojson\. Fix: name the output e\.g\. gaps\.csv\.",
    ):
        export_metrics(result(), AREA, tmp_path / "gaps.txt")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(AnalysisError, match=r"cannot create the folder .*file: .*Fix: choose"):
        write_csv(pd.DataFrame({"a": [1]}), blocker / "out.csv")
    with pytest.raises(AnalysisError, match=r"cannot write .*: .*Fix: choose an output path"):
        write_html("<p>", tmp_path)


def test_writers_save_exactly_the_bytes_functions_output(tmp_path):
    """The CLI's files and the dashboard's downloads come from one function per format."""
    table = result().table
    assert write_csv(table, tmp_path / "t.csv").read_bytes() == csv_bytes(table)
    outlines = AREA.wards.rename(columns={"ward_code": "area_code"})
    geo = outlines.merge(table, on="area_code")
    meta = {"level": "ward"}
    assert write_geojson(geo, tmp_path / "t.geojson", metadata=meta).read_bytes() == (
        geojson_bytes(geo, metadata=meta)
    )
    page = "<p>Café &amp; more</p>\n"
    assert write_html(page, tmp_path / "t.html").read_bytes() == html_bytes(page)
    assert html_bytes(page) == "<p>Café &amp; more</p>\n".encode()
    # XLSX stores its creation time, so compare what the workbooks hold.
    sheets = {"table": table}
    on_disk = openpyxl.load_workbook(write_xlsx(sheets, tmp_path / "t.xlsx"))
    in_memory = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    assert [[c.value for c in row] for row in on_disk["table"].iter_rows()] == [
        [c.value for c in row] for row in in_memory["table"].iter_rows()
    ]


def test_csv_bytes_with_and_without_a_byte_order_mark():
    frame = pd.DataFrame({"Ward": ["Café", "=1+1"], "n": [1, 2]})
    plain = csv_bytes(frame)
    assert plain == "Ward,n\r\nCafé,1\r\n'=1+1,2\r\n".encode()
    assert csv_bytes(frame, byte_order_mark=True) == b"\xef\xbb\xbf" + plain


def test_xlsx_bytes_neutralise_formulas_strip_control_characters_and_cut_sheet_names():
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "bell\x07ring"], "n": [1.5, -2]})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"a" * 40: frame})))
    assert book.sheetnames == ["a" * 31]
    rows = [[c.value for c in row] for row in book["a" * 31].iter_rows()]
    assert rows == [["name", "n"], ["'=cmd|' /C calc'!A0", 1.5], ["bellring", -2]]
    assert all(c.data_type != "f" for row in book["a" * 31].iter_rows() for c in row)


def test_geojson_bytes_refuse_a_frame_in_another_crs():
    frame = AREA.wards.to_crs("EPSG:4326")
    with pytest.raises(CRSError, match=r"frame to display is in EPSG:4326, expected EPSG:27700"):
        geojson_bytes(frame)
