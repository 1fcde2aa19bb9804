"""Spreadsheet files into a RawTable: encodings, delimiters, headers, row numbers, XLSX cells."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from analysis.errors import IngestError
from analysis.ingest.table import csv_records, decode_text, read_csv, read_xlsx, sniff_delimiter
from tests.analysis.ingest.helpers import xlsx_bytes

HEADER = "org_name,postcode,categories"


def test_utf8_with_and_without_bom_and_cp1252_and_utf16():
    text = f"{HEADER}\nCafé £5,BS1 1BT,food\n"
    for data, encoding in [
        (text.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"),
        (text.encode("cp1252"), "cp1252"),
        (text.encode("utf-16"), "utf-16"),
        (text.encode("utf-16-le"), "utf-16-le"),
    ]:
        decoded, used = decode_text(data)
        assert (decoded, used) == (text, encoding)
        table = read_csv(data, name="t.csv")
        assert table.headers == ("org_name", "postcode", "categories")
        assert table.frame.loc[2, "org_name"] == "Café £5"


def test_non_utf8_is_noted():
    table = read_csv(f"{HEADER}\nCafé,BS1 1BT,food\n".encode("cp1252"))
    assert table.notes == ("read as cp1252 text, not UTF-8",)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|", "^", "~"])
def test_delimiters_are_detected(delimiter):
    rows = [["org_name", "description", "postcode"], ["A, B & C", "food; meals", "BS1 1BT"]]
    text = "\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in r) for r in rows)
    assert sniff_delimiter(text) == delimiter
    table = read_csv(text.encode())
    assert table.frame.loc[2].tolist() == ["A, B & C", "food; meals", "BS1 1BT"]


def test_commas_inside_a_semicolon_file_do_not_fool_the_sniffer():
    text = "name;description;postcode;categories\nA;Meals, parcels, advice;BS1 1BT;food\n" * 1
    text += "B;Tea, cake;BS8 1TH;befriending\n"
    assert sniff_delimiter(text) == ";"
    assert read_csv(text.encode()).notes == ("values separated by semicolons",)


def test_row_numbers_follow_the_spreadsheet_across_quoted_line_breaks_and_blank_rows():
    text = f'{HEADER}\n"Multi\nline",BS1 1BT,food\n,,\nB,BS8 1TH,food\n\n\n'
    table = read_csv(text.encode())
    assert list(table.frame.index) == [2, 4]
    assert table.blank_rows == 1  # the blank row 3; trailing blank lines are not counted


def test_title_rows_above_the_header_are_skipped_and_noted():
    text = "Bristol food directory 2026\n\nOrganisation,Post Code,Category\nA,BS1 1BT,food\n"
    table = read_csv(text.encode())
    assert table.headers == ("Organisation", "Post Code", "Category")
    assert list(table.frame.index) == [4]
    assert table.notes == ("the header is row 3; rows above it (1) were skipped as titles",)


def test_duplicate_and_empty_headers_get_unique_names():
    table = read_csv(b"Email,Email,,name\na,b,c,d\n")
    assert table.headers == ("Email", "Email (2)", "column C", "name")
    assert table.notes == ("the header 'Email' appears twice; the second is Email (2)",)


def test_short_rows_are_padded_and_values_beyond_the_header_are_counted():
    table = read_csv(b"a,b,c\n1\n1,2,3,4,5\n1,2,3,,\n")
    assert table.frame.loc[2].tolist() == ["1", "", ""]
    assert table.extra_values == {3: 2}


def test_xlsx_first_or_named_sheet_and_cell_types():
    data = xlsx_bytes(
        ("Read me", [["This workbook lists services"]]),
        (
            "Services",
            [
                ["org_name", "phone", "capacity", "lat", "active_from", "public"],
                ["A", 1174960123, 40.0, 51.45, datetime(2024, 3, 1), True],
                [None, None, None, None, None, None],
                ["B", "0117 496 0000", 12.5, -2.5, date(2025, 1, 2), False],
            ],
        ),
    )
    first = read_xlsx(data)
    assert first.headers == ("This workbook lists services",)
    table = read_xlsx(data, name="w.xlsx", sheet="services")
    assert table.notes == ("read sheet 'Services' (the workbook also has 'Read me')",)
    assert table.frame.loc[2].tolist() == ["A", "1174960123", "40", "51.45", "2024-03-01", "yes"]
    assert table.frame.loc[4].tolist() == ["B", "0117 496 0000", "12.5", "-2.5", "2025-01-02", "no"]
    assert table.blank_rows == 1


def test_xlsx_missing_sheet_names_the_sheets():
    data = xlsx_bytes(("Services", [["org_name"], ["A"]]))
    with pytest.raises(
        IngestError,
        match="w.xlsx has no sheet 'Sheet9'; its sheets are 'Services'. Fix: pass one of these "
        "with --sheet",
    ):
        read_xlsx(data, name="w.xlsx", sheet="Sheet9")


def test_a_package_table_keeps_its_row_numbers():
    records = csv_records(b"id;name\ns1;A\n;\ns2;B\n", "services.csv")
    assert records == [
        {"id": "s1", "name": "A", "_row": "2"},
        {"id": "s2", "name": "B", "_row": "4"},
    ]
    assert csv_records(b"  \n", "empty.csv") == []
    with pytest.raises(IngestError, match="bad.csv is not valid CSV"):
        csv_records(b'id,name\n"s1,A\n' + b"x" * 200_000, "bad.csv")
