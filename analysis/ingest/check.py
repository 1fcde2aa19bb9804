"""Check every row of a services table and collect every problem before deciding anything.

Input is a table with the template's fields as columns (see `analysis.ingest.mapping`), text
cells, indexed by row number. :func:`check_table` parses each field, places each service
(`analysis.ingest.locate`), decides its area served, gives organisations and services their ids,
and flags duplicates. A row is **rejected** only when it cannot become a service (no name
at all, an area served that cannot be built, an exact repeat, values beyond the header);
anything else is a **warning** kept with the accepted row. Nothing is dropped unreported.

Problem kinds (``code``: severity) — the messages are in the functions below:

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
    ``swapped_lat_lon``, ``lon_sign``, ``outside_area``, ``location_mismatch``,
    ``no_location``, ``area_not_understood``, ``unmatched_wards``, ``area_value_ignored``,
    ``duplicate_id``, ``conflicting_org``, ``probable_duplicate_org``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Final, Protocol, TypeVar

import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import PostcodeFormatError
from analysis.geography import normalise_postcode
from analysis.ingest import identity
from analysis.ingest.area_served import catchment_m, resolve_area
from analysis.ingest.cells import (
    Cell,
    Issues,
    default_kind,
    judge_charity_number,
    judge_email,
    judge_period,
    judge_phone,
    judge_status,
    judge_website,
    read_capacity,
    read_categories,
    read_contact_public,
    read_date,
    read_delivery,
    read_kind,
)
from analysis.ingest.fields import FIELD_NAMES
from analysis.ingest.identity import (
    assign_org_ids,
    assign_service_ids,
    duplicate_rows,
    fill_name,
)
from analysis.ingest.import_report import Finding, Findings, Problem
from analysis.ingest.locate import AreaShape, locate
from analysis.ingest.oruk import OTHER_LOCATIONS
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
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    ERROR,
    FIELD_AREA_SERVED,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
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
    POSTCODE,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    SOURCE_ROW,
    WARD_CODES,
    WEBSITE,
    Severity,
)
from analysis.taxonomy import Taxonomy

T = TypeVar("T")

WHOLE_ROW: Final = "(whole row)"

Text = Mapping[str, list[str]]
"""Field -> the stripped text of every row."""


class AddFinding(Protocol):
    """Records one finding (see `analysis.ingest.import_report.Finding`)."""

    def __call__(
        self,
        position: int,
        field: str,
        code: str,
        value: str,
        reason: str,
        fix: str,
        severity: Severity = "warning",
        /,
    ) -> None: ...


@dataclass(frozen=True)
class CheckedTable:
    """Every row checked: parsed values, which rows are rejected, and what was found.

    Attributes
    ----------
    services
        One row per input row (index = row number), service columns of the Directory
        (without geometry) plus ``points``: the row's usable points (easting, northing)
        in EPSG:27700, the first being the service's location.
    organisations
        One row per organisation of the accepted rows (and of lone feed organisations),
        the Directory's organisation columns.
    rejected
        True for rejected rows, aligned with ``services``.
    findings
        Every problem, ``position`` = row position in ``services``.
    unmapped_categories
        Category term -> number of rows that used it, most used first.
    """

    services: pd.DataFrame
    organisations: pd.DataFrame
    rejected: np.ndarray
    findings: tuple[Finding, ...]
    unmapped_categories: dict[str, int]


def check_table(
    table_df: pd.DataFrame,
    *,
    taxonomy: Taxonomy,
    shape: AreaShape,
    present_fields: frozenset[str] | None = None,
    is_feed: bool = False,
    raw_df: pd.DataFrame | None = None,
    extra_values: Mapping[int, int] | None = None,
    lone_organisations: pd.DataFrame | None = None,
    as_of: date | None = None,
    uncategorised_catchment_km: float = settings.UNCATEGORISED_CATCHMENT_KM,
) -> CheckedTable:
    """Check every row and decide which are accepted.

    Parameters
    ----------
    table_df
        Text cells, one column per template field (see `analysis.ingest.mapping.FIELD_NAMES`;
        optionally ``other_locations``), index = row numbers.
    taxonomy
        Need categories; category terms are mapped through their synonyms.
    shape
        The area (from `analysis.ingest.locate.area_shape`).
    present_fields
        Fields the file has a column for (default: all).
    is_feed
        True for Open Referral UK: blank contact_public means public (a feed is
        published), and a service gets a warning for unmapped terms only when none of
        its terms maps (feeds use wide vocabularies; the report lists every unmapped term).
    raw_df
        The rows as read (for exact-repeat detection); default ``table_df``.
    extra_values
        Row number -> count of values beyond the header's last column.
    lone_organisations
        Organisations without services (feeds), template field names.
    as_of
        The date services are judged current on (``ended``); default today.
    uncategorised_catchment_km
        Catchment of an ``at_location`` service with no category, km.

    Returns
    -------
    CheckedTable
        Parsed values of every row, the rejected mask and every finding.

    Notes
    -----
    Area served, when the row does not say: ``citywide`` for services delivered only
    by phone and/or online; otherwise ``at_location``, a circle of the **first**
    category's default catchment around the location. A numeric ``area_value`` alone
    means ``radius_km``; ward names alone mean ``wards``; the authority's name or words
    such as 'citywide' or 'national' mean ``citywide``. An in-person service with no
    usable location and no area is kept with an empty area (it covers nobody until a
    location is given) and flagged ``no_location``.
    """
    count = len(table_df)
    today = as_of or date.today()
    present = frozenset(FIELD_NAMES) if present_fields is None else present_fields
    text = {
        name: [str(value).strip() for value in table_df[name].tolist()]
        if name in table_df
        else [""] * count
        for name in FIELD_NAMES
    }
    rows = [int(row) for row in table_df.index]
    findings = Findings()

    def add(
        position: int,
        field: str,
        code: str,
        value: str,
        reason: str,
        fix: str,
        severity: Severity = "warning",
    ) -> None:
        findings.add(
            position=position,
            field=field,
            code=code,
            value=value,
            reason=reason,
            fix=fix,
            severity=severity,
        )

    duplicate_of = duplicate_rows(table_df if raw_df is None else raw_df)
    for position, row in enumerate(rows):
        if extra_values and row in extra_values:
            add(
                position,
                "",
                "extra_fields",
                "",
                f"the row has {extra_values[row]} value(s) beyond the last column, so its "
                "values may have shifted",
                "put values that contain the delimiter in double quotes, or delete the "
                "stray values",
                "error",
            )

    org_names, service_names = [], []
    for position, (org, service) in enumerate(zip(text[ORG_NAME], text[SERVICE_NAME], strict=True)):
        org, service, issues = fill_name(org, service, has_service_column=SERVICE_NAME in present)
        findings.add_issues(issues, position=position, field=ORG_NAME)
        org_names.append(org)
        service_names.append(service)
    categories = _read_column(
        findings, CATEGORIES, text, partial(read_categories, taxonomy=taxonomy, is_feed=is_feed)
    )
    category_ids = [ids for ids, _ in categories]
    unmapped: Counter[str] = Counter(term for _, terms in categories for term in terms)
    deliveries = _read_column(findings, DELIVERY, text, read_delivery)
    kinds = [
        kind or default_kind(has_charity_number=bool(charity))
        for kind, charity in zip(
            _read_column(findings, FIELD_ORG_KIND, text, read_kind),
            text[CHARITY_NUMBER],
            strict=True,
        )
    ]
    for field, judge in _JUDGES.items():
        _read_column(findings, field, text, lambda cell, judge=judge: (None, judge(cell)))
    contact_public = _read_column(
        findings, CONTACT_PUBLIC, text, partial(read_contact_public, default=is_feed)
    )
    capacity = _read_column(findings, CAPACITY, text, read_capacity)
    dates = {name: _read_column(findings, name, text, read_date) for name in _DATE_FIELDS}
    for position, (start, end) in enumerate(
        zip(dates[ACTIVE_FROM], dates[ACTIVE_UNTIL], strict=True)
    ):
        issues = judge_period(
            start,
            end,
            start_text=text[ACTIVE_FROM][position],
            end_text=text[ACTIVE_UNTIL][position],
            today=today,
        )
        findings.add_issues(issues, position=position, field=ACTIVE_UNTIL)

    others = list(table_df[OTHER_LOCATIONS]) if OTHER_LOCATIONS in table_df else [()] * count
    points, location_findings = _locate_rows(text, others, shape)
    areas = []
    for position in range(count):
        choice = resolve_area(
            text[FIELD_AREA_SERVED][position],
            text[AREA_VALUE][position],
            delivery=deliveries[position],
            has_point=bool(points[position]),
            has_location_problem=bool(location_findings.get(position)),
            shape=shape,
        )
        findings.add_issues(choice.issues, position=position, field=AREA_VALUE)
        escalate = choice.needs_point and not points[position] and choice.kind is not None
        findings.extend(
            replace(finding, severity=ERROR) if escalate else finding
            for finding in location_findings.get(position, [])
        )
        areas.append(choice)

    rejected = findings.rejected(count)
    # An exact repeat is reported once, as a repeat, whatever else is wrong with it.
    findings.drop_records(duplicate_of)
    for position, first in duplicate_of.items():
        rejected[position] = True
        add(
            position,
            "",
            "duplicate_row",
            "",
            f"the row repeats row {rows[first]} exactly",
            "delete one of the two",
            "error",
        )

    radius_m = [
        catchment_m(
            choice,
            ids,
            taxonomy=taxonomy,
            uncategorised_catchment_km=uncategorised_catchment_km,
        )
        for choice, ids in zip(areas, category_ids, strict=True)
    ]

    org_ids = assign_org_ids(text[ORG_ID], org_names, rejected=rejected)
    service_ids, renamed = assign_service_ids(
        text[SERVICE_ID],
        org_ids=org_ids,
        org_names=org_names,
        service_names=service_names,
        rejected=rejected,
        rows=rows,
    )
    findings.extend(renamed)
    postcodes = _normalised_postcodes(text["postcode"])
    org_rows = [
        {
            ORG_ID: org_ids[p],
            ORG_NAME: org_names[p],
            ORG_KIND: kinds[p],
            CHARITY_NUMBER: text[CHARITY_NUMBER][p],
            WEBSITE: text[WEBSITE][p],
            EMAIL: text[EMAIL][p],
            PHONE: text[PHONE][p],
            DESCRIPTION: text[FIELD_ORG_DESCRIPTION][p],
            LAST_UPDATED: dates[LAST_UPDATED][p],
            CONTACT_PUBLIC: contact_public[p],
        }
        for p in range(count)
    ]
    organisations, clashes = identity.organisations(
        org_rows, postcodes=postcodes, rejected=rejected, rows=rows, lone_df=lone_organisations
    )
    findings.extend(clashes)

    # Per row: errors first, then in the file's field order, the cause before its effect.
    order = {name: index for index, name in enumerate(("", *FIELD_NAMES, OTHER_LOCATIONS))}
    found = sorted(
        findings,
        key=lambda f: (
            f.position,
            f.severity != "error",
            order.get(f.field, len(order)),
            f.code == "no_location",
        ),
    )
    flags: list[tuple[str, ...]] = [() for _ in range(count)]
    for finding in found:
        if finding.severity == "warning" and finding.code not in flags[finding.position]:
            flags[finding.position] += (finding.code,)

    services = pd.DataFrame(
        {
            SERVICE_ID: service_ids,
            ORG_ID: org_ids,
            SERVICE_NAME: service_names,
            DESCRIPTION: text["service_description"],
            CATEGORIES: category_ids,
            DELIVERY: deliveries,
            POSTCODE: postcodes,
            AREA_KIND: [choice.kind for choice in areas],
            AREA_VALUE: text["area_value"],
            RADIUS_M: radius_m,
            WARD_CODES: [choice.ward_codes for choice in areas],
            CAPACITY: capacity,
            AUDIENCE: text["audience"],
            ACTIVE_FROM: _timestamps(dates["active_from"]),
            ACTIVE_UNTIL: _timestamps(dates["active_until"]),
            LAST_UPDATED: _timestamps(dates["last_updated"]),
            CONTACT_PUBLIC: contact_public,
            EMAIL: [s or o for s, o in zip(text["service_email"], text["email"], strict=True)],
            PHONE: [s or o for s, o in zip(text["service_phone"], text["phone"], strict=True)],
            WEBSITE: [
                s or o for s, o in zip(text["service_website"], text["website"], strict=True)
            ],
            FLAGS: flags,
            SOURCE_ROW: rows,
            "points": points,
        },
        index=pd.Index(rows, name="row"),
    )
    return CheckedTable(
        services=services,
        organisations=organisations,
        rejected=rejected,
        findings=tuple(found),
        unmapped_categories=dict(unmapped.most_common()),
    )


def _timestamps(values: Sequence[pd.Timestamp | None]) -> np.ndarray:
    return pd.to_datetime(pd.Series(list(values), dtype=object)).to_numpy()


def to_problems(
    findings: Sequence[Finding], rows: Sequence[int], labels: Mapping[str, str]
) -> tuple[Problem, ...]:
    """Tie findings to the file: row numbers and the file's own column names."""
    return tuple(
        Problem(
            row=int(rows[f.position]),
            column=labels.get(f.field, f.field) if f.field else WHOLE_ROW,
            value=f.value,
            reason=f.reason,
            fix=f.fix,
            severity=f.severity,
            code=f.code,
        )
        for f in findings
    )


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


