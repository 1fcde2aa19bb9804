"""The reviewers' review list: every entry by how long ago it was last checked, the wards
and categories where old entries gather, and the list to download.

An entry is checked when a person confirms it or its source dates it; over a year
without either, or never, and it is stale (`analysis.freshness`, docs/freshness.md).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import settings
from analysis.escape import inert_text, markdown_text
from analysis.model import (
    CATEGORIES,
    CATEGORY,
    LIST_SEPARATOR,
    ORG_NAME,
    SERVICE_NAME,
    WARD_CODE,
    WARD_NAME,
)
from analysis.outputs.export import csv_bytes
from analysis.provision.freshness import (
    CATEGORY_LABEL,
    ENTRIES,
    IS_STALE,
    LAST_CHECKED,
    MONTHS_SINCE_CHECK,
    NEXT_REMINDER,
    SHARE_STALE,
    STALE_ENTRIES,
    age_words,
    freshness_by_ward_category,
    stale_headline,
    worst_cells,
)
from analysis.taxonomy import Taxonomy
from dashboard.components.freshness_map import directory_freshness, today
from dashboard.context import PageContext
from dashboard.data import directory_source
from dashboard.state import StateKeys, ViewState

PAGE_HEADING = "Review list"
MIN_ENTRIES = 3
"""Smallest ward × category cell the sentences speak of: a share of one or two says little."""
NO_WARD = "no venue in a ward"
OLD = f"Over {age_words()} old"
LIST_LABELS = {
    SERVICE_NAME: "Service",
    ORG_NAME: "Organisation",
    WARD_NAME: "Ward",
    CATEGORIES: "Categories",
    LAST_CHECKED: "Last checked",
    MONTHS_SINCE_CHECK: "Months since last check",
    NEXT_REMINDER: "Next reminder",
    IS_STALE: OLD,
}
SHARE_LABELS = {
    WARD_NAME: "Ward",
    CATEGORY_LABEL: "Category",
    ENTRIES: "Entries",
    STALE_ENTRIES: OLD,
    SHARE_STALE: f"Share {OLD.lower()}",
}


def render(ctx: PageContext) -> ViewState:
    """Draw the page; the view does not change here."""
    st.header(inert_text(PAGE_HEADING))
    viewer = ctx.viewer
    if viewer is None or not viewer.may("decide proposal"):
        st.info("The review list is for the directory's reviewers: sign in as one to see it.")
        return ctx.state
    source = ctx.source
    if source.is_upload:  # the list is of what the directory holds, not of a what-if file
        st.caption("This list is of the directory database, not of the file you uploaded.")
        source = directory_source(ctx.area)
    freshness = directory_freshness(source, ctx.area)
    if freshness.empty:
        st.write("The directory holds no entries to review yet.")
        return ctx.state
    st.subheader(markdown_text(stale_headline(freshness)))
    st.caption(
        markdown_text(
            f"An entry is over {age_words()} old when neither a person confirmed it nor its "
            f"source dated it in the last {settings.STALE_AFTER_MONTHS} months, or never: it "
            "may have closed, moved or changed. Its editors are reminded "
            f"{_months_list(settings.REMINDER_MONTHS)} months after its last check."
        )
    )
    cells = freshness_by_ward_category(freshness, ctx.taxonomy)
    _worst(cells)
    wards, categories, only_stale = _filters(freshness, ctx.taxonomy)
    _entries(_chosen(freshness, wards, categories, only_stale), ctx.taxonomy)
    _shares(cells, wards, categories)
    return ctx.state


def _months_list(months: tuple[int, ...]) -> str:
    """(10, 11, 12) -> "10, 11 and 12"."""
    words = [str(month) for month in months]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _worst(cells: pd.DataFrame) -> None:
    st.markdown("**Where old entries gather**")
    sentences = worst_cells(cells, min_entries=MIN_ENTRIES)
    if not sentences:
        st.write(
            f"No ward and category with at least {MIN_ENTRIES:,} entries has one over "
            f"{markdown_text(age_words())} old."
        )
    for sentence in sentences:
        st.markdown(f"- {markdown_text(sentence)}")
    st.caption(
        f"Wards and categories with at least {MIN_ENTRIES:,} entries, the largest share over "
        f"{markdown_text(age_words())} old first. An entry's ward is where its venue is; an "
        "entry in several categories counts in each."
    )


def _filters(freshness: pd.DataFrame, taxonomy: Taxonomy) -> tuple[list, list, bool]:
    """The wards and categories chosen (none: all), and whether only old entries show."""
    named = freshness.dropna(subset=[WARD_CODE]).drop_duplicates(WARD_CODE)
    ward_names = dict(zip(named[WARD_CODE], named[WARD_NAME], strict=True))
    ward_options = sorted(ward_names, key=lambda code: str(ward_names[code]).casefold())
    labels = {category.id: category.label for category in taxonomy.categories}
    left, middle, right = st.columns([2, 2, 1])
    wards = left.multiselect(
        "Wards",
        ward_options,
        format_func=lambda code: ward_names.get(code, code),
        key=StateKeys.REVIEW_WARDS,
        placeholder="All wards",
        help="The ward an entry's venue is in.",
    )
    categories = middle.multiselect(
        "Categories",
        list(labels),
        format_func=lambda key: labels.get(key, key),
        key=StateKeys.REVIEW_CATEGORIES,
        placeholder="All categories",
        help="An entry in several categories shows under each.",
    )
    only_stale = right.toggle(
        "Only old entries",
        key=StateKeys.REVIEW_ONLY_STALE,
        help="Show only the entries over a year old, or never checked.",
    )
    return wards, categories, only_stale


def _chosen(freshness: pd.DataFrame, wards: list, categories: list, only_stale: bool):
    rows = freshness
    if wards:
        rows = rows[rows[WARD_CODE].isin(wards)]
    if categories:
        wanted = set(categories)
        rows = rows[rows[CATEGORIES].map(lambda values: bool(wanted & set(values)))]
    if only_stale:
        rows = rows[rows[IS_STALE]]
    return rows


def review_table(freshness: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """The list as shown and downloaded: readable columns, dates as YYYY-MM-DD."""
    labels = {category.id: category.label for category in taxonomy.categories}
    out = freshness[list(LIST_LABELS)].copy()
    out[WARD_NAME] = out[WARD_NAME].fillna(NO_WARD)
    out[CATEGORIES] = out[CATEGORIES].map(
        lambda values: LIST_SEPARATOR.join(labels.get(key, key) for key in values)
    )
    out[LAST_CHECKED] = out[LAST_CHECKED].map(_day_text).replace("", "never")
    out[NEXT_REMINDER] = out[NEXT_REMINDER].map(_day_text)
    out[IS_STALE] = out[IS_STALE].map({True: "yes", False: "no"})
    return out.rename(columns=LIST_LABELS).reset_index(drop=True)


def _day_text(value: object) -> str:
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _entries(rows: pd.DataFrame, taxonomy: Taxonomy) -> None:
    shown = review_table(rows, taxonomy)
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=StateKeys.REVIEW_LIST,
        column_config={
            LIST_LABELS[LAST_CHECKED]: st.column_config.TextColumn(
                help="The later of a person's confirmation and the source's date."
            ),
            LIST_LABELS[MONTHS_SINCE_CHECK]: st.column_config.NumberColumn(
                help="Whole months from the last check to today; blank when never checked.",
                format="%d",
            ),
            LIST_LABELS[NEXT_REMINDER]: st.column_config.TextColumn(
                help="The day its editors are next asked to confirm it; blank when every "
                "reminder has passed or it was never checked."
            ),
        },
    )
    st.caption(
        f"{len(shown):,} entries, most stale first: never checked, then the oldest check. "
        "Months: whole calendar months since the last check."
    )
    st.download_button(
        "Download the list (CSV)",
        data=csv_bytes(shown, byte_order_mark=True),
        file_name=f"safety-net-review-list-{today():%Y-%m-%d}.csv",
        mime="text/csv",
        key=StateKeys.REVIEW_DOWNLOAD,
        help="The entries as filtered above, in this order.",
    )


def _shares(cells: pd.DataFrame, wards: list, categories: list) -> None:
    st.markdown("**Old entries by ward and category**")
    if wards:
        cells = cells[cells[WARD_CODE].isin(wards)]
    if categories:
        cells = cells[cells[CATEGORY].isin(categories)]
    st.dataframe(
        cells[list(SHARE_LABELS)].rename(columns=SHARE_LABELS),
        hide_index=True,
        width="stretch",
        key=StateKeys.REVIEW_CELLS,
        column_config={
            SHARE_LABELS[ENTRIES]: st.column_config.NumberColumn(
                help="Entries with a venue in the ward, in the category.", format="%d"
            ),
            SHARE_LABELS[STALE_ENTRIES]: st.column_config.NumberColumn(
                help="Of those, entries over a year old or never checked.", format="%d"
            ),
            SHARE_LABELS[SHARE_STALE]: st.column_config.NumberColumn(
                help="Old entries as a share of the entries.", format="percent"
            ),
        },
    )
    st.caption(
        "One row per ward and category with entries, the largest share over a year old "
        "first. An entry in several categories counts in each; entries with no venue in a "
        "ward are in no row."
    )
