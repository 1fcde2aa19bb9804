"""The ward drill-down: neighbourhood map, need profile, provision, gaps, services, partners.

Every number comes from `analysis/`; this module only lays it out, and the map itself is
`dashboard.maps.neighbourhoods`. Markdown gets its text through
`analysis.escape.markdown_text`; tables hold plain cells.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.escape import inert_text, markdown_text
from analysis.model import (
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    COMPLEMENTARY,
    GAP_CLASSES,
    GAP_SHARE,
    IMD_OVERALL,
    IMPUTED_SHARE,
    JACCARD,
    LOCAL_SERVICES,
    NEED,
    NEED_UNIT,
    ORG_NAME,
    POPULATION,
    PROVISION_CLASS,
    REASON,
    RELATION,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    REPORTED_CLOSED_SERVICES,
    ROBUST,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    SERVICE_NAME,
    SIMILAR,
    SMALL_NUMBERS,
    STALE_SERVICES,
    UNCERTAIN,
    VARIANTS,
    WARD_CODE,
    decile_col,
)
from analysis.outputs.palette import classify_measure
from analysis.provision.metrics import MetricsResult
from analysis.store.pairs import PairCounts, pair_counts
from analysis.taxonomy import Taxonomy
from dashboard.components.service_table import service_table
from dashboard.data import store_engine
from dashboard.maps.neighbourhoods import (
    LEGEND_COLOUR,
    legend_rows,
    neighbourhood_features,
    neighbourhood_map,
)
from dashboard.state import MEASURES, StateKeys

ROBUST_GAP = "robust"
FRAGILE_GAP = "fragile"
"""How the gaps table words a gap that stays under every parameter variant, or not."""


RP_LABEL = "Relative provision (1 = city average per person in need)"
ZONE_COLUMNS = {
    AREA_CODE: "Code",
    AREA_NAME: "Neighbourhood",
    POPULATION: "Residents",
    LOCAL_SERVICES: "Local services",
    RELATIVE_PROVISION: RP_LABEL,
    PROVISION_CLASS: "Class",
    SMALL_NUMBERS: "Small numbers",
}
"""Columns of the neighbourhood table and their headers; the measure shown is added."""


def zone_rows(rows: pd.DataFrame, measure: str, measure_label: str) -> pd.DataFrame:
    """The ward's neighbourhoods as the table beside the map shows them.

    The measure gets its own column, after relative provision, unless the table already
    shows that column (local services, relative provision, the class).
    """
    columns = list(ZONE_COLUMNS.items())
    if measure not in ZONE_COLUMNS:
        columns.insert(list(ZONE_COLUMNS).index(RELATIVE_PROVISION) + 1, (measure, measure_label))
    return pd.DataFrame({name: rows[column] for column, name in columns}).reset_index(drop=True)


def show_neighbourhoods(
    zones: gpd.GeoDataFrame,
    metrics: MetricsResult,
    *,
    category: str,
    category_label: str,
    measure: str,
    ward_code: str,
) -> None:
    """Map and table of the ward's neighbourhoods for one category and measure."""
    table = metrics.table[metrics.table[CATEGORY] == category]
    rows = table[table[WARD_CODE] == ward_code]
    # Breaks over every category's neighbourhoods, as the overview map's over every ward.
    classification = classify_measure(metrics.table[measure], measure)
    label = MEASURES.get(measure, measure)
    st.subheader(f"Neighbourhoods: {markdown_text(label)}, {markdown_text(category_label)}")
    features = neighbourhood_features(zones, rows, classification)
    left, right = st.columns([3, 2])
    with left:
        st_folium(
            neighbourhood_map(features, label),
            key=f"{StateKeys.WARD_MAP}_{ward_code}_{category}_{measure}",
            height=420,
            use_container_width=True,
            returned_objects=[],
        )
    with right:
        st.caption("Legend (classes fixed over the whole city's neighbourhoods):")
        legend = legend_rows(classification)
        swatches = legend.style.apply(
            lambda col: [f"background-color: {c}; color: {c}" for c in col], subset=[LEGEND_COLOUR]
        )
        st.dataframe(swatches, hide_index=True, key=StateKeys.WARD_LEGEND)
    st.dataframe(zone_rows(rows, measure, label), hide_index=True, key=StateKeys.WARD_ZONE_TABLE)


