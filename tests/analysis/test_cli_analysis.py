"""The `analyse` and `report` commands: files written, summaries, one-line errors, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis.cli import main
from analysis.model import PROVISION_CLASSES, TABLE_COLUMNS
from analysis.provision.robustness import Variants
from analysis.settings import DEFAULT_CAPACITY, REPO_ROOT

SERVICES_CSV = "\n".join(
    [
        "org_name,org_kind,service_name,categories,delivery,postcode,area_served,area_value,"
        "capacity,last_updated",
        "Willow Lantern Project,charity,Community pantry,food; money_advice,in person,BS5 0HE,"
        "at_location,,40,2025-09-30",
        "Willow Lantern Project,charity,Phone friends,befriending,phone,BS5 0HE,citywide,,10,"
        "2025-01-01",
        'Easton Larder,mutual aid group,"=HYPERLINK(""x"")",food,in person,BS5 6JE,radius_km,2,'
        "20,2020-01-01",
        "Ashley Aid,faith group,Ward help,practical_help,home delivery,BS2 9YS,wards,"
        "Ashley; Easton,,2025-03-01",
        "Odd one,charity,Mystery,,in person,BS8 1TH,at_location,,1,2025-03-01",
    ]
)
REQUIRED = list(TABLE_COLUMNS)


@pytest.fixture(scope="module")
def services_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "services.csv"
    path.write_text(SERVICES_CSV, encoding="utf-8")
    return path


def test_analyse_writes_one_row_per_ward_and_category(services_csv, tmp_path, capsys):
    out = tmp_path / "gaps.csv"
    assert main(["analyse", str(services_csv), "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert set(REQUIRED) <= set(table.columns)
    assert len(table) == 34 * 15
    assert not table[REQUIRED].isna().any().any()
    assert set(table["class"]) <= set(PROVISION_CLASSES)
    stdout = capsys.readouterr().out
    classes = table["class"].value_counts()
    assert stdout.startswith(
        f"wrote 510 rows (34 wards × 15 categories) to {out}: "
        + ", ".join(f"{classes.get(name, 0)} {name}" for name in PROVISION_CLASSES)
        + "; "
    )
    # Ward help states no capacity, and no other practical help service does either: it
    # counts at the default. Food is the only category with two local services of two
    # organisations (the pantry's 1.5 km and Easton Larder's 2 km, 850 m apart, reaching
    # mostly the same people): one duplicate pair.
    assert stdout.endswith(
        "; 5 services, 0 filtered out, 1 uncategorised (in no category), 1 with capacity "
        "unknown (counted at their category's median capacity, or "
        f"{DEFAULT_CAPACITY:g} places a week where it states none), 1 duplicate pair (local "
        "services of two organisations reaching mostly the same people)\n"
    )


def test_analyse_neighbourhoods_chosen_categories_and_filters(services_csv, tmp_path, capsys):
    out = tmp_path / "gaps.geojson"
    argv = ["analyse", str(services_csv), "--level", "neighbourhood", "--category", "food"]
    argv += ["--category", "befriending", "--delivery", "in person", "--out", str(out)]
    assert main(argv) == 0
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert len(collection["features"]) == 268 * 2
    assert {f["properties"]["category"] for f in collection["features"]} == {"food", "befriending"}
    assert "2 filtered out" in capsys.readouterr().out


def test_analyse_xlsx_with_thresholds_and_method(services_csv, tmp_path):
    out = tmp_path / "gaps.xlsx"
    argv = ["analyse", str(services_csv), "--under-served-below", "0.3", "--out", str(out)]
    argv += ["--well-provided-from", "3", "--decay", "none"]
    assert main([*argv, "--stale-months", "24", "--stale", "down-weight"]) == 0
    # The workbook is for people (plain names, human headers); the machine names stay on it.
    parameters = pd.read_excel(out, sheet_name="parameters").set_index("key")["Value"]
    assert parameters["threshold under_served_below"] == 0.3
    assert parameters["threshold well_provided_from"] == 3
    assert parameters["method decay"] == "none"
    table = pd.read_excel(out, sheet_name="table")
    table.columns = pd.read_excel(out, sheet_name="columns")["Column"]
    # Classes follow the thresholds given: well provided only from 3.
    well = table[table["class"] == "well provided"]
    assert (well["relative_provision"] >= 3).all()
    adequate = table[table["class"] == "adequate"]
    assert adequate["relative_provision"].between(0.3, 3, inclusive="left").all()


def test_report_writes_a_ward_profile(services_csv, tmp_path, capsys):
    out = tmp_path / "easton.html"
    assert main(["report", str(services_csv), "--ward", "easton", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<h1>Easton</h1>" in page
    assert "=HYPERLINK(&quot;x&quot;)" in page
    assert f"of the {Variants().count} variants of the method" in page
    assert "overlap" not in page.lower() and "effective provider" not in page.lower()
    assert capsys.readouterr().out == f"wrote the profile of Easton (E05010896) to {out}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["report", "--ward", "Eastonn", "--out", "x.html"],
            "error: no ward of Bristol, City of has the code or name 'Eastonn'. Fix: did you mean "
            "Easton or Eastville? Otherwise give a ward code such as E05010885 or a ward name "
            "such as Ashley.",
        ),
        (
            ["report", "--ward", "Easton", "--out", "x.pdf"],
            "error: cannot write the ward profile to x.pdf: it is an HTML page. Fix: name the "
            "output e.g. ward.html.",
        ),
        (
            ["analyse", "--out", "x.txt"],
            "error: cannot write x.txt: the suffix '.txt' is not one of .csv, .xlsx, .geojson. "
            "Fix: name the output e.g. gaps.csv.",
        ),
        (["analyse", "--category", "fod", "--out", "x.csv"], "error: Unknown need category 'fod'"),
        (
            ["analyse", "--active-on", "soon", "--out", "x.csv"],
            "error: --active-on 'soon' is not a date. Fix: write it as YYYY-MM-DD, e.g. "
            "2025-06-30.",
        ),
        (
            ["analyse", "--under-served-below", "3", "--out", "x.csv"],
            "error: threshold well_provided_from = 2.0 is not above under_served_below = 3.0",
        ),
        (
            ["analyse", "--well-provided-from", "0.4", "--out", "x.csv"],
            "error: threshold well_provided_from = 0.4 is not above under_served_below = 0.5",
        ),
    ],
)
def test_errors_are_one_line_with_exit_2(
    services_csv, tmp_path, monkeypatch, capsys, argv, message
):
    monkeypatch.chdir(tmp_path)
    command, *rest = argv
    assert main([command, str(services_csv), *rest]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_missing_services_file_exits_2_without_traceback(tmp_path):
    missing = tmp_path / "nope.csv"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "analyse",
            str(missing),
            "--out",
            str(tmp_path / "o.csv"),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr == f"error: {missing} does not exist. Fix: check the path and the file name\n"
    assert "Traceback" not in run.stderr


def test_services_default_to_the_demo_data(tmp_path, capsys):
    demo = REPO_ROOT / "data" / "sample" / "services.csv"
    if not demo.is_file():
        pytest.skip(f"demo data not found at {demo}")
    assert main(["analyse", "--out", str(tmp_path / "demo.csv")]) == 0
    table = pd.read_csv(tmp_path / "demo.csv")
    assert len(table) == 34 * 15
    assert not table[REQUIRED].isna().any().any()
