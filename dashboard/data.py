"""Every cache of the dashboard, in one module.

The services every page shows are the directory held in the database
(`analysis.store`): ``SAFETYNET_DATABASE_URL``, else the embedded SQLite file, opened once
per server and loaded with the fictional demo when new (`store_engine`). Each rerun reads
the store's data version (one row); the Directory, its summary and its `Analysis` are
cached under that version, so a write made by any session or process is seen on the next
rerun of every session, and nothing cached is ever stale.

Shared read-only data (area, taxonomy, the Directory and one `Analysis` per directory
version) is cached once per server with ``st.cache_resource``: callers must not modify
it. The `Analysis` caches its own results per filters and thresholds, so a threshold or
filter change reruns only the cheap metrics step.
An upload is a private what-if: it lives in this browser session's ``st.session_state``
only, never in a shared cache keyed by something another session could guess; it belongs
to the area it was checked against (`keep_uploads_with_their_area`).

Areas: the one in use by default (``SAFETYNET_AREA``, else bundled Bristol) and every other
built folder under the reference folder (``SAFETYNET_REFERENCE``, else ``data/reference``)
are offered (`available_areas`). The directory database is the default area's: another
area gets no services until a directory is uploaded for it, and says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from analysis import settings
from analysis.directory import Directory
from analysis.errors import StoreError
from analysis.geography import AREA_FILES, AreaSet, default_area_path, load_area
from analysis.ingest.import_report import ImportReport
from analysis.ingest.table import RawTable
from analysis.model import CRS_COMPUTE, LAD_CODE, ORG_COLUMNS, SERVICE_COLUMNS
from analysis.provision.change import Snapshot
from analysis.provision.pipeline import Analysis
from analysis.store.access import Actor
from analysis.store.changes import read_snapshots
from analysis.store.config import DATABASE_URL_ENV, database_url
from analysis.store.engine import Engine
from analysis.store.importing import StoreImport, source_cells, store_directory
from analysis.store.opening import DEMO_SOURCE, open_store
from analysis.store.reads import data_version, load_directory_from_store
from analysis.store.summary import StoreSummary, store_summary
from analysis.taxonomy import Taxonomy
from analysis.taxonomy_file import load_taxonomy
from dashboard.state import StateKeys

STORE_KEY = "store"
"""Who a write made on the dashboard is recorded as, until people sign in."""
NO_SERVICES_KEY = "none"
# ONS names some authorities "<place>, City of" or "<place>, County of"; people say the place.
_DESIGNATION = re.compile(r"^(?P<place>.+), (?:City|County) of$")


@dataclass(frozen=True)
class DirectorySource:
    """The services in use: the Directory, its import report, a cache key and a label.

    ``is_upload`` is true for a file this browser session uploaded (a private what-if);
    otherwise the services are the directory held in the database, or none
    (``no_services``) when the database holds nothing for the area. ``shows_demo`` is
    true when the services shown are the fictional demo's. ``about`` says what the data
    is, on the data page.
    """

    directory: Directory
    report: ImportReport
    key: str
    label: str
    is_upload: bool
    about: str = ""
    no_services: bool = False
    shows_demo: bool = False


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


def has_demo(area: AreaSet) -> bool:
    """Whether the demo services are for ``area`` (the bundled authority, wherever built)."""
    return area.lad_code == _demo_area_meta().get(LAD_CODE)


@st.cache_resource
def get_taxonomy() -> Taxonomy:
    """The need categories."""
    return load_taxonomy()


def store_area_path() -> Path:
    """The area the directory database is for: the server's area (`area_path`)."""
    return area_path()


@st.cache_resource(show_spinner="Opening the directory database…")
def _open_store(url: str, area_folder: str) -> Engine:
    area = _load_area(area_folder)
    return open_store(url, load_demo=has_demo(area), area=area)


def store_engine() -> Engine:
    """The directory database (``SAFETYNET_DATABASE_URL``, else the embedded SQLite file),
    opened once per server: created, migrated, and holding the demo when new."""
    return _open_store(database_url(), str(store_area_path()))


@st.cache_resource(max_entries=4)
def _store_summary(url: str, version: int) -> StoreSummary:
    return store_summary(_open_store(url, str(store_area_path())))


@st.cache_resource(show_spinner="Reading the directory…", max_entries=4)
def _store_directory(url: str, version: int, area_folder: str) -> Directory:
    """The directory at data ``version``: a write raises the version, so the next rerun of
    every session reads it again (older versions fall out of the cache)."""
    engine = _open_store(url, str(store_area_path()))
    area = _load_area(area_folder)
    try:
        return load_directory_from_store(engine, area=area)
    except ValueError as error:  # e.g. wards of another authority: the store is not this area's
        raise StoreError(
            f"the directory database cannot be shown on {area.name}: "
            f"{error}. Fix: start the dashboard with the area the directory is for "
            f"({settings.AREA_ENV}, or 'serve --area'), or point {DATABASE_URL_ENV} at that "
            "area's database"
        ) from error


