"""Every cache of the dashboard, in one module.

Shared read-only data (area, taxonomy, demo directory, and one `Analysis` per directory)
is cached once per server with ``st.cache_resource``: callers must not modify it. The
`Analysis` caches its own results per filters and thresholds, so a threshold or filter
change reruns only the cheap metrics step.
An upload lives in this browser session's ``st.session_state`` only, never in a shared
cache keyed by something another session could guess; it belongs to the area it was checked
against (`keep_uploads_with_their_area`).

Areas: the one in use by default (``SAFETYNET_AREA``, else bundled Bristol) and every other
built folder under the reference folder (``SAFETYNET_REFERENCE``, else ``data/reference``)
are offered (`available_areas`). The demo services are fictional services in the bundled
area: another area gets no services until a directory is uploaded for it, and says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis import settings
from analysis.directory import Directory
from analysis.geography import AREA_FILES, AreaSet, default_area_path, load_area
from analysis.ingest.import_report import ImportReport
from analysis.ingest.load import load_directory
from analysis.model import CRS_COMPUTE, LAD_CODE, ORG_COLUMNS, SERVICE_COLUMNS
from analysis.provision.pipeline import Analysis
from analysis.taxonomy import Taxonomy
from analysis.taxonomy_file import load_taxonomy
from dashboard.state import StateKeys

DEMO_KEY = "demo"
NO_SERVICES_KEY = "none"
DEMO_ABOUT = (
    "The maps show demo data: fictional organisations and services, made up to show how "
    "Safety Net works. Upload your own directory below to see your area's gaps and "
    "duplicated effort."
)
# ONS names some authorities "<place>, City of" or "<place>, County of"; people say the place.
_DESIGNATION = re.compile(r"^(?P<place>.+), (?:City|County) of$")


@dataclass(frozen=True)
class DirectorySource:
    """The services in use: the Directory, its import report, a cache key and a label.

    ``is_demo`` is true for what is shown without an upload: the fictional demo services,
    or none at all when the demo belongs to another area (``no_services``). ``about``
    says what the data is, on the data page.
    """

    directory: Directory
    report: ImportReport
    key: str
    label: str
    is_demo: bool
    about: str = DEMO_ABOUT
    no_services: bool = False

    @property
    def shows_demo(self) -> bool:
        """The fictional demo services are what the pages show."""
        return self.is_demo and not self.no_services


@dataclass(frozen=True)
class AreaChoice:
    """A built area the dashboard can show: its key in the URL, its folder and its name."""

    key: str
    path: Path
    name: str


def place_name(name: str) -> str:
    """The name people use for an authority: ``Bristol, City of`` -> ``Bristol``."""
    match = _DESIGNATION.match(name.strip())
    return match["place"] if match else name.strip()


def area_path() -> Path:
    """The area folder in use by default: ``SAFETYNET_AREA`` when set, else bundled Bristol."""
    chosen = os.environ.get(settings.AREA_ENV, "").strip()
    return Path(chosen) if chosen else default_area_path()


def reference_root() -> Path:
    """The folder of built areas: ``SAFETYNET_REFERENCE`` when set, else ``data/reference``."""
    chosen = os.environ.get(settings.REFERENCE_ENV, "").strip()
    return Path(chosen) if chosen else settings.REFERENCE_DIR


def _is_area_folder(path: Path) -> bool:
    return path.is_dir() and all((path / name).is_file() for name in AREA_FILES)


def _meta_name(folder: Path) -> str:
    """The area's name from its area.json (the folder's name if it cannot be read)."""
    try:
        name = json.loads((folder / "area.json").read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        name = None
    return place_name(name) if isinstance(name, str) and name.strip() else folder.name


def available_areas() -> tuple[AreaChoice, ...]:
    """The areas to offer: the default one (`area_path`) first, then the others built
    under `reference_root`, by name. Keys are folder names, unique."""
    default = area_path()
    choices = [AreaChoice(default.name, default, _meta_name(default))]
    root = reference_root()
    folders = sorted(root.iterdir()) if root.is_dir() else []
    others = [
        folder
        for folder in folders
        if _is_area_folder(folder) and folder.resolve() != default.resolve()
    ]
    keys = {default.name}
    for folder in sorted(others, key=lambda f: (_meta_name(f), f.name)):
        key, n = folder.name, 2
        while key in keys:
            key, n = f"{folder.name}-{n}", n + 1
        keys.add(key)
        choices.append(AreaChoice(key, folder, _meta_name(folder)))
    return tuple(choices)


@st.cache_resource(show_spinner="Loading the area…")
def _load_area(path: str) -> AreaSet:
    return load_area(Path(path))


def get_area(path: Path | None = None) -> AreaSet:
    """The area set of the folder ``path`` (default: `area_path`), loaded and checked once
    per server."""
    return _load_area(str(path or area_path()))


def area_identity(area: AreaSet) -> str:
    """A short key of an area's content (its area.json: sources with hashes, counts, rules).

    Two folders built alike share it; caches and uploads are kept apart per area by it.
    """
    text = json.dumps(area.meta, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@st.cache_resource
def _demo_area_meta() -> dict:
    """The area.json of the area the demo services were made for (the bundled one)."""
    try:
        return json.loads((default_area_path() / "area.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def demo_place() -> str:
    """The name of the place the demo's fictional services are in."""
    return place_name(str(_demo_area_meta().get("name") or "the bundled area"))


