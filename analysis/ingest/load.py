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
import re
from collections import Counter
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
from analysis.errors import ColumnMappingError, IngestError
from analysis.geography import AreaSet, load_area
from analysis.ingest.area_served import build_area_served
from analysis.ingest.cells import UNKNOWN_CAPACITY, cell_text
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
    CATEGORIES,
    CRS_COMPUTE,
    DELIVERY,
    ERROR,
    FIELD_ORG_KIND,
    LIST_SEPARATOR,
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

DEFAULT_LABEL: Final = "(default for every row of the file)"
"""What the mapping shows as the column of a field filled by a file-level default."""
_CONTACT_WORDS: Final = re.compile(
    r"phone|mobile|tel\b|telephone|e-?mail|contact|whatsapp", re.IGNORECASE
)
"""Words of a header that holds contact details."""
PLACE_CODES: Final = {
    "outside_area": "placed outside the area",
    "postcode_not_found": "with a postcode not in the area",
    "bad_postcode": "with a postcode that is not one",
    "no_location": "with no location",
}
"""Problem codes saying why a row has no place in the area, in words."""


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
    taxonomy = load_taxonomy() if taxonomy is None else taxonomy
    _check_defaults(options, taxonomy)
    mapped = _with_defaults(_mapped(raw, options.columns), options, raw=raw)
    shape = area_shape(load_area() if area is None else area, margin_m=margin_m)
    checked = check_table(
        mapped.table_df,
        taxonomy=taxonomy,
        shape=shape,
        raw=raw,
        present_fields=mapped.present,
        as_of=as_of,
        uncategorised_catchment_km=uncategorised_catchment_km,
        accept_suggestions=options.accept_suggestions,
        category_choices=options.category_choices,
    )
    rows = [int(row) for row in mapped.table_df.index]
    # The report is the uploader's own: it shows their values, contacts too, so that they
    # can fix each row. Public views and exports read the Directory, which never holds
    # an unmapped column and withholds contacts not marked public.
    problems = to_problems(checked.findings, rows, mapped.labels)
    rejected_rows = _rejected_rows(raw.frame, checked.rejected, problems)
    directory = Directory(
        organisations=checked.organisations, services=_accepted_services(checked, shape)
    )
    report = _report(raw, mapped, checked, problems, rejected_rows)
    lacks = file_lacks(report, directory, raw=raw, area_name=shape.name)
    return directory, replace(report, lacks=lacks)


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
    contacts = [column for column in mapping.ignored if _CONTACT_WORDS.search(column)]
    if contacts:
        notes += (
            f"{', '.join(map(repr, contacts))}: what looks like contact details, not read as "
            "no field takes it: it stays in your file and reaches no map, table or export. "
            "Fix: map it to email or phone if it is the service's public contact",
        )
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


def _check_defaults(options: ImportOptions, taxonomy: Taxonomy) -> None:
    """Refuse a file-level default category that is not a need category."""
    unknown = [c for c in options.default_categories if c not in taxonomy.ids()]
    if unknown:
        raise IngestError(
            f"the default category {unknown[0]!r} given for every row of the file is not a "
            f"need category. Fix: use one or more of these ids: {', '.join(taxonomy.ids())}"
        )


def _with_defaults(mapped: _Mapped, options: ImportOptions, *, raw: RawTable) -> _Mapped:
    """The table with each file-level default in the empty cells of its field.

    A list of food banks has no category column: "every row of this file is: food" gives
    each row without categories of its own that category, and says so in the notes.
    """
    defaults: dict[str, tuple[str, ...]] = {
        CATEGORIES: options.default_categories,
        FIELD_ORG_KIND: (options.default_kind,) if options.default_kind else (),
        DELIVERY: tuple(options.default_delivery),
    }
    table_df = mapped.table_df.copy()
    present, labels, notes = set(mapped.present), dict(mapped.labels), list(mapped.notes)
    for name, values in defaults.items():
        if not values:
            continue
        fill: str | tuple[str, ...] = (
            values if raw.is_canonical and name != FIELD_ORG_KIND else LIST_SEPARATOR.join(values)
        )
        column = table_df[name].tolist() if name in table_df else [""] * len(table_df)
        empty = [not cell_text(cell).strip() for cell in column]
        table_df[name] = [
            fill if blank else cell for cell, blank in zip(column, empty, strict=True)
        ]
        labels.setdefault(name, DEFAULT_LABEL)
        present.add(name)
        notes.append(
            f"{sum(empty):,} of {len(table_df):,} rows have no {name} of their own and take "
            f"the default given for this file: {LIST_SEPARATOR.join(values)}"
        )
    return replace(
        mapped, table_df=table_df, labels=labels, present=frozenset(present), notes=tuple(notes)
    )


def file_lacks(
    report: ImportReport, directory: Directory, *, raw: RawTable, area_name: str
) -> tuple[str, ...]:
    """What the file as a whole lacks for an analysis: services in the area, categories.

    An analysis of such a file would be a table of gaps that says nothing about the file,
    so `validate` puts these first and the analysis commands refuse it.
    """
    services = directory.services
    reaching = ~(services.geometry.isna() | services.geometry.is_empty)
    if not reaching.any():
        return (_no_services(report, raw=raw, area_name=area_name),)
    if not any(len(ids) for ids in services[CATEGORIES]):
        pending = len(report.categories.pending)
        suggested = (
            f"take the categories suggested for {pending:,} of them from their names "
            "(--accept-suggestions; in the dashboard: the review table), "
            if pending
            else ""
        )
        return (
            f"no accepted row has a need category ({report.accepted:,} services, all "
            "uncategorised), so every ward would show help as missing. Fix: "
            f"{suggested}map the column that says what each service does to categories "
            "(--columns), or say what every row of this file is (--default-category ID, "
            "e.g. --default-category food; in the dashboard: 'every row of this file is')",
        )
    return ()


def _no_services(report: ImportReport, *, raw: RawTable, area_name: str) -> str:
    """Why no service of the file is in the area, in one sentence with the fix."""
    organisations = 0 if raw.organisations is None else len(raw.organisations)
    if report.rows_read == 0:
        listed = (
            f"lists {organisations:,} organisations but no services"
            if organisations
            else ("holds no services")
        )
        return (
            f"the file {listed}, so it adds no service in {area_name}. Fix: load the file "
            "(or feed) that holds the services these organisations run"
        )
    first_reason: dict[int, str] = {}
    for problem in report.problems:
        if problem.code in PLACE_CODES:
            first_reason.setdefault(problem.row, problem.code)
    placed = Counter(first_reason.values())
    why = ", ".join(f"{count:,} {PLACE_CODES[code]}" for code, count in placed.most_common())
    return (
        f"none of the {report.rows_read:,} rows gives a service in {area_name} (a place in it "
        f"or an area served in it){f': {why}' if why else ''}, so the file adds no service "
        f"here. Fix: load the area this file covers (--area), or correct the locations"
    )


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
        categories=checked.categories,
    )


CAPACITY_UNKNOWN = frozenset({UNKNOWN_CAPACITY, "bad_capacity"})
"""Problem codes of a capacity the analysis must impute."""


def _rejected_rows(
    raw_df: pd.DataFrame, rejected: np.ndarray, problems: tuple[Problem, ...]
) -> pd.DataFrame:
    """The rejected rows as read, with their row number and the reasons first."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        if problem.severity == ERROR:
            where = "" if problem.column == WHOLE_ROW else f"{problem.column}: "
            reasons.setdefault(problem.row, []).append(f"{where}{problem.reason}")
    kept = raw_df[rejected].copy()
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
