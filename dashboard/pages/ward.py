"""Ward drill-down: one ward's neighbourhoods, need, provision, gaps, services and partners."""

from __future__ import annotations

import streamlit as st

from analysis.escape import markdown_text
from analysis.model import AREA_CODE, NEIGHBOURHOOD_LEVEL, WARD_CODE, WARD_LEVEL
from analysis.outputs.profile import render_ward_profile
from analysis.provision.partners import partners_of_place
from dashboard.components import ward_view
from dashboard.components.feedback_form import feedback_form
from dashboard.components.filters import filter_controls
from dashboard.components.introductions import show_collaborations
from dashboard.context import PageContext
from dashboard.data import place_name
from dashboard.navigation import follow_url, open_view, remember
from dashboard.state import OVERVIEW, StateKeys, ViewState

NO_WARD = ""


def render(ctx: PageContext) -> ViewState:
    """The ward page."""
    state, area, taxonomy, source = ctx.state, ctx.area, ctx.taxonomy, ctx.source
    place = place_name(area.name)
    st.button(
        f"← Back to {markdown_text(place)}",
        on_click=open_view,
        args=(state.with_(page=OVERVIEW),),
        key=StateKeys.WARD_BACK,
        help=f"Back to the overview of {markdown_text(place)}, keeping the category.",
    )
    names = area.ward_names
    codes = sorted(names, key=names.get)
    follow_url(StateKeys.WARD_CHOICE, state.ward if state.ward in names else NO_WARD)
    choice = st.selectbox(
        "Ward",
        [NO_WARD, *codes],
        format_func=lambda code: names.get(code, "Choose a ward…"),
        help="Type to search; arrow keys and Enter to choose.",
        key=StateKeys.WARD_CHOICE,
    )
    state = state.with_(ward=remember(StateKeys.WARD_CHOICE, choice))
    if not choice:
        st.info(
            f"Choose a ward of {markdown_text(place)} in the list above (or click one on the "
            "overview map) to see it."
        )
        return state

    ward_name = names[choice]
    st.title(f"{markdown_text(ward_name)} ({markdown_text(choice)})")
    if source.shows_demo:
        st.caption("Services: demo data (fictional organisations and services).")
    state = filter_controls(state)
    filters, thresholds = state.filters(), state.thresholds
    category_label = taxonomy.get(state.category).label
    analysis = ctx.analysis
    directory, coverage = analysis.directory, analysis.coverage
    ward_metrics = analysis.metrics(filters, thresholds, level=WARD_LEVEL)
    zone_metrics = analysis.metrics(filters, thresholds, level=NEIGHBOURHOOD_LEVEL)
    robustness = analysis.robustness(filters, thresholds)
    zones = area.neighbourhoods[area.neighbourhoods[WARD_CODE] == choice]
    ward_rows = ward_metrics.table[ward_metrics.table[AREA_CODE] == choice]
    st.caption("Thresholds in use: " + markdown_text(thresholds.in_words()) + ".")

    profile_html = render_ward_profile(
        ward_metrics,
        coverage,
        directory,
        area,
        taxonomy,
        ward_code=choice,
        robustness=robustness,
        as_of=filters.as_of,
    )
    st.download_button(
        "Download the ward profile (printable HTML)",
        data=profile_html,
        file_name=f"ward-profile-{choice}.html",
        mime="text/html",
        key=StateKeys.WARD_PROFILE_DOWNLOAD,
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
    held = ward_metrics.duplicates[ward_metrics.duplicates[WARD_CODE] == choice]
    ward_view.show_duplicates(held, ward_view.service_names(directory), taxonomy)
    ward_view.show_pair_counts(ward_metrics.duplicates, choice)
    ward_view.show_services(analysis.services_in(choice), taxonomy)
    feedback_form(ctx, analysis.services_in(choice), key="in_ward")
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
        key=StateKeys.WARD_PARTNERS,
    )
    show_collaborations(ward_code=choice)
    return state
