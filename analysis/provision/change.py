"""Change over time: what opened, closed and changed between two moments, per ward × category.

The directory at an earlier and a later moment (`Snapshot`: its open services analysed,
and every service record it held then, whatever its status) is compared service by
service, then placed on the map with the coverage of the moment that counts:

- **opened**: open at the later moment and not at the earlier — ``new`` (not in the
  directory then), ``reactivated`` (its status became active again) or ``restored`` (an
  archived record brought back); counted where it reaches at the later moment;
- **closed**: open at the earlier moment and not at the later — ``archived`` (deleted,
  softly), or the status it took (``inactive``, ``temporarily closed``, ``defunct``);
  counted where it reached at the earlier moment;
- **changed**: open at both, and some field of `COMPARED_FIELDS` differs; counted where
  it reached at either moment, so a service that moved away is a change in the wards it
  left as well as in those it reaches now.

"Open" is the store's word for a service the analysis counts: status ``active`` and not
archived. "Reaches" is the metrics table's: a service counts in a ward × category cell
exactly where the table counts it among that cell's local services or remote options
(`analysis.provision.metrics.compute_metrics`, each category with its own catchment), so
the change counts and the provision columns beside them agree. Filters choose which of
the services count, on the day each is counted (`filters_on`). Beside the counts, the
provision at both moments — class, relative provision, accessibility, local services and
remote options — says which gaps opened or closed.

Pure: records and analyses in, frames out; no SQL, no clock. The store reads the two
moments (`analysis.store.changes.read_snapshots`); `analysis.outputs.change_export` writes
the result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.geography import AreaSet
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_CODE,
    AREA_KIND,
    AREA_NAME,
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CATEGORY,
    CONTACT_PUBLIC,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    GAP_CLASSES,
    LOCAL_SERVICES,
    LOCATIONS,
    NEED,
    NEED_UNIT,
    ORG_ID,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    PROVISION_CLASS,
    RADIUS_M,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    SERVICE_ID,
    SERVICE_NAME,
    WARD_CODE,
    WARD_CODES,
    WEBSITE,
)
from analysis.provision.accessibility import unit_areas
from analysis.provision.filters import Filters
from analysis.provision.metrics import Method, MetricsResult, Thresholds, supply_and_reach
from analysis.provision.pipeline import (
    DEFAULT_METHOD,
    DEFAULT_THRESHOLDS,
    NO_FILTERS,
    Analysis,
)

Record = Mapping[str, Any]
"""One service as the store keeps it: field -> plain value (`analysis.store.records`)."""

OPEN: Final = "active"
"""The standing of a service the analysis counts: status active, not archived."""
ARCHIVED: Final = "archived"
"""The standing of an archived (softly deleted) service, whatever its status."""

COMPARED_FIELDS: Final = (
    ORG_ID,
    SERVICE_NAME,
    DESCRIPTION,
    CATEGORIES,
    DELIVERY,
    POSTCODE,
    LOCATIONS,
    AREA_KIND,
    AREA_VALUE,
    RADIUS_M,
    WARD_CODES,
    CAPACITY,
    AUDIENCE,
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    EMAIL,
    PHONE,
    WEBSITE,
    CONTACT_PUBLIC,
    EMAIL_PUBLIC,
    PHONE_PUBLIC,
)
"""The fields whose difference makes a service "changed": what the service is, who runs
it, what it does, where and for whom, how much, when it runs, and how to reach it. Not
compared: its status and archived flag (they make it opened or closed), ``last_updated``
(the source's date stamp, which a new export of the same directory moves),
``last_verified`` (a confirmation, not a change), the source's own terms (the categories
carry their meaning), the capacity's unit (always places per week) and the import notes
(flags and row, which are not versioned)."""

Change = Literal["opened", "closed", "changed"]
CHANGES: Final = get_args(Change)
OPENED, CLOSED, CHANGED = CHANGES

NEW: Final = "new"
REACTIVATED: Final = "reactivated"
RESTORED: Final = "restored"
REMOVED: Final = "removed"
"""How a service closed when the later directory has no record of it at all (a store
never removes one; another source of records may)."""
NOT_LISTED: Final = "not listed"
"""The standing of a service the directory did not hold at that moment."""

GapChange = Literal["gap opened", "gap closed", "still a gap", "no gap"]
GAP_CHANGES: Final = get_args(GapChange)
GAP_OPENED, GAP_CLOSED, STILL_A_GAP, NO_GAP = GAP_CHANGES

# Columns of the ward × category change table (`DirectoryChange.table`).
SERVICES_OPENED: Final = "services_opened"
SERVICES_CLOSED: Final = "services_closed"
SERVICES_CHANGED: Final = "services_changed"
GAP_CHANGE: Final = "gap_change"
BEFORE: Final = "_before"
AFTER: Final = "_after"
COMPARED_MEASURES: Final = (
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    ACCESSIBILITY_PER_1000,
    LOCAL_SERVICES,
    REMOTE_OPTIONS,
)
"""The provision columns shown at both moments, each as ``<name>_before`` and
``<name>_after``: the class the gap map shows first."""
CHANGE_TABLE_COLUMNS: Final = (
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    NEED,
    NEED_UNIT,
    SERVICES_OPENED,
    SERVICES_CLOSED,
    SERVICES_CHANGED,
    GAP_CHANGE,
    *(f"{measure}{when}" for measure in COMPARED_MEASURES for when in (BEFORE, AFTER)),
)

# Columns of the per-service list (`DirectoryChange.services`).
CHANGE: Final = "change"
HOW: Final = "how"
FIELDS_CHANGED: Final = "fields_changed"
STANDING_BEFORE: Final = "standing_before"
STANDING_AFTER: Final = "standing_after"
WARDS: Final = "wards"
WARD_NAMES: Final = "ward_names"
SERVICE_CHANGE_COLUMNS: Final = (
    SERVICE_ID,
    SERVICE_NAME,
    ORG_ID,
    ORG_NAME,
    CHANGE,
    HOW,
    FIELDS_CHANGED,
    STANDING_BEFORE,
    STANDING_AFTER,
    CATEGORIES,
    WARDS,
    WARD_NAMES,
)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The directory at one moment, as `compare_snapshots` compares it.

    Attributes
    ----------
    moment
        The moment shown (UTC, naive): for a date, the end of that day.
    analysis
        The services open then (active, not archived), analysed over the area.
    records
        Every service the directory held then, by id, whatever its standing: field ->
        plain value, as the store keeps it.
    standing
        Service id -> `OPEN`, the status it had (``inactive``, ``temporarily closed``,
        ``defunct``) or `ARCHIVED`; a service absent was not listed then.
    organisation_names
        Organisation id -> its name then (archived organisations included).
    """

    moment: datetime
    analysis: Analysis
    records: Mapping[str, Record]
    standing: Mapping[str, str]
    organisation_names: Mapping[str, str]


