"""Change over time: the store read at two moments, and what opened, closed and changed
between them per ward × category — each edit made at a dated moment after the demo's
import, and found exactly in the wards and categories of the service it touched."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from analysis.errors import StoreError
from analysis.model import (
    AREA_CODE,
    CAPACITY,
    CATEGORIES,
    CATEGORY,
    DELIVERY,
    FIELD_STATUS,
    LAST_UPDATED,
    LOCAL_SERVICES,
    REMOTE_OPTIONS,
    SERVICE_ID,
    WARD_CODE,
    WARD_CODES,
)
from analysis.provision.change import (
    AFTER,
    ARCHIVED,
    BEFORE,
    CHANGE,
    CHANGED,
    CLOSED,
    FIELDS_CHANGED,
    GAP_CHANGE,
    GAP_CLOSED,
    GAP_OPENED,
    HOW,
    NEW,
    NOT_LISTED,
    OPEN,
    OPENED,
    REACTIVATED,
    RESTORED,
    SERVICES_CHANGED,
    SERVICES_CLOSED,
    SERVICES_OPENED,
    STANDING_AFTER,
    STANDING_BEFORE,
    WARDS,
    DirectoryChange,
    compare_snapshots,
)
from analysis.provision.filters import Filters
from analysis.store.access import command_line
from analysis.store.changes import first_record_at, read_snapshot, read_snapshots
from analysis.store.editing import (
    archive_service,
    open_service,
    restore_service,
    save_service,
    verify_service,
)
from analysis.store.importing import import_file
from analysis.store.reads import cutoff
from analysis.store.schema import ACTIVE, INACTIVE
from tests.store.conftest import DEMO_AT

DAY = timedelta(days=1)
WARD_LIST_SERVICE = "beacon-works--listening-service"
"""Mental health and food, in person, for the wards Southville and Windmill Hill."""
HANDYPERSON = "kestrel-works--handyperson-scheme"
"""Practical help, in person, for Knowle and Hengrove and Whitchurch Park; 28 places."""
CITYWIDE_ONLINE = "wren-corner-mutual-aid--medicine-runs"
"""Prescriptions, online, citywide: a remote option in every ward."""
AT_LOCATION = "ember-together--benefits-help"
"""Money advice at a venue, reaching the wards within the category's catchment."""
COUNTS = [SERVICES_OPENED, SERVICES_CLOSED, SERVICES_CHANGED]


@pytest.fixture(scope="module")
def taxonomy():
    from analysis.taxonomy_file import load_taxonomy

    return load_taxonomy()


def _compare(store, earlier, later, *, area, shape, taxonomy, **options) -> DirectoryChange:
    before, after = read_snapshots(
        store, earlier=earlier, later=later, area=area, shape=shape, taxonomy=taxonomy
    )
    return compare_snapshots(before, after, **options)


def _cells(change: DirectoryChange, column: str) -> set[tuple[str, str]]:
    """The (ward, category) rows where ``column`` counts a service."""
    rows = change.table[change.table[column] > 0]
    assert (rows[column] == 1).all()
    return set(zip(rows[AREA_CODE], rows[CATEGORY], strict=True))


def _record(store, service_id: str) -> dict:
    return open_service(store, service_id).record


def _edit(store, service_id: str, changes: dict, at: datetime) -> None:
    version = open_service(store, service_id).version
    save_service(
        store, service_id, changes, expected_version=version, actor=command_line("editor"), at=at
    )


def test_an_archived_service_is_closed_in_exactly_its_wards_and_categories(
    demo_store, bristol, shape, taxonomy
):
    record = _record(demo_store, WARD_LIST_SERVICE)
    assert sorted(record[CATEGORIES]) == ["food", "mental_health"]
    assert len(record[WARD_CODES]) == 2
    archive_service(
        demo_store, WARD_LIST_SERVICE, expected_version=1, actor=command_line("e"), at=DEMO_AT + DAY
    )
    change = _compare(
        demo_store,
        DEMO_AT.date(),
        (DEMO_AT + 2 * DAY).date(),
        area=bristol,
        shape=shape,
        taxonomy=taxonomy,
    )
    expected = {(ward, category) for ward in record[WARD_CODES] for category in record[CATEGORIES]}
    assert _cells(change, SERVICES_CLOSED) == expected
    assert _cells(change, SERVICES_OPENED) == _cells(change, SERVICES_CHANGED) == set()
    [row] = change.services.to_dict("records")
    assert (row[SERVICE_ID], row[CHANGE], row[HOW]) == (WARD_LIST_SERVICE, CLOSED, ARCHIVED)
    assert (row[STANDING_BEFORE], row[STANDING_AFTER]) == (OPEN, ARCHIVED)
    assert row[FIELDS_CHANGED] == ()
    assert set(row[WARDS]) == set(record[WARD_CODES])
    assert row["org_name"] == "Beacon Works"
    counts = change.counts()
    assert (counts.opened, counts.closed, counts.changed) == (0, 1, 0)
    # One local service fewer in exactly those rows, as the metrics at each moment count.
    table = change.table.set_index([AREA_CODE, CATEGORY])
    drop = table[f"{LOCAL_SERVICES}{BEFORE}"] - table[f"{LOCAL_SERVICES}{AFTER}"]
    assert set(drop[drop != 0].index) == expected and (drop[drop != 0] == 1).all()


