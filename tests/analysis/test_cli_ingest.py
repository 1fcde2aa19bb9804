"""The validate, sample and template commands: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from analysis.cli import main
from analysis.settings import REPO_ROOT
from tests.analysis.ingest.helpers import ORUK_DATA, csv_bytes

GOOD = csv_bytes(
    ["org_name", "postcode", "categories", "capacity"], ["Heron", "BS8 1TH", "food", "40"]
)
MIXED = csv_bytes(
    ["Organisation", "Post Code", "Category"],
    ["Heron", "BS8 1TH", "food; Knitting"],
    ["", "", ""],
    ["", "BS8 1TH", "food"],
)


def test_validate_json_and_exit_0(tmp_path, capsys):
    path = tmp_path / "good.csv"
    path.write_bytes(GOOD)
    assert main(["validate", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {k: out[k] for k in ("rows_read", "accepted", "rejected", "warnings")} == {
        "rows_read": 1,
        "accepted": 1,
        "rejected": 0,
        "warnings": 0,
    }
    assert out["unmapped_categories"] == {} and out["format"] == "csv"


def test_validate_rejections_exit_1_and_write_the_rejected_rows(tmp_path, capsys):
    path = tmp_path / "mixed.csv"
    path.write_bytes(MIXED)
    rejected = tmp_path / "out" / "rejected.csv"
    assert main(["validate", str(path), "--rejected", str(rejected)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "mixed.csv: 2 rows read, 1 accepted (1 with warnings), 1 rejected [csv]"
    assert "unmapped categories: 'Knitting' (1 row)" in out
    assert "blank rows skipped: 1" in out
    assert any(line.startswith("error: row 4, column 'Organisation'") for line in out)
    assert rejected.read_text(encoding="utf-8").splitlines() == [
        "row,reason,Organisation,Post Code,Category",
        "4,Organisation: the row has neither an organisation name nor a service name,,BS8 1TH,food",
    ]


def test_validate_with_a_column_mapping(tmp_path, capsys):
    path = tmp_path / "odd.csv"
    path.write_bytes(csv_bytes(["Who", "Where", "Help"], ["Heron", "BS8 1TH", "food"]))
    mapping = tmp_path / "mapping.json"
    chosen = {"org_name": "Who", "postcode": "Where", "categories": "Help"}
    mapping.write_text(json.dumps(chosen), encoding="utf-8")
    assert main(["validate", str(path), "--columns", str(mapping), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mapping_used"] == chosen
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.startswith("error: this table is not a directory: no column ")


def test_validate_unreadable_files_exit_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("error: bad.xlsx is not a readable XLSX workbook") and err.count("\n") == 1
    )
    assert main(["validate", str(tmp_path / "missing.csv")]) == 2


def test_validate_an_oruk_feed(capsys):
    assert main(["validate", str(ORUK_DATA / "v1_page.json"), "--format", "oruk", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["format"], out["rows_read"], out["unmapped_categories"]) == ("oruk-json", 3, {})
    # 'Adult social care' is broad: it names no need, and is counted as broad.
    assert out["categorised"]["broad_terms"] == {"Adult social care": 1}


def test_validate_without_a_file_checks_the_demo_data(capsys):
    assert main(["validate", "--json"]) == 0
    captured = capsys.readouterr()
    assert "validating the fictional demo data" in captured.err
    assert json.loads(captured.out)["accepted"] == 900


def test_sample_and_template_commands(tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert main(["sample", "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"wrote 900 services of 400 organisations (fictional demo data, seed 20261128) to {out}\n"
    )
    assert out.read_bytes() == (REPO_ROOT / "data" / "sample" / "services.csv").read_bytes()
    assert main(["template", "--out", str(tmp_path / "t")]) == 0
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == [
        "services_template.csv",
        "services_template.xlsx",
    ]


def test_no_traceback_from_a_subprocess(tmp_path):
    path = tmp_path / "garbage.json"
    path.write_bytes(b"\x00\x01{{{")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