@dataclass(frozen=True)
class ChangeCounts:
    """What changed, in five numbers.

    Attributes
    ----------
    opened, closed, changed
        Services (each once, however many wards it reaches).
    gaps_opened, gaps_closed
        Ward × category rows that became a gap (missing or under-served) or stopped
        being one.
    """

    opened: int
    closed: int
    changed: int
    gaps_opened: int
    gaps_closed: int


@dataclass(frozen=True, eq=False)
class DirectoryChange:
    """What changed between two moments, per ward × category and per service.

    Attributes
    ----------
    earlier, later
        The moments compared (UTC, naive).
    table
        One row per ward × category (ward order of the reference files, categories in
        taxonomy order), columns `CHANGE_TABLE_COLUMNS`: need, services opened, closed
        and changed there, whether a gap opened or closed, and the provision at both
        moments.
    services
        One row per service opened, closed or changed (that the filters and categories
        keep), columns `SERVICE_CHANGE_COLUMNS`; ordered opened, closed, changed, then by
        organisation and service name. ``wards`` are the ward codes it counts in (any of
        its categories), in the area's order.
    before, after
        The metrics at each moment.
    filters, categories
        What was counted (`filters_on` each moment); None: every category.
    """

    earlier: datetime
    later: datetime
    table: pd.DataFrame
    services: pd.DataFrame
    before: MetricsResult
    after: MetricsResult
    filters: Filters
    categories: tuple[str, ...] | None

    def counts(self) -> ChangeCounts:
        """Services opened, closed and changed, and gaps opened and closed."""
        change = self.services[CHANGE].value_counts()
        gaps = self.table[GAP_CHANGE].value_counts()
        return ChangeCounts(
            opened=int(change.get(OPENED, 0)),
            closed=int(change.get(CLOSED, 0)),
            changed=int(change.get(CHANGED, 0)),
            gaps_opened=int(gaps.get(GAP_OPENED, 0)),
            gaps_closed=int(gaps.get(GAP_CLOSED, 0)),
        )


