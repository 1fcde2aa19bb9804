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


SQL_PACKAGES = ("sqlalchemy", "alembic", "psycopg")


@pytest.mark.parametrize("package", SQL_PACKAGES)
def test_ruff_bans_sql_outside_the_store(package):
    source = f"import {package}\n\nprint({package})\n"
    done = _ruff(source, "analysis/example.py")
    assert done.returncode == 1
    assert "TID251" in done.stdout and "Only analysis/store/ knows SQL" in done.stdout
    assert _ruff(source, "analysis/store/example.py").returncode == 0


def _imported(path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_store_imports_sql():
    store = REPO_ROOT / "analysis" / "store"
    outside = [
        path
        for folder in ("analysis", "dashboard")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        if store not in path.parents
    ]
    assert len(outside) > 30  # every module of the pipeline and the dashboard was read
    found = {
        path.relative_to(REPO_ROOT).as_posix(): sorted(_imported(path) & set(SQL_PACKAGES))
        for path in outside
    }
    assert {name: used for name, used in found.items() if used} == {}
    assert "sqlalchemy" in _imported(store / "engine.py")  # the scan sees an import