def test_a_capacity_change_is_a_change_of_that_field_where_the_service_reaches(
    demo_store, bristol, shape, taxonomy
):
    record = _record(demo_store, HANDYPERSON)
    assert record[CAPACITY] == 28.0
    _edit(demo_store, HANDYPERSON, {CAPACITY: 56.0}, DEMO_AT + DAY)
    change = _compare(
        demo_store, DEMO_AT.date(), None, area=bristol, shape=shape, taxonomy=taxonomy
    )
    assert _cells(change, SERVICES_CHANGED) == {
        (ward, "practical_help") for ward in record[WARD_CODES]
    }
    assert _cells(change, SERVICES_OPENED) == _cells(change, SERVICES_CLOSED) == set()
    [row] = change.services.to_dict("records")
    assert (row[SERVICE_ID], row[CHANGE], row[FIELDS_CHANGED]) == (
        HANDYPERSON,
        CHANGED,
        (CAPACITY,),
    )
    # Twice the places: the wards it serves have more practical help a week than before.
    rows = change.table[change.table[SERVICES_CHANGED] > 0]
    column = "accessibility_per_1000"
    assert (rows[f"{column}{AFTER}"] > rows[f"{column}{BEFORE}"]).all()


def test_archived_then_restored_is_closed_then_opened_and_over_both_no_change(
    demo_store, bristol, shape, taxonomy
):
    archive_service(
        demo_store, WARD_LIST_SERVICE, expected_version=1, actor=command_line("e"), at=DEMO_AT + DAY
    )
    restore_service(
        demo_store,
        WARD_LIST_SERVICE,
        expected_version=2,
        actor=command_line("e"),
        at=DEMO_AT + 3 * DAY,
    )
    days = [(DEMO_AT + n * DAY).date() for n in range(5)]
    options = {"area": bristol, "shape": shape, "taxonomy": taxonomy}
    reopened = _compare(demo_store, days[2], days[4], **options)
    [row] = reopened.services.to_dict("records")
    assert (row[CHANGE], row[HOW], row[STANDING_BEFORE]) == (OPENED, RESTORED, ARCHIVED)
    record = _record(demo_store, WARD_LIST_SERVICE)
    expected = {(ward, category) for ward in record[WARD_CODES] for category in record[CATEGORIES]}
    assert _cells(reopened, SERVICES_OPENED) == expected
    across = _compare(demo_store, days[0], days[4], **options)
    assert across.services.empty
    assert (across.table[COUNTS] == 0).all().all()
    assert (across.table[GAP_CHANGE].isin([GAP_OPENED, GAP_CLOSED])).sum() == 0


def test_a_status_made_inactive_closes_and_made_active_again_reactivates(
    demo_store, bristol, shape, taxonomy
):
    _edit(demo_store, CITYWIDE_ONLINE, {FIELD_STATUS: INACTIVE}, DEMO_AT + DAY)
    _edit(demo_store, CITYWIDE_ONLINE, {FIELD_STATUS: ACTIVE}, DEMO_AT + 3 * DAY)
    options = {"area": bristol, "shape": shape, "taxonomy": taxonomy}
    closed = _compare(demo_store, DEMO_AT.date(), (DEMO_AT + 2 * DAY).date(), **options)
    every_ward = {(ward, "prescriptions") for ward in bristol.wards[WARD_CODE]}
    assert len(every_ward) == 34
    assert _cells(closed, SERVICES_CLOSED) == every_ward
    [row] = closed.services.to_dict("records")
    assert (row[HOW], row[STANDING_AFTER], len(row[WARDS])) == (INACTIVE, INACTIVE, 34)
    # An online service is a remote option: the remote options fall, local services do not.
    table = closed.table[closed.table[CATEGORY] == "prescriptions"]
    assert (table[f"{REMOTE_OPTIONS}{BEFORE}"] - table[f"{REMOTE_OPTIONS}{AFTER}"] == 1).all()
    assert (table[f"{LOCAL_SERVICES}{BEFORE}"] == table[f"{LOCAL_SERVICES}{AFTER}"]).all()
    reopened = _compare(demo_store, (DEMO_AT + 2 * DAY).date(), None, **options)
    [row] = reopened.services.to_dict("records")
    assert (row[CHANGE], row[HOW]) == (OPENED, REACTIVATED)
    assert _cells(reopened, SERVICES_OPENED) == every_ward