@dataclass(frozen=True)
class ServiceEvent:
    """One service opened, closed or changed.

    Attributes
    ----------
    service_id
        Its id.
    change
        ``opened``, ``closed`` or ``changed``.
    how
        ``new``, ``reactivated``, ``restored``; ``archived`` or the status it took
        (``inactive``, ``temporarily closed``, ``defunct``); ``changed``.
    fields
        The fields of `COMPARED_FIELDS` that differ (any change, when it is in both).
    before, after
        Its standing at each moment: `OPEN`, a status, `ARCHIVED` or `NOT_LISTED`.
    """

    service_id: str
    change: Change
    how: str
    fields: tuple[str, ...]
    before: str
    after: str


def compare_snapshots(
    earlier: Snapshot,
    later: Snapshot,
    *,
    filters: Filters = NO_FILTERS,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    method: Method = DEFAULT_METHOD,
    categories: Sequence[str] | None = None,
) -> DirectoryChange:
    """What opened, closed and changed from ``earlier`` to ``later``, per ward × category.

    Parameters
    ----------
    earlier, later
        The directory at each moment, over the same area and categories.
    filters
        Which services count (as in the metrics); staleness is measured from each
        moment's day (`filters_on`).
    thresholds, method
        As for `Analysis.metrics`, at both moments.
    categories
        The categories of the table (default all, in taxonomy order).

    Returns
    -------
    DirectoryChange
        The ward × category table, the per-service list and both moments' metrics.

    Raises
    ------
    AnalysisError
        When ``earlier`` is after ``later``, or the two are of different areas.
    TaxonomyError
        For an unknown category id.

    Notes
    -----
    A service counts in a cell (ward W, category c) at a moment when the metrics of that
    moment count it there: filed under c, kept by the filters, and reaching one of W's
    neighbourhoods with its catchment for c (or listing W, or citywide). Opened services
    count with the later moment's reach, closed ones with the earlier's, changed ones with
    either (each cell once). The provision columns are each moment's own: relative
    provision is relative to that moment's city average, so it can move where nothing
    local changed; accessibility (places a week per 1,000 people in need) does not.
    """
    _check_comparable(earlier, later)
    chosen = None if categories is None else tuple(categories)
    before_filters = filters_on(filters, earlier.moment)
    after_filters = filters_on(filters, later.moment)
    before = earlier.analysis.metrics(before_filters, thresholds, categories=chosen, method=method)
    after = later.analysis.metrics(after_filters, thresholds, categories=chosen, method=method)
    category_ids = tuple(before.table[CATEGORY].drop_duplicates())
    cells_before = _cells(earlier.analysis, before_filters, method, category_ids)
    cells_after = _cells(later.analysis, after_filters, method, category_ids)
    kept_before = set(earlier.analysis.selection(before_filters).directory.services[SERVICE_ID])
    kept_after = set(later.analysis.selection(after_filters).directory.services[SERVICE_ID])
    events = [
        event
        for event in service_events(earlier, later)
        if _counts(event, earlier, later, kept_before, kept_after, chosen)
    ]
    counted = _counted_cells(events, cells_before, cells_after)
    table = _change_table(before.table, after.table, counted)
    area = later.analysis.area
    services = _service_list(events, earlier, later, counted, area)
    return DirectoryChange(
        earlier=earlier.moment,
        later=later.moment,
        table=table,
        services=services,
        before=before,
        after=after,
        filters=filters,
        categories=chosen,
    )


def filters_on(filters: Filters, moment: datetime) -> Filters:
    """``filters`` for the directory at ``moment``: staleness and "running on the day"
    judged on its day.

    A record stale today may have been fresh then, and a service that ended last month
    was running then; filters with neither are returned as they are.
    """
    day = pd.Timestamp(moment.date())
    if filters.stale_after_months is not None:
        filters = replace(filters, as_of=day)
    if filters.active_on is not None:
        filters = replace(filters, active_on=day)
    return filters


