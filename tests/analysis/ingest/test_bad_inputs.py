"""The corpus of bad inputs (tests/data/bad/README.md): every file gets a clear outcome.

Either `load_directory` raises our own error with a pinned message, or it returns a report
that accounts for every row and names the expected problem; ``validate`` exits with the
expected code and never prints a traceback.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import settings
from analysis.cli import main
from analysis.errors import IngestError, SafetyNetError
from analysis.settings import REPO_ROOT
from tests.analysis.ingest.helpers import load

_spec = importlib.util.spec_from_file_location(
    "make_bad_inputs", REPO_ROOT / "scripts" / "make_bad_inputs.py"
)
make_bad_inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_bad_inputs)

# file -> pinned error message
RAISES = {
    "empty.csv": "empty.csv is empty. Fix:",
    "missing_required_columns.csv": "no column holds the organisation or service name",
    "not_open_referral.json": "is JSON but not an Open Referral UK feed",
    "truncated.json": r"truncated.json is not valid JSON \(line 1, column 43",
    "deep_nesting.json": "could not be read: its data is nested more deeply",
    "huge_number.json": "could not be read: it holds a number thousands of digits long",
    "zip_renamed.csv": "is a zip archive, not the CSV file its name says",
    "damaged_xml.xlsx": "could not be read: the XML inside the workbook is damaged",
    "entity_bomb.xlsx": "could not be read: the XML inside the workbook is damaged",
}
# Words no message may hold: they speak of the program, not of the file.
INTERNALS = ("Error:", "Exception", "Traceback", "recursion", "sys.set_int_max_str_digits", "/")
# file -> (rows_read, accepted, rejected, (row, column, value, words in reason) or None)
REPORTS = {
    "header_only.csv": (0, 0, 0, None),
    "wrong_delimiter.csv": (2, 2, 0, None),
    "cp1252.csv": (1, 1, 0, None),
    "bom.csv": (1, 1, 0, None),
    "mixed_line_endings.csv": (2, 1, 1, (3, "(whole row)", "", "repeats row 2")),
    "unknown_extra_columns.csv": (1, 1, 0, None),
    "duplicate_ids.csv": (2, 1, 1, (3, "(whole row)", "", "repeats row 2")),
    "malformed_postcodes.csv": (1, 1, 0, (2, "postcode", "BS99 ZZZZ", "not a UK postcode")),
    "postcode_outside_area.csv": (1, 1, 0, (2, "postcode", "SW1A 1AA", "in another area")),
    "lat_lon_swapped.csv": (1, 1, 0, (2, "latitude", "-2.5591, 51.4627", "look swapped")),
    "coordinates_outside_uk.csv": (1, 1, 0, (2, "latitude", "48.8566, 2.3522", "outside")),
    "unknown_categories.csv": (
        1,
        1,
        0,
        (2, "categories", "underwater basket weaving", "no term matches"),
    ),
    "dates.csv": (4, 4, 0, (5, "active_from", "2024-02-30", "not a date")),
    "capacity.csv": (2, 2, 0, (2, "capacity", "-5", "not a positive number")),
    "html_names.csv": (2, 2, 0, None),
    "formula_cells.csv": (4, 4, 0, (5, "capacity", "lots", "not a positive number")),
    "workbook.xlsx": (3, 3, 0, (4, "service_name", "", "no service name")),
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """The corpus, small and large files, generated once into a temporary folder."""
    return make_bad_inputs.write_corpus(tmp_path_factory.mktemp("bad"), large=True)


def test_the_expectations_cover_the_whole_corpus(corpus):
    assert set(corpus) == set(RAISES) | set(REPORTS) | {"rows_50000.csv", "over_limit.csv"}
    assert len(corpus) == 28


def test_the_readme_lists_every_file(corpus):
    readme = (REPO_ROOT / "tests" / "data" / "bad" / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in corpus)


@pytest.mark.parametrize(("name", "message"), sorted(RAISES.items()))
def test_unreadable_files_raise_our_error(corpus, bristol, name, message, capsys):
    with pytest.raises(SafetyNetError, match=message):
        load(corpus[name].read_bytes(), bristol, filename=name)
    assert main(["validate", str(corpus[name])]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Fix:" in err


@pytest.mark.parametrize("name", sorted(make_bad_inputs.hostile_files()))
def test_hostile_files_get_plain_words(corpus, bristol, name):
    with pytest.raises(IngestError) as caught:
        load(corpus[name].read_bytes(), bristol, filename=name)
    message = str(caught.value)
    assert not [word for word in INTERNALS if word in message], message


@pytest.mark.parametrize(("name", "expected"), sorted(REPORTS.items()))
def test_readable_files_account_for_every_row(corpus, bristol, name, expected, capsys):
    rows_read, accepted, rejected, problem = expected
    _, report = load(corpus[name].read_bytes(), bristol, filename=name)
    assert (report.rows_read, report.accepted, report.rejected) == (rows_read, accepted, rejected)
    assert report.rows_read == report.accepted + report.rejected
    if problem is not None:
        row, column, value, words = problem
        assert any(
            (p.row, p.column, p.value) == (row, column, value) and words in p.reason and p.fix
            for p in report.problems
        ), [str(p) for p in report.problems]
    assert main(["validate", str(corpus[name])]) == (1 if rejected or report.lacks else 0)
    assert "Traceback" not in capsys.readouterr().err


def test_fifty_thousand_rows_are_all_accounted_for(corpus, bristol):
    _, report = load(corpus["rows_50000.csv"].read_bytes(), bristol, filename="big.csv")
    assert report.rows_read == 50_000 == report.accepted + report.rejected


def test_a_file_over_the_upload_limit_is_refused_with_its_size(corpus, bristol, capsys):
    data = corpus["over_limit.csv"].read_bytes()
    assert len(data) > settings.MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    with pytest.raises(
        IngestError,
        match=r"over_limit.csv is 20.0 MB \(20,972,544 bytes\), over "
        r"the limit of 20.0 MB \(20,971,520 bytes\)\. Fix: split",
    ):
        load(data, bristol, filename="over_limit.csv")
    assert main(["validate", str(corpus["over_limit.csv"])]) == 2
    assert "over the limit" in capsys.readouterr().err


def test_validate_in_a_real_process_prints_no_traceback(corpus):
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "validate", str(corpus["truncated.json"])],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "not valid JSON" in done.stderr


def test_the_uploader_sees_their_own_private_contacts_to_fix_the_row(bristol, tmp_path, capsys):
    header = "org_name,service_name,postcode,email,phone,contact_public\n"
    row = "Heron Hub,Pantry,BS5 0HE,secret at heron,07700 900123,no\n"
    data = (header + row + row).encode()
    directory, report = load(data, bristol, filename="private.csv")
    assert report.rejected == 1
    # The report and the rejected rows are the uploader's: they need the values to fix them.
    assert "secret at heron" in report.rejected_rows_csv()
    assert any(p.value == "secret at heron" for p in report.problems)
    source = tmp_path / "private.csv"
    source.write_bytes(data)
    out = tmp_path / "rejected.csv"
    assert main(["validate", str(source), "--json", "--rejected", str(out)]) == 1
    assert "07700 900123" in out.read_text(encoding="utf-8")
    capsys.readouterr()
    # The accepted service keeps them only with contact_public = no, which every public
    # view reads (`analysis.provision.nearby`, the exports).
    assert not directory.services["contact_public"].iloc[0]


def test_public_contacts_stay_in_the_report(bristol):
    header = "org_name,service_name,postcode,email,contact_public\n"
    _, report = load((header + "Heron Hub,Pantry,BS5 0HE,hello at heron,yes\n").encode(), bristol)
    assert any(p.value == "hello at heron" for p in report.problems)
