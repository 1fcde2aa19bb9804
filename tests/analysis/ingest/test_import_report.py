"""The ingest report: problems name row, column, value, reason and fix; counts add up."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.escape import spreadsheet_cell as neutralise_cell
from analysis.ingest.import_report import Finding, Findings, ImportReport, Issue, Problem


def test_problem_reads_as_one_sentence_with_the_fix():
    problem = Problem(7, "Post Code", "BS99 9ZZ", "not in the table", "check it", "error", "x")
    assert str(problem) == (
        "row 7, column 'Post Code', value 'BS99 9ZZ': not in the table. Fix: check it"
    )
    assert problem.as_dict()["severity"] == "error"


def test_long_values_are_shortened_in_the_message_only():
    problem = Problem(2, "c", "x" * 200, "r", "f", "warning", "x")
    assert "x" * 79 + "…" in str(problem)
    assert problem.value == "x" * 200


def test_report_must_add_up():
    with pytest.raises(ValueError, match="3 rows read but 1 accepted \\+ 1 rejected"):
        ImportReport("f.csv", "csv", rows_read=3, accepted=1, rejected=1, warnings=0, problems=())
    with pytest.raises(ValueError, match="keeps 0 rejected rows, expected 1"):
        ImportReport("f.csv", "csv", rows_read=2, accepted=1, rejected=1, warnings=0, problems=())


def test_rejected_rows_csv_neutralises_formulas():
    rejected = pd.DataFrame(
        {"row": [2], "reason": ["bad"], "name": ['=HYPERLINK("x")'], "phone": ["+44 117 496 0000"]}
    )
    report = ImportReport(
        "f.csv",
        "csv",
        rows_read=1,
        accepted=0,
        rejected=1,
        warnings=0,
        problems=(),
        rejected_rows=rejected,
    )
    assert report.rejected_rows_csv() == (
        'row,reason,name,phone\r\n2,bad,"\'=HYPERLINK(""x"")",\'+44 117 496 0000\r\n'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("-2.5", "-2.5"),
        ("-2.5 ", "'-2.5 "),
        ("+44 (0)117 496-0000", "'+44 (0)117 496-0000"),
        ("\rx", "'\rx"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_rejected_rows_use_the_one_formula_rule(text, expected):
    """OWASP's rule applies to text from the file, except one plain number (a longitude),
    which a spreadsheet reads as that number and which must read back the same."""
    assert neutralise_cell(text) == expected


def test_to_dict_has_the_cli_keys():
    report = ImportReport(
        "f.csv", "csv", rows_read=0, accepted=0, rejected=0, warnings=0, problems=()
    )
    keys = {"rows_read", "accepted", "rejected", "warnings", "unmapped_categories", "problems"}
    assert keys <= set(report.to_dict())
    assert report.summary() == "f.csv: 0 rows read, 0 accepted (0 with warnings), 0 rejected"


def test_an_issue_is_placed_at_its_row_and_field():
    issue = Issue("bad_email", "x", "not an email address", "write one address")
    assert issue.at(3, "email") == Finding(
        3, "email", "bad_email", "x", "not an email address", "write one address", "warning"
    )
    moved = Issue("no_location", "", "needs a point", "give a postcode", "error", field="postcode")
    assert moved.at(0, "area_value").field == "postcode"


def test_findings_collect_everything_and_reject_on_errors():
    findings = Findings()
    findings.add(
        position=0, field="org_name", code="no_name", reason="r", fix="f", severity="error"
    )
    findings.add_issues(
        [Issue("bad_email", "x", "r", "f"), Issue("bad_phone", "y", "r", "f")],
        position=2,
        field="email",
    )
    assert [(f.position, f.code, f.value) for f in findings] == [
        (0, "no_name", ""),
        (2, "bad_email", "x"),
        (2, "bad_phone", "y"),
    ]
    assert findings.rejected(3).tolist() == [True, False, False]
    findings.drop_records([2])
    assert len(findings) == 1
