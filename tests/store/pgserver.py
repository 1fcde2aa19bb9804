"""A throwaway PostgreSQL server for the tests: ``initdb`` in a temporary folder, started
with ``pg_ctl`` on a free localhost port, stopped and deleted at the end.

Debian's ``postgresql`` package puts the programs in ``/usr/lib/postgresql/<version>/bin``
(not on PATH). The server refuses to run as root, so as root it runs as the ``postgres``
user the package creates (through ``runuser``), in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"
DATABASE_USER = "safetynet"


def pg_bin_dir() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest versioned folder."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    folders = [f for f in folders if (Path(f) / "initdb").exists()]
    return Path(folders[-1]) if folders else None


def why_unavailable() -> str | None:
    """Why a server cannot be started here, or None when it can."""
    if pg_bin_dir() is None:
        return (
            "PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install "
            "postgresql; .ci/run installs it)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and runuser (util-linux) is missing"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server: its folder, port and the programs' folder."""

    root: Path
    port: int
    bin_dir: Path

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server (trust auth, no password)."""
        return f"postgresql+psycopg://{DATABASE_USER}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        _run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _run(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVER_USER, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout}")
    return done


def start_server() -> PostgresServer:
    """Initialise and start a server; the caller stops it (`PostgresServer.stop`)."""
    bin_dir = pg_bin_dir()
    assert bin_dir is not None, why_unavailable()
    root = Path(tempfile.mkdtemp(prefix="safetynet-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    data = root / "data"
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            DATABASE_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
        ]
    )
    port = _free_port()
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    return PostgresServer(root=root, port=port, bin_dir=bin_dir)


@contextmanager
def server_for_tests() -> Iterator[PostgresServer]:
    """A started server, stopped and deleted on leaving; the test skipped with the reason
    when PostgreSQL is missing — except under CI (``CI`` set), where that is a failure."""
    import pytest

    reason = why_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
