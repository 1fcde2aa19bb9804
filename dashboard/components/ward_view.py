"""The ward drill-down: neighbourhood map, need profile, provision, gaps, services, partners.

Every number comes from `analysis/`; this module only lays it out. User text reaches the
map's tooltips through `analysis.escape.html_text`, Markdown through
`analysis.escape.markdown_text`, and tables as plain cells.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.escape import html_text, markdown_text
from analysis.model import (
    AREA_CODE,
    AREA_NAME,
    CATEGORY,
    CRS_DISPLAY,
    EFFECTIVE_PROVIDERS,
    GAP_CLASSES,
    GAP_SHARE,
    LSOA_CODE,
    LSOA_NAME,
    ORG_NAME,
    POPULATION,
    PROVISION_CLASS,
    RANK_MAX,
    RANK_MIN,
    RELATION,
    RELATIVE_PROVISION,
    ROBUST,
    SERVICE_ID,
    SERVICE_NAME,
    SHARE,
    SMALL_NUMBERS,
    WARD_CODE,
)
from analysis.model import REASON as PARTNER_REASON
from analysis.provision.coverage import ward_coverage
from analysis.provision.metrics import MetricsResult
from analysis.taxonomy import Taxonomy
from dashboard.components.service_table import service_table
from dashboard.maps.offline import offline_map
from dashboard.state import MEASURES

CLASS_COLOURS = {  # Okabe-Ito, colour-blind safe; the class name is always in the text too
    "missing": "#D55E00",
    "under-served": "#E69F00",
    "adequate": "#F0F0F0",
    "overlap": "#0072B2",
}
SCALE_COLOURS = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487")  # viridis, 5 steps
NO_DATA = "#bdbdbd"


def measure_bins(values: pd.Series, n: int = len(SCALE_COLOURS)) -> np.ndarray:
    """Quantile class breaks of ``values`` (the whole city), so a ward's colours compare."""
    finite = values.replace([np.inf, -np.inf], np.nan).dropna()
    if finite.empty:
        return np.array([0.0])
    return np.unique(np.quantile(finite, np.linspace(0, 1, n + 1)[1:-1]))


def colour_of(value: object, measure: str, bins: np.ndarray) -> str:
    """The fill colour of one neighbourhood's value."""
    if measure == PROVISION_CLASS:
        return CLASS_COLOURS.get(str(value), NO_DATA)
    if value is None or not np.isfinite(float(value)):
        return NO_DATA
    return SCALE_COLOURS[int(np.searchsorted(bins, float(value), side="right"))]


def legend_rows(measure: str, bins: np.ndarray) -> pd.DataFrame:
    """The legend as a table: colour code and what it means in words."""
    if measure == PROVISION_CLASS:
        return pd.DataFrame({"Colour": list(CLASS_COLOURS.values()), "Means": list(CLASS_COLOURS)})
    edges = [-np.inf, *bins.tolist(), np.inf]
    means = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        if np.isinf(low):
            means.append(f"below {high:,.2f}")
        elif np.isinf(high):
            means.append(f"{low:,.2f} or more")
        else:
            means.append(f"{low:,.2f} to below {high:,.2f}")
    colours = list(SCALE_COLOURS[: len(means)])
    return pd.DataFrame({"Colour": colours, "Means": means})


def neighbourhood_features(
    area_zones: gpd.GeoDataFrame, rows: pd.DataFrame, measure: str, bins: np.ndarray
) -> gpd.GeoDataFrame:
    """The ward's neighbourhoods in EPSG:4326 with escaped tooltip fields and a fill colour."""
    merged = area_zones[[LSOA_CODE, LSOA_NAME, "geometry"]].merge(
        rows, left_on=LSOA_CODE, right_on=AREA_CODE, how="left"
    )
    value = merged[measure]
    shown = value.astype(str) if measure == PROVISION_CLASS else value.map(_number)
    return gpd.GeoDataFrame(
        {
            "tip_name": merged[LSOA_NAME].fillna("").astype(str).map(html_text),
            "tip_code": merged[LSOA_CODE].astype(str).map(html_text),
            "tip_value": shown.fillna("no data").astype(str).map(html_text),
            "tip_class": merged[PROVISION_CLASS].fillna("no data").astype(str).map(html_text),
            "fill": [colour_of(v, measure, bins) for v in value],
        },
        geometry=merged.geometry.values,
        crs=area_zones.crs,
    ).to_crs(CRS_DISPLAY)


