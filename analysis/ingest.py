"""Import a services file into a `Directory`, with a report that accounts for every row.

The pipeline, one module per step::

    read_table (readers, oruk)  ->  column mapping (columns)  ->  check_table (validate,
    geocode)  ->  build_area_served (area_served)  ->  Directory + Report (report)

`load_directory` runs it all from a path or an upload's bytes. The dashboard's mapping
step runs it in two halves: `analysis.readers.read_table` and
`analysis.columns.guess_mapping` to pre-fill the mapping, then `build_directory` with the
mapping the user confirmed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.area_served import build_area_served
from analysis.columns import FIELD_NAMES, apply_mapping, resolve_mapping
from analysis.directory import (
    AREA_KIND,
    LOCATION,
    RADIUS_M,
    SERVICE_COLUMNS,
    WARD_CODES,
    Directory,
)
from analysis.errors import ColumnMappingError
from analysis.geocode import DEFAULT_MARGIN_M, area_shape
from analysis.geography import AreaSet, load_area
from analysis.model import CRS_COMPUTE
from analysis.readers import FormatChoice, RawTable, Source, read_table
from analysis.report import REASON_COLUMN, ROW_COLUMN, Report
from analysis.taxonomy import Taxonomy, load_taxonomy
from analysis.validate import UNCATEGORISED_CATCHMENT_KM, WHOLE_ROW, check_table, to_problems


def load_directory(
    source: Source,
    *,
    filename: str | None = None,
    area: AreaSet | None = None,
    taxonomy: Taxonomy | None = None,
    format: FormatChoice = "auto",
    columns: Mapping[str, str | None] | None = None,
    sheet: str | None = None,
    as_of: date | None = None,
    margin_m: float = DEFAULT_MARGIN_M,
) -> tuple[Directory, Report]:
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
    format
        ``"auto"``, ``"template"`` or ``"oruk"`` (see `analysis.readers.read_table`).
    columns
        Column mapping ``{field: column or None}`` overriding the guesses (spreadsheets).
    sheet
        XLSX sheet to read; default the first.
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
        When the file cannot be read at all (the CLI exits 2); row problems never raise.
    """
    raw = read_table(source, filename=filename, format=format, sheet=sheet)
    return build_directory(
        raw, area=area, taxonomy=taxonomy, columns=columns, as_of=as_of, margin_m=margin_m
    )


def build_directory(
    raw: RawTable,
    *,
    area: AreaSet | None = None,
    taxonomy: Taxonomy | None = None,
    columns: Mapping[str, str | None] | None = None,
    as_of: date | None = None,
    margin_m: float = DEFAULT_MARGIN_M,
    uncategorised_catchment_km: float = UNCATEGORISED_CATCHMENT_KM,
) -> tuple[Directory, Report]:
    """Check a table already read and build the Directory and its report.

    Parameters are those of `load_directory`; ``uncategorised_catchment_km`` is the
    catchment of an ``at_location`` service with no category.

    Raises
    ------
    ColumnMappingError
        When the columns cannot be mapped, or a mapping is given for a feed.
    """
    area = load_area() if area is None else area
    taxonomy = load_taxonomy() if taxonomy is None else taxonomy
    notes = list(raw.notes)
    if raw.is_canonical:
        if columns:
            raise ColumnMappingError(
                f"{raw.name} is Open Referral UK, whose fields are fixed by the standard; a "
                "column mapping applies to spreadsheets only. Fix: leave out --columns"
            )
        table_df = raw.frame
        labels = dict(raw.column_labels)
        present = frozenset(FIELD_NAMES)
        mapping_used = {name: labels[name] for name in FIELD_NAMES if name in labels}
        ignored: tuple[str, ...] = ()
    else:
        mapping = resolve_mapping(raw.headers, columns)
        table_df = apply_mapping(raw.frame, mapping)
        labels = dict(mapping.fields)
        present = frozenset(mapping.fields)
        mapping_used = dict(mapping.fields)
        ignored = mapping.ignored
        if mapping.guessed:
            pairs = ", ".join(
                f"{mapping.fields[name]!r} -> {name}" for name in sorted(mapping.guessed)
            )
            notes.append(f"columns matched approximately, check them: {pairs}")

    shape = area_shape(area, margin_m=margin_m)
    checked = check_table(
        table_df,
        taxonomy=taxonomy,
        shape=shape,
        present_fields=present,
        is_feed=raw.is_canonical,
        raw_df=raw.frame,
        extra_values=raw.extra_values,
        lone_organisations=raw.organisations,
        as_of=as_of,
        uncategorised_catchment_km=uncategorised_catchment_km,
    )
    rows = [int(row) for row in table_df.index]
    problems = to_problems(checked.findings, rows, labels)

    accepted_df = checked.services[~checked.rejected]
    geometry = build_area_served(
        list(accepted_df[AREA_KIND]),
        points=list(accepted_df["points"]),
        radius_m=list(accepted_df[RADIUS_M]),
        ward_codes=list(accepted_df[WARD_CODES]),
        shape=shape,
    )
    firsts = [points[0] if points else (math.nan, math.nan) for points in accepted_df["points"]]
    xy = np.asarray(firsts, dtype=float).reshape(-1, 2)
    location = gpd.GeoSeries(
        np.where(np.isnan(xy[:, 0]), None, shapely.points(xy)), crs=CRS_COMPUTE
    )
    columns_out = [column for column in SERVICE_COLUMNS if column != LOCATION]
    services = gpd.GeoDataFrame(
        accepted_df[columns_out].reset_index(drop=True),
        geometry=geometry.values,
        crs=CRS_COMPUTE,
    )
    services.insert(len(columns_out), LOCATION, location.values)
    services[LOCATION] = gpd.GeoSeries(services[LOCATION], crs=CRS_COMPUTE)
    directory = Directory(organisations=checked.organisations, services=services)

    rejected_rows = _rejected_rows(raw.frame, checked.rejected, problems)
    warned_rows = {p.row for p in problems if p.severity == "warning"}
    accepted_rows = set(accepted_df.index)
    report = Report(
        source=raw.name,
        format=raw.format,
        rows_read=len(table_df),
        accepted=len(accepted_df),
        rejected=int(checked.rejected.sum()),
        warnings=len(warned_rows & accepted_rows),
        problems=problems,
        unmapped_categories=checked.unmapped_categories,
        mapping_used=mapping_used,
        ignored_columns=ignored,
        blank_rows_skipped=raw.blank_rows,
        notes=tuple(notes),
        rejected_rows=rejected_rows,
    )
    return directory, report


def _rejected_rows(raw_df: pd.DataFrame, rejected, problems) -> pd.DataFrame:
    """The rejected rows as read, with their row number and the reasons first."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        if problem.severity == "error":
            where = "" if problem.column == WHOLE_ROW else f"{problem.column}: "
            reasons.setdefault(problem.row, []).append(f"{where}{problem.reason}")
    kept = raw_df[rejected].copy()
    out = pd.DataFrame(
        {
            ROW_COLUMN: kept.index.astype(int),
            REASON_COLUMN: ["; ".join(reasons.get(int(row), [])) for row in kept.index],
        }
    )
    body = kept.reset_index(drop=True)
    body.columns = [
        f"{column} (file)" if column in (ROW_COLUMN, REASON_COLUMN) else column
        for column in body.columns
    ]
    return pd.concat([out, body], axis=1)
