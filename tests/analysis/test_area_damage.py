"""A damaged reference folder stops the CLI with the file named and the command that rebuilds
it: never a traceback, never a silently partial table."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.errors import AreaDataError
from analysis.geography import default_area_path, load_area
from analysis.settings import REPO_ROOT


def _truncate(name: str, keep: float = 0.5) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / name
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])

    return damage


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def _edit_json(name: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        document = json.loads((folder / name).read_text(encoding="utf-8"))
        change(document)
        (folder / name).write_text(json.dumps(document), encoding="utf-8")

    return damage


def _drop_postcodes_of_first_ward(folder: Path) -> None:
    path = folder / "postcodes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    ward = json.loads((folder / "wards.geojson").read_text())["features"][0]["properties"]
    kept = [line for line in lines if ward["ward_code"] not in line]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    meta = json.loads((folder / "area.json").read_text())
    meta["counts"]["postcodes"] = len(kept) - 1
    (folder / "area.json").write_text(json.dumps(meta), encoding="utf-8")


def _bowtie(document: dict) -> None:
    document["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[-2.6, 51.4], [-2.5, 51.5], [-2.5, 51.4], [-2.6, 51.5], [-2.6, 51.4]]],
    }


def _drop_column(column: str) -> Callable[[dict], None]:
    def change(document: dict) -> None:
        for feature in document["features"]:
            feature["properties"].pop(column, None)

    return change


def _drop_feature(document: dict) -> None:
    document["features"].pop()


# case -> (damage, file named in the message, words of the message)
DAMAGE = {
    "truncated wards": (_truncate("wards.geojson"), "wards.geojson", "could not be read"),
    "empty wards": (_write("wards.geojson", b""), "wards.geojson", "could not be read"),
    "a ward missing": (_edit_json("wards.geojson", _drop_feature), "wards.geojson", "rows"),
    "ward names gone": (
        _edit_json("wards.geojson", _drop_column("ward_name")),
        "wards.geojson",
        "lacks the column(s) ward_name",
    ),
    "invalid boundary": (_edit_json("wards.geojson", _bowtie), "wards.geojson", "invalid"),
    "truncated neighbourhoods": (
        _truncate("neighbourhoods.geojson", 0.8),
        "neighbourhoods.geojson",
        "could not be read",
    ),
    "no population": (
        _edit_json("neighbourhoods.geojson", _drop_column("population")),
        "neighbourhoods.geojson",
        "lacks the column(s) population",
    ),
    "postcode header garbage": (
        _write("postcodes.csv", b"\x00\xff garbage;;;\nBS1,1,2\n"),
        "postcodes.csv",
        "could not be read",
    ),
    "postcode columns wrong": (
        _write("postcodes.csv", b"code,x,y\nBS1 1BT,1,2\n"),
        "postcodes.csv",
        "lacks the column(s) postcode",
    ),
    "truncated postcodes": (_truncate("postcodes.csv"), "postcodes.csv", "rows"),
    "postcodes missing": (
        lambda folder: (folder / "postcodes.csv").unlink(),
        "postcodes.csv",
        "missing",
    ),
    "a ward without postcodes": (
        _drop_postcodes_of_first_ward,
        "postcodes.csv",
        "has no postcode in ward",
    ),
    "area.json not JSON": (_write("area.json", b"{not json"), "area.json", "not valid JSON"),
    "area.json without counts": (
        _edit_json("area.json", lambda meta: meta.pop("counts")),
        "area.json",
        "lacks lad_code, name or counts",
    ),
}


@pytest.fixture
def damaged(tmp_path, request) -> tuple[Path, str, str]:
    """A copy of the bundled area with one file damaged, and what the message must say."""
    damage, file_name, words = DAMAGE[request.param]
    folder = tmp_path / "area"
    shutil.copytree(default_area_path(), folder)
    damage(folder)
    return folder, file_name, words


def test_the_bundled_area_passes_every_check():
    area = load_area()
    assert len(area.wards) == area.meta["counts"]["wards"] == 34
    assert len(area.postcodes) == area.meta["counts"]["postcodes"]


@pytest.mark.parametrize("damaged", sorted(DAMAGE), indirect=True)
def test_a_damaged_file_is_named_with_the_rebuild_command(damaged):
    folder, file_name, words = damaged
    with pytest.raises(AreaDataError) as caught:
        load_area(folder)
    message = str(caught.value)
    assert f"the reference data in {folder} is damaged: {file_name}" in message
    assert words in message
    assert "Fix: rebuild it with 'python -m analysis build-area" in message
    assert "\n" not in message


@pytest.mark.parametrize("damaged", sorted(DAMAGE), indirect=True)
def test_the_cli_prints_one_line_and_exits_2(damaged, capsys):
    folder, file_name, _ = damaged
    assert main(["lookup", "BS8 1TH", "--area", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: the reference data in") and file_name in err
    assert "\n" not in err and "Traceback" not in err


def test_the_bundled_area_names_make_area(tmp_path, monkeypatch):
    """Damage to the bundled folder itself is fixed with the Makefile's own target."""
    folder = tmp_path / "bristol"
    shutil.copytree(default_area_path(), folder)
    (folder / "area.json").write_text("{", encoding="utf-8")
    monkeypatch.setattr("analysis.geography.default_area_path", lambda: folder)
    with pytest.raises(AreaDataError, match="Fix: rebuild it with 'make area'"):
        load_area(folder)


def test_a_real_process_prints_no_traceback(tmp_path):
    folder = tmp_path / "area"
    shutil.copytree(default_area_path(), folder)
    _truncate("wards.geojson")(folder)
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "analyse", "--area", str(folder), "--out", "x.csv"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "wards.geojson" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
