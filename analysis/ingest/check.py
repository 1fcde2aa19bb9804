"""Check every row of a services table and collect every problem before deciding anything.

`check_table` runs the checks in one direction, each one recording what it finds in one
`Findings` collector and deciding nothing: the basic checks of the table (values beyond
the header, exact repeats), then the rules of each column (`analysis.ingest.cells`), the
location of each service (`analysis.ingest.locate`) and its area served
(`analysis.ingest.area_served`); then which rows are rejected, the ids and organisations
(`analysis.ingest.identity`), and the join of it all into the checked table.

A row is **rejected** only when it cannot become a service (no name at all, an area served
that cannot be built, an exact repeat, values beyond the header); anything else is a
**warning** kept with the accepted row. Nothing is dropped unreported.

Problem kinds (``code``: severity) — the messages are with the rules that find them:

errors
    ``no_name``, ``duplicate_row``, ``extra_fields``, ``unknown_area_kind``,
    ``bad_radius``, ``no_ward_matched``, ``no_location``; and a location problem
    (``bad_postcode``, ``postcode_not_found``, ``bad_coordinates``) when the area served
    needs a point and no other location is usable.
warnings
    ``org_name_from_service``, ``service_name_from_org``, ``uncategorised``,
    ``unmapped_category``, ``unknown_delivery``, ``unknown_kind``, ``bad_charity_number``,
    ``bad_email``, ``bad_website``, ``bad_phone``, ``phone_lost_zero``,
    ``bad_contact_public``, ``bad_capacity``, ``bad_date``, ``dates_reversed``, ``ended``,
    ``inactive``, ``bad_postcode``, ``postcode_not_found``, ``bad_coordinates``,
    ``swapped_lat_lon``, ``lon_sign``, ``pair_order``, ``approximate_location``,
    ``near_boundary``, ``outside_area``, ``remote_outside_area``, ``location_mismatch``,
    ``no_location``, ``area_not_understood``, ``unmatched_wards``, ``area_value_ignored``,
    ``duplicate_id``, ``conflicting_org``, ``probable_duplicate_org``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any, Final, TypeVar

import numpy as np
import pandas as pd

from analysis import settings
from analysis.ingest import identity
from analysis.ingest.area_served import AreaChoice, catchment_m, remote_elsewhere, resolve_area
from analysis.ingest.category_report import CategoryShares
from analysis.ingest.cells import (
    Cell,
    Cells,
    Issues,
    Place,
    default_kind,
    judge_charity_number,
    judge_email,
    judge_period,
    judge_phone,
    judge_status,
    judge_website,
    read_capacity,
    read_contact_public,
    read_date,
    read_delivery,
    read_kind,
    table_cells,
)
from analysis.ingest.fields import FIELD_NAMES
from analysis.ingest.import_report import Finding, Findings
from analysis.ingest.locate import AreaShape, RowsLocated, locate_rows
from analysis.ingest.place_ward import check_place_wards
from analysis.ingest.suggest import categorise_rows, category_shares
from analysis.ingest.table import RawTable
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_KIND,
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    CSV_FORMAT,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    ERROR,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_OTHER_LOCATIONS,
    FIELD_PLACE_WARD,
    FIELD_SERVICE_DESCRIPTION,
    FIELD_SERVICE_EMAIL,
    FIELD_SERVICE_PHONE,
    FIELD_SERVICE_WEBSITE,
    FIELD_STATUS,
    FLAGS,
    LAST_UPDATED,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_M,
    ROW,
    SERVICE_ID,
    SERVICE_NAME,
    SOURCE_ROW,
    WARD_CODES,
    WARNING,
    WEBSITE,
)
from analysis.taxonomy import Taxonomy

T = TypeVar("T")

_JUDGES: Final[dict[str, Callable[[str], Issues]]] = {
    EMAIL: judge_email,
    FIELD_SERVICE_EMAIL: judge_email,
    WEBSITE: judge_website,
    FIELD_SERVICE_WEBSITE: judge_website,
    PHONE: judge_phone,
    FIELD_SERVICE_PHONE: judge_phone,
    CHARITY_NUMBER: judge_charity_number,
    FIELD_STATUS: judge_status,
}
_DATE_FIELDS: Final = (ACTIVE_FROM, ACTIVE_UNTIL, LAST_UPDATED)
_DETAIL_FLAGS: Final = (EMAIL_PUBLIC, PHONE_PUBLIC)
"""Flags of one contact detail each; blank or unclear, the row's contact_public."""
# Per row, findings are listed errors first, then in the file's field order.
_FIELD_ORDER: Final = {name: i for i, name in enumerate(("", *FIELD_NAMES, FIELD_OTHER_LOCATIONS))}
# Codes that are the effect of another finding beside them, listed after it.
_EFFECTS: Final = frozenset({"no_location"})


