"""How current the directory is: each entry's last check, and where old entries gather.

The rule of `analysis.freshness` applied to a whole directory, for the reviewers' review
list and the overview's freshness map (docs/freshness.md):

- an entry's **last check** is the later of its source's date (``last_updated``) and a
  person's confirmation (``last_verified``); an entry with neither was never checked;
- it is **stale** when that check is more than `settings.STALE_AFTER_MONTHS` months
  before ``as_of``, or it was never checked;
- its **ward** is the ward its venue (``location``) stands in; an entry without a venue
  inside the area's wards (a phone line, an online service) is in no ward's count;
- an entry in several categories counts once in each of them.

Nothing here reads the clock: ``as_of`` is always passed.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import geopandas as gpd
import pandas as pd

from analysis import settings
from analysis.directory import Directory
from analysis.freshness import checked_series, is_stale, next_reminder, whole_months
from analysis.geography import AreaSet, locate_points
from analysis.model import (
    CATEGORIES,
    CATEGORY,
    CRS_COMPUTE,
    LAST_UPDATED,
    LOCATION,
    ORG_ID,
    ORG_NAME,
    SERVICE_ID,
    SERVICE_NAME,
    WARD_CODE,
    WARD_NAME,
)
from analysis.taxonomy import Taxonomy

# Columns of the tables made here (to move into analysis.model when they settle).
LAST_CHECKED: Final = "last_checked"
"""The day of the last check (naive timestamp), NaT when never checked."""
MONTHS_SINCE_CHECK: Final = "months_since_check"
"""Whole calendar months from the last check to ``as_of`` (nullable integer)."""
IS_STALE: Final = "is_stale"
"""True when the last check is over `settings.STALE_AFTER_MONTHS` months old, or none."""
NEXT_REMINDER: Final = "next_reminder"
"""The next reminder day still to come (`settings.REMINDER_MONTHS`), NaT when none."""
CATEGORY_LABEL: Final = "category_label"
"""The category's name as the taxonomy gives it."""
ENTRIES: Final = "entries"
"""Entries counted in the row (an entry in two categories is one in each)."""
STALE_ENTRIES: Final = "stale_entries"
SHARE_STALE: Final = "share_stale"
"""Stale entries / entries, 0-1."""
CHECKED_RECENTLY: Final = "checked_recently"
"""Entries that are not stale: checked within `settings.STALE_AFTER_MONTHS` months."""
SHARE_CHECKED_RECENTLY: Final = "share_checked_recently"
"""Checked recently / entries, 0-1; NaN for a ward with no entry."""

FRESHNESS_COLUMNS: Final = (
    SERVICE_ID,
    SERVICE_NAME,
    ORG_ID,
    ORG_NAME,
    WARD_CODE,
    WARD_NAME,
    CATEGORIES,
    LAST_CHECKED,
    MONTHS_SINCE_CHECK,
    IS_STALE,
    NEXT_REMINDER,
)

# Shares said in words when a count is this close to them (4 of 12 is "a third").
FRACTION_WORDS: Final = (
    (1 / 4, "A quarter"),
    (1 / 3, "A third"),
    (1 / 2, "Half"),
    (2 / 3, "Two thirds"),
    (3 / 4, "Three quarters"),
)
FRACTION_TOLERANCE: Final = 0.015
ALL_WORD: Final = "All"