def neighbourhood_map(features: gpd.GeoDataFrame, measure_label: str) -> folium.Map:
    """The neighbourhoods coloured by the measure, no basemap, fitted to the ward."""
    west, south, east, north = features.total_bounds
    m = offline_map(location=[(south + north) / 2, (west + east) / 2], zoom_start=14)
    folium.GeoJson(
        features,
        name="Neighbourhoods",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.8,
            "color": "#333333",
            "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["tip_name", "tip_code", "tip_value", "tip_class"],
            aliases=["Neighbourhood", "Code", html_text(measure_label), "Class"],
            sticky=True,
        ),
    ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


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
    bins = measure_bins(table[measure]) if measure != PROVISION_CLASS else np.array([])
    label = MEASURES.get(measure, measure)
    st.subheader(f"Neighbourhoods: {markdown_text(label)}, {markdown_text(category_label)}")
    features = neighbourhood_features(zones, rows, measure, bins)
    left, right = st.columns([3, 2])
    with left:
        st_folium(
            neighbourhood_map(features, label),
            key=f"ward_map_{ward_code}_{category}_{measure}",
            height=420,
            use_container_width=True,
            returned_objects=[],
        )
    with right:
        st.caption("Legend (colours for the whole city's neighbourhoods):")
        legend = legend_rows(measure, bins)
        swatches = legend.style.apply(
            lambda col: [f"background-color: {c}; color: {c}" for c in col], subset=["Colour"]
        )
        st.dataframe(swatches, hide_index=True, key="ward_legend")
    shown = rows[[AREA_CODE, AREA_NAME, POPULATION, EFFECTIVE_PROVIDERS, RELATIVE_PROVISION]]
    shown = shown.assign(
        **{"measure": rows[measure], "class": rows[PROVISION_CLASS], "small": rows[SMALL_NUMBERS]}
    )
    st.dataframe(
        shown.rename(
            columns={
                AREA_CODE: "Code",
                AREA_NAME: "Neighbourhood",
                POPULATION: "Residents",
                EFFECTIVE_PROVIDERS: "Effective providers",
                RELATIVE_PROVISION: "Relative provision (city = 1)",
                "measure": label,
                "class": "Class",
                "small": "Small numbers",
            }
        ).loc[:, lambda f: ~f.columns.duplicated()],
        hide_index=True,
        key="ward_zone_table",
    )


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
    deciles = zones["decile_imd"].dropna().astype(int).value_counts().reindex(range(1, 11))
    decile_df = pd.DataFrame(
        {"IMD 2019 decile (1 = most deprived 10%)": range(1, 11), "Neighbourhoods": deciles}
    ).fillna(0)
    decile_df["Neighbourhoods"] = decile_df["Neighbourhoods"].astype(int)
    st.caption(
        f"Deprivation: how many of the ward's {len(zones):,} neighbourhoods fall in each "
        "national IMD 2019 decile."
    )
    st.bar_chart(decile_df, x="IMD 2019 decile (1 = most deprived 10%)", y="Neighbourhoods")
    st.dataframe(decile_df, hide_index=True, key="ward_deciles")


