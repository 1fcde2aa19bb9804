"""The command line: JSON out, one-line reasons and exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

from analysis.cli import main
from analysis.settings import REPO_ROOT


def test_lookup_prints_one_json_object(capsys):
    assert main(["lookup", "bs8 1th"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"postcode", "ward_code", "ward_name", "lsoa_code", "lat", "lon"}
    assert (out["postcode"], out["ward_name"]) == ("BS8 1TH", "Central")


def test_lookup_errors_are_one_line_with_exit_1(capsys):
    assert main(["lookup", "XYZ"]) == 1
    assert capsys.readouterr().err == (
        "error: 'XYZ' is not a UK postcode. Fix: type a full postcode such as BS2 8NX "
        "(letters and digits of the outward code, a space, then digit letter letter).\n"
    )
    assert main(["lookup", "BS1 6QU"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: BS1 6QU is not in the postcode table of Bristol, City of")
    assert err.count("\n") == 1


def test_missing_area_exits_2(capsys, tmp_path):
    assert main(["lookup", "BS8 1TH", "--area", str(tmp_path)]) == 2
    assert "lacks wards.geojson" in capsys.readouterr().err


def test_build_area_reports_counts(capsys, tmp_path):
    from tests.analysis.reference.synthetic_sources import LAD, write_sources

    raw = write_sources(tmp_path / "raw")
    assert (
        main(["build-area", "--source", str(raw), "--lad", LAD, "--out", str(tmp_path / "area")])
        == 0
    )
    assert "built Testshire (E06999999)" in capsys.readouterr().out
    assert (
        main(
            [
                "build-area",
                "--source",
                str(tmp_path / "x"),
                "--lad",
                LAD,
                "--out",
                str(tmp_path / "area"),
            ]
        )
        == 2
    )


def test_module_entry_point_never_prints_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "lookup", "not a postcode"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: 'not a postcode' is not a UK postcode")


def test_analysis_imports_without_streamlit():
    code = (
        "import sys, pkgutil, importlib, analysis\n"
        "names = [m.name for m in pkgutil.walk_packages(analysis.__path__, 'analysis.')]\n"
        "for name in names:\n"
        "    if not name.endswith('__main__'):\n"
        "        importlib.import_module(name)\n"
        "assert 'streamlit' not in sys.modules, 'analysis imported streamlit'\n"
        "print(len(names))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 30  # every module of every stage was imported


def test_an_unexpected_failure_is_one_line_with_exit_3(capsys, monkeypatch):
    import pytest

    from analysis import cli

    def broken(postcode, **_):
        raise RuntimeError("/srv/secret/path.py: internal detail")

    monkeypatch.setattr(cli, "lookup_postcode", lambda area, text: broken(text))
    assert main(["lookup", "BS8 1TH"]) == cli.UNEXPECTED_FAILURE_EXIT == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the command stopped on something it does not handle yet")
    assert "--debug" in err and "\n" not in err
    assert "secret" not in err and "RuntimeError" not in err
    with pytest.raises(RuntimeError, match="internal detail"):
        main(["--debug", "lookup", "BS8 1TH"])
