"""The app under test, started as ``make run`` starts it, and a page that fails on leaks.

The server is ``.venv``'s ``python -m analysis serve --port <free port>`` run from the
repository root (so Streamlit reads ``.streamlit/config.toml``, which makes it headless).
It starts once per test session and stops at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO_ROOT / "test-artefacts"
STARTUP_TIMEOUT_S = 60
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(
    base_url: str, process: subprocess.Popen, timeout_s: float, log_path: Path
) -> None:
    """Wait for Streamlit's health endpoint; fail with the server's output if it dies."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log_path.read_text(errors="replace")
            raise RuntimeError(f"the app exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the app did not answer {base_url}/_stcore/health in {timeout_s} s")


def stop(process: subprocess.Popen) -> None:
    """Stop the server and the Streamlit process it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


EXPECT_TIMEOUT_MS = 30_000
"""How long an assertion on the page waits: a page that reads the store or runs the
analysis takes seconds on two cores shared with other tests (Playwright's default is 5 s)."""


@pytest.fixture(autouse=True)
def patient_expect() -> Iterator[None]:
    """Assertions wait `EXPECT_TIMEOUT_MS`, as actions do (a test may ask for longer)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def app_url(chromium_path: Path) -> Iterator[str]:
    """Base URL of the app, served like ``make run`` on a free port (log in test-artefacts)."""
    with served_app(ARTEFACTS / "app-server.log", os.environ) as base_url:
        yield base_url


@pytest.fixture
def page(chromium, app_url: str) -> Iterator:
    """A fresh page that records JS dialogs, requests leaving localhost and policy refusals.

    The test fails at teardown if a dialog opened, a request went elsewhere or the
    Content-Security-Policy refused something: the app must work offline, never pop up
    alerts, and never try to run or fetch what it did not write.
    """
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    dialogs: list[str] = []
    outside: list[str] = []
    refused: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            outside.append(request.url)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            refused.append(message.text[:300])

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.on("console", on_console)
    yield page
    context.close()
    assert not dialogs, f"JS dialogs opened: {dialogs}"
    assert not outside, f"requests left localhost: {outside}"
    assert not refused, f"the security policy refused: {refused}"


def shoot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artefacts/ and return its path."""
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@contextmanager
def served_app(log_path: Path, environ: Mapping[str, str]) -> Iterator[str]:
    """Serve the app like ``make run`` on a free port with ``environ``; yield its base URL.

    The server's output goes to ``log_path`` (a pipe nobody reads could fill and stall
    it); the server is stopped on leaving.
    """
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "analysis", "serve", "--port", str(port)],
            cwd=REPO_ROOT,
            env=dict(environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://localhost:{port}"
        try:
            wait_healthy(base_url, process, STARTUP_TIMEOUT_S, log_path)
            yield base_url
        finally:
            stop(process)