def provision_rows(ward_rows: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Provision per category of one ward, with labels and the class in words."""
    labels = {c.id: c.label for c in taxonomy.categories}
    return pd.DataFrame(
        {
            "Category": ward_rows[CATEGORY].map(labels).fillna(ward_rows[CATEGORY]),
            "Relative provision (city = 1)": ward_rows[RELATIVE_PROVISION].round(2),
            "Class": ward_rows[PROVISION_CLASS],
            "Effective providers": ward_rows[EFFECTIVE_PROVIDERS].round(1),
            "Small numbers": ward_rows[SMALL_NUMBERS].map({True: "yes", False: ""}),
        }
    ).reset_index(drop=True)


def show_provision(ward_rows: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """Relative provision per category as a bar chart and the same numbers as a table."""
    st.subheader("Provision per category (city = 1)")
    rows = provision_rows(ward_rows, taxonomy)
    st.bar_chart(rows, x="Category", y="Relative provision (city = 1)", horizontal=True)
    st.dataframe(rows, hide_index=True, key="ward_provision")


def gap_rows(ward_rows: pd.DataFrame, robustness: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Gaps and overlaps of one ward with how robust each is to the parameters."""
    labels = {c.id: c.label for c in taxonomy.categories}
    keep = ward_rows[ward_rows[PROVISION_CLASS].isin([*GAP_CLASSES, "overlap"])]
    merged = keep.merge(
        robustness[[AREA_CODE, CATEGORY, RANK_MIN, RANK_MAX, GAP_SHARE, ROBUST]],
        on=[AREA_CODE, CATEGORY],
        how="left",
    )
    is_gap = merged[PROVISION_CLASS].isin(GAP_CLASSES)
    robust_text = np.where(
        ~is_gap, "", np.where(merged[ROBUST].fillna(False).astype(bool), "robust", "fragile")
    )
    return pd.DataFrame(
        {
            "Category": merged[CATEGORY].map(labels).fillna(merged[CATEGORY]),
            "Class": merged[PROVISION_CLASS],
            "Robustness": robust_text,
            "Gap in share of variants": merged[GAP_SHARE].map(lambda v: f"{v:.0%}"),
            "Gap rank range": merged[RANK_MIN].astype("Int64").astype(str)
            + "–"
            + merged[RANK_MAX].astype("Int64").astype(str),
        }
    )


def show_gaps(ward_rows: pd.DataFrame, robustness: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """Gaps and overlaps, saying which gaps are robust."""
    st.subheader("Gaps and overlaps")
    rows = gap_rows(ward_rows, robustness, taxonomy)
    if rows.empty:
        st.write("No gaps or overlaps in this ward with the thresholds in use.")
        return
    robust = rows[rows["Robustness"] == "robust"]["Category"].tolist()
    gaps = rows[rows["Class"].isin(GAP_CLASSES)]
    if robust:
        st.write(
            "Robust gaps (a gap under every catchment and threshold variant): "
            + markdown_text(", ".join(robust))
            + "."
        )
    elif not gaps.empty:
        st.write("No gap here is robust: each disappears under some parameter variant.")
    st.dataframe(rows, hide_index=True, key="ward_gaps")


def services_in_ward(coverage, directory, area, ward_code: str) -> pd.DataFrame:
    """The services reaching the ward, largest share of its residents first."""
    shares = ward_coverage(coverage, area)
    shares = shares[shares[WARD_CODE] == ward_code][[SERVICE_ID, SHARE]]
    services = pd.DataFrame(directory.services_with_organisations().drop(columns="geometry"))
    services[SERVICE_ID] = services[SERVICE_ID].astype(str)
    merged = services.merge(shares, on=SERVICE_ID, how="inner")
    return merged.sort_values([SHARE, SERVICE_NAME], ascending=[False, True], ignore_index=True)


def show_services(services_df: pd.DataFrame, taxonomy: Taxonomy) -> None:
    """The services covering the ward."""
    st.subheader(f"Services reaching the ward ({len(services_df):,})")
    service_table(services_df, taxonomy, key="ward_services")


def partner_rows(partners_df: pd.DataFrame, relation: str) -> pd.DataFrame:
    """Partners of one relation as plain text columns."""
    rows = partners_df[partners_df[RELATION] == relation]
    return pd.DataFrame(
        {
            "Service": rows[SERVICE_NAME].astype(str),
            "Organisation": rows[ORG_NAME].fillna("").astype(str),
            "Why": rows[PARTNER_REASON].astype(str),
        }
    ).reset_index(drop=True)


def show_partners(partners_df: pd.DataFrame, *, similar_title: str, other_title: str, key: str):
    """Similar and complementary services, each with its reason."""
    for relation, title in (("similar", similar_title), ("complementary", other_title)):
        rows = partner_rows(partners_df, relation)
        st.markdown(f"**{markdown_text(title)}** ({len(rows):,})")
        if rows.empty:
            st.write("None found.")
        else:
            st.dataframe(rows, hide_index=True, key=f"{key}_{relation}")


def _number(value: object) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "no data"
    return f"{number:,.2f}" if np.isfinite(number) else "no data"
