"""Near a postcode: the lists beside the map (the map itself is `dashboard.maps.nearby`).

Category labels reach Markdown through `analysis.escape.markdown_text`; tables hold plain
cells.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.escape import markdown_text
from analysis.model import CATEGORIES, DISTANCE_M
from analysis.taxonomy import Taxonomy
from dashboard.components.service_table import service_table
from dashboard.state import StateKeys


def category_summary(near_df: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Per category: how many services are within reach and how far the nearest is."""
    rows = []
    for category in taxonomy.categories:
        hits = near_df[near_df[CATEGORIES].map(lambda cats, c=category.id: c in cats)]
        rows.append(
            {
                "Category": category.label,
                "Services nearby": len(hits),
                "Nearest (km)": round(hits[DISTANCE_M].min() / 1000, 2) if len(hits) else None,
            }
        )
    return pd.DataFrame(rows)


def show_by_category(near_df: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """One expandable list per category that has services nearby."""
    for category in taxonomy.categories:
        hits = near_df[near_df[CATEGORIES].map(lambda cats, c=category.id: c in cats)]
        if hits.empty:
            continue
        with st.expander(f"{markdown_text(category.label)}: {len(hits):,} nearby"):
            service_table(hits, taxonomy, key=f"{StateKeys.NEAR_CATEGORY}_{category.id}")