@dataclass(frozen=True)
class CheckedTable:
    """Every row checked: parsed values, which rows are rejected, and what was found.

    Attributes
    ----------
    services
        One row per input row (index = row number), the Directory's service columns
        without the geometry.
    points
        Per row, its usable points (easting, northing) in EPSG:27700, the first being the
        service's location.
    organisations
        One row per organisation of the accepted rows (and of lone feed organisations),
        the Directory's organisation columns.
    rejected
        True for rejected rows, aligned with ``services``.
    findings
        Every problem, ``position`` = row position in ``services``.
    unmapped_categories
        Category term -> number of rows that used it, most used first.
    categories
        How the accepted rows got their categories (own terms, suggestion, choice, none).
    """

    services: pd.DataFrame
    points: tuple[tuple[tuple[float, float], ...], ...]
    organisations: pd.DataFrame
    rejected: np.ndarray
    findings: tuple[Finding, ...]
    unmapped_categories: dict[str, int]
    categories: CategoryShares = CategoryShares()


def check_table(
    table_df: pd.DataFrame,
    *,
    taxonomy: Taxonomy,
    shape: AreaShape,
    raw: RawTable | None = None,
    present_fields: frozenset[str] | None = None,
    as_of: date | None = None,
    uncategorised_catchment_km: float = settings.UNCATEGORISED_CATCHMENT_KM,
    accept_suggestions: bool = False,
    category_choices: Mapping[int, Sequence[str]] | None = None,
) -> CheckedTable:
    """Check every row and decide which are accepted.

    Parameters
    ----------
    table_df
        One column per template field (`analysis.ingest.fields.FIELD_NAMES`, and
        ``other_locations`` for feeds), index = row numbers.
    taxonomy, shape
        The need categories, and the area (`analysis.ingest.locate.area_shape`).
    raw
        The file as read, when ``table_df`` comes from one: its rows as read (for exact
        repeats), its values beyond the header and, for a feed, its organisations without
        services. A feed's blank contact_public is public (a feed is published), and its
        unmapped terms are issues only of services none of whose terms maps.
    present_fields
        Fields the file has a column for (default: all).
    as_of
        The date services are judged current on (``ended``); default today.
    uncategorised_catchment_km
        Catchment of an ``at_location`` service with no category, km.
    accept_suggestions, category_choices
        A row whose own terms name no category takes the categories its name and
        description suggest; a row in ``category_choices`` (row number -> ids) takes the
        ones a person chose (`analysis.ingest.suggest.categorise_rows`).
    """
    raw = raw or RawTable(table_df, format=CSV_FORMAT, name="table")
    cells = table_cells(table_df)
    rows = [int(row) for row in table_df.index]
    findings = Findings()
    repeats = _basic_checks(raw, rows, findings)
    present = frozenset(FIELD_NAMES) if present_fields is None else present_fields
    values = _column_rules(
        cells,
        taxonomy=taxonomy,
        is_feed=raw.is_canonical,
        has_service_column=SERVICE_NAME in present,
        today=as_of or date.today(),
        findings=findings,
    )
    categorised = categorise_rows(
        cells,
        rows,
        taxonomy=taxonomy,
        is_feed=raw.is_canonical,
        accept_suggestions=accept_suggestions,
        category_choices=category_choices,
    )
    for position, found in enumerate(categorised):
        findings.add_issues(found.issues, position=position, field=CATEGORIES)
    values[CATEGORIES] = [(found.ids, found.read.unmapped) for found in categorised]
    located = locate_rows(
        list(map(Place, cells[POSTCODE], cells[FIELD_LATITUDE], cells[FIELD_LONGITUDE])),
        cells[FIELD_OTHER_LOCATIONS],
        shape=shape,
    )
    areas = _areas(cells, values[DELIVERY], located, shape=shape, findings=findings)
    check_place_wards(cells[FIELD_PLACE_WARD], located.points, shape=shape, findings=findings)
    rejected = _rejected(findings, repeats, rows)
    catchments = [
        catchment_m(
            area, ids, taxonomy=taxonomy, uncategorised_catchment_km=uncategorised_catchment_km
        )
        for area, (ids, _) in zip(areas, values[CATEGORIES], strict=True)
    ]
    ids = _identities(cells, values, located, rejected, rows, raw.organisations, findings)
    checked = _join(cells, values, located, areas, catchments, ids, rejected, rows, findings)
    shares = category_shares(
        categorised, rows=rows, names=values[SERVICE_NAME], rejected=list(rejected)
    )
    return replace(checked, categories=shares)


