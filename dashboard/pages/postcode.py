"""Near a postcode: what exists nearby, what is missing, who does the same, who to signpost to."""

from __future__ import annotations

from contextlib import suppress

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis import settings
from analysis.errors import PostcodeFormatError, PostcodeNotInAreaError
from analysis.escape import markdown_text
from analysis.geography import (
    AreaSet,
    PostcodeLocation,
    example_postcode,
    lookup_district,
    lookup_postcode,
    normalise_postcode,
    not_in_table_detail,
    partial_postcode,
    postcode_district,
)
from analysis.model import SERVICE_A, SERVICE_B, SERVICE_ID
from analysis.provision.nearby import categories_without, remote_services, services_near
from analysis.provision.partners import partners_of_place
from dashboard.components import postcode_view, service_cards, ward_view
from dashboard.components.feedback_form import feedback_form
from dashboard.components.introductions import show_collaborations
from dashboard.components.service_table import service_table
from dashboard.context import PageContext
from dashboard.data import place_name
from dashboard.maps.markers import STALE_WORDS
from dashboard.maps.nearby import nearby_map
from dashboard.navigation import follow_url, open_view, remember
from dashboard.state import WARD_PAGE, StateKeys, ViewState, to_query


def searched(state: ViewState) -> None:
    """The postcode box's callback: the URL takes the postcode now (in standard form when
    it is one, which the box then shows too)."""
    typed = str(st.session_state[StateKeys.POSTCODE]).strip()
    partial = partial_postcode(typed)
    if partial is not None:
        typed = partial
    else:
        with suppress(PostcodeFormatError):  # the page says what is wrong with it
            typed = normalise_postcode(typed)
    st.session_state[StateKeys.POSTCODE] = typed
    url_now(state.with_(postcode=typed), StateKeys.POSTCODE, typed)


def distance_moved(state: ViewState) -> None:
    """The distance slider's callback: the URL takes the distance now."""
    km = float(st.session_state[StateKeys.DISTANCE])
    url_now(state.with_(distance_km=km), StateKeys.DISTANCE, km)


def url_now(view: ViewState, key: str, value: object) -> None:
    """Write ``view`` to the URL at once and note ``value`` as the URL's value for ``key``.

    Why at once, in the widget's callback, and not at the end of the run as the app does:
    a search stops the run still drawing the one before. Had that run noted the new
    value (`remember`) but not yet written the URL, the next run would find the URL and
    the note disagreeing, take it for a changed link (`follow_url`) and put the URL's old
    postcode back into the box: every other quick search was lost.
    """
    st.query_params.from_dict(to_query(view))
    remember(key, value)


def is_district(postcode: str) -> bool:
    """Whether a place looked up is a postcode district (``"BS5"``), not a postcode."""
    return " " not in postcode


def place_of(area: AreaSet, typed: str, place: str) -> tuple[PostcodeLocation | None, str]:
    """Where the postcode or postcode district ``typed`` is, or None and why not, in a
    volunteer's words (the command line keeps its own)."""
    shown = typed.strip()[:40]
    example = example_postcode(area, typed)
    partial = partial_postcode(typed)
    try:
        if partial is not None and " " not in partial:
            return lookup_district(area, partial), ""
        return lookup_postcode(area, normalise_postcode(typed)), ""
    except PostcodeFormatError:
        if partial is not None:  # a sector: BS5 6
            return None, (
                f"'{shown}' is only part of a postcode. Type the whole postcode, such as "
                f"{example}, or just its first part ({postcode_district(partial)}) for "
                "approximate results."
            )
        return None, (
            f"'{shown}' does not look like a postcode. Type a postcode such as {example}, "
            f"or just its first part ({postcode_district(example)}) for approximate results."
        )
    except PostcodeNotInAreaError:
        if partial is not None:
            return None, (
                f"{partial} is not a postcode district of {place}: the postcodes here start "
                f"with {area.districts_text}. Check it for typos."
            )
        postcode = normalise_postcode(typed)
        detail = not_in_table_detail(
            postcode,
            area_name=place,
            districts=area.postcode_districts,
            districts_text=area.districts_text,
        )
        return None, (
            f"{postcode} was not found among the postcodes of {place}: {detail}. Check it "
            "for typos, or try a neighbouring postcode."
        )