def service_events(earlier: Snapshot, later: Snapshot) -> list[ServiceEvent]:
    """Every service opened, closed or changed from ``earlier`` to ``later``, by id."""
    events = []
    for service_id in sorted(set(earlier.records) | set(later.records)):
        was = earlier.standing.get(service_id, NOT_LISTED)
        now = later.standing.get(service_id, NOT_LISTED)
        then_record, now_record = earlier.records.get(service_id), later.records.get(service_id)
        fields = (
            changed_fields(then_record, now_record)
            if then_record is not None and now_record is not None
            else ()
        )
        if now == OPEN and was != OPEN:
            how = NEW if was == NOT_LISTED else RESTORED if was == ARCHIVED else REACTIVATED
            events.append(ServiceEvent(service_id, OPENED, how, fields, was, now))
        elif was == OPEN and now != OPEN:
            how = REMOVED if now == NOT_LISTED else now
            events.append(ServiceEvent(service_id, CLOSED, how, fields, was, now))
        elif was == OPEN and fields:
            events.append(ServiceEvent(service_id, CHANGED, CHANGED, fields, was, now))
    return events


def changed_fields(before: Record, after: Record) -> tuple[str, ...]:
    """The fields of `COMPARED_FIELDS` whose values differ, in that order.

    Lists and tuples compare by their items in order, a blank number (None or NaN) equals
    another blank.
    """
    return tuple(
        name for name in COMPARED_FIELDS if _plain(before.get(name)) != _plain(after.get(name))
    )


def _plain(value: object) -> object:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _check_comparable(earlier: Snapshot, later: Snapshot) -> None:
    if earlier.moment > later.moment:
        raise AnalysisError(
            f"the earlier directory ({earlier.moment:%Y-%m-%d %H:%M} UTC) is after the later "
            f"one ({later.moment:%Y-%m-%d %H:%M} UTC). Fix: pass the earlier moment first."
        )
    mine, theirs = earlier.analysis.area, later.analysis.area
    if mine is not theirs and not np.array_equal(
        mine.wards[WARD_CODE].to_numpy(), theirs.wards[WARD_CODE].to_numpy()
    ):
        raise AnalysisError(
            f"the two directories are analysed over different areas ({mine.name}, "
            f"{theirs.name}). Fix: read both over the same area."
        )


def _cells(
    analysis: Analysis, filters: Filters, method: Method, category_ids: tuple[str, ...]
) -> pd.DataFrame:
    """Every (service, ward, category) the metrics count: local services and remote options.

    Returns
    -------
    pandas.DataFrame
        Columns ``service_id``, ``ward_code``, ``category``, each triple once.
    """
    selection = analysis.selection(filters)
    directory = selection.directory
    units, reach = supply_and_reach(
        analysis.coverage_for(method.catchment_factor),
        directory,
        analysis.taxonomy,
        category_ids=category_ids,
        method=method,
        weights=selection.weights,
    )
    wards = pd.Index(analysis.area.wards[WARD_CODE])
    ward_of_zone = wards.get_indexer(analysis.area.neighbourhoods[WARD_CODE])
    unit, ward = unit_areas(reach, ward_of_zone, len(wards))
    service_ids = directory.services[SERVICE_ID].astype(str).to_numpy()
    return pd.DataFrame(
        {
            SERVICE_ID: service_ids[units.service[unit]],
            WARD_CODE: wards.to_numpy()[ward],
            CATEGORY: np.asarray(category_ids, dtype=object)[units.category[unit]],
        }
    ).drop_duplicates(ignore_index=True)


def _counts(
    event: ServiceEvent,
    earlier: Snapshot,
    later: Snapshot,
    kept_before: set[str],
    kept_after: set[str],
    categories: tuple[str, ...] | None,
) -> bool:
    """True when the filters (and chosen categories) keep the service on a day it counts."""
    days = []
    if event.change in (CLOSED, CHANGED):
        days.append((kept_before, earlier.records[event.service_id]))
    if event.change in (OPENED, CHANGED):
        days.append((kept_after, later.records[event.service_id]))
    return any(
        event.service_id in kept
        and (categories is None or bool(set(record.get(CATEGORIES) or ()) & set(categories)))
        for kept, record in days
    )


