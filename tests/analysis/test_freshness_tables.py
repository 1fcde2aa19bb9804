"""The freshness tables: each entry's last check, age, staleness and next reminder; the
ward × category shares and their sentences; the share checked per ward, for the map."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis.model import CATEGORIES, CATEGORY, SERVICE_ID, WARD_CODE, WARD_NAME
from analysis.provision.freshness import (
    CHECKED_RECENTLY,
    ENTRIES,
    IS_STALE,
    LAST_CHECKED,
    MONTHS_SINCE_CHECK,
    NEXT_REMINDER,
    SHARE_CHECKED_RECENTLY,
    SHARE_STALE,
    STALE_ENTRIES,
    freshness_by_ward,
    freshness_by_ward_category,
    next_reminder,
    service_freshness,
    share_words,
    stale_headline,
    whole_months,
    worst_cells,
)
from tests.analysis.tiny import circle, make_area, make_directory, make_taxonomy, service

AS_OF = date(2025, 6, 15)
AREA = make_area()


def _venue(service_id: str, x_km: float, updated: str | None, **kwargs) -> dict:
    """A venue at (x, 0.5) km: x < 2 is in ward W1, 2 <= x < 4 in W2."""
    stamp = pd.Timestamp(updated) if updated else pd.NaT
    return circle(x_km, 0.5, 500, service_id, last_updated=stamp, **kwargs)


def _freshness(rows: list[dict], verified: dict[str, str] | None = None) -> pd.DataFrame:
    directory = make_directory(rows)
    services = directory.services
    confirmed = pd.to_datetime(services[SERVICE_ID].map(verified or {}))
    return service_freshness(directory, AREA, last_verified=confirmed, as_of=AS_OF)


def _row(table: pd.DataFrame, service_id: str) -> pd.Series:
    return table.set_index(SERVICE_ID).loc[service_id]


def test_stale_is_over_twelve_months_before_as_of_or_never_checked():
    table = _freshness(
        [
            _venue("exactly-a-year", 0.5, "2024-06-15"),
            _venue("a-day-more", 0.5, "2024-06-14"),
            _venue("recent", 2.5, "2025-01-10"),
            _venue("never", 2.5, None),
        ]
    )
    assert not _row(table, "exactly-a-year")[IS_STALE]
    assert _row(table, "a-day-more")[IS_STALE]
    assert not _row(table, "recent")[IS_STALE]
    assert _row(table, "never")[IS_STALE]
    assert pd.isna(_row(table, "never")[LAST_CHECKED])
    assert pd.isna(_row(table, "never")[MONTHS_SINCE_CHECK])
    assert _row(table, "exactly-a-year")[MONTHS_SINCE_CHECK] == 12
    assert _row(table, "a-day-more")[MONTHS_SINCE_CHECK] == 12
    assert _row(table, "recent")[MONTHS_SINCE_CHECK] == 5
    assert stale_headline(table) == "2 of 4 entries (50%) are over a year old"


def test_a_persons_confirmation_after_the_source_date_makes_an_entry_current():
    table = _freshness(
        [_venue("confirmed", 0.5, "2023-01-01"), _venue("not", 0.5, "2023-01-01")],
        verified={"confirmed": "2025-03-02T09:30:00"},
    )
    assert _row(table, "confirmed")[LAST_CHECKED] == pd.Timestamp("2025-03-02")
    assert not _row(table, "confirmed")[IS_STALE]
    assert _row(table, "not")[IS_STALE]


def test_the_list_is_most_stale_first_never_checked_at_the_top():
    table = _freshness(
        [
            _venue("new", 0.5, "2025-05-01"),
            _venue("old", 0.5, "2022-01-01"),
            _venue("never", 0.5, None),
            _venue("middle", 0.5, "2024-01-01"),
        ]
    )
    assert list(table[SERVICE_ID]) == ["never", "old", "middle", "new"]


def test_the_ward_is_where_the_venue_is_and_none_without_a_venue():
    table = _freshness(
        [_venue("west", 1.5, "2025-01-01"), _venue("east", 3.5, "2025-01-01"), service("phone")]
    )
    assert _row(table, "west")[WARD_CODE] == "W1"
    assert _row(table, "east")[WARD_NAME] == "Ward W2"
    assert pd.isna(_row(table, "phone")[WARD_CODE])


@pytest.mark.parametrize(
    ("checked", "expected"),
    [
        (date(2024, 8, 20), date(2025, 6, 20)),  # the 10-month reminder is still to come
        (date(2024, 8, 15), date(2025, 6, 15)),  # today's reminder has not passed
        (date(2024, 7, 20), date(2025, 6, 20)),  # 10 months passed: the 11-month one
        (date(2024, 6, 20), date(2025, 6, 20)),  # 12 months: the last one
        (date(2024, 6, 1), None),  # all three passed
    ],
)
def test_next_reminder_is_the_first_not_yet_passed(checked, expected):
    assert next_reminder(checked, AS_OF) == expected


def test_next_reminder_in_the_table_and_none_when_never_checked():
    table = _freshness([_venue("due", 0.5, "2024-09-01"), _venue("never", 0.5, None)])
    assert _row(table, "due")[NEXT_REMINDER] == pd.Timestamp("2025-07-01")
    assert pd.isna(_row(table, "never")[NEXT_REMINDER])


def test_whole_months_follow_calendar_months_at_the_end_of_a_month():
    assert whole_months(date(2025, 1, 31), date(2025, 2, 28)) == 1
    assert whole_months(date(2025, 1, 31), date(2025, 2, 27)) == 0
    assert whole_months(date(2025, 6, 1), date(2025, 5, 1)) == 0


def test_a_service_in_two_categories_counts_in_each():
    table = _freshness(
        [
            _venue("both", 0.5, "2020-01-01", categories=("food", "befriending")),
            _venue("food", 0.5, "2025-05-01", categories=("food",)),
        ]
    )
    cells = freshness_by_ward_category(table, make_taxonomy()).set_index(CATEGORY)
    assert cells.loc["food", ENTRIES] == 2
    assert cells.loc["food", STALE_ENTRIES] == 1
    assert cells.loc["befriending", ENTRIES] == 1
    assert cells.loc["befriending", SHARE_STALE] == 1.0
    assert set(cells[WARD_CODE]) == {"W1"}


def test_entries_without_a_ward_or_category_are_in_no_cell():
    table = _freshness(
        [service("phone", last_updated=pd.NaT), _venue("none", 0.5, None, categories=())]
    )
    assert freshness_by_ward_category(table, make_taxonomy()).empty


def _twelve_befriending_four_stale() -> pd.DataFrame:
    rows = [
        _venue(f"b{k}", 2.5, "2020-01-01" if k < 4 else "2025-05-01", categories=("befriending",))
        for k in range(12)
    ]
    rows += [_venue(f"f{k}", 0.5, "2020-01-01", categories=("food",)) for k in range(2)]
    return _freshness(rows)


def test_worst_cells_speak_of_a_third_and_skip_small_cells():
    cells = freshness_by_ward_category(_twelve_befriending_four_stale(), make_taxonomy())
    assert worst_cells(cells) == [
        "A third of befriending entries in Ward W2 are over a year old (4 of 12)."
    ]
    # With small cells allowed, the two food entries (both stale) come first.
    assert worst_cells(cells, min_entries=2)[0] == (
        "All food entries in Ward W1 are over a year old (2 of 2)."
    )
    assert len(worst_cells(cells, min_entries=1, limit=1)) == 1


@pytest.mark.parametrize(
    ("part", "whole", "words"),
    [
        (1, 2, "Half"),
        (1, 4, "A quarter"),
        (2, 3, "Two thirds"),
        (3, 4, "Three quarters"),
        (33, 100, "A third"),
        (3, 10, "30%"),
        (7, 20, "35%"),
        (1, 500, "Under 1%"),
        (999, 1000, "99%"),
        (5, 5, "All"),
    ],
)
def test_share_words(part, whole, words):
    assert share_words(part, whole) == words


def test_by_ward_counts_each_entry_once_and_a_ward_without_entries_has_no_share():
    table = _freshness(
        [
            _venue("a", 0.5, "2025-05-01", categories=("food", "befriending")),
            _venue("b", 1.5, "2020-01-01"),
            _venue("c", 1.5, None),
            _venue("d", 0.5, "2025-01-01"),
            service("phone", last_updated=pd.Timestamp("2025-05-01")),
        ]
    )
    by_ward = freshness_by_ward(table, AREA.wards).set_index(WARD_CODE)
    assert by_ward.loc["W1", ENTRIES] == 4
    assert by_ward.loc["W1", CHECKED_RECENTLY] == 2
    assert by_ward.loc["W1", SHARE_CHECKED_RECENTLY] == pytest.approx(0.5)
    assert by_ward.loc["W2", ENTRIES] == 0
    assert pd.isna(by_ward.loc["W2", SHARE_CHECKED_RECENTLY])
    assert list(by_ward.index) == list(AREA.wards[WARD_CODE])


def test_last_verified_must_be_aligned_with_the_services():
    directory = make_directory([_venue("a", 0.5, "2025-01-01")])
    with pytest.raises(ValueError, match="indexed like"):
        service_freshness(
            directory, AREA, last_verified=pd.Series([pd.NaT], index=[7]), as_of=AS_OF
        )


def test_no_last_verified_means_the_source_dates_decide():
    directory = make_directory([_venue("a", 0.5, "2025-01-01")])
    table = service_freshness(directory, AREA, last_verified=None, as_of=AS_OF)
    assert table.loc[0, LAST_CHECKED] == pd.Timestamp("2025-01-01")
    assert table.loc[0, CATEGORIES] == ("food",)