def show_need_profile(zones: pd.DataFrame, age_bands: dict[str, str]) -> None:
    """Population, age bands and the IMD deciles of the ward's neighbourhoods."""
    st.subheader("Need profile")
    population = float(zones[POPULATION].sum())
    cols = st.columns(1 + len(age_bands))
    cols[0].metric("Residents", f"{population:,.0f}")
    for col, (column, label) in zip(cols[1:], age_bands.items(), strict=True):
        count = float(zones[column].sum())
        share = count / population if population else 0.0
        col.metric(
            f"Aged {markdown_text(label)}",
            f"{count:,.0f}",
            f"{share:.0%} of residents",
            delta_color="off",
        )
    deciles = (
        zones[decile_col(IMD_OVERALL)].dropna().astype(int).value_counts().reindex(range(1, 11))
    )
    decile_df = pd.DataFrame(
        {"IMD 2019 decile (1 = most deprived 10%)": range(1, 11), "Neighbourhoods": deciles}
    ).fillna(0)
    decile_df["Neighbourhoods"] = decile_df["Neighbourhoods"].astype(int)
    st.caption(
        f"Deprivation: how many of the ward's {len(zones):,} neighbourhoods fall in each "
        "national IMD 2019 decile."
    )
    st.bar_chart(decile_df, x="IMD 2019 decile (1 = most deprived 10%)", y="Neighbourhoods")
    st.dataframe(decile_df, hide_index=True, key=StateKeys.WARD_DECILES)


