"""Every cache of the dashboard, in one module.

Shared read-only data (area, taxonomy, demo directory, and one `Analysis` per directory)
is cached once per server with ``st.cache_resource``: callers must not modify it. The
`Analysis` caches its own results per filters and thresholds, so a threshold or filter
change reruns only the cheap metrics step.
An upload lives in this browser session's ``st.session_state`` only, never in a shared
cache keyed by something another session could guess.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from analysis import settings
from analysis.directory import Directory
from analysis.geography import AreaSet, default_area_path, load_area
from analysis.ingest.import_report import ImportReport
from analysis.ingest.load import load_directory
from analysis.provision.pipeline import Analysis
from analysis.taxonomy import Taxonomy
from analysis.taxonomy_file import load_taxonomy
from dashboard.state import StateKeys

DEMO_KEY = "demo"


@dataclass(frozen=True)
class DirectorySource:
    """The services in use: the Directory, its import report, a cache key and a label."""

    directory: Directory
    report: ImportReport
    key: str
    label: str
    is_demo: bool


def area_path() -> Path:
    """The area folder in use: ``SAFETYNET_AREA`` when set, else the bundled Bristol."""
    chosen = os.environ.get(settings.AREA_ENV, "").strip()
    return Path(chosen) if chosen else default_area_path()


@st.cache_resource(show_spinner="Loading the area…")
def _load_area(path: str) -> AreaSet:
    return load_area(Path(path))


def get_area() -> AreaSet:
    """The area set in use (`area_path`), loaded and checked once per server."""
    return _load_area(str(area_path()))


@st.cache_resource
def get_taxonomy() -> Taxonomy:
    """The need categories."""
    return load_taxonomy()


@st.cache_resource(show_spinner="Loading the demo services…")
def _demo_directory(area_folder: str) -> tuple[Directory, ImportReport]:
    return load_directory(
        settings.DEMO_SERVICES_PATH, area=_load_area(area_folder), taxonomy=get_taxonomy()
    )


def upload_key(data: bytes) -> str:
    """Cache key of an upload: a hash of its bytes (same file, same analysis)."""
    return "upload-" + hashlib.sha256(data).hexdigest()[:16]


def current_source() -> DirectorySource:
    """This session's upload if there is one, else the fictional demo directory."""
    upload = st.session_state.get(StateKeys.UPLOAD)
    if upload is not None:
        return upload
    folder = str(area_path())
    directory, report = _demo_directory(folder)
    return DirectorySource(directory, report, f"{DEMO_KEY}:{folder}", "Demo data (fictional)", True)


@st.cache_resource(show_spinner="Working out who covers which neighbourhood…", max_entries=8)
def get_analysis(key: str, _directory: Directory) -> Analysis:
    """The analysis of the directory cached under ``key``, shared by every session.

    Its coverage is computed once; metrics, robustness and the services of a ward are
    cached inside it per filters and level, so a threshold change only reclassifies.
    """
    analysis = Analysis(_directory, get_area(), get_taxonomy())
    analysis.coverage  # the one slow step, done under this spinner  # noqa: B018
    return analysis