def service_freshness(
    directory: Directory,
    area: AreaSet,
    *,
    last_verified: pd.Series | None,
    as_of: date,
) -> pd.DataFrame:
    """One row per service: its ward, last check, age, staleness and next reminder.

    Parameters
    ----------
    directory
        The services and their organisations.
    area
        The wards a venue is placed in (`analysis.geography.locate_points`).
    last_verified
        When a person last confirmed each service, indexed like ``directory.services``
        (NaT or None when unknown); None when no one has confirmed any.
    as_of
        The day ages are measured to.

    Returns
    -------
    pandas.DataFrame
        Columns `FRESHNESS_COLUMNS`, most stale first: never checked, then the oldest
        check, ties by service name.
    """
    services = directory.services
    if last_verified is None:
        last_verified = pd.Series(pd.NaT, index=services.index, dtype="datetime64[ns]")
    if not last_verified.index.equals(services.index):
        raise ValueError(
            "last_verified is not indexed like directory.services. Fix: build it from the "
            "services frame, e.g. services[SERVICE_ID].map(confirmed_by_id)"
        )
    as_of = pd.Timestamp(as_of).date()
    checked = checked_series(services[LAST_UPDATED], last_verified)
    days = [None if pd.isna(value) else value.date() for value in checked]
    wards = _venue_wards(services, area)
    names = directory.organisations.drop_duplicates(ORG_ID).set_index(ORG_ID)[ORG_NAME]
    frame = pd.DataFrame(
        {
            SERVICE_ID: services[SERVICE_ID].astype(str).to_numpy(),
            SERVICE_NAME: services[SERVICE_NAME].astype(str).to_numpy(),
            ORG_ID: services[ORG_ID].astype(str).to_numpy(),
            ORG_NAME: services[ORG_ID].map(names).fillna("").astype(str).to_numpy(),
            WARD_CODE: wards.to_numpy(),
            WARD_NAME: wards.map(area.ward_names).to_numpy(),
            CATEGORIES: [tuple(values or ()) for values in services[CATEGORIES]],
            LAST_CHECKED: pd.to_datetime(checked.to_numpy()),
            MONTHS_SINCE_CHECK: pd.array(
                [None if day is None else whole_months(day, as_of) for day in days],
                dtype="Int64",
            ),
            IS_STALE: [is_stale(day, as_of) for day in days],
            NEXT_REMINDER: pd.to_datetime(
                [None if day is None else next_reminder(day, as_of) for day in days]
            ),
        },
        columns=list(FRESHNESS_COLUMNS),
    )
    # NaT sorts first: never checked is the most stale of all.
    return frame.sort_values(
        [LAST_CHECKED, SERVICE_NAME], na_position="first", kind="stable", ignore_index=True
    )


def stale_headline(freshness: pd.DataFrame) -> str:
    """E.g. "312 of 900 entries (35%) are over a year old"."""
    total, stale = len(freshness), int(freshness[IS_STALE].sum())
    share = f" ({stale / total:.0%})" if total else ""
    return f"{stale:,} of {total:,} entries{share} are over {age_words()} old"


