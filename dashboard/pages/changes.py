"""What changed: the directory between two days — services opened, closed and changed, and
the gap map on the earlier day beside the later one.

Both days are read from the directory database's history
(`dashboard.data.directory_snapshots`) and compared by
`analysis.provision.change.compare_snapshots`, the function ``analyse --as-of DATE
--compare-to DATE`` prints, so the page and the command line give the same counts. The
page follows the database, never an upload (an upload has no history).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.escape import markdown_text
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    AREA_NAME,
    CATEGORY,
    ORG_NAME,
    PROVISION_CLASS,
    SERVICE_NAME,
)
from analysis.outputs.change_export import change_xlsx_bytes
from analysis.outputs.export import csv_bytes
from analysis.outputs.palette import classify_measure
from analysis.provision.change import (
    AFTER,
    BEFORE,
    CHANGE,
    FIELDS_CHANGED,
    GAP_CHANGE,
    GAP_CLOSED,
    GAP_OPENED,
    HOW,
    SERVICES_CHANGED,
    SERVICES_CLOSED,
    SERVICES_OPENED,
    WARD_NAMES,
    DirectoryChange,
    compare_snapshots,
)
from dashboard.components.exports import XLSX_MIME
from dashboard.components.filters import category_select, filter_controls
from dashboard.context import PageContext
from dashboard.data import directory_snapshots, directory_source, directory_summary, place_name
from dashboard.maps.choropleth import choropleth_map
from dashboard.navigation import follow_url, remember
from dashboard.state import StateKeys, ViewState

DEFAULT_SPAN_DAYS = 90
"""The span shown when the link names no day: about a quarter, as funders report."""
WARD_LABELS = {
    AREA_NAME: "Ward",
    SERVICES_OPENED: "Opened",
    SERVICES_CLOSED: "Closed",
    SERVICES_CHANGED: "Changed",
    f"{PROVISION_CLASS}{BEFORE}": "Class then",
    f"{PROVISION_CLASS}{AFTER}": "Class now",
    f"{ACCESSIBILITY_PER_1000}{BEFORE}": "Places a week per 1,000 in need, then",
    f"{ACCESSIBILITY_PER_1000}{AFTER}": "Places a week per 1,000 in need, now",
    GAP_CHANGE: "Gap",
}
SERVICE_LABELS = {
    SERVICE_NAME: "Service",
    ORG_NAME: "Organisation",
    CHANGE: "What happened",
    HOW: "How",
    FIELDS_CHANGED: "Fields changed",
    WARD_NAMES: "Wards it counts in",
}


def default_days(first: date, today: date) -> tuple[date, date]:
    """The days compared by default: a quarter ago (not before the first record) and today."""
    return max(first, today - timedelta(days=DEFAULT_SPAN_DAYS)), today


def chosen_day(text: str, default: date, *, first: date, today: date) -> date:
    """The day a link names, kept within the directory's history; ``default`` when none."""
    if not text:
        return default
    return min(max(date.fromisoformat(text), first), today)


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


def changed_wards(change: DirectoryChange) -> pd.DataFrame:
    """The wards where a service opened, closed or changed, or a gap opened or closed,
    with readable column names (`WARD_LABELS`); the wards where most happened first."""
    table = change.table
    moved = table[[SERVICES_OPENED, SERVICES_CLOSED, SERVICES_CHANGED]].sum(axis=1)
    shown = table[(moved > 0) | table[GAP_CHANGE].isin([GAP_OPENED, GAP_CLOSED])]
    order = moved.loc[shown.index].sort_values(ascending=False, kind="stable").index
    return shown.loc[order, list(WARD_LABELS)].rename(columns=WARD_LABELS).reset_index(drop=True)


def changed_services(change: DirectoryChange) -> pd.DataFrame:
    """The services opened, closed or changed, with readable names and lists as text."""
    services = change.services[list(SERVICE_LABELS)].copy()
    services[FIELDS_CHANGED] = services[FIELDS_CHANGED].map(
        lambda fields: ", ".join(field.replace("_", " ") for field in fields)
    )
    services[WARD_NAMES] = services[WARD_NAMES].map(", ".join)
    return services.rename(columns=SERVICE_LABELS)


