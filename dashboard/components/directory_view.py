"""The directory database on the data page: what it holds, and a file compared with it."""

from __future__ import annotations

import streamlit as st

from analysis.compare import DirectoryComparison
from analysis.escape import markdown_text
from analysis.model import ORG_NAME, SERVICE_NAME
from analysis.store.summary import StoreSummary

SHOWN_NEW_SERVICES = 200
"""How many services only in the file are listed (the count says how many there are)."""


def directory_counts(summary: StoreSummary) -> None:
    """Services active and not, organisations, and when the directory last changed."""
    cols = st.columns(3)
    cols[0].metric(
        "Active services",
        f"{summary.active_services:,}",
        help="Services open now: the ones the maps count.",
    )
    cols[1].metric(
        "Not active",
        f"{summary.other_services:,}",
        help="Services inactive, temporarily closed or defunct: kept, not counted.",
    )
    cols[2].metric(
        "Organisations", f"{summary.organisations:,}", help="Organisations in the directory."
    )
    st.caption(
        f"Last changed {summary.updated_at:%d %B %Y at %H:%M} UTC (data version "
        f"{summary.data_version:,}: it rises with every change); held in "
        f"{markdown_text(summary.backend)}."
    )


def comparison_view(comparison: DirectoryComparison) -> None:
    """The file's services against the directory's: in both, only in one, per category."""
    st.markdown("#### Your file and the directory")
    cols = st.columns(3)
    cols[0].metric(
        "In both",
        f"{comparison.in_both:,}",
        help="Services of your file the directory holds too (same id, or same organisation "
        "and service names).",
    )
    cols[1].metric(
        "Only in your file",
        f"{len(comparison.only_in_file):,}",
        help="Services of your file the directory does not hold: new to it.",
    )
    cols[2].metric(
        "Only in the directory",
        f"{comparison.only_in_directory:,}",
        help="Services of the directory your file does not list.",
    )
    with st.expander("Services per category, in your file and in the directory"):
        st.dataframe(comparison.by_category, hide_index=True)
    if len(comparison.only_in_file):
        with st.expander("Services only in your file"):
            shown = comparison.only_in_file.head(SHOWN_NEW_SERVICES).rename(
                columns={ORG_NAME: "Organisation", SERVICE_NAME: "Service"}
            )
            st.dataframe(shown, hide_index=True)
            if len(comparison.only_in_file) > SHOWN_NEW_SERVICES:
                st.caption(f"The first {SHOWN_NEW_SERVICES:,} of {len(comparison.only_in_file):,}.")
