"""Fixtures for analysis tests: the bundled Bristol area and the raw files it came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.geography import AreaSet, default_area_path, load_area
from analysis.settings import REPO_ROOT

RAW_BRISTOL = REPO_ROOT.parent / "shared" / "data" / "bristol"


@pytest.fixture(scope="session")
def bristol() -> AreaSet:
    """The bundled Bristol area set, loaded once."""
    return load_area(default_area_path())


@pytest.fixture(scope="session")
def raw_bristol() -> Path:
    """The raw public files the Bristol set is built from (beside the project, in shared/)."""
    if not RAW_BRISTOL.is_dir():
        pytest.skip(f"raw reference files not found at {RAW_BRISTOL}")
    return RAW_BRISTOL


@pytest.fixture(scope="session")
def taxonomy():
    """The bundled need categories, loaded once."""
    from analysis.taxonomy_file import load_taxonomy

    return load_taxonomy()


@pytest.fixture(scope="session")
def demo_directory(bristol, taxonomy):
    """The fictional demo directory on the Bristol area, imported once."""
    from analysis.ingest.load import load_directory
    from analysis.settings import DEMO_SERVICES_PATH

    directory, _ = load_directory(DEMO_SERVICES_PATH, area=bristol, taxonomy=taxonomy)
    return directory
