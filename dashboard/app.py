"""Safety Net dashboard: one entry point that reads the view from the URL and shows a page.

Run from the repository root (``make run``), so Streamlit reads ``.streamlit/config.toml``.
Each page module in ``dashboard/pages`` has ``render(ctx: PageContext) -> ViewState``; the
returned view is written back to the URL so that a copied link reopens it. The area is read
from the URL first (its wards decide which ward the URL may name); when several areas are
built, the sidebar offers them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import streamlit as st

from analysis.errors import SafetyNetError, StoreError
from analysis.escape import markdown_text
from analysis.model import WARD_CODE
from dashboard.auth import Viewer, current_viewer
from dashboard.context import PageContext
from dashboard.data import (
    AreaChoice,
    available_areas,
    current_source,
    get_area,
    get_taxonomy,
    keep_uploads_with_their_area,
    place_name,
)
from dashboard.failure import record_failure, show_details_when_debugging, show_failure
from dashboard.maps.offline import ensure_static_assets
from dashboard.navigation import follow_url, navigate, remember
from dashboard.state import (
    ACCOUNT_PAGE,
    ADMIN_PAGE,
    ANALYSIS_PAGES,
    CHANGES_PAGE,
    DATA_PAGE,
    EDIT_PAGE,
    OVERVIEW,
    POSTCODE_PAGE,
    QUEUE_PAGE,
    REVIEW_PAGE,
    SUGGEST_PAGE,
    WARD_PAGE,
    StateKeys,
    ViewState,
    from_query,
    requested_area,
    to_query,
)

STATIC_DIR = Path(__file__).parent / "static"
PAGE_TITLES = {
    OVERVIEW: "City overview",
    WARD_PAGE: "Ward profile",
    POSTCODE_PAGE: "Near a postcode",
    CHANGES_PAGE: "What changed",
    DATA_PAGE: "Your data",
    SUGGEST_PAGE: "Suggest a group",
    ACCOUNT_PAGE: "Sign in",
    EDIT_PAGE: "Edit your entries",
    QUEUE_PAGE: "Review queue",
    REVIEW_PAGE: "Review list",
    ADMIN_PAGE: "Accounts",
}


def offered_pages(viewer: Viewer, current: str) -> list[str]:
    """The pages the sidebar offers this viewer (and the one open, whatever it is)."""
    pages = [*ANALYSIS_PAGES, SUGGEST_PAGE, ACCOUNT_PAGE]
    if viewer.rights.organisations or viewer.may("publish change"):
        pages.append(EDIT_PAGE)
    if viewer.may("decide proposal"):
        pages.extend((QUEUE_PAGE, REVIEW_PAGE))
    if viewer.may("manage accounts"):
        pages.append(ADMIN_PAGE)
    return pages if current in pages else [*pages, current]


def page_title(page: str, viewer: Viewer) -> str:
    """A page's name in the sidebar (the account page's says whether one is signed in)."""
    if page == ACCOUNT_PAGE and viewer.signed_in:
        return "Your account"
    return PAGE_TITLES[page]


def attribution_parts(text: str) -> tuple[str, str]:
    """Split ATTRIBUTION.md into the source statements (shown) and the licence text."""
    sources, _, licence = text.partition("\n---\n")
    lines = [line for line in sources.splitlines() if not line.startswith("#")]
    return "\n".join(lines).strip(), licence.strip()


def area_choice(state: ViewState, areas: tuple[AreaChoice, ...]) -> ViewState:
    """The area select box when several areas are built, else the area's name.

    Choosing another area opens it with no ward and no postcode: those of one area mean
    nothing in another (categories are the same everywhere).
    """
    shown = state.area or areas[0].key
    if len(areas) == 1:
        st.caption(f"Area: {markdown_text(areas[0].name)}")
        return state
    names = {choice.key: choice.name for choice in areas}
    follow_url(StateKeys.NAV_AREA, shown)
    key = st.selectbox(
        "Area",
        list(names),
        format_func=names.get,
        key=StateKeys.NAV_AREA,
        help="The authorities whose reference data is built; each has its own wards.",
    )
    remember(StateKeys.NAV_AREA, key)
    if key == shown:
        return state
    return state.with_(area="" if key == areas[0].key else key, ward="", postcode="")


def sidebar(
    state: ViewState, source_label: str, areas: tuple[AreaChoice, ...], viewer: Viewer
) -> ViewState:
    """Area, page choice and presentation mode; returns the view with the user's choice."""
    with st.sidebar:
        st.title("Safety Net")
        chosen = area_choice(state, areas)
        if chosen.area != state.area:
            navigate(chosen)  # load the other area now, before anything of this one is drawn
        pages = offered_pages(viewer, state.page)
        titles = [page_title(name, viewer) for name in pages]
        # A radio keeps its choice by the option's title: when signing in or a new role
        # changes the titles, a radio of its own starts from the URL's page.
        nav_key = f"{StateKeys.NAV_PAGE}_{'|'.join(titles)}"
        follow_url(nav_key, state.page)
        page = st.radio(
            "Page",
            pages,
            format_func=lambda name: page_title(name, viewer),
            key=nav_key,
            on_change=page_chosen,
            args=(state, nav_key),
        )
        follow_url(StateKeys.NAV_PRESENT, state.present)
        present = st.toggle(
            "Presentation mode",
            key=StateKeys.NAV_PRESENT,
            help="Hides the controls and enlarges the map and headline numbers.",
        )
        st.caption(f"Services: {markdown_text(source_label)}")
    return state.with_(
        page=remember(nav_key, page), present=remember(StateKeys.NAV_PRESENT, present)
    )