def has_demo(area: AreaSet) -> bool:
    """Whether the demo services are for ``area`` (the bundled authority, wherever built)."""
    return area.lad_code == _demo_area_meta().get(LAD_CODE)


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


def empty_directory() -> Directory:
    """A Directory with no organisation and no service."""
    services = gpd.GeoDataFrame(
        pd.DataFrame(columns=list(SERVICE_COLUMNS)),
        geometry=gpd.GeoSeries([], crs=CRS_COMPUTE),
        crs=CRS_COMPUTE,
    )
    return Directory(pd.DataFrame(columns=list(ORG_COLUMNS)), services)


def no_services_notice(area_place: str) -> str:
    """Why an area other than the demo's shows no services, and what to do."""
    demo = demo_place()
    return (
        f"No services are loaded for {area_place}. The demo data is fictional organisations "
        f"and services in {demo}, so it is not shown on {area_place}'s maps: they show need, "
        "and every ward with people in need has no local help. Upload a directory of "
        f"{area_place}'s services on the Your data page to see its gaps and duplicated effort."
    )


def _no_services(area: AreaSet) -> DirectorySource:
    place = place_name(area.name)
    report = ImportReport(
        source="no file",
        format="none",
        rows_read=0,
        accepted=0,
        rejected=0,
        warnings=0,
        problems=(),
    )
    return DirectorySource(
        empty_directory(),
        report,
        key=f"{NO_SERVICES_KEY}:{area_identity(area)}",
        label=f"none for {place} yet (the demo data is {demo_place()}'s)",
        is_demo=True,
        about=no_services_notice(place),
        no_services=True,
    )


def current_source(area: AreaSet, folder: Path | None = None) -> DirectorySource:
    """This session's upload for ``area`` if there is one, else the demo directory when the
    demo is for ``area``, else no services (`no_services_notice`)."""
    upload = st.session_state.get(StateKeys.UPLOAD)
    if upload is not None:
        return upload
    if not has_demo(area):
        return _no_services(area)
    path = str(folder or area_path())
    directory, report = _demo_directory(path)
    about = (
        f"The maps show demo data: fictional organisations and services in "
        f"{place_name(area.name)}, made up to show how Safety Net works. Upload your own "
        "directory below to see your area's gaps and duplicated effort."
    )
    return DirectorySource(
        directory, report, f"{DEMO_KEY}:{path}", "Demo data (fictional)", True, about=about
    )


def keep_uploads_with_their_area(area: AreaSet) -> bool:
    """Keep each area's upload to that area; returns whether the area changed.

    A file is checked against one area's postcodes and wards, so when this session turns
    to another area its upload is put away (and comes back with its area), and the file
    last checked is checked again against the new area.
    """
    state = st.session_state
    current = area_identity(area)
    last = state.get(StateKeys.LAST_AREA)
    state[StateKeys.LAST_AREA] = current
    if last is None or last == current:
        return False
    kept = state.setdefault(StateKeys.UPLOADS_BY_AREA, {})
    upload = state.pop(StateKeys.UPLOAD, None)
    if upload is not None:
        kept[last] = upload
    if current in kept:
        state[StateKeys.UPLOAD] = kept.pop(current)
    state.pop(StateKeys.UPLOAD_CHECKED, None)
    return True


@st.cache_resource(show_spinner="Working out who covers which neighbourhood…", max_entries=8)
def get_analysis(key: str, area_key: str, _directory: Directory, _area: AreaSet) -> Analysis:
    """The analysis of the directory cached under ``key`` on the area ``area_key``
    (`area_identity`), shared by every session.

    Its coverage is computed once; metrics, robustness and the services of a ward are
    cached inside it per filters and level, so a threshold change only reclassifies.
    """
    analysis = Analysis(_directory, _area, get_taxonomy())
    analysis.coverage  # the one slow step, done under this spinner  # noqa: B018
    return analysis
