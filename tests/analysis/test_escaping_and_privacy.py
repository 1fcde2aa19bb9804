"""Escaping, formula injection and privacy across the ward profile and every export path.

Services are loaded from a tiny template CSV at a real Bristol postcode with the bundled
area, as an upload would be.
"""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from analysis.geography import load_area
from analysis.outputs.export import export_metrics, write_csv, write_xlsx
from analysis.outputs.profile import render_ward_profile
from analysis.provision.coverage import compute_coverage
from analysis.provision.metrics import compute_metrics
from tests.analysis.ingest.helpers import TAXONOMY, load_rows

POSTCODE = "BS8 1TH"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SECRET_EMAIL = "secret@example.org"
SECRET_PHONE = "0117 496 0999"
PUBLIC_EMAIL = "open@example.org"
PUBLIC_PHONE = "0117 496 0111"
REJECTED_SECRET_EMAIL = "hidden-rejected@example.org"
REJECTED_PUBLIC_EMAIL = "shown-rejected@example.org"


def _row(org_id: str, service_id: str, **fields: str) -> dict[str, str]:
    row = {
        "org_id": org_id,
        "org_name": f"Org {org_id}",
        "org_kind": "charity",
        "service_id": service_id,
        "service_name": f"Service {service_id}",
        "categories": "food",
        "delivery": "in person",
        "postcode": POSTCODE,
        "area_served": "at_location",
        "capacity": "10",
        "last_updated": "2026-09-30",
        "contact_public": "yes",
    }
    row.update(fields)
    return row


@pytest.fixture(scope="module")
def area():
    return load_area()


@pytest.fixture(scope="module")
def loaded(area):
    """The directory and report of four services, two hostile-named, one private."""
    return load_rows(
        area,
        _row("hostile-org", "s1", org_name=SCRIPT, service_name=IMG),
        _row("hostile-two", "s2", org_name=IMG, service_name=SCRIPT),
        _row("private-org", "s3", email=SECRET_EMAIL, phone=SECRET_PHONE, contact_public="no"),
        _row("public-org", "s4", email=PUBLIC_EMAIL, phone=PUBLIC_PHONE),
        _row(
            "private-bad",
            "s5",
            email=REJECTED_SECRET_EMAIL,
            phone=SECRET_PHONE,
            postcode="NOT A POSTCODE",
            contact_public="no",
        ),
        _row("public-bad", "s6", email=REJECTED_PUBLIC_EMAIL, postcode="NOT A POSTCODE"),
    )


@pytest.fixture(scope="module")
def profile(area, loaded):
    directory, _ = loaded
    ward_code = str(area.postcodes.loc[POSTCODE, "ward_code"])
    coverage = compute_coverage(directory, area, TAXONOMY)
    metrics = compute_metrics(coverage, directory, area, TAXONOMY)
    html = render_ward_profile(metrics, coverage, directory, area, TAXONOMY, ward_code=ward_code)
    return metrics, html


def test_the_fixture_rows_load_as_intended(loaded):
    _, report = loaded
    assert (report.rows_read, report.accepted, report.rejected) == (6, 4, 2)


def test_hostile_names_are_literal_text_in_the_ward_profile(profile):
    metrics, html = profile
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    # Four food venues of four organisations at one address: every two are a duplicate
    # pair (6), and the pair of the two hostile services names both, escaped.
    assert len(metrics.duplicates) == 6
    pairs = html[html.index("<h3>Duplicate pairs</h3>") : html.index("<h2>Services reaching")]
    assert (
        "&lt;img src=x onerror=alert(1)&gt; and &lt;script&gt;alert(1)&lt;/script&gt;; 100% "
        "of the need they reach is shared; venues at the same address</li>"
    ) in pairs


LEADING = ["=", "+", "-", "@", "\t", "\r"]


@pytest.mark.parametrize("lead", LEADING, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_csv_neutralises_each_leading_character(tmp_path, lead):
    frame = pd.DataFrame({"name": [f"{lead}1+1", "plain"], "n": [-3, 4]})
    path = write_csv(frame, tmp_path / "t.csv")
    # A cell holding a carriage return must be quoted, or the row splits when read back.
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    back = pd.DataFrame(rows, columns=header).astype({"n": "int64"})
    assert back["name"].iloc[0] == f"'{lead}1+1"
    assert back["name"].iloc[1] == "plain"
    assert back["n"].iloc[0] == -3  # a real negative number stays a number


@pytest.mark.parametrize("lead", LEADING, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_xlsx_neutralises_each_leading_character(tmp_path, lead):
    frame = pd.DataFrame({"name": [f"{lead}1+1"], "n": [-3.5]})
    path = write_xlsx({"table": frame}, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path)["table"]
    cell = sheet.cell(row=2, column=1)
    assert isinstance(cell.value, str) and cell.value.startswith("'")
    # XML stores a carriage return as a line feed; the apostrophe still comes first.
    assert cell.value[1:].replace("\r", "\n") == f"{lead}1+1".replace("\r", "\n")
    assert cell.data_type == "s"
    number = sheet.cell(row=2, column=2)
    assert number.value == -3.5 and number.data_type == "n"


def _xlsx_text(path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".geojson"])
def test_private_contacts_never_reach_an_export(tmp_path, area, profile, suffix):
    metrics, _ = profile
    path = export_metrics(metrics, area, tmp_path / f"gaps{suffix}")
    text = _xlsx_text(path) if suffix == ".xlsx" else path.read_text(encoding="utf-8")
    for secret in (SECRET_EMAIL, SECRET_PHONE, REJECTED_SECRET_EMAIL):
        assert secret not in text


def test_private_contacts_never_reach_the_ward_profile(profile):
    _, html = profile
    for secret in (SECRET_EMAIL, SECRET_PHONE, REJECTED_SECRET_EMAIL):
        assert secret not in html


def test_rejected_rows_give_the_uploader_back_their_own_values(loaded):
    """The rejected rows and the problems are the uploader's, to fix the rows with: they
    keep every value given, contacts too; no public view reads them."""
    _, report = loaded
    text = report.rejected_rows_csv()
    assert REJECTED_SECRET_EMAIL in text
    assert REJECTED_PUBLIC_EMAIL in text
