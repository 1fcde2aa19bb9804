"""Import a services file into a `Directory`, with a report that accounts for every row.

The pipeline, one module per step::

    read_table (read, table, oruk)  ->  column mapping (mapping, fields)  ->  check_table
    (check: cells, locate, area_served, identity)  ->  build_area_served (area_served)
    ->  Directory + ImportReport (import_report)

`load_directory` runs it all from a path or an upload's bytes. The dashboard's mapping
step runs it in two halves: `analysis.ingest.read.read_table` once, and `build_directory`
on the table read, first with the guessed mapping, then with the one the user confirmed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis import settings
from analysis.directory import Directory
from analysis.errors import ColumnMappingError
from analysis.geography import AreaSet, load_area
from analysis.ingest.area_served import build_area_served
from analysis.ingest.cells import UNKNOWN_CAPACITY
from analysis.ingest.check import CheckedTable, check_table
from analysis.ingest.fields import FIELD_NAMES
from analysis.ingest.import_report import WHOLE_ROW, ImportReport, Problem, to_problems
from analysis.ingest.locate import AreaShape, area_shape
from analysis.ingest.mapping import apply_mapping, resolve_mapping
from analysis.ingest.options import DEFAULT_OPTIONS, ImportOptions
from analysis.ingest.read import Source, read_table
from analysis.ingest.table import RawTable
from analysis.model import (
    AREA_KIND,
    CONTACT_FIELDS,
    CONTACT_PUBLIC,
    CRS_COMPUTE,
    ERROR,
    LOCATION,
    LOCATIONS,
    RADIUS_M,
    REASON,
    ROW,
    SERVICE_COLUMNS,
    WARD_CODES,
    WARNING,
)
from analysis.taxonomy import Taxonomy
from analysis.taxonomy_file import load_taxonomy

# Template fields holding contact details, withheld from reports when contact_public is no.
WITHHELD: Final = "(withheld: contact details not public)"


def load_directory(
    source: Source,
    *,
    filename: str | None = None,
    area: AreaSet | None = None,
    taxonomy: Taxonomy | None = None,
    options: ImportOptions = DEFAULT_OPTIONS,
    as_of: date | None = None,
    margin_m: float = settings.GEOCODE_MARGIN_M,
) -> tuple[Directory, ImportReport]:
    """Read, check and geocode a services file into a Directory and its report.

    Parameters
    ----------
    source
        A path (CSV, XLSX, JSON, zip, or a folder of Open Referral UK CSVs) or the bytes
        of an upload.
    filename
        The upload's file name when ``source`` is bytes (its extension helps detection).
    area
        The reference geography; default the bundled Bristol area.
    taxonomy
        The need categories; default ``data/taxonomy.csv``.
    options
        The reader's choices (format, column mapping, sheet) and the file-level defaults.
    as_of
        Date on which services are judged current; default today.
    margin_m
        Points this far outside the area's wards still count as inside, in metres.

    Returns
    -------
    tuple of (Directory, Report)
        The accepted services and their organisations; what happened to every row.

    Raises
    ------
    IngestError
        When the file cannot be read at all, or is larger than `settings.MAX_UPLOAD_BYTES` (the CLI
        exits 2); row problems never raise.
    """
    raw = read_table(source, filename=filename, format=options.format, sheet=options.sheet)
    return build_directory(
        raw, area=area, taxonomy=taxonomy, options=options, as_of=as_of, margin_m=margin_m
    )


def build_directory(
    raw: RawTable,
    *,
    area: AreaSet | None = None,
    taxonomy: Taxonomy | None = None,
    options: ImportOptions = DEFAULT_OPTIONS,
    as_of: date | None = None,
    margin_m: float = settings.GEOCODE_MARGIN_M,
    uncategorised_catchment_km: float = settings.UNCATEGORISED_CATCHMENT_KM,
) -> tuple[Directory, ImportReport]:
    """Check a table already read and build the Directory and its report.

    Parameters are those of `load_directory`; ``uncategorised_catchment_km`` is the
    catchment of an ``at_location`` service with no category.

    Raises
    ------
    ColumnMappingError
        When the columns cannot be mapped, or a mapping is given for a feed.
    """
    mapped = _mapped(raw, options.columns)
    shape = area_shape(load_area() if area is None else area, margin_m=margin_m)
    checked = check_table(
        mapped.table_df,
        taxonomy=load_taxonomy() if taxonomy is None else taxonomy,
        shape=shape,
        raw=raw,
        present_fields=mapped.present,
        as_of=as_of,
        uncategorised_catchment_km=uncategorised_catchment_km,
    )
    private_rows = {
        int(row) for row, public in checked.services[CONTACT_PUBLIC].items() if not public
    }
    contact_columns = _contact_columns(raw, mapped)
    rows = [int(row) for row in mapped.table_df.index]
    problems = _withhold_in_problems(
        to_problems(checked.findings, rows, mapped.labels), private_rows, contact_columns
    )
    rejected_rows = _rejected_rows(
        raw.frame,
        checked.rejected,
        problems,
        private_rows=private_rows,
        contact_columns=contact_columns,
    )
    directory = Directory(
        organisations=checked.organisations, services=_accepted_services(checked, shape)
    )
    return directory, _report(raw, mapped, checked, problems, rejected_rows)


@dataclass(frozen=True)
class _Mapped:
    """A file's table with the template's fields as columns, and how it was mapped."""

    table_df: pd.DataFrame
    labels: dict[str, str]
    present: frozenset[str]
    ignored: tuple[str, ...]
    notes: tuple[str, ...]


def _mapped(raw: RawTable, columns: Mapping[str, str | None] | None) -> _Mapped:
    """The table of template fields: a feed's as read, a spreadsheet's through its mapping."""
    if raw.is_canonical:
        if columns:
            raise ColumnMappingError(
                f"{raw.name} is Open Referral UK, whose fields are fixed by the standard; a "
                "column mapping applies to spreadsheets only. Fix: leave out --columns"
            )
        labels = dict(raw.column_labels)
        return _Mapped(raw.frame, labels, frozenset(FIELD_NAMES), (), raw.notes)
    mapping = resolve_mapping(raw.headers, columns)
    notes = raw.notes
    if mapping.guessed:
        pairs = ", ".join(f"{mapping.fields[name]!r} -> {name}" for name in sorted(mapping.guessed))
        notes += (f"columns matched approximately, check them: {pairs}",)
    return _Mapped(
        apply_mapping(raw.frame, mapping),
        dict(mapping.fields),
        frozenset(mapping.fields),
        mapping.ignored,
        notes,
    )


def _contact_columns(raw: RawTable, mapped: _Mapped) -> set[str]:
    """The columns holding contact details: as problems name them (the file's own
    headers) and, for a feed, as its table of rows read names them (the fields)."""
    named = {mapped.labels.get(name, name) for name in CONTACT_FIELDS if name in mapped.present}
    return named | (set(CONTACT_FIELDS) if raw.is_canonical else set())


def _accepted_services(checked: CheckedTable, shape: AreaShape) -> gpd.GeoDataFrame:
    """The accepted rows' services with their area served and location (EPSG:27700)."""
    accepted_df = checked.services[~checked.rejected]
    points = [
        p for p, rejected in zip(checked.points, checked.rejected, strict=True) if not rejected
    ]
    geometry = build_area_served(
        list(accepted_df[AREA_KIND]),
        points=points,
        radius_m=list(accepted_df[RADIUS_M]),
        ward_codes=list(accepted_df[WARD_CODES]),
        shape=shape,
    )
    firsts = [each[0] if each else (math.nan, math.nan) for each in points]
    xy = np.asarray(firsts, dtype=float).reshape(-1, 2)
    location = gpd.GeoSeries(
        np.where(np.isnan(xy[:, 0]), None, shapely.points(xy)), crs=CRS_COMPUTE
    )
    venues = [shapely.multipoints(each) if len(each) > 1 else None for each in points]
    columns_out = [column for column in SERVICE_COLUMNS if column not in (LOCATION, LOCATIONS)]
    services = gpd.GeoDataFrame(
        accepted_df[columns_out].reset_index(drop=True), geometry=geometry.values, crs=CRS_COMPUTE
    )
    # Several venues: all of them, so that each reaches the people around it.
    every_venue = [
        many if many is not None else one for many, one in zip(venues, location, strict=True)
    ]
    # Placed as SERVICE_COLUMNS lists them, before the area served (the Directory's order).
    services.insert(len(columns_out), LOCATION, gpd.GeoSeries(location.values, crs=CRS_COMPUTE))
    services.insert(len(columns_out) + 1, LOCATIONS, gpd.GeoSeries(every_venue, crs=CRS_COMPUTE))
    return services