def _basic_checks(raw: RawTable, rows: Sequence[int], findings: Findings) -> dict[int, int]:
    """Rows with values beyond the header (recorded), and the exact repeats (returned)."""
    for position, row in enumerate(rows):
        if row in raw.extra_values:
            findings.add(
                position=position,
                field="",
                code="extra_fields",
                reason=f"the row has {raw.extra_values[row]} value(s) beyond the last column, "
                "so its values may have shifted",
                fix="put values that contain the delimiter in double quotes, or delete the "
                "stray values",
                severity=ERROR,
            )
    return identity.duplicate_rows(raw.frame)


def _column_rules(
    cells: Cells,
    *,
    taxonomy: Taxonomy,
    is_feed: bool,
    has_service_column: bool,
    today: date,
    findings: Findings,
) -> dict[str, list[Any]]:
    """Each field's values, read by its rule (`analysis.ingest.cells`); issues recorded."""
    readers: dict[str, Callable[[Any], tuple[Any, Issues]]] = {
        DELIVERY: read_delivery,
        FIELD_ORG_KIND: read_kind,
        CONTACT_PUBLIC: partial(read_contact_public, default=is_feed),
        CAPACITY: read_capacity,
        **dict.fromkeys(_DATE_FIELDS, read_date),
    }
    values = {field: _read(findings, field, cells, read) for field, read in readers.items()}
    for field in _DETAIL_FLAGS:
        values[field] = _read_detail_flag(findings, field, cells, values[CONTACT_PUBLIC])
    for field, judge in _JUDGES.items():
        _read(findings, field, cells, lambda cell, judge=judge: (None, judge(cell)))
    for position, charity in enumerate(cells[CHARITY_NUMBER]):
        values[FIELD_ORG_KIND][position] = values[FIELD_ORG_KIND][position] or default_kind(
            has_charity_number=bool(charity)
        )
    for position, (start, end) in enumerate(
        zip(values[ACTIVE_FROM], values[ACTIVE_UNTIL], strict=True)
    ):
        issues = judge_period(
            start,
            end,
            start_text=str(cells[ACTIVE_FROM][position]),
            end_text=str(cells[ACTIVE_UNTIL][position]),
            today=today,
        )
        findings.add_issues(issues, position=position, field=ACTIVE_UNTIL)
    values[ORG_NAME], values[SERVICE_NAME] = _names(cells, has_service_column, findings)
    return values


def _read(
    findings: Findings, field: str, cells: Cells, read: Callable[[Any], tuple[T, Issues]]
) -> list[T]:
    """Each cell of ``field`` read, its issues recorded; each distinct cell is read once."""
    verdicts: dict[Cell, tuple[T, Issues]] = {}
    values: list[T] = []
    for position, cell in enumerate(cells[field]):
        if cell not in verdicts:
            verdicts[cell] = read(cell)
        value, issues = verdicts[cell]
        if issues:
            findings.add_issues(issues, position=position, field=field)
        values.append(value)
    return values


