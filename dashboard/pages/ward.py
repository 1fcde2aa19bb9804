"""Ward drill-down: one ward's neighbourhoods, need, provision, gaps, services and partners."""

from __future__ import annotations

import streamlit as st

from analysis.escape import markdown_text
from analysis.model import AREA_CODE, WARD_CODE
from analysis.outputs.profile import render_ward_profile
from analysis.provision.filters import Filters
from analysis.provision.metrics import Thresholds
from analysis.provision.partners import partners_of_place
from dashboard.components import ward_view
from dashboard.context import PageContext
from dashboard.data import get_coverage, get_metrics, get_robustness
from dashboard.state import ViewState

try:  # the shared sidebar filters, when that component is in place
    from dashboard.components.filters import filter_controls
except ImportError:  # pragma: no cover - depends on another engineer's file
    filter_controls = None


def go_to(**query: str) -> None:
    """Button callback: open another view (runs before the next script run)."""
    for name, value in query.items():
        st.query_params[name] = value
    if "page" in query:
        st.session_state["nav_page"] = query["page"]


def controls(ctx: PageContext) -> tuple[Filters, Thresholds]:
    """Filters and thresholds from the shared sidebar, or the defaults."""
    if filter_controls is not None and not ctx.state.present:
        return filter_controls(ctx)
    return Filters(), Thresholds()


def render(ctx: PageContext) -> ViewState:
    """The ward page."""
    state, area, taxonomy, source = ctx.state, ctx.area, ctx.taxonomy, ctx.source
    st.button(
        "← Back to the city",
        on_click=go_to,
        kwargs={"page": "overview"},
        key="ward_back",
        help="Back to the city overview, keeping the category.",
    )
    names = area.ward_names
    codes = sorted(names, key=names.get)
    choice = st.selectbox(
        "Ward",
        ["", *codes],
        index=([""] + codes).index(state.ward) if state.ward in names else 0,
        format_func=lambda code: names.get(code, "Choose a ward…"),
        help="Type to search; arrow keys and Enter to choose.",
    )
    state = state.with_(ward=choice)
    if not choice:
        st.info("Choose a ward in the list above (or click one on the city map) to see it.")
        return state

    ward_name = names[choice]
    st.title(f"{markdown_text(ward_name)} ({markdown_text(choice)})")
    if source.is_demo:
        st.caption("Services: demo data (fictional organisations and services).")
    filters, thresholds = controls(ctx)
    category_label = taxonomy.get(state.category).label
    directory = source.directory
    coverage = get_coverage(source.key, directory)
    ward_metrics = get_metrics(source.key, directory, filters, thresholds, level="ward")
    zone_metrics = get_metrics(source.key, directory, filters, thresholds, level="neighbourhood")
    robustness = get_robustness(source.key, directory, filters, thresholds)
    zones = area.neighbourhoods[area.neighbourhoods[WARD_CODE] == choice]
    ward_rows = ward_metrics.table[ward_metrics.table[AREA_CODE] == choice]
    st.caption(
        "Thresholds in use: "
        + markdown_text(", ".join(f"{k} {v:g}" for k, v in thresholds.as_dict().items()))
    )

    profile_html = render_ward_profile(
        ward_metrics, coverage, directory, area, taxonomy, ward_code=choice, robustness=robustness
    )
    st.download_button(
        "Download the ward profile (printable HTML)",
        data=profile_html,
        file_name=f"ward-profile-{choice}.html",
        mime="text/html",
        key="ward_profile_download",
    )

    ward_view.show_neighbourhoods(
        zones,
        zone_metrics,
        category=state.category,
        category_label=category_label,
        measure=state.measure,
        ward_code=choice,
    )
    ward_view.show_need_profile(zones, area.meta.get("age_bands", {}))
    ward_view.show_provision(ward_rows, taxonomy)
    ward_view.show_gaps(ward_rows, robustness, taxonomy)
    ward_view.show_services(ward_view.services_in_ward(coverage, directory, area, choice), taxonomy)
    st.subheader("Who could work together here")
    partners = partners_of_place(
        coverage,
        directory,
        area,
        ward_code=choice,
        categories=(state.category,),
        taxonomy=taxonomy,
    )
    ward_view.show_partners(
        partners,
        similar_title=f"Similar: also offer {category_label} to the same residents",
        other_title="Complementary: other help for the same residents (to signpost to)",
        key="ward_partners",
    )
    return state
