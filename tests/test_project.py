"""Project rules a machine checks: analysis/ stays UI-free, the quick start stays two commands."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from analysis.settings import REPO_ROOT


def _ruff(source: str, filename: str) -> subprocess.CompletedProcess:
    # ruff is in the test extra: run it from this interpreter, never skip when it is not on PATH.
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--stdin-filename", filename, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )


@pytest.mark.parametrize("source", ["import streamlit\n", "from streamlit import cache_data\n"])
def test_ruff_bans_streamlit_in_analysis(source):
    done = _ruff(source, "analysis/example.py")
    assert done.returncode == 1
    assert "TID251" in done.stdout and "analysis/ is UI-free" in done.stdout


def test_ruff_allows_streamlit_in_dashboard():
    done = _ruff("import streamlit as st\n\nst.write(1)\n", "dashboard/example.py")
    assert done.returncode == 0, done.stdout


def test_readme_quick_start_is_make_run_and_make_test():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^    (\S.*?)(?:\s+#.*)?$", quick, flags=re.MULTILINE)
    assert commands == ["make run", "make test"]
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_python_is_recent_enough():
    assert sys.version_info >= (3, 11)
