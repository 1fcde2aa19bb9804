"""What changed: the directory between two days — services opened, closed and changed, and
the gap map on the earlier day beside the later one.

Both days are read from the directory database's history (`dashboard.data.directory_on`),
so the page follows the database, never an upload (an upload has no history).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.escape import markdown_text
from analysis.model import AREA_CODE, AREA_NAME, CATEGORY, GAP_CLASSES, PROVISION_CLASS
from analysis.outputs.palette import classify_measure
from analysis.provision.pipeline import Analysis
from dashboard.components.filters import category_select, filter_controls
from dashboard.context import PageContext
from dashboard.data import (
    DirectorySource,
    area_identity,
    directory_on,
    directory_source,
    directory_summary,
    get_analysis,
    place_name,
)
from dashboard.maps.choropleth import choropleth_map
from dashboard.navigation import follow_url, remember
from dashboard.state import StateKeys, ViewState

DEFAULT_SPAN_DAYS = 90
"""The span shown when the link names no day: about a quarter, as funders report."""
CLASS_THEN = "Class then"
CLASS_NOW = "Class now"


def default_days(first: date, today: date) -> tuple[date, date]:
    """The days compared by default: a quarter ago (not before the first record) and today."""
    return max(first, today - timedelta(days=DEFAULT_SPAN_DAYS)), today


def chosen_day(text: str, default: date, *, first: date, today: date) -> date:
    """The day a link names, kept within the directory's history; ``default`` when none."""
    if not text:
        return default
    return min(max(date.fromisoformat(text), first), today)


def _analysis_of(source: DirectorySource, ctx: PageContext) -> Analysis:
    return get_analysis(source.key, area_identity(ctx.area), source.directory, ctx.area)


def _days(state: ViewState, first: date, today: date) -> tuple[date, date]:
    since_default, until_default = default_days(first, today)
    since = chosen_day(state.since, since_default, first=first, today=today)
    until = chosen_day(state.until, until_default, first=first, today=today)
    inputs = (
        (
            "From the end of",
            since,
            StateKeys.CHANGES_SINCE,
            "The earlier day: the directory as it was when that day ended (UTC).",
        ),
        (
            "To the end of",
            until,
            StateKeys.CHANGES_UNTIL,
            "The later day: today is the directory now.",
        ),
    )
    chosen = []
    for column, (label, value, key, help_) in zip(st.columns(2), inputs, strict=True):
        follow_url(key, value)
        day = column.date_input(
            markdown_text(label),
            min_value=first,
            max_value=today,
            key=key,
            format="DD/MM/YYYY",
            help=markdown_text(help_),
        )
        chosen.append(remember(key, day))
    return chosen[0], chosen[1]


def class_changes(then: pd.DataFrame, now: pd.DataFrame, category: str) -> pd.DataFrame:
    """The wards of ``category`` whose provision class differs between two metrics tables."""
    keys = [AREA_CODE, AREA_NAME, PROVISION_CLASS]
    before = then.loc[then[CATEGORY] == category, keys].rename(
        columns={PROVISION_CLASS: CLASS_THEN}
    )
    after = now.loc[now[CATEGORY] == category, keys].rename(columns={PROVISION_CLASS: CLASS_NOW})
    both = before.merge(after, on=[AREA_CODE, AREA_NAME], how="outer")
    changed = both[both[CLASS_THEN] != both[CLASS_NOW]]
    return changed.rename(columns={AREA_NAME: "Ward", AREA_CODE: "Code"}).reset_index(drop=True)


def gap_moves(changes: pd.DataFrame) -> tuple[int, int]:
    """Wards that became a gap (missing or under-served), and wards that stopped being one."""
    was_gap = changes[CLASS_THEN].isin(GAP_CLASSES)
    is_gap = changes[CLASS_NOW].isin(GAP_CLASSES)
    return int((is_gap & ~was_gap).sum()), int((was_gap & ~is_gap).sum())


def _map(ctx: PageContext, table: pd.DataFrame, category: str, *, title: str, key: str) -> None:
    rows = table[table[CATEGORY] == category]
    classification = classify_measure(table[PROVISION_CLASS], PROVISION_CLASS)
    m = choropleth_map(ctx.area.wards, rows, classification, title=title)
    st_folium(m, key=key, height=420, use_container_width=True, returned_objects=[])


def render(ctx: PageContext) -> ViewState:
    """The what-changed page."""
    state, area, taxonomy = ctx.state, ctx.area, ctx.taxonomy
    place = place_name(area.name)
    st.title(f"What changed in {markdown_text(place)}")
    if ctx.source.is_upload:
        st.info(
            "This page follows the directory database over time. Your upload is a what-if "
            "with no history, so it is not shown here."
        )
    held = directory_source(area)
    if held.no_services:
        st.info(markdown_text(held.about))
        return state
    summary = directory_summary()
    today = datetime.now(UTC).date()
    first = summary.first_at.date() if summary.first_at else today
    since, until = _days(state, first, today)
    state = state.with_(since=since.isoformat(), until=until.isoformat())
    category = category_select(
        state, taxonomy, help_="The category the maps and the ward table show."
    )
    state = filter_controls(state.with_(category=category))
    if since > until:
        st.error("The first day is after the second. Fix: choose an earlier 'From' day.")
        return state
    st.caption(
        f"The directory's history starts on {first:%d %B %Y}: before it, it held nothing. "
        "A day means the directory as it was when that day ended (UTC)."
    )
    then_source, now_source = directory_on(area, since), directory_on(area, until)
    thresholds = state.thresholds
    then = _analysis_of(then_source, ctx).metrics(
        state.filters(today=pd.Timestamp(since)), thresholds
    )
    now = _analysis_of(now_source, ctx).metrics(
        state.filters(today=pd.Timestamp(until)), thresholds
    )
    changes = class_changes(then.table, now.table, category)
    into_gap, out_of_gap = gap_moves(changes)
    label = taxonomy.get(category).label

    cols = st.columns(4)
    cols[0].metric(
        "Services then",
        f"{len(then_source.directory.services):,}",
        help=f"Active services in the directory at the end of {since:%d %B %Y}.",
    )
    cols[1].metric(
        "Services now",
        f"{len(now_source.directory.services):,}",
        help=f"Active services in the directory at the end of {until:%d %B %Y}.",
    )
    cols[2].metric(
        "Wards now in a gap",
        f"{into_gap:,}",
        help=markdown_text(
            f"Wards where {label.lower()} became missing or under-served between the days."
        ),
    )
    cols[3].metric(
        "Wards out of a gap",
        f"{out_of_gap:,}",
        help=markdown_text(f"Wards where {label.lower()} stopped being missing or under-served."),
    )
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{since:%d %B %Y}**")
        _map(
            ctx,
            then.table,
            category,
            title=f"{label} on {since:%d %b %Y}",
            key=StateKeys.CHANGES_MAP_THEN,
        )
    with right:
        st.markdown(f"**{until:%d %B %Y}**")
        _map(
            ctx,
            now.table,
            category,
            title=f"{label} on {until:%d %b %Y}",
            key=StateKeys.CHANGES_MAP_NOW,
        )
    st.subheader("Wards whose class changed")
    if changes.empty:
        st.write(f"No ward's class for {markdown_text(label.lower())} changed between the days.")
    else:
        st.dataframe(changes, hide_index=True, width="stretch")
    return state
