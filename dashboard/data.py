"""Every cache of the dashboard, in one module.

Shared read-only frames (area, taxonomy, demo directory, coverage) are cached once per
server with ``st.cache_resource``: callers must not modify them. Metrics are keyed on small
hashable inputs, so a threshold or filter change reruns only the cheap metrics step.
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
from analysis.provision.coverage import Coverage, compute_coverage
from analysis.provision.filters import Filters, apply_filters
from analysis.provision.metrics import MetricsResult, Thresholds, compute_metrics
from analysis.provision.robustness import assess_robustness
from analysis.taxonomy import Taxonomy, load_taxonomy
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
def get_coverage(key: str, _directory: Directory) -> Coverage:
    """The service × neighbourhood coverage of the directory cached under ``key``."""
    return compute_coverage(_directory, get_area())


@st.cache_resource(max_entries=64)
def get_metrics(
    key: str,
    _directory: Directory,
    filters: Filters,
    thresholds: Thresholds,
    level: str = "ward",
) -> MetricsResult:
    """Metrics of the directory under ``key`` with ``filters`` and ``thresholds``."""
    selection = apply_filters(_directory, filters, taxonomy=get_taxonomy())
    return compute_metrics(
        get_coverage(key, _directory),
        selection.directory,
        get_area(),
        get_taxonomy(),
        level=level,
        thresholds=thresholds,
        weights=selection.weights,
    )


@st.cache_resource(show_spinner="Testing how robust each gap is…", max_entries=16)
def get_robustness(key: str, _directory: Directory, filters: Filters, thresholds: Thresholds):
    """Rank range of each ward × category gap over catchment and threshold variants."""
    selection = apply_filters(_directory, filters, taxonomy=get_taxonomy())
    return assess_robustness(
        get_coverage(key, _directory),
        selection.directory,
        get_area(),
        get_taxonomy(),
        thresholds=thresholds,
        weights=selection.weights,
    )