def render(ctx: PageContext) -> ViewState:
    """The postcode page."""
    state, area, taxonomy, source = ctx.state, ctx.area, ctx.taxonomy, ctx.source
    place = place_name(area.name)
    st.title(f"Near a postcode in {markdown_text(place)}")
    if source.shows_demo:
        st.caption("Services: demo data (fictional organisations and services).")
    left, right = st.columns(2)
    follow_url(StateKeys.POSTCODE, state.postcode)
    example = area.example_postcode
    typed = left.text_input(
        "Postcode",
        max_chars=16,
        placeholder=f"e.g. {example}" if example else f"a postcode in {place}",  # not Markdown
        key=StateKeys.POSTCODE,
        on_change=searched,
        args=(state,),
    )
    shown_km = min(max(state.distance_km, settings.MIN_DISTANCE_KM), settings.MAX_DISTANCE_KM)
    follow_url(StateKeys.DISTANCE, shown_km)
    distance_km = right.slider(
        "Distance (km)",
        min_value=settings.MIN_DISTANCE_KM,
        max_value=settings.MAX_DISTANCE_KM,
        step=0.5,
        key=StateKeys.DISTANCE,
        on_change=distance_moved,
        args=(state,),
    )
    state = state.with_(postcode=typed.strip(), distance_km=distance_km)
    if not state.postcode:
        st.info(
            f"Type a postcode in {markdown_text(place)} to see the services near it (or "
            "just its first part, such as BS5, for approximate results)."
        )
        return state
    located, problem = place_of(area, state.postcode, place)
    if located is None:
        st.error(markdown_text(problem))
        return state
    postcode = located.postcode
    state = state.with_(postcode=postcode)  # the link gets the standard form
    if is_district(postcode):
        st.write(f"Postcode district: {markdown_text(postcode)}")
        st.info(
            f"{markdown_text(postcode)} is a postcode district: distances are from its middle, "
            "so approximate. Type the full postcode for exact ones."
        )
    else:
        st.write(f"Postcode: {markdown_text(postcode)}")

    radius_m = distance_km * 1000
    remote = remote_services(source.directory)
    near = services_near(source.directory, located.easting, located.northing, radius_m)
    near = near[~near[SERVICE_ID].isin(remote[SERVICE_ID])].reset_index(drop=True)

    st.write(f"Ward: {markdown_text(located.ward_name)} ({markdown_text(located.ward_code)})")
    st.button(
        f"Open the ward page for {markdown_text(located.ward_name)}",
        on_click=open_view,
        args=(state.with_(page=WARD_PAGE, ward=located.ward_code),),
        key=StateKeys.POSTCODE_OPEN_WARD,
    )
    st.subheader(f"Services within {distance_km:g} km, most relevant first")
    if near.empty:
        st.write("No service with an address lies within this distance.")
    else:
        wanted = st.multiselect(
            "What help are you looking for?",
            taxonomy.ids(),
            format_func=lambda c: taxonomy.get(c).label,
            key=service_cards.LOOKING_FOR,
            placeholder="Any kind of help",
        )
        st.caption("Those offering the help you choose come first, then the others; nearest first.")
        service_cards.service_cards(
            near,
            taxonomy,
            categories=wanted,
            key=f"{service_cards.CARDS}_{postcode}_{distance_km:g}",
        )

    map_col, summary_col = st.columns([3, 2])
    with map_col:
        st_folium(
            nearby_map(
                located,
                radius_m,
                near,
                taxonomy,
                wards_gdf=ctx.area.wards,
                as_of=pd.Timestamp.today().normalize(),
            ),
            key=f"{StateKeys.POSTCODE_MAP}_{postcode}_{distance_km:g}",
            height=460,
            use_container_width=True,
            returned_objects=[],
        )
        st.caption(
            f"A hatched dot marks a service {markdown_text(STALE_WORDS)}: check that it still "
            "runs before sending someone there."
        )
    with summary_col:
        st.metric(f"Services within {distance_km:g} km", len(near))
        st.dataframe(
            postcode_view.category_summary(near, taxonomy),
            hide_index=True,
            key=StateKeys.NEAR_SUMMARY,
        )

    missing = categories_without(near, taxonomy.ids())
    st.subheader(f"Nothing within {distance_km:g} km")
    if missing:
        st.warning(
            f"No service within {distance_km:g} km offers: "
            + markdown_text(", ".join(taxonomy.get(c).label for c in missing))
            + "."
        )
    else:
        st.write("Every category has at least one service within this distance.")

    if not near.empty:
        st.subheader(f"Services within {distance_km:g} km as tables, by category")
        st.caption("For planners: every service nearby, one table per category.")
    postcode_view.show_by_category(near, taxonomy)

    st.subheader("Available by phone or online, wherever you live")
    service_table(remote, taxonomy, key=StateKeys.NEAR_REMOTE)
    feedback_form(ctx, near, key="nearby")

    pairs = ctx.analysis.metrics(state.filters(), state.thresholds).duplicates
    here = near[SERVICE_ID]
    ward_view.show_duplicates(
        pairs[pairs[SERVICE_A].isin(here) & pairs[SERVICE_B].isin(here)],
        ward_view.service_names(source.directory),
        taxonomy,
        where=f"within {distance_km:g} km",
        key=StateKeys.NEAR_DUPLICATES,
    )

    st.subheader("Groups like yours, and groups to signpost to")
    mine = st.multiselect(
        "What does your group do?",
        taxonomy.ids(),
        format_func=lambda c: taxonomy.get(c).label,
        key=StateKeys.GROUP_CATEGORIES,
    )
    if not mine:
        st.caption("Choose what your group does to see groups doing the same near you.")
    partners = partners_of_place(
        ctx.analysis.coverage,
        source.directory,
        area,
        # A district has no neighbourhood of its own: its middle's ward stands for it.
        **(dict(ward_code=located.ward_code) if is_district(postcode) else dict(postcode=postcode)),
        categories=mine,
        taxonomy=taxonomy,
    )
    ward_view.show_partners(
        partners,
        similar_title="Groups like yours: same kind of help, same residents",
        other_title="Groups to signpost to: other help for the same residents",
        key=StateKeys.POSTCODE_PARTNERS,
    )
    show_collaborations(ward_code=located.ward_code, service_ids=near[SERVICE_ID])
    return state