def _read_column(
    findings: Findings, field: str, text: Text, read: Callable[[Cell], tuple[T, Issues]]
) -> list[T]:
    """Each cell of ``field`` read, its issues recorded; each distinct cell is read once."""
    verdicts: dict[Cell, tuple[T, Issues]] = {}
    values: list[T] = []
    for position, cell in enumerate(text[field]):
        if cell not in verdicts:
            verdicts[cell] = read(cell)
        value, issues = verdicts[cell]
        findings.add_issues(issues, position=position, field=field)
        values.append(value)
    return values


def _locate_rows(
    text: Text, others: Sequence[tuple[tuple[str, str, str], ...]], shape: AreaShape
) -> tuple[list[tuple[tuple[float, float], ...]], dict[int, list[Finding]]]:
    """Points of every row (first = its location) and location findings by row position."""
    postcodes, latitudes, longitudes, owners, is_main = [], [], [], [], []
    for position in range(len(text["postcode"])):
        postcodes.append(text["postcode"][position])
        latitudes.append(text["latitude"][position])
        longitudes.append(text["longitude"][position])
        owners.append(position)
        is_main.append(True)
        for postcode, lat, lon in others[position] or ():
            postcodes.append(postcode)
            latitudes.append(lat)
            longitudes.append(lon)
            owners.append(position)
            is_main.append(False)
    located = locate(postcodes, latitudes, longitudes, shape=shape)
    points: list[tuple[tuple[float, float], ...]] = [() for _ in range(len(text["postcode"]))]
    for index, owner in enumerate(owners):
        if not math.isnan(located.easting[index]):
            points[owner] += ((float(located.easting[index]), float(located.northing[index])),)
    by_row: dict[int, list[Finding]] = {}
    for finding in located.findings:
        owner = owners[finding.position]
        if is_main[finding.position]:
            moved = replace(finding, position=owner)
        else:
            moved = replace(
                finding,
                position=owner,
                field=OTHER_LOCATIONS,
                reason=f"another location of the service: {finding.reason}",
            )
        by_row.setdefault(owner, []).append(moved)
    return points, by_row


def _normalised_postcodes(values: Sequence[str]) -> list[str]:
    """Postcodes in standard form, ``""`` where none or a malformed one is given."""
    out = []
    cache: dict[str, str] = {}
    for value in values:
        if value not in cache:
            try:
                cache[value] = normalise_postcode(value) if value else ""
            except PostcodeFormatError:
                cache[value] = ""
        out.append(cache[value])
    return out