def _read_detail_flag(
    findings: Findings, field: str, cells: Cells, defaults: Sequence[bool]
) -> list[bool]:
    """Each row's flag of one contact detail, its row's contact_public when blank or unclear."""
    values = []
    for position, (cell, default) in enumerate(zip(cells[field], defaults, strict=True)):
        value, issues = read_contact_public(cell, default=default)
        findings.add_issues(issues, position=position, field=field)
        values.append(value)
    return values


def _names(
    cells: Cells, has_service_column: bool, findings: Findings
) -> tuple[list[str], list[str]]:
    """Organisation and service names of every row, each filled from the other."""
    org_names, service_names = [], []
    for position, (org, service) in enumerate(
        zip(cells[ORG_NAME], cells[SERVICE_NAME], strict=True)
    ):
        org, service, issues = identity.fill_name(
            str(org), str(service), has_service_column=has_service_column
        )
        findings.add_issues(issues, position=position, field=ORG_NAME)
        org_names.append(org)
        service_names.append(service)
    return org_names, service_names


def _areas(
    cells: Cells,
    deliveries: Sequence[tuple[str, ...]],
    located: RowsLocated,
    *,
    shape: AreaShape,
    findings: Findings,
) -> list[AreaChoice]:
    """Each row's area served; its location problems become errors when it needs a point."""
    areas = []
    # Rows of a file mostly repeat a few areas: each distinct one is resolved once.
    resolved: dict[tuple[Cell, Cell, tuple[str, ...], bool, bool], AreaChoice] = {}
    for position, delivery in enumerate(deliveries):
        problems = located.findings.get(position, [])
        has_point = bool(located.points[position])
        asked = (
            cells[FIELD_AREA_SERVED][position],
            cells[AREA_VALUE][position],
            delivery,
            has_point,
            bool(problems),
        )
        if asked not in resolved:
            kind_text, value, _, _, has_problem = asked
            resolved[asked] = resolve_area(
                str(kind_text),
                value,
                delivery=delivery,
                has_point=has_point,
                has_location_problem=has_problem,
                shape=shape,
            )
        area = resolved[asked]
        if area.issues:
            findings.add_issues(area.issues, position=position, field=AREA_VALUE)
        problems = remote_elsewhere(problems, delivery=delivery, kind=area.kind, shape=shape)
        unusable = area.needs_point and not has_point and area.kind is not None
        findings.extend(replace(f, severity=ERROR) if unusable else f for f in problems)
        areas.append(area)
    return areas


def _rejected(findings: Findings, repeats: Mapping[int, int], rows: Sequence[int]) -> np.ndarray:
    """Rows with an error; an exact repeat is reported once, as a repeat, whatever else."""
    rejected = findings.rejected(len(rows))
    findings.drop_records(repeats)
    for position, first in repeats.items():
        rejected[position] = True
        findings.add(
            position=position,
            field="",
            code="duplicate_row",
            reason=f"the row repeats row {rows[first]} exactly",
            fix="delete one of the two",
            severity=ERROR,
        )
    return rejected


def _identities(
    cells: Cells,
    values: Mapping[str, list[Any]],
    located: RowsLocated,
    rejected: np.ndarray,
    rows: Sequence[int],
    lone_organisations: pd.DataFrame | None,
    findings: Findings,
) -> tuple[list[str], list[str], pd.DataFrame]:
    """Organisation and service ids of every row, and the organisations of the accepted."""
    org_names = values[ORG_NAME]
    org_ids = identity.assign_org_ids(cells[ORG_ID], org_names, rejected=rejected)
    service_ids, renamed = identity.assign_service_ids(
        cells[SERVICE_ID],
        org_ids=org_ids,
        org_names=org_names,
        service_names=values[SERVICE_NAME],
        rejected=rejected,
        rows=rows,
    )
    own = {ORG_ID: org_ids, ORG_NAME: org_names, ORG_KIND: values[FIELD_ORG_KIND]}
    given = {name: cells[name] for name in (CHARITY_NUMBER, WEBSITE, EMAIL, PHONE)}
    given[DESCRIPTION] = cells[FIELD_ORG_DESCRIPTION]
    parsed = {
        name: values[name] for name in (LAST_UPDATED, CONTACT_PUBLIC, EMAIL_PUBLIC, PHONE_PUBLIC)
    }
    columns = {**own, **given, **parsed}
    org_rows = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    organisations, clashes = identity.organisations(
        org_rows,
        postcodes=located.postcodes,
        rejected=rejected,
        rows=rows,
        lone_df=lone_organisations,
    )
    findings.extend((*renamed, *clashes))
    return org_ids, service_ids, organisations