def test_a_service_imported_later_is_new_in_the_wards_it_lists(
    demo_store, bristol, shape, taxonomy, tmp_path
):
    path = tmp_path / "pantry.csv"
    path.write_text(
        "org_name,service_name,categories,delivery,area_served,area_value,capacity\n"
        "Juniper Street Larder,Juniper Pantry,food,in person,wards,Ashley; Easton,30\n",
        encoding="utf-8",
    )
    import_file(demo_store, path, source="juniper", area=bristol, at=DEMO_AT + DAY)
    change = _compare(
        demo_store, DEMO_AT.date(), None, area=bristol, shape=shape, taxonomy=taxonomy
    )
    codes = {name: code for code, name in bristol.ward_names.items()}
    assert _cells(change, SERVICES_OPENED) == {
        (codes["Ashley"], "food"),
        (codes["Easton"], "food"),
    }
    [row] = change.services.to_dict("records")
    assert (row[CHANGE], row[HOW], row[STANDING_BEFORE], row["org_name"]) == (
        OPENED,
        NEW,
        NOT_LISTED,
        "Juniper Street Larder",
    )


def test_a_service_at_a_venue_closes_where_the_metrics_counted_it(
    demo_store, bristol, shape, taxonomy
):
    record = _record(demo_store, AT_LOCATION)
    archive_service(
        demo_store, AT_LOCATION, expected_version=1, actor=command_line("e"), at=DEMO_AT + DAY
    )
    change = _compare(
        demo_store, DEMO_AT.date(), None, area=bristol, shape=shape, taxonomy=taxonomy
    )
    table = change.table.set_index([AREA_CODE, CATEGORY])
    before = table[f"{LOCAL_SERVICES}{BEFORE}"] + table[f"{REMOTE_OPTIONS}{BEFORE}"]
    after = table[f"{LOCAL_SERVICES}{AFTER}"] + table[f"{REMOTE_OPTIONS}{AFTER}"]
    assert ((before - after) == table[SERVICES_CLOSED]).all()
    closed = _cells(change, SERVICES_CLOSED)
    assert closed and {category for _, category in closed} == set(record[CATEGORIES])
    [row] = change.services.to_dict("records")
    assert set(row[WARDS]) == {ward for ward, _ in closed}


def test_what_is_not_the_service_is_no_change(demo_store, bristol, shape, taxonomy):
    _edit(demo_store, HANDYPERSON, {LAST_UPDATED: "2026-01-11"}, DEMO_AT + DAY)
    version = open_service(demo_store, HANDYPERSON).version
    verify_service(
        demo_store,
        HANDYPERSON,
        expected_version=version,
        actor=command_line("r"),
        at=DEMO_AT + 2 * DAY,
    )
    change = _compare(
        demo_store, DEMO_AT.date(), None, area=bristol, shape=shape, taxonomy=taxonomy
    )
    assert change.services.empty
    assert (change.table[COUNTS] == 0).all().all()


def test_filters_and_categories_choose_what_counts(demo_store, bristol, shape, taxonomy):
    archive_service(
        demo_store, WARD_LIST_SERVICE, expected_version=1, actor=command_line("e"), at=DEMO_AT + DAY
    )
    _edit(demo_store, CITYWIDE_ONLINE, {FIELD_STATUS: INACTIVE}, DEMO_AT + DAY)
    options = {"area": bristol, "shape": shape, "taxonomy": taxonomy}
    food = _compare(demo_store, DEMO_AT.date(), None, categories=["food"], **options)
    assert set(food.table[CATEGORY]) == {"food"}
    assert list(food.services[SERVICE_ID]) == [WARD_LIST_SERVICE]
    assert {category for _, category in _cells(food, SERVICES_CLOSED)} == {"food"}
    online = _compare(
        demo_store, DEMO_AT.date(), None, filters=Filters(delivery=("online",)), **options
    )
    assert list(online.services[SERVICE_ID]) == [CITYWIDE_ONLINE]
    assert {category for _, category in _cells(online, SERVICES_CLOSED)} == {"prescriptions"}
    assert _record(demo_store, WARD_LIST_SERVICE)[DELIVERY] == ["in person"]


