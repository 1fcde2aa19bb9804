"""Reading any file: detection, packages and folders, and the files refused before reading."""

from __future__ import annotations

import io
import zipfile

import pytest

from analysis.errors import IngestError
from analysis.ingest.read import read_table
from analysis.settings import MAX_UPLOAD_BYTES
from tests.analysis.ingest.helpers import xlsx_bytes

HEADER = "org_name,postcode,categories"


def test_read_table_accepts_paths_and_bytes(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(f"{HEADER}\nA,BS1 1BT,food\n".encode())
    from_path = read_table(path)
    from_bytes = read_table(path.read_bytes(), filename="s.csv")
    assert from_path.frame.equals(from_bytes.frame)
    assert (from_path.name, from_path.format) == ("s.csv", "csv")
    xlsx = xlsx_bytes(("S", [["org_name"], ["A"]]))
    assert read_table(xlsx).format == "xlsx"  # detected from the content, no name needed
    assert read_table(b'[{"name": "A"}]').format == "json"  # records with no Open Referral key
    assert read_table(b'[{"name": "A", "organization": {"name": "B"}}]').format == "oruk-json"


@pytest.mark.parametrize(
    ("data", "name", "options", "message"),
    [
        (b"", "e.csv", {}, "e.csv is empty. Fix: export the directory again"),
        (b" \n\n", "e.csv", {}, "e.csv is empty"),
        (b",,\n,,\n", "e.csv", {}, "e.csv has no rows. Fix: export the directory again"),
        (b"\xd0\xcf\x11\xe0rest", "old.xls", {}, "old.xls is an old Excel \\(.xls\\) workbook"),
        (b"whatever", "s.ods", {}, "s.ods is an OpenDocument spreadsheet, which is not read"),
        (b"PK\x03\x04broken", "b.xlsx", {}, "b.xlsx is not a readable XLSX workbook"),
        (b'{"a": 1', "f.json", {}, "f.json is not valid JSON \\(line 1, column 8"),
        (b"[1]", "f.json", {"format": "template"}, "f.json holds a list of 1 values, none of"),
        (b"[1, 2]", "f.json", {}, "f.json holds a list of 2 values, none of them a record"),
        (b'{"a": 1}', "f.json", {}, "f.json is JSON but not an Open Referral UK feed nor a list"),
        (b"PK\x03\x04", "p.zip", {"format": "template"}, "p.zip is a zip archive, not a table"),
        (b"a,b\n1,2\n", "f.csv", {"format": "sideways"}, "format 'sideways' is not known"),
    ],
)
def test_unreadable_files_raise_one_clear_error(data, name, options, message):
    with pytest.raises(IngestError, match=message):
        read_table(data, filename=name, **options)


def test_xlsx_is_not_open_referral():
    data = xlsx_bytes(("S", [["org_name"], ["A"]]))
    with pytest.raises(IngestError, match="is an XLSX workbook; Open Referral UK comes as JSON"):
        read_table(data, filename="s.xlsx", format="oruk")


def test_missing_path_and_folder_as_template(tmp_path):
    with pytest.raises(IngestError, match="nope.csv does not exist. Fix: check the path"):
        read_table(tmp_path / "nope.csv")
    with pytest.raises(IngestError, match="is a folder; the template is one CSV or XLSX file"):
        read_table(tmp_path, format="template")
    with pytest.raises(IngestError, match="is an empty folder. Fix: give the folder holding"):
        read_table(tmp_path)


def test_a_zip_that_is_not_a_package_says_so():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(IngestError, match="p.zip has no services table \\(found: nothing\\)"):
        read_table(buffer.getvalue(), filename="p.zip")


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path):
    data = b"org_name\n" + b"x" * MAX_UPLOAD_BYTES
    message = (
        r"big.csv is 20.0 MB \(20,971,529 bytes\), over the limit of 20.0 MB "
        r"\(20,971,520 bytes\)\. Fix: split the file into smaller files, or remove columns and "
        r"rows not needed"
    )
    with pytest.raises(IngestError, match=message):
        read_table(data, filename="big.csv")
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=message):
        read_table(path)