def _join(
    cells: Cells,
    values: Mapping[str, list[Any]],
    located: RowsLocated,
    areas: Sequence[AreaChoice],
    catchments: Sequence[float],
    ids: tuple[list[str], list[str], pd.DataFrame],
    rejected: np.ndarray,
    rows: Sequence[int],
    findings: Findings,
) -> CheckedTable:
    """The checked table: the Directory's service columns, in order, and what was found."""
    org_ids, service_ids, organisations = ids
    found = tuple(
        sorted(
            findings,
            key=lambda f: (
                f.position,
                f.severity != ERROR,
                _FIELD_ORDER.get(f.field, len(_FIELD_ORDER)),
                f.code in _EFFECTS,
            ),
        )
    )
    services = pd.DataFrame(
        {
            SERVICE_ID: service_ids,
            ORG_ID: org_ids,
            SERVICE_NAME: values[SERVICE_NAME],
            DESCRIPTION: cells[FIELD_SERVICE_DESCRIPTION],
            CATEGORIES: [category_ids for category_ids, _ in values[CATEGORIES]],
            DELIVERY: values[DELIVERY],
            POSTCODE: located.postcodes,
            AREA_KIND: [area.kind for area in areas],
            AREA_VALUE: [_joined(cell) for cell in cells[AREA_VALUE]],
            RADIUS_M: catchments,
            WARD_CODES: [area.ward_codes for area in areas],
            CAPACITY: values[CAPACITY],
            AUDIENCE: cells[AUDIENCE],
            **{name: _timestamps(values[name]) for name in _DATE_FIELDS},
            **{name: values[name] for name in (CONTACT_PUBLIC, *_DETAIL_FLAGS)},
            **_contacts(cells),
            FLAGS: _flags(found, len(rows)),
            SOURCE_ROW: rows,
        },
        index=pd.Index(rows, name=ROW),
    )
    unmapped = Counter(term for _, terms in values[CATEGORIES] for term in terms)
    return CheckedTable(
        services=services,
        points=tuple(located.points),
        organisations=organisations,
        rejected=rejected,
        findings=found,
        unmapped_categories=dict(unmapped.most_common()),
    )


def _contacts(cells: Cells) -> dict[str, list[Cell]]:
    """A service's email, phone and website: its own, else its organisation's."""
    pairs = {
        EMAIL: FIELD_SERVICE_EMAIL,
        PHONE: FIELD_SERVICE_PHONE,
        WEBSITE: FIELD_SERVICE_WEBSITE,
    }
    return {
        org_field: [own or org for own, org in zip(cells[field], cells[org_field], strict=True)]
        for org_field, field in pairs.items()
    }


def _flags(findings: Sequence[Finding], count: int) -> list[tuple[str, ...]]:
    """Per row, the codes of its warnings, once each, in the order listed."""
    flags: list[tuple[str, ...]] = [() for _ in range(count)]
    for finding in findings:
        if finding.severity == WARNING and finding.code not in flags[finding.position]:
            flags[finding.position] += (finding.code,)
    return flags


def _joined(cell: Cell) -> str:
    """A feed's listed values as the text a spreadsheet cell would hold."""
    return "; ".join(map(str, cell)) if isinstance(cell, tuple) else str(cell)


def _timestamps(values: Sequence[pd.Timestamp | None]) -> np.ndarray:
    return pd.to_datetime(pd.Series(list(values), dtype=object)).to_numpy()
