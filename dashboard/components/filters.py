"""The sidebar filters and thresholds, shared by the overview and the ward page.

`filter_controls` draws them in ``st.sidebar`` and returns the analysis parameter bundles
(`analysis.provision.filters.Filters`, `analysis.provision.metrics.Thresholds`); pages pass them to
`dashboard.data.get_metrics`. In presentation mode nothing is drawn and the last values
chosen in this session (or the defaults) are used, so the picture does not change.
"""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st

from analysis.errors import AnalysisError
from analysis.escape import markdown_text
from analysis.model import DELIVERY_MODES, ORGANISATION_KINDS
from analysis.provision.filters import Filters
from analysis.provision.metrics import Thresholds
from dashboard.context import PageContext

STALE_CHOICES: Final = {
    "count them": None,
    "leave them out": "exclude",
    "count them as half": "down-weight",
}
_LAST: Final = "filters_last"  # (Filters, Thresholds) last chosen in this session
_DEFAULTS: Final = Thresholds()


def _filters() -> Filters:
    st.subheader("Which services count")
    delivery = st.multiselect(
        "Delivered", DELIVERY_MODES, key="flt_delivery", placeholder="Any way"
    )
    kinds = st.multiselect(
        "Organisation kind", ORGANISATION_KINDS, key="flt_org_kinds", placeholder="Any kind"
    )
    active_today = st.checkbox(
        "Only services active today",
        value=False,
        key="flt_active",
        help="Leaves out services whose end date has passed or that have not started.",
    )
    stale = st.selectbox(
        "Records not updated for 12 months",
        tuple(STALE_CHOICES),
        key="flt_stale",
        help="Out-of-date records may describe services that have stopped.",
    )
    today = pd.Timestamp.today().normalize()
    handling = STALE_CHOICES[stale]
    return Filters(
        delivery=tuple(delivery),
        org_kinds=tuple(kinds),
        active_on=today if active_today else None,
        stale_after_months=12 if handling else None,
        stale=handling or "exclude",
        as_of=today if handling else None,
    )


def _thresholds() -> Thresholds:
    st.subheader("Thresholds")
    under = st.number_input(
        "Under-served below (relative provision)",
        min_value=0.0,
        max_value=10.0,
        step=0.1,
        value=_DEFAULTS.under_served_below,
        key="thr_under",
        help="Relative provision 1 = the city's provision per person in need.",
    )
    providers = st.number_input(
        "Overlap from (effective providers)",
        min_value=0.0,
        max_value=50.0,
        step=0.5,
        value=_DEFAULTS.overlap_min_providers,
        key="thr_providers",
    )
    rp = st.number_input(
        "Overlap from (relative provision)",
        min_value=0.0,
        max_value=20.0,
        step=0.1,
        value=_DEFAULTS.overlap_min_rp,
        key="thr_rp",
    )
    try:
        return Thresholds(
            under_served_below=under, overlap_min_providers=providers, overlap_min_rp=rp
        )
    except AnalysisError as error:
        st.error(f"{markdown_text(error)} The default thresholds are used until this is fixed.")
        return _DEFAULTS


def filter_controls(ctx: PageContext) -> tuple[Filters, Thresholds]:
    """Draw the filters and thresholds in the sidebar; return what they select.

    Hidden in presentation mode (``ctx.state.present``): then the values last chosen in
    this browser session, or the defaults, are returned.
    """
    if ctx.state.present:
        return st.session_state.get(_LAST, (Filters(), _DEFAULTS))
    with st.sidebar, st.expander("Filters and thresholds", expanded=False):
        chosen = (_filters(), _thresholds())
    st.session_state[_LAST] = chosen
    return chosen


def thresholds_text(thresholds: Thresholds) -> str:
    """The thresholds in use, in one line of plain words."""
    return (
        "Classes: missing = no provider within reach; under-served = relative provision "
        f"below {thresholds.under_served_below:g}; overlap = at least "
        f"{thresholds.overlap_min_providers:g} effective providers and relative provision "
        f"{thresholds.overlap_min_rp:g} or more; small numbers = fewer than "
        f"{thresholds.small_numbers_providers:g} providers or "
        f"{thresholds.small_numbers_population:,.0f} residents."
    )
