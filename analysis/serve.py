"""The command ``python -m analysis serve`` runs: Streamlit on the dashboard's server, told
which area to show.

The dashboard reads the area folder from ``SAFETYNET_AREA`` (`analysis.settings.AREA_ENV`);
``serve --area DIR`` sets it for the server process only, so one installation can show any
area built with ``build-area``. Building the command is apart from running it, so what the
server is given can be checked without starting one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis import settings
from analysis.errors import AreaDataError
from analysis.geography import AREA_FILES, rebuild_hint

SERVER_SCRIPT = settings.REPO_ROOT / "dashboard" / "server.py"


@dataclass(frozen=True)
class ServeCommand:
    """A server process to start: its arguments, environment and working folder."""

    args: tuple[str, ...]
    env: dict[str, str]
    cwd: Path


def checked_area_folder(area: Path) -> Path:
    """``area`` as an absolute folder that holds the area files.

    Raises
    ------
    AreaDataError
        When the folder or one of its files is missing; the message names them and the
        command that builds the folder.
    """
    folder = Path(area).expanduser().resolve()
    if not folder.is_dir():
        raise AreaDataError(
            f"area folder {area} does not exist. Fix: {rebuild_hint(Path(area), verb='build')}."
        )
    missing = [name for name in AREA_FILES if not (folder / name).is_file()]
    if missing:
        raise AreaDataError(
            f"area folder {area} lacks {', '.join(missing)}. "
            f"Fix: {rebuild_hint(Path(area), verb='build')}."
        )
    return folder


def serve_command(
    *,
    port: int = settings.SERVER_PORT,
    address: str = settings.SERVER_ADDRESS,
    area: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> ServeCommand:
    """The Streamlit command that serves the dashboard on ``address:port``.

    ``area`` (a folder built by ``build-area``) goes to the server as ``SAFETYNET_AREA``;
    without it the server keeps the area of ``environ`` (default: this process's
    environment), else the bundled one. It runs from the project folder, so Streamlit
    reads ``.streamlit/config.toml``.
    """
    env = dict(os.environ if environ is None else environ)
    if area is not None:
        env[settings.AREA_ENV] = str(checked_area_folder(area))
    args = (
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(SERVER_SCRIPT),
        "--server.port",
        str(port),
        "--server.address",
        address,
    )
    return ServeCommand(args=args, env=env, cwd=settings.REPO_ROOT)