def _report(
    raw: RawTable,
    mapped: _Mapped,
    checked: CheckedTable,
    problems: tuple[Problem, ...],
    rejected_rows: pd.DataFrame,
) -> ImportReport:
    """What happened to every row: counts that add up, the problems, the mapping used."""
    accepted_rows = set(checked.services.index[~checked.rejected])
    warned_rows = {p.row for p in problems if p.severity == WARNING}
    unknown = sum(1 for p in problems if p.code in CAPACITY_UNKNOWN and p.row in accepted_rows)
    notes = mapped.notes
    if unknown:
        notes = (
            *notes,
            f"{unknown:,} of {len(accepted_rows):,} accepted services have no capacity given "
            "(unknown): the analysis counts each at its category's median and reports how "
            "much of each figure rests on such estimates",
        )
    return ImportReport(
        source=raw.name,
        format=raw.format,
        rows_read=len(mapped.table_df),
        accepted=len(accepted_rows),
        rejected=int(checked.rejected.sum()),
        warnings=len(warned_rows & accepted_rows),
        problems=problems,
        unmapped_categories=checked.unmapped_categories,
        mapping_used={name: mapped.labels[name] for name in FIELD_NAMES if name in mapped.labels},
        ignored_columns=mapped.ignored,
        blank_rows_skipped=raw.blank_rows,
        notes=notes,
        rejected_rows=rejected_rows,
    )


