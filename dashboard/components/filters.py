"""The sidebar filters and thresholds, shared by the overview and the ward page.

They are part of the view: `filter_controls` draws them in ``st.sidebar``, showing the
URL's values, and returns the view with the person's choices, which the page writes back
to the URL, so a shared link reproduces the same numbers. In presentation mode nothing is
drawn and the link's values stay in force.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import streamlit as st

from analysis.errors import AnalysisError
from analysis.escape import markdown_text
from analysis.model import (
    DELIVERY_MODES,
    DOWN_WEIGHT_STALE,
    EXCLUDE_STALE,
    ORGANISATION_KINDS,
)
from analysis.provision.metrics import Thresholds
from analysis.taxonomy import Taxonomy
from dashboard.navigation import follow_url, remember, synced_select
from dashboard.state import DEFAULT_THRESHOLDS, StateKeys, ViewState

STALE_CHOICES: Final = {
    "count them": None,
    "leave them out": EXCLUDE_STALE,
    "count them as half": DOWN_WEIGHT_STALE,
}
_STALE_LABELS: Final = {value: label for label, value in STALE_CHOICES.items()}


def _filters(state: ViewState) -> ViewState:
    st.subheader("Which services count")
    follow_url(StateKeys.DELIVERY, list(state.delivery))
    delivery = st.multiselect(
        "Delivered", DELIVERY_MODES, key=StateKeys.DELIVERY, placeholder="Any way"
    )
    follow_url(StateKeys.ORG_KINDS, list(state.org_kinds))
    kinds = st.multiselect(
        "Organisation kind", ORGANISATION_KINDS, key=StateKeys.ORG_KINDS, placeholder="Any kind"
    )
    follow_url(StateKeys.ACTIVE_TODAY, state.active_today)
    active_today = st.checkbox(
        "Only services active today",
        key=StateKeys.ACTIVE_TODAY,
        help="Leaves out services whose end date has passed or that have not started.",
    )
    follow_url(StateKeys.STALE, _STALE_LABELS[state.stale])
    stale = st.selectbox(
        "Records not updated for 12 months",
        tuple(STALE_CHOICES),
        key=StateKeys.STALE,
        help="Out-of-date records may describe services that have stopped.",
    )
    return state.with_(
        delivery=tuple(remember(StateKeys.DELIVERY, delivery)),
        org_kinds=tuple(remember(StateKeys.ORG_KINDS, kinds)),
        active_today=remember(StateKeys.ACTIVE_TODAY, active_today),
        stale=STALE_CHOICES[remember(StateKeys.STALE, stale)],
    )


def _number(label: str, key: str, url_value: float, *, top: float, step: float, help_: str):
    follow_url(key, float(url_value))
    value = st.number_input(
        markdown_text(label),
        min_value=0.0,
        max_value=top,
        step=step,
        key=key,
        help=markdown_text(help_),
    )
    return remember(key, value)


def _thresholds(state: ViewState) -> Thresholds:
    st.subheader("Thresholds")
    current = state.thresholds
    chosen = {
        "under_served_below": _number(
            "Under-served below (relative provision)",
            StateKeys.UNDER_SERVED,
            current.under_served_below,
            top=10.0,
            step=0.1,
            help_="Relative provision 1 = the city's provision per person in need.",
        ),
        "well_provided_from": _number(
            "Well provided from (relative provision)",
            StateKeys.WELL_PROVIDED,
            current.well_provided_from,
            top=20.0,
            step=0.1,
            help_="At least this many times the city's provision per person in need.",
        ),
    }
    try:
        return replace(current, **chosen)
    except AnalysisError as error:
        st.error(f"{markdown_text(error)} The default thresholds are used until this is fixed.")
        return DEFAULT_THRESHOLDS


def filter_controls(state: ViewState) -> ViewState:
    """Draw the filters and thresholds in the sidebar; return the view with their values.

    Hidden in presentation mode (``state.present``): the view's values stay in force.
    """
    if state.present:
        return state
    with st.sidebar, st.expander("Filters and thresholds", expanded=False):
        state = _filters(state)
        state = state.with_(thresholds=_thresholds(state))
    return state


def thresholds_text(thresholds: Thresholds) -> str:
    """The thresholds in use, in one line of plain words."""
    return (
        "Classes: missing = no local service (in person or area-based) reaches the ward; "
        "under-served = relative provision below "
        f"{thresholds.under_served_below:g}; well provided = {thresholds.well_provided_from:g} "
        "or more; no need = nobody the category is for lives there. Small numbers = fewer "
        f"than {thresholds.small_numbers_services:g} local services, "
        f"{thresholds.small_numbers_population:,.0f} residents or "
        f"{thresholds.small_numbers_need:,.0f} people in need; uncertain = more than "
        f"{thresholds.uncertain_imputed_share:.0%} of the supply estimated."
    )


def category_select(state: ViewState, taxonomy: Taxonomy, *, help_: str) -> str:
    """The need category select box, following the URL; returns the category chosen."""
    labels = {cid: taxonomy.get(cid).label for cid in taxonomy.ids()}
    return synced_select(
        "Need category",
        list(labels),
        key=StateKeys.CATEGORY,
        url_value=state.category,
        fmt=labels.get,
        help_=help_,
    )