def _map(ctx: PageContext, table: pd.DataFrame, category: str, *, title: str, key: str) -> None:
    rows = table[table[CATEGORY] == category]
    classification = classify_measure(table[PROVISION_CLASS], PROVISION_CLASS)
    m = choropleth_map(ctx.area.wards, rows, classification, title=title)
    st_folium(m, key=key, height=420, use_container_width=True, returned_objects=[])


def _metrics(change: DirectoryChange, label: str) -> None:
    counts, what = change.counts(), label.lower()
    figures = (
        (
            "Services opened",
            counts.opened,
            f"Services of {what} open on the second day, not on the first.",
        ),
        (
            "Services closed",
            counts.closed,
            f"Services of {what} open on the first day, not on the second.",
        ),
        (
            "Services changed",
            counts.changed,
            f"Services of {what} open on both days whose entry changed.",
        ),
        (
            "Wards into a gap",
            counts.gaps_opened,
            f"Wards where {what} became missing or under-served.",
        ),
        (
            "Wards out of a gap",
            counts.gaps_closed,
            f"Wards where {what} stopped being missing or under-served.",
        ),
    )
    for column, (title, value, meaning) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(markdown_text(title), f"{value:,}", help=markdown_text(meaning))


def _downloads(change: DirectoryChange, stem: str) -> None:
    columns = st.columns(3)
    columns[0].download_button(
        "What changed (XLSX)",
        data=change_xlsx_bytes(change),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{StateKeys.CHANGES_EXPORT}_xlsx",
        help="The ward table, the service list, the parameters and each column's meaning.",
    )
    columns[1].download_button(
        "Wards (CSV)",
        data=csv_bytes(change.table, byte_order_mark=True),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{StateKeys.CHANGES_EXPORT}_wards",
    )
    columns[2].download_button(
        "Services (CSV)",
        data=csv_bytes(change.services, byte_order_mark=True),
        file_name=f"{stem}-services.csv",
        mime="text/csv",
        key=f"{StateKeys.CHANGES_EXPORT}_services",
    )


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
        state, taxonomy, help_="The category the counts, the maps and the tables show."
    )
    state = filter_controls(state.with_(category=category))
    if since > until:
        st.error("The first day is after the second. Fix: choose an earlier 'From' day.")
        return state
    snapshots = directory_snapshots(area, since, until)
    if snapshots is None:
        return state
    earlier, later = snapshots
    change = compare_snapshots(
        earlier,
        later,
        filters=state.filters(),
        thresholds=state.thresholds,
        categories=[category],
    )
    label = taxonomy.get(category).label
    st.caption(
        f"The directory's history starts on {first:%d %B %Y}: before it, it held nothing. "
        "A day means the directory as it was when that day ended (UTC). It held "
        f"{len(earlier.analysis.directory.services):,} open services (all categories) at "
        f"the end of {since:%d %B %Y} and {len(later.analysis.directory.services):,} at the "
        f"end of {until:%d %B %Y}."
    )
    _metrics(change, label)
    left, right = st.columns(2)
    for column, moment, table, key in (
        (left, since, change.before.table, StateKeys.CHANGES_MAP_THEN),
        (right, until, change.after.table, StateKeys.CHANGES_MAP_NOW),
    ):
        with column:
            st.markdown(f"**{moment:%d %B %Y}**")
            _map(ctx, table, category, title=f"{label} on {moment:%d %b %Y}", key=key)
    st.caption(
        "Each map is classed against its own day's city average, so a ward can change "
        "colour when provision elsewhere changed. Places a week per 1,000 in need, in the "
        "ward table, does not move unless provision there did."
    )
    st.subheader("Wards where something changed")
    wards = changed_wards(change)
    if wards.empty:
        st.write(
            f"No {markdown_text(label.lower())} service opened, closed or changed, and no gap "
            "opened or closed, between the days."
        )
    else:
        st.dataframe(wards, hide_index=True, width="stretch", key=StateKeys.CHANGES_WARDS)
    st.subheader("Services opened, closed or changed")
    services = changed_services(change)
    if services.empty:
        st.write(f"No {markdown_text(label.lower())} service changed between the days.")
    else:
        st.dataframe(services, hide_index=True, width="stretch", key=StateKeys.CHANGES_SERVICES)
    _downloads(change, f"safety-net-changes-{category}-{since:%Y%m%d}-{until:%Y%m%d}")
    return state