CAPACITY_UNKNOWN = frozenset({UNKNOWN_CAPACITY, "bad_capacity"})
"""Problem codes of a capacity the analysis must impute."""


def _withhold_in_problems(
    problems: tuple[Problem, ...], private_rows: set[int], contact_columns: set[str]
) -> tuple[Problem, ...]:
    """The problems, a private row's contact values replaced by `WITHHELD`."""
    return tuple(
        replace(problem, value=WITHHELD)
        if problem.row in private_rows and problem.column in contact_columns and problem.value
        else problem
        for problem in problems
    )


def _rejected_rows(
    raw_df: pd.DataFrame,
    rejected,
    problems,
    *,
    private_rows: set[int],
    contact_columns: set[str],
) -> pd.DataFrame:
    """The rejected rows as read, with their row number and the reasons first.

    Contact details of rows whose contact_public is no are withheld: the rejected rows are
    written out and shared, and must not leak what the file marked as not public.
    """
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        if problem.severity == ERROR:
            where = "" if problem.column == WHOLE_ROW else f"{problem.column}: "
            reasons.setdefault(problem.row, []).append(f"{where}{problem.reason}")
    kept = raw_df[rejected].copy()
    private = kept.index.isin(list(private_rows))
    for column in contact_columns & set(kept.columns):
        filled = kept[column].map(lambda value: bool(str(value).strip()))
        kept.loc[private & filled.to_numpy(dtype=bool), column] = WITHHELD
    out = pd.DataFrame(
        {
            ROW: kept.index.astype(int),
            REASON: ["; ".join(reasons.get(int(row), [])) for row in kept.index],
        }
    )
    body = kept.reset_index(drop=True)
    body.columns = [
        f"{column} (file)" if column in (ROW, REASON) else column for column in body.columns
    ]
    return pd.concat([out, body], axis=1)
