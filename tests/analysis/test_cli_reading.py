"""Every command that reads a directory takes the same reading options and defaults, and
a file that cannot give an analysis is said to be one instead of a table of gaps."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.model import AREA_CODE, CATEGORY, LOCAL_SERVICES
from analysis.settings import REPO_ROOT

REAL = REPO_ROOT / "tests" / "data" / "real"
FOODBANKS = REAL / "foodbanks.csv"
FOODBANKS_MAPPING = REAL / "foodbanks_mapping.json"


def _analyse(tmp_path: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "gaps.csv"
    return main(["analyse", *args, "--out", str(out)]), out


def test_analyse_and_report_take_the_mapping_validate_takes(tmp_path, capsys):
    mapping = ["--columns", str(FOODBANKS_MAPPING), "--default-category", "food"]
    assert main(["validate", str(FOODBANKS), *mapping]) == 0
    code, out = _analyse(tmp_path, str(FOODBANKS), *mapping, "--category", "food")
    assert code == 0, capsys.readouterr().err
    table = pd.read_csv(out)
    assert set(table[CATEGORY]) == {"food"}
    assert table[LOCAL_SERVICES].sum() >= 4  # four food banks, counted where they reach
    page = tmp_path / "ward.html"
    args = ["report", str(FOODBANKS), *mapping, "--ward", "Hartcliffe and Withywood"]
    assert main([*args, "--out", str(page)]) == 0
    assert "Hartcliffe Community Food Bank" in page.read_text(encoding="utf-8")


def test_a_list_without_categories_is_said_to_be_one_first(tmp_path, capsys):
    mapping = ["--columns", str(FOODBANKS_MAPPING)]
    assert main(["validate", str(FOODBANKS), *mapping]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("error: no accepted row has a need category (4 services")
    assert "--default-category" in first
    # Three of the four names say what they are ("Food Bank", "Pantry", "Food Share").
    assert "take the categories suggested for 3 of them" in first
    code, out = _analyse(tmp_path, str(FOODBANKS), *mapping)
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert err.startswith("error: foodbanks.csv: no accepted row has a need category")
    assert err.count("\n") == 1 and "nothing was written" in err


def test_the_defaults_fill_only_rows_that_say_nothing(tmp_path, capsys):
    path = tmp_path / "mixed.csv"
    path.write_text(
        "org_name,postcode,categories,delivery\n"
        "Heron Pantry,BS5 0HE,,\n"
        "Wren Friends,BS8 1TH,befriending,phone\n",
        encoding="utf-8",
    )
    args = ["--default-category", "food", "money_advice", "--default-delivery", "in person"]
    args += ["--default-kind", "mutual aid group"]
    accepted = tmp_path / "accepted.csv"
    assert main(["validate", str(path), *args, "--accepted", str(accepted)]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 rows have no categories of their own and take the default" in out
    rows = pd.read_csv(accepted, dtype=str, keep_default_na=False)
    assert list(rows["categories"]) == ["food; money_advice", "befriending"]
    assert list(rows["delivery"]) == ["in person", "phone"]
    assert set(rows["org_kind"]) == {"mutual aid group"}


def test_an_unknown_default_category_is_refused_with_the_ids(capsys):
    assert main(["validate", str(FOODBANKS), "--default-category", "soup"]) == 2
    err = capsys.readouterr().err
    assert "default category 'soup'" in err and "food, prescriptions" in err


def test_analyse_reads_a_chosen_sheet(tmp_path, capsys):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["This workbook lists our groups on the next sheet"])
    groups = book.create_sheet("Groups")
    groups.append(["org_name", "postcode", "categories"])
    groups.append(["Heron Pantry", "BS5 0HE", "food"])
    path = tmp_path / "groups.xlsx"
    book.save(path)
    code, out = _analyse(tmp_path, str(path), "--sheet", "Groups", "--category", "food")
    assert code == 0, capsys.readouterr().err
    assert pd.read_csv(out)[LOCAL_SERVICES].sum() >= 1


def test_analyse_takes_the_format_option(tmp_path, capsys):
    code, _ = _analyse(tmp_path, str(FOODBANKS), "--format", "oruk")
    assert code == 2
    assert "error:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("outside.csv", "none of the 2 rows gives a service in Bristol"),
        ("orgs_only.json", "lists 2 organisations but no services"),
    ],
)
def test_a_file_with_no_service_in_the_area_is_said_to_be_one(tmp_path, capsys, name, words):
    assert main(["validate", str(REAL / name)]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("error: ")
    code, out = _analyse(tmp_path, str(REAL / name))
    assert code == 2 and not out.exists()
    assert words in capsys.readouterr().err


def test_the_json_report_lists_what_the_file_lacks(capsys):
    assert main(["validate", str(REAL / "outside.csv"), "--json"]) == 1
    lacks = json.loads(capsys.readouterr().out)["lacks"]
    assert len(lacks) == 1 and "2 with a postcode not in the area" in lacks[0]


def test_an_open_referral_package_zip_is_analysed(tmp_path, capsys):
    folder = REPO_ROOT / "tests" / "data" / "oruk" / "package_v3"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    package = tmp_path / "package.zip"
    package.write_bytes(buffer.getvalue())
    code, out = _analyse(tmp_path, str(package))
    assert code == 0, capsys.readouterr().err
    assert pd.read_csv(out)[AREA_CODE].nunique() > 1


def test_a_ward_column_checks_the_place_and_service_area_sets_the_area(capsys):
    path = REAL / "council_venues.csv"
    assert main(["validate", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mapping_used"]["place_ward"] == "Ward"
    assert report["mapping_used"]["area_served"] == "Service area"
    ward = [p for p in report["problems"] if p["column"] == "Ward"]
    assert [(p["row"], p["code"]) for p in ward] == [
        (2, "place_ward_mismatch"),
        (5, "place_ward_unknown"),
    ]
    assert "is in Lawrence Hill (E05010907), not in Easton" in ward[0]["reason"]


def test_service_area_in_words_becomes_the_wards_served(bristol):
    from analysis.ingest.load import load_directory

    directory, _ = load_directory(REAL / "council_venues.csv", area=bristol)
    first = directory.services.iloc[0]
    assert first["area_kind"] == "wards" and len(first["ward_codes"]) == 2
    # The ward of the place is not the area served: the others serve around the place.
    assert set(directory.services["area_kind"].iloc[1:]) == {"at_location"}


def test_repeated_names_are_probable_duplicates_and_contact_columns_stay_out(capsys):
    path = REAL / "repeated_groups.csv"
    assert main(["validate", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    duplicates = [p for p in report["problems"] if p["code"] == "probable_duplicate_org"]
    assert [(p["row"], p["value"]) for p in duplicates] == [(3, "St Marys Church")]
    assert "has the same name as organisation 'g1'" in duplicates[0]["reason"]
    assert any("'Volunteer mobile': what looks like contact" in n for n in report["notes"])


def test_contacts_in_an_unmapped_column_reach_no_export(tmp_path, capsys):
    out = tmp_path / "gaps.xlsx"
    assert main(["analyse", str(REAL / "repeated_groups.csv"), "--out", str(out)]) == 0
    capsys.readouterr()
    book = openpyxl.load_workbook(out)
    text = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert "07700 900111" not in text and "Volunteer mobile" not in text


def test_a_lookup_table_is_not_a_directory(capsys):
    assert main(["validate", str(REAL / "classification_lookup.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: this table is not a directory")
    assert "'code', 'label', 'parent'" in err