@st.cache_resource(show_spinner="Reading the directory on both days…", max_entries=4)
def _store_snapshots(
    url: str, version: int, area_folder: str, since: date, until: date
) -> tuple[Snapshot, Snapshot]:
    """The directory at the end of ``since`` and of ``until`` (UTC), read at data
    ``version``; each `Snapshot`'s `Analysis` caches its own metrics per filters."""
    engine = _open_store(url, str(store_area_path()))
    return read_snapshots(
        engine,
        earlier=since,
        later=until,
        area=_load_area(area_folder),
        taxonomy=get_taxonomy(),
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


def demo_place() -> str:
    """The name of the place the demo's fictional services are in."""
    return place_name(str(_demo_area_meta().get("name") or "the bundled area"))


def no_services_notice(area_place: str, *, only_demo: bool, is_store_area: bool) -> str:
    """Why an area shows no services, and what to do.

    ``only_demo``: the database holds the demo's services and no other; ``is_store_area``:
    the database is this area's (`store_area_path`).
    """
    if only_demo:
        why = (
            f"The demo data is fictional organisations and services in {demo_place()}, so it "
            f"is not shown on {area_place}'s maps: they show need, and every ward with people "
            "in need has no local help."
        )
    elif is_store_area:
        why = f"The directory database holds no active service for {area_place} yet."
    else:
        store_place = _meta_name(store_area_path())
        why = (
            f"The directory database is {store_place}'s, so {area_place}'s maps show need "
            "with no services: every ward with people in need has no local help."
        )
    return (
        f"No services are loaded for {area_place}. {why} Upload a directory of "
        f"{area_place}'s services on the Your data page to see its gaps and duplicated effort."
    )


def _report_of(label: str, services: int) -> ImportReport:
    return ImportReport(
        source=label,
        format="store",
        rows_read=services,
        accepted=services,
        rejected=0,
        warnings=0,
        problems=(),
    )


def _no_services(area: AreaSet, *, only_demo: bool, is_store_area: bool) -> DirectorySource:
    place = place_name(area.name)
    label = f"none for {place} yet" + (f" (the demo data is {demo_place()}'s)" if only_demo else "")
    return DirectorySource(
        empty_directory(),
        _report_of("no file", 0),
        key=f"{NO_SERVICES_KEY}:{area_identity(area)}",
        label=label,
        is_upload=False,
        about=no_services_notice(place, only_demo=only_demo, is_store_area=is_store_area),
        no_services=True,
    )


def directory_about(summary: StoreSummary, place: str) -> str:
    """What the directory in the database is, in a sentence or two."""
    if summary.holds_only(DEMO_SOURCE):
        return (
            f"The maps show demo data: fictional organisations and services in {place}, "
            "made up to show how Safety Net works, held in the directory database. Upload "
            "your own directory below to see your area's gaps and duplicated effort."
        )
    sources = ", ".join(summary.sources)
    return (
        f"The maps show the directory held in the database: {summary.active_services:,} "
        f"active services of {summary.organisations:,} organisations, from {sources}; "
        f"last changed {summary.updated_at:%d %B %Y %H:%M} UTC."
    )


def directory_summary() -> StoreSummary:
    """What the directory database holds now (cached per data version)."""
    engine = store_engine()
    return _store_summary(database_url(), data_version(engine))


def directory_source(area: AreaSet, folder: Path | None = None) -> DirectorySource:
    """The directory held in the database, as of its current data version, on ``area``.

    The database is the server's area's (`store_area_path`): on another area, or when it
    holds no active service, there are no services (`no_services_notice`).
    """
    url, folder = database_url(), folder or area_path()
    summary = directory_summary()
    is_store_area = area.lad_code == get_area(store_area_path()).lad_code
    demo = summary.holds_only(DEMO_SOURCE)
    # The demo's services are in its own area: shown on no other, even as the store's.
    if not is_store_area or summary.active_services == 0 or (demo and not has_demo(area)):
        only_demo = demo and not has_demo(area)
        return _no_services(area, only_demo=only_demo, is_store_area=is_store_area)
    directory = _store_directory(url, summary.data_version, str(folder))
    place = place_name(area.name)
    return DirectorySource(
        directory,
        _report_of("the directory database", len(directory.services)),
        key=f"{STORE_KEY}:{summary.data_version}:{url}",
        label="Demo data (fictional), in the directory" if demo else "The directory",
        is_upload=False,
        about=directory_about(summary, place),
        shows_demo=demo,
    )


def directory_snapshots(
    area: AreaSet, since: date, until: date, folder: Path | None = None
) -> tuple[Snapshot, Snapshot] | None:
    """The directory held in the database at the end of ``since`` and of ``until`` (UTC),
    for `analysis.provision.change.compare_snapshots`; None when it has nothing for
    ``area`` (`directory_source` says why)."""
    if directory_source(area, folder).no_services:
        return None
    version = directory_summary().data_version
    return _store_snapshots(database_url(), version, str(folder or area_path()), since, until)


def import_upload(
    directory: Directory,
    report: ImportReport,
    raw: RawTable,
    *,
    source: str,
    full: bool,
    actor: Actor,
) -> StoreImport:
    """Store a checked upload in the directory database as the records of ``source``.

    The write raises the data version, so every session shows it on its next rerun.

    Raises
    ------
    NotAllowedError
        When ``actor`` may not import (a reviewer's or an admin's act).
    StoreError
        When ``full`` is asked of a file with nothing to keep.
    """
    if full and (report.accepted == 0 or report.lacks):
        raise StoreError(
            f"{report.source}: nothing of it can be kept, so with 'whole directory' every "
            f"service of {source!r} would become inactive; nothing was imported. Fix: "
            "correct the file, or import it without 'whole directory'"
        )
    statuses, terms = source_cells(raw, report, directory)
    return store_directory(
        store_engine(),
        directory,
        report=report,
        source=source,
        full=full,
        statuses=statuses,
        source_terms=terms,
        actor=actor,
    )


def current_source(area: AreaSet, folder: Path | None = None) -> DirectorySource:
    """This session's upload for ``area`` if there is one, else the directory held in the
    database (`directory_source`)."""
    upload = st.session_state.get(StateKeys.UPLOAD)
    if upload is not None:
        return upload
    return directory_source(area, folder)


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
