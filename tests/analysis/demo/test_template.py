"""The documented template: the committed files, their guide, and the docs."""

from __future__ import annotations

import openpyxl
import pandas as pd

from analysis.demo.template import (
    default_template_dir,
    template_frame,
    write_template_csv,
    write_templates,
)
from analysis.ingest.fields import FIELDS, TEMPLATE_COLUMNS
from analysis.settings import REPO_ROOT
from tests.analysis.ingest.helpers import load

DOCS = REPO_ROOT / "docs" / "data-format.md"


def test_committed_csv_is_the_template(tmp_path):
    fresh = write_template_csv(tmp_path / "t.csv").read_bytes()
    assert (default_template_dir() / "services_template.csv").read_bytes() == fresh


def test_committed_xlsx_holds_the_template_a_guide_and_the_categories():
    workbook = openpyxl.load_workbook(default_template_dir() / "services_template.xlsx")
    assert workbook.sheetnames == ["Services", "Guide", "Categories"]
    rows = [
        [cell or "" for cell in row] for row in workbook["Services"].iter_rows(values_only=True)
    ]
    rows = [row for row in rows if any(row)]
    assert rows[0] == list(TEMPLATE_COLUMNS)
    assert pd.DataFrame(rows[1:], columns=rows[0]).equals(template_frame())
    guide = [row[0] for row in workbook["Guide"].iter_rows(min_row=2, values_only=True)]
    assert [name for name in guide if name in TEMPLATE_COLUMNS] == list(TEMPLATE_COLUMNS)
    assert workbook["Categories"].max_row == 16  # header + 15 categories


def test_both_templates_validate_cleanly(bristol, tmp_path):
    for path in write_templates(tmp_path):
        directory, report = load(path.read_bytes(), bristol, filename=path.name)
        assert (report.rows_read, report.accepted, report.problems) == (2, 2, ())
        assert set(directory.services["area_kind"]) == {"at_location", "wards"}


def test_docs_explain_every_template_column():
    text = DOCS.read_text(encoding="utf-8")
    missing = [f.name for f in FIELDS if f.in_template and f"`{f.name}`" not in text]
    assert missing == []