def test_a_service_opening_in_a_missing_ward_closes_the_gap_and_its_closing_reopens_it(
    demo_store, bristol, shape, taxonomy, tmp_path
):
    options = {"area": bristol, "shape": shape, "taxonomy": taxonomy}
    start = read_snapshot(demo_store, as_of=DEMO_AT.date(), **options)
    table = start.analysis.metrics().table
    missing = table[table["class"] == "missing"].iloc[0]
    ward, category = missing[AREA_CODE], missing[CATEGORY]
    path = tmp_path / "new.csv"
    path.write_text(
        "org_name,service_name,categories,delivery,area_served,area_value,capacity\n"
        f"Hawthorn Hall,Hawthorn Help,{category},in person,wards,{bristol.ward_name(ward)},500\n",
        encoding="utf-8",
    )
    import_file(demo_store, path, source="hawthorn", area=bristol, at=DEMO_AT + DAY)
    [new_id] = set(read_snapshot(demo_store, **options).records) - set(start.records)
    archive_service(
        demo_store, new_id, expected_version=1, actor=command_line("e"), at=DEMO_AT + 3 * DAY
    )
    days = [(DEMO_AT + n * DAY).date() for n in range(5)]

    def row(change: DirectoryChange) -> pd.Series:
        table = change.table
        return table[(table[AREA_CODE] == ward) & (table[CATEGORY] == category)].iloc[0]

    opened = _compare(demo_store, days[0], days[2], **options)
    assert _cells(opened, SERVICES_OPENED) == {(ward, category)}
    assert (row(opened)[f"class{BEFORE}"], row(opened)[GAP_CHANGE]) == ("missing", GAP_CLOSED)
    assert opened.counts().gaps_closed >= 1
    closed = _compare(demo_store, days[2], days[4], **options)
    assert _cells(closed, SERVICES_CLOSED) == {(ward, category)}
    assert (row(closed)[f"class{AFTER}"], row(closed)[GAP_CHANGE]) == ("missing", GAP_OPENED)
    assert closed.counts().gaps_opened >= 1


def test_read_snapshots_shares_the_area_and_reads_each_moment(demo_store, bristol, shape, taxonomy):
    day = (DEMO_AT + DAY).date()
    before, after = read_snapshots(
        demo_store, earlier=DEMO_AT.date(), later=day, area=bristol, shape=shape, taxonomy=taxonomy
    )
    assert (before.moment, after.moment) == (cutoff(DEMO_AT.date()), cutoff(day))
    assert before.analysis.area is after.analysis.area is bristol
    assert len(before.analysis.directory.services) == len(before.records) == 900
    assert set(before.standing.values()) == {OPEN}
    assert first_record_at(demo_store) == DEMO_AT


def test_the_open_standing_is_the_stores_active_status():
    assert OPEN == ACTIVE


@pytest.mark.parametrize(
    "earlier, later, message",
    [
        (
            date(2026, 1, 9),
            None,
            r"2026-01-09 is before the directory's history starts "
            r"\(2026-01-10 09:00 UTC, its first record\).*Fix: choose a day from 2026-01-10 on",
        ),
        (
            date(2026, 1, 12),
            date(2026, 1, 11),
            "the earlier day 2026-01-12 is after the later one 2026-01-11.*Fix: swap the two",
        ),
        (date(2026, 1, 10), date(2026, 1, 20), "2026-01-20 is in the future"),
    ],
)
def test_a_moment_the_history_cannot_answer_is_refused(demo_store, earlier, later, message):
    with pytest.raises(StoreError, match=message):
        read_snapshots(demo_store, earlier=earlier, later=later, now=datetime(2026, 1, 15, 12))


def test_an_empty_store_has_no_past(store):
    with pytest.raises(StoreError, match="holds no record yet.*db import FILE"):
        read_snapshot(store, as_of=date(2026, 1, 1))
    assert first_record_at(store) is None


def test_the_table_has_every_ward_and_category_once(demo_store, bristol, shape, taxonomy):
    change = _compare(
        demo_store, DEMO_AT.date(), None, area=bristol, shape=shape, taxonomy=taxonomy
    )
    assert len(change.table) == 34 * len(taxonomy.ids())
    assert not change.table.duplicated([AREA_CODE, CATEGORY]).any()
    assert pd.api.types.is_integer_dtype(change.table[SERVICES_OPENED])


def test_running_on_the_day_and_staleness_are_judged_on_each_moments_day():
    from analysis.provision.change import filters_on
    from analysis.provision.filters import Filters

    today = pd.Timestamp("2026-12-02")
    filters = Filters(active_on=today, stale_after_months=12, as_of=today)
    then = filters_on(filters, datetime(2026, 9, 30, 23, 59))
    assert then.active_on == then.as_of == pd.Timestamp("2026-09-30")
    assert filters_on(Filters(), datetime(2026, 9, 30)) == Filters()