def provision_rows(ward_rows: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Provision per category of one ward, with labels and the class in words."""
    labels = {c.id: c.label for c in taxonomy.categories}
    return pd.DataFrame(
        {
            "Category": ward_rows[CATEGORY].map(labels).fillna(ward_rows[CATEGORY]),
            "People in need": ward_rows[NEED].round(0),
            "Counted as": ward_rows[NEED_UNIT],
            RP_LABEL: ward_rows[RELATIVE_PROVISION].round(2),
            "Class": ward_rows[PROVISION_CLASS],
            "Local services": ward_rows[LOCAL_SERVICES].astype(int),
            "Phone, online, citywide": ward_rows[REMOTE_OPTIONS].astype(int),
            "Of those, out of date": ward_rows[STALE_SERVICES].astype("Int64"),
            "Of those, reported closed": ward_rows[REPORTED_CLOSED_SERVICES].astype("Int64"),
            "Supply estimated": ward_rows[IMPUTED_SHARE].map(lambda v: f"{v:.0%}"),
            "Uncertain": ward_rows[UNCERTAIN].map({True: "yes", False: ""}),
            "Small numbers": ward_rows[SMALL_NUMBERS].map({True: "yes", False: ""}),
        }
    ).reset_index(drop=True)


def show_provision(ward_rows: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """Relative provision per category as a bar chart and the same numbers as a table."""
    st.subheader("Provision per category (1 = city average per person in need)")
    rows = provision_rows(ward_rows, taxonomy)
    st.bar_chart(rows, x="Category", y=RP_LABEL, horizontal=True)
    st.dataframe(rows, hide_index=True, key=StateKeys.WARD_PROVISION)


def gap_rows(ward_rows: pd.DataFrame, robustness: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Gaps of one ward, each with how often it stays a gap under the method's variants."""
    labels = {c.id: c.label for c in taxonomy.categories}
    merged = ward_rows.merge(
        robustness[[AREA_CODE, CATEGORY, GAP_SHARE, ROBUST, VARIANTS]],
        on=[AREA_CODE, CATEGORY],
        how="left",
    )
    keep = merged[merged[PROVISION_CLASS].isin(GAP_CLASSES) | (merged[GAP_SHARE] > 0)]
    robust = keep[ROBUST].fillna(False).astype(bool)
    return pd.DataFrame(
        {
            "Category": keep[CATEGORY].map(labels).fillna(keep[CATEGORY]),
            "Class": keep[PROVISION_CLASS],
            "A gap in": keep[GAP_SHARE].map(lambda v: f"{v:.0%} of variants"),
            "Robustness": np.where(robust, ROBUST_GAP, FRAGILE_GAP),
        }
    ).reset_index(drop=True)


def show_gaps(ward_rows: pd.DataFrame, robustness: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """Gaps in any variant of the method, saying which are robust."""
    st.subheader("Gaps")
    st.caption(
        "Each gap is tested against 60 reasonable variants of the method (catchments half to "
        "one and a half as wide, with or without distance decay, unknown capacities at the "
        "median or the quartiles, need as the category's indicator or all residents). A gap "
        "is robust when at least 80% of them agree."
    )
    rows = gap_rows(ward_rows, robustness, taxonomy)
    if rows.empty:
        st.write("No gaps in this ward, in any variant of the method.")
        return
    robust = rows[rows["Robustness"] == ROBUST_GAP]["Category"].tolist()
    if robust:
        st.write("Robust gaps: " + markdown_text(", ".join(robust)) + ".")
    else:
        st.write("No gap here is robust: each disappears in many variants of the method.")
    st.dataframe(rows, hide_index=True, key=StateKeys.WARD_GAPS)


def service_names(directory) -> dict[str, str]:
    """Service id -> its name, for the tables that list services by id."""
    services = directory.services
    return dict(
        zip(services[SERVICE_ID].astype(str), services[SERVICE_NAME].astype(str), strict=True)
    )


def duplicate_rows(pairs: pd.DataFrame, names: dict[str, str], taxonomy: Taxonomy):
    """Duplicate pairs as plain text columns, most overlapping first."""
    labels = {c.id: c.label for c in taxonomy.categories}
    ordered = pairs.sort_values([JACCARD, SERVICE_A], ascending=[False, True])
    return pd.DataFrame(
        {
            "Category": ordered[CATEGORY].map(labels).fillna(ordered[CATEGORY]),
            # An id without a name (none known) is shown as the id.
            "Service": ordered[SERVICE_A].map(lambda sid: names.get(sid, sid)),
            "Same people as": ordered[SERVICE_B].map(lambda sid: names.get(sid, sid)),
            "Need shared": ordered[JACCARD].map(lambda v: f"{v:.0%}"),
            "Why": ordered[REASON].astype(str),
        }
    ).reset_index(drop=True)


def show_duplicates(
    pairs: pd.DataFrame,
    names: dict[str, str],
    taxonomy: Taxonomy,
    *,
    where: str = "in this ward",
    key: str = StateKeys.WARD_DUPLICATES,
) -> None:
    """Duplicate pairs (``where`` says which), most overlapping first."""
    if len(pairs) == 1:
        st.subheader(f"Duplicated effort {markdown_text(where)} (1 pair)")
    else:
        st.subheader(f"Duplicated effort {markdown_text(where)} ({len(pairs):,} pairs)")
    st.caption(
        "Two organisations' local services of one category, open to the same people, that "
        "reach mostly the same people in need (at least half of the need they reach, "
        "nearer residents counting more, is shared): worth a conversation about working "
        "together."
    )
    if pairs.empty:
        st.write(f"No duplicate pairs {markdown_text(where)}.")
        return
    st.dataframe(duplicate_rows(pairs, names, taxonomy), hide_index=True, key=key)


PAIR_COUNT_MEANINGS: Final = (
    ("Similar pairs open", "Pairs no reviewer has decided yet."),
    ("Dismissed", "A reviewer found the two are not the same (a reason is kept)."),
    ("Merged", "One service listed twice: one entry kept, the other archived."),
    ("Collaborations started", "Both groups agreed to the introduction a reviewer offered."),
)
"""Each count of the reviewers' decisions on similar pairs, and its one-line meaning."""


def show_pair_counts(pairs_df: pd.DataFrame, ward_code: str) -> None:
    """How reviewers have dealt with the ward's similar pairs (`analysis.store.pairs`)."""
    with store_engine().connect() as connection:
        counts = pair_counts(connection, pairs_df).get(ward_code, PairCounts())
    st.markdown("**What reviewers did with these pairs**")
    values = (counts.open, counts.dismissed, counts.merged, counts.collaborations)
    for col, (label, meaning), value in zip(
        st.columns(len(values)), PAIR_COUNT_MEANINGS, values, strict=True
    ):
        col.metric(inert_text(label), f"{value:,}")
        col.caption(markdown_text(meaning))


def show_services(services_df: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """The services covering the ward."""
    st.subheader(f"Services reaching the ward ({len(services_df):,})")
    service_table(services_df, taxonomy, key=StateKeys.WARD_SERVICES)


def partner_rows(partners_df: pd.DataFrame, relation: str) -> pd.DataFrame:
    """Partners of one relation as plain text columns."""
    rows = partners_df[partners_df[RELATION] == relation]
    return pd.DataFrame(
        {
            "Service": rows[SERVICE_NAME].astype(str),
            "Organisation": rows[ORG_NAME].fillna("").astype(str),
            "Why": rows[REASON].astype(str),
        }
    ).reset_index(drop=True)


def show_partners(partners_df: pd.DataFrame, *, similar_title: str, other_title: str, key: str):
    """Similar and complementary services, each with its reason."""
    for relation, title in ((SIMILAR, similar_title), (COMPLEMENTARY, other_title)):
        rows = partner_rows(partners_df, relation)
        st.markdown(f"**{markdown_text(title)}** ({len(rows):,})")
        if rows.empty:
            st.write("None found.")
        else:
            st.dataframe(rows, hide_index=True, key=f"{key}_{relation}")