def page_chosen(state: ViewState, nav_key: str) -> None:
    """The page radio's callback: the URL takes the page at once.

    Not at the end of the run, as the rest of the view: a click that stops the run still
    drawing would leave the URL's old page and the radio's note (`remember`) disagreeing,
    and the next run would take the old page for a changed link (`follow_url`) and go back
    to it.
    """
    chosen = st.session_state[nav_key]
    st.query_params.from_dict(to_query(state.with_(page=chosen)))
    remember(nav_key, chosen)


def other_area_or_stop(areas: tuple[AreaChoice, ...]) -> None:
    """When the area asked for cannot be loaded, offer the others (if any), then stop."""
    if len(areas) > 1:
        keys = tuple(choice.key for choice in areas)
        state, _ = from_query(st.query_params.to_dict(), categories=(), wards=(), areas=keys)
        with st.sidebar:
            chosen = area_choice(state, areas)
        if chosen.area != state.area:
            navigate(chosen)
    st.stop()


def presentation_controls(state: ViewState) -> None:
    """Hide the sidebar, enlarge the numbers, and offer the way back."""
    st.markdown(
        "<style>section[data-testid='stSidebar']{display:none}"
        " div[data-testid='stMetricValue']{font-size:3rem}</style>",
        unsafe_allow_html=True,
    )
    if st.button("Leave presentation mode", key=StateKeys.LEAVE_PRESENT):
        navigate(state.with_(present=False))


def read_view(area, taxonomy, areas: tuple[AreaChoice, ...]) -> ViewState:
    """The view the URL asks for; what it could not use is said in a warning."""
    state, ignored = from_query(
        st.query_params.to_dict(),
        categories=taxonomy.ids(),
        wards=tuple(area.wards[WARD_CODE]),
        areas=tuple(choice.key for choice in areas),
    )
    if ignored:
        st.warning(
            "This link had values that were not understood: " + markdown_text("; ".join(ignored))
        )
    return state


def main() -> None:
    """Render the page the URL asks for."""
    st.set_page_config(page_title="Safety Net", layout="wide")
    show_details_when_debugging()
    ensure_static_assets(STATIC_DIR)
    areas = available_areas()
    key = requested_area(st.query_params.to_dict(), tuple(choice.key for choice in areas))
    folder = next(choice.path for choice in areas if choice.key == key)
    try:
        area, taxonomy = get_area(folder), get_taxonomy()
        keep_uploads_with_their_area(area)
    except SafetyNetError as error:
        st.error(f"The reference data could not be loaded. {markdown_text(error)}")
        other_area_or_stop(areas)
    try:
        source = current_source(area, folder)
    except StoreError as error:  # its message names the server: for the log, not a visitor
        reference = record_failure(error)
        st.error(
            markdown_text(
                "The directory of services could not be read, so no page can be shown. It "
                f"has been recorded with reference {reference}: tell the people who run this "
                "site and quote it (the server's log says why and how to fix it)."
            )
        )
        other_area_or_stop(areas)
    st.set_page_config(page_title=f"Safety Net · {place_name(area.name)}")
    viewer = current_viewer()
    st.session_state[StateKeys.VIEWER_RIGHTS] = viewer.rights
    state = read_view(area, taxonomy, areas)
    if source.no_services and state.page != DATA_PAGE:  # the data page says it in its place
        st.warning(markdown_text(source.about))
    if state.present:
        presentation_controls(state)
    else:
        chosen = sidebar(state, source.label, areas, viewer)
        if chosen.present:
            navigate(chosen)  # hide the controls now, not at the next click
        state = chosen
    page = importlib.import_module(f"dashboard.pages.{state.page}")
    state = page.render(PageContext(state, area, taxonomy, source, viewer))
    st.query_params.from_dict(to_query(state))

    st.divider()
    sources, licence = attribution_parts(area.attribution)
    st.caption(markdown_text(sources, keep_lines=True))
    if licence:
        with st.expander("Open Government Licence v3.0"):
            st.caption(markdown_text(licence, keep_lines=True))


try:
    main()
except Exception as error:  # the last guard: a person never sees a traceback
    show_failure(error)