def _counted_cells(
    events: Sequence[ServiceEvent], cells_before: pd.DataFrame, cells_after: pd.DataFrame
) -> pd.DataFrame:
    """The (service, ward, category, change) cells each event counts in."""
    pieces = []
    for change, sources in (
        (OPENED, (cells_after,)),
        (CLOSED, (cells_before,)),
        (CHANGED, (cells_before, cells_after)),
    ):
        ids = {event.service_id for event in events if event.change == change}
        for cells in sources:
            pieces.append(cells[cells[SERVICE_ID].isin(ids)].assign(**{CHANGE: change}))
    return pd.concat(pieces, ignore_index=True).drop_duplicates(ignore_index=True)


def _change_table(
    before_df: pd.DataFrame, after_df: pd.DataFrame, counted: pd.DataFrame
) -> pd.DataFrame:
    """The ward × category rows: need, services per change, both moments' provision."""
    keys = [AREA_CODE, CATEGORY]
    table = before_df[[AREA_CODE, AREA_NAME, CATEGORY, NEED, NEED_UNIT]].reset_index(drop=True)
    cells = pd.MultiIndex.from_frame(table[keys])
    for change, column in (
        (OPENED, SERVICES_OPENED),
        (CLOSED, SERVICES_CLOSED),
        (CHANGED, SERVICES_CHANGED),
    ):
        chosen = counted[counted[CHANGE] == change]
        per_cell = chosen.groupby([WARD_CODE, CATEGORY]).size()
        table[column] = (
            per_cell.reindex(cells, fill_value=0).to_numpy(np.int64)
            if len(per_cell)
            else np.zeros(len(table), np.int64)
        )
    measures = list(COMPARED_MEASURES)
    then = before_df[keys + measures].rename(columns={m: f"{m}{BEFORE}" for m in measures})
    now = after_df[keys + measures].rename(columns={m: f"{m}{AFTER}" for m in measures})
    table = table.merge(then, on=keys, how="left").merge(now, on=keys, how="left")
    was_gap = table[f"{PROVISION_CLASS}{BEFORE}"].isin(GAP_CLASSES)
    is_gap = table[f"{PROVISION_CLASS}{AFTER}"].isin(GAP_CLASSES)
    table[GAP_CHANGE] = np.select(
        [is_gap & ~was_gap, was_gap & ~is_gap, was_gap & is_gap],
        [GAP_OPENED, GAP_CLOSED, STILL_A_GAP],
        default=NO_GAP,
    )
    return table[list(CHANGE_TABLE_COLUMNS)]


def _service_list(
    events: Sequence[ServiceEvent],
    earlier: Snapshot,
    later: Snapshot,
    counted: pd.DataFrame,
    area: AreaSet,
) -> pd.DataFrame:
    """One row per event: who, what happened, which fields, where it counts."""
    names = area.ward_names
    order = {code: position for position, code in enumerate(names)}
    wards_of = counted.groupby(SERVICE_ID)[WARD_CODE].agg(
        lambda codes: tuple(sorted(set(codes), key=order.__getitem__))
    )
    rows = []
    for event in events:
        shown = earlier if event.change == CLOSED else later
        record = shown.records[event.service_id]
        wards = wards_of.get(event.service_id, ())
        rows.append(
            {
                SERVICE_ID: event.service_id,
                SERVICE_NAME: record.get(SERVICE_NAME) or "",
                ORG_ID: record.get(ORG_ID) or "",
                ORG_NAME: shown.organisation_names.get(record.get(ORG_ID) or "", ""),
                CHANGE: event.change,
                HOW: event.how,
                FIELDS_CHANGED: event.fields,
                STANDING_BEFORE: event.before,
                STANDING_AFTER: event.after,
                CATEGORIES: tuple(record.get(CATEGORIES) or ()),
                WARDS: wards,
                WARD_NAMES: tuple(names[code] for code in wards),
            }
        )
    frame = pd.DataFrame(rows, columns=list(SERVICE_CHANGE_COLUMNS))
    rank = frame[CHANGE].map({change: position for position, change in enumerate(CHANGES)})
    return (
        frame.assign(_rank=rank)
        .sort_values(["_rank", ORG_NAME, SERVICE_NAME, SERVICE_ID], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
