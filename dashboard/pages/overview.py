"""City overview: a ward map of one category and measure, its table, summary and exports."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.crs import to_display
from analysis.escape import markdown_text
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    AREA_CODE,
    AREA_NAME,
    CATEGORIES,
    CATEGORY,
    DUPLICATE_PAIRS,
    IMPUTED_SHARE,
    LOCAL_SERVICES,
    LOCATION,
    MISSING,
    NEED,
    NEED_UNIT,
    ORGANISATIONS,
    POPULATION,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    REPORTED_CLOSED_SERVICES,
    SERVICE_NAME,
    SMALL_NUMBERS,
    STALE_SERVICES,
    UNCERTAIN,
    UNDER_SERVED,
    WARD_CODE,
)
from analysis.outputs.export import parameters_frame
from analysis.outputs.palette import classify_measure
from analysis.provision.filters import stale_mask
from dashboard.components.exports import download_buttons, page_about
from dashboard.components.filters import category_select, filter_controls, thresholds_text
from dashboard.components.freshness_map import freshness_section
from dashboard.components.summary import class_counts, summary_text
from dashboard.context import PageContext
from dashboard.data import place_name
from dashboard.maps.choropleth import choropleth_map
from dashboard.maps.markers import ServicePoint
from dashboard.navigation import navigate, synced_select
from dashboard.state import MEASURES, WARD_PAGE, StateKeys, ViewState

TABLE_LABELS = {
    AREA_NAME: "Ward",
    AREA_CODE: "Code",
    PROVISION_CLASS: "Class",
    NEED: "People in need",
    NEED_UNIT: "Counted as",
    RELATIVE_PROVISION: "Relative provision (1 = city average per person in need)",
    ACCESSIBILITY_PER_1000: "Places a week per 1,000 in need",
    LOCAL_SERVICES: "Local services",
    ORGANISATIONS: "Organisations",
    REMOTE_OPTIONS: "Phone, online, citywide",
    DUPLICATE_PAIRS: "Duplicate pairs",
    STALE_SERVICES: "Of those, out of date",
    REPORTED_CLOSED_SERVICES: "Of those, reported closed",
    IMPUTED_SHARE: "Supply estimated",
    UNCERTAIN: "Uncertain",
    POPULATION: "Residents",
    SMALL_NUMBERS: "Small numbers",
}
# The worst first: gaps before the rest, then the most people in need.
CLASS_ORDER = {name: rank for rank, name in enumerate((MISSING, UNDER_SERVED))}


def _choose(ctx: PageContext) -> ViewState:
    state = ctx.state
    left, right = st.columns(2)
    with left:
        category = category_select(
            state, ctx.taxonomy, help_="Type to search; arrow keys and Enter to choose."
        )
    with right:
        measure = synced_select(
            "Measure",
            list(MEASURES),
            key=StateKeys.MEASURE,
            url_value=state.measure,
            fmt=MEASURES.get,
            help_="What colours the map and sorts the table.",
        )
    return state.with_(category=category, measure=measure)


def _worst_first(shown: pd.DataFrame) -> pd.DataFrame:
    """Gaps first (missing, then under-served), then the most people in need."""
    rank = shown[TABLE_LABELS[PROVISION_CLASS]].map(CLASS_ORDER).fillna(len(CLASS_ORDER))
    return (
        shown.assign(_rank=rank)
        .sort_values(["_rank", TABLE_LABELS[NEED]], ascending=[True, False])
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def ward_table(table_df: pd.DataFrame, category: str) -> pd.DataFrame:
    """The rows of one category with readable column names, for display and export."""
    rows = table_df[table_df[CATEGORY] == category]
    out = rows[list(TABLE_LABELS)].rename(columns=TABLE_LABELS)
    return out.reset_index(drop=True)


def _services_points(ctx: PageContext, category: str) -> list[ServicePoint]:
    services = ctx.source.directory.services
    chosen = services[services[CATEGORIES].map(lambda cats: category in tuple(cats or ()))]
    chosen = chosen[chosen[LOCATION].notna() & ~chosen[LOCATION].is_empty]
    if chosen.empty:
        return []
    points = to_display(chosen.set_geometry(LOCATION)).geometry
    stale = stale_mask(chosen, pd.Timestamp.today().normalize())
    return [
        ServicePoint(point.y, point.x, str(name), bool(old))
        for point, name, old in zip(points, chosen[SERVICE_NAME], stale, strict=True)
    ]


def _headline(counts: dict[str, int], category_label: str, pairs: int) -> None:
    cols = st.columns(3)
    cols[0].metric(f"Wards with no local {markdown_text(category_label.lower())}", counts[MISSING])
    cols[1].metric("Wards under-served", counts[UNDER_SERVED])
    cols[2].metric("Duplicate pairs", f"{pairs:,}")


def _clicked_ward(value: dict | None) -> str | None:
    """The ward code of a new click on the map, once per click."""
    drawing = (value or {}).get("last_active_drawing")
    code = ((drawing or {}).get("properties") or {}).get(WARD_CODE)
    if code is None:
        st.session_state.pop(StateKeys.HANDLED_CLICK, None)
        return None
    if st.session_state.get(StateKeys.HANDLED_CLICK) == code:
        return None
    st.session_state[StateKeys.HANDLED_CLICK] = code
    return code


def render(ctx: PageContext) -> ViewState:
    """The overview page."""
    state, source, area = ctx.state, ctx.source, ctx.area
    present = state.present
    if not present:
        st.header(f"{markdown_text(place_name(area.name))}: overview by ward")
        state = _choose(ctx)
    state = filter_controls(state)
    thresholds = state.thresholds
    category_label = ctx.taxonomy.get(state.category).label
    measure_label = MEASURES[state.measure]
    if source.shows_demo:
        st.caption("Demo data: the organisations and services shown are fictional.")

    result = ctx.analysis.metrics(state.filters(), thresholds)
    table = result.table
    counts = class_counts(table, state.category)
    if present:
        st.subheader(f"{markdown_text(category_label)}: {markdown_text(measure_label.lower())}")
        pairs = int(table.loc[table[CATEGORY] == state.category, DUPLICATE_PAIRS].sum())
        _headline(counts, category_label, pairs)

    rows = table[table[CATEGORY] == state.category]
    classification = classify_measure(table[state.measure], state.measure)
    show_services = False
    if not present:
        show_services = st.toggle(
            "Show services on the map",
            key=StateKeys.SHOW_SERVICES,
            help="Markers at each service's address; clustered when many.",
        )
    m = choropleth_map(
        area.wards,
        rows,
        classification,
        title=f"{category_label}: {measure_label}",
        services=_services_points(ctx, state.category) if show_services else (),
        font_px=18 if present else 13,
        uncertain_above=thresholds.uncertain_imputed_share,
    )
    value = st_folium(
        m,
        key=StateKeys.OVERVIEW_MAP,
        height=760 if present else 520,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
    code = _clicked_ward(value)
    if code:
        navigate(state.with_(page=WARD_PAGE, ward=code))
    st.caption(
        "Click a ward to open its profile, or choose it on the Ward profile page. "
        "Dashed outlines mark wards with none (missing, or a value of 0); hatching marks "
        "uncertain wards, where most of the supply comes from estimated capacities."
    )

    st.write(markdown_text(summary_text(table, state.category, category_label)))
    if not present:
        st.caption(
            markdown_text(thresholds_text(thresholds))
            + " Change them under Filters and thresholds."
        )
    shown = _worst_first(ward_table(table, state.category))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            TABLE_LABELS[SMALL_NUMBERS]: st.column_config.CheckboxColumn(
                "Small numbers", help="Few services, residents or people in need: read with care."
            ),
            TABLE_LABELS[UNCERTAIN]: st.column_config.CheckboxColumn(
                "Uncertain", help="Most of the supply comes from estimated capacities."
            ),
            TABLE_LABELS[RELATIVE_PROVISION]: st.column_config.NumberColumn(format="%.2f"),
            TABLE_LABELS[ACCESSIBILITY_PER_1000]: st.column_config.NumberColumn(format="%.1f"),
            TABLE_LABELS[IMPUTED_SHARE]: st.column_config.NumberColumn(format="percent"),
            TABLE_LABELS[NEED]: st.column_config.NumberColumn(format="%.0f"),
            TABLE_LABELS[POPULATION]: st.column_config.NumberColumn(format="%.0f"),
            TABLE_LABELS[STALE_SERVICES]: st.column_config.NumberColumn(
                format="%.0f",
                help="Of the services counted for the ward (local and remote), those not "
                "checked for over a year: check them before relying on the figures.",
            ),
            TABLE_LABELS[REPORTED_CLOSED_SERVICES]: st.column_config.NumberColumn(
                format="%.0f",
                help="Of the services counted, those two or more members of the public "
                "reported closed since they were last checked.",
            ),
        },
        key=StateKeys.OVERVIEW_TABLE,
    )
    if not present:
        download_buttons(
            stem=f"safety-net-{state.category}-{state.measure}",
            table_df=shown,
            parameters_df=parameters_frame(result),
            map_=m,
            key=StateKeys.OVERVIEW_EXPORT,
            about=page_about(ctx, f"{category_label}: {measure_label}"),
        )
    freshness_section(ctx)
    return state