def freshness_by_ward_category(freshness: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Entries, stale entries and the share stale per ward × category.

    An entry counts in each of its categories; entries in no ward (no venue in the area)
    or with no category are left out. Categories the taxonomy lacks keep their id as name.

    Returns
    -------
    pandas.DataFrame
        ``ward_code``, ``ward_name``, ``category``, `CATEGORY_LABEL`, `ENTRIES`,
        `STALE_ENTRIES`, `SHARE_STALE`; the largest share stale first, then the most stale.
    """
    located = freshness[freshness[WARD_CODE].notna()]
    long = located[[WARD_CODE, WARD_NAME, CATEGORIES, IS_STALE]].explode(CATEGORIES)
    long = long[long[CATEGORIES].notna()].rename(columns={CATEGORIES: CATEGORY})
    table = (
        long.groupby([WARD_CODE, WARD_NAME, CATEGORY], sort=True)
        .agg(**{ENTRIES: (IS_STALE, "size"), STALE_ENTRIES: (IS_STALE, "sum")})
        .reset_index()
    )
    labels = {category.id: category.label for category in taxonomy.categories}
    table.insert(3, CATEGORY_LABEL, table[CATEGORY].map(lambda key: labels.get(key, key)))
    table[ENTRIES] = table[ENTRIES].astype("int64")
    table[STALE_ENTRIES] = table[STALE_ENTRIES].astype("int64")
    table[SHARE_STALE] = table[STALE_ENTRIES] / table[ENTRIES]
    return table.sort_values(
        [SHARE_STALE, STALE_ENTRIES, WARD_NAME, CATEGORY_LABEL],
        ascending=[False, False, True, True],
        kind="stable",
        ignore_index=True,
    )


def worst_cells(table: pd.DataFrame, *, min_entries: int = 3, limit: int = 5) -> list[str]:
    """Plain sentences on the ward × category cells with the largest share of stale entries.

    Only cells of at least ``min_entries`` entries with a stale one count: a share of one
    or two entries says little. E.g. "A third of befriending entries in Hartcliffe and
    Withywood are over a year old (4 of 12)."
    """
    cells = table[(table[ENTRIES] >= min_entries) & (table[STALE_ENTRIES] > 0)]
    cells = cells.sort_values(
        [SHARE_STALE, STALE_ENTRIES], ascending=[False, False], kind="stable"
    ).head(limit)
    sentences = []
    for _, row in cells.iterrows():
        stale, entries = int(row[STALE_ENTRIES]), int(row[ENTRIES])
        words = share_words(stale, entries)
        lead = words if words == ALL_WORD else f"{words} of"
        sentences.append(
            f"{lead} {_in_sentence(row[CATEGORY_LABEL])} entries in {row[WARD_NAME]} are "
            f"over {age_words()} old ({stale:,} of {entries:,})."
        )
    return sentences


def share_words(part: int, whole: int) -> str:
    """A share to start a sentence: "All", "Half", "A third"… when close, else "35%"."""
    if whole <= 0:
        raise ValueError("share_words needs a whole of at least 1")
    share = part / whole
    if part == whole:
        return ALL_WORD
    for fraction, words in FRACTION_WORDS:
        if abs(share - fraction) <= FRACTION_TOLERANCE:
            return words
    percent = round(share * 100)
    if percent == 0:
        return "Under 1%"
    return f"{min(percent, 99)}%"  # 99.6% is not "100%": some are current


def age_words(months: int = settings.STALE_AFTER_MONTHS) -> str:
    """How old a stale entry is, in words: "a year" for 12 months."""
    if months % 12 == 0:
        years = months // 12
        return "a year" if years == 1 else f"{years} years"
    return f"{months} months"


def freshness_by_ward(freshness: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """Per ward: entries, entries checked recently and their share, for the freshness map.

    Each entry counts once, in the ward of its venue; every ward of ``wards`` has a row,
    those with no entry a share of NaN (no data, not 0%).

    Returns
    -------
    pandas.DataFrame
        ``ward_code``, ``ward_name``, `ENTRIES`, `CHECKED_RECENTLY`,
        `SHARE_CHECKED_RECENTLY`, in the order of ``wards``.
    """
    located = freshness[freshness[WARD_CODE].notna()]
    counts = located.groupby(WARD_CODE).agg(
        **{ENTRIES: (IS_STALE, "size"), CHECKED_RECENTLY: (IS_STALE, lambda s: int((~s).sum()))}
    )
    out = pd.DataFrame(
        {
            WARD_CODE: wards[WARD_CODE].astype(str).to_numpy(),
            WARD_NAME: wards[WARD_NAME].astype(str).to_numpy(),
        }
    )
    for column in (ENTRIES, CHECKED_RECENTLY):
        out[column] = out[WARD_CODE].map(counts[column]).fillna(0).astype("int64")
    out[SHARE_CHECKED_RECENTLY] = out[CHECKED_RECENTLY] / out[ENTRIES].where(out[ENTRIES] > 0)
    return out


def _venue_wards(services: gpd.GeoDataFrame, area: AreaSet) -> pd.Series:
    """The ward code each service's venue stands in, None when it has none in the area."""
    out = pd.Series(None, index=services.index, dtype=object)
    points = gpd.GeoSeries(services[LOCATION], crs=CRS_COMPUTE)
    placed = points.notna() & ~points.is_empty
    if placed.any():
        found = locate_points(area, gpd.GeoDataFrame(geometry=points[placed]))
        out[placed] = found[WARD_CODE].where(found[WARD_CODE].notna(), None)
    return out


def _in_sentence(label: str) -> str:
    """A category's name inside a sentence: lower case first, acronyms kept ("LGBTQ+")."""
    if len(label) > 1 and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]
