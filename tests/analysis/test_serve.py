"""``serve``: the server command it builds, and the area it hands the dashboard."""

from __future__ import annotations

import sys

import pytest

from analysis import settings
from analysis.cli import build_parser, main
from analysis.errors import AreaDataError
from analysis.reference.build import build_area
from analysis.serve import SERVER_SCRIPT, serve_command
from tests.analysis.reference import synthetic_sources as syn


@pytest.fixture(scope="module")
def testshire(tmp_path_factory):
    """A second area, built from the synthetic raw files."""
    folder = tmp_path_factory.mktemp("testshire")
    build_area(syn.write_sources(folder / "raw"), syn.LAD, folder / "area")
    return folder / "area"


def _command_of(argv: list[str], environ: dict[str, str]):
    """The command ``python -m analysis ARGV`` would start (as ``_serve`` builds it)."""
    args = build_parser().parse_args(argv)
    return serve_command(port=args.port, address=args.address, area=args.area, environ=environ)


def test_serve_area_goes_to_the_server_as_its_area(testshire):
    command = _command_of(["serve", "--area", str(testshire), "--port", "8642"], {"HOME": "/x"})
    assert command.env[settings.AREA_ENV] == str(testshire.resolve())
    assert command.env["HOME"] == "/x"  # the rest of the environment is kept
    assert command.args[:5] == (sys.executable, "-m", "streamlit", "run", str(SERVER_SCRIPT))
    assert command.args[5:7] == ("--server.port", "8642")
    assert command.cwd == settings.REPO_ROOT


def test_a_relative_area_is_made_absolute(testshire, monkeypatch):
    monkeypatch.chdir(testshire.parent)
    command = _command_of(["serve", "--area", "area"], {})
    assert command.env[settings.AREA_ENV] == str(testshire.resolve())


def test_without_area_the_environments_choice_stands(testshire):
    chosen = {settings.AREA_ENV: str(testshire)}
    assert _command_of(["serve"], chosen).env[settings.AREA_ENV] == str(testshire)
    assert settings.AREA_ENV not in _command_of(["serve"], {}).env


def test_a_folder_that_is_not_an_area_is_refused_before_the_server_starts(tmp_path, capsys):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "wards.geojson").write_text("{}", encoding="utf-8")
    with pytest.raises(AreaDataError, match=r"half lacks neighbourhoods\.geojson, area\.json"):
        serve_command(area=tmp_path / "half")
    code = main(["serve", "--area", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == AreaDataError.exit_code
    assert f"error: area folder {tmp_path / 'nowhere'} does not exist." in err
    assert "Fix: build it with 'python -m analysis build-area --source RAW_FOLDER" in err
