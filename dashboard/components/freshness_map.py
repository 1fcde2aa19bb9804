"""How current the directory is: each entry's last check (shared with the review list) and
the overview's freshness map, wards coloured by the share of entries checked in the last
year (`analysis.provision.freshness`, docs/freshness.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.escape import markdown_text
from analysis.geography import AreaSet
from analysis.model import AREA_CODE, SERVICE_ID, WARD_CODE
from analysis.outputs.palette import NONE_COLOUR, NONE_LABEL, Classification, sequential_colours
from analysis.provision.freshness import (
    ENTRIES,
    IS_STALE,
    SHARE_CHECKED_RECENTLY,
    age_words,
    freshness_by_ward,
    service_freshness,
)
from analysis.store.reads import stored_records
from analysis.store.records import LAST_VERIFIED
from analysis.store.schema import SERVICE_RESOURCE
from dashboard.context import PageContext
from dashboard.data import DirectorySource, store_engine
from dashboard.maps.choropleth import choropleth_map
from dashboard.state import StateKeys

PERCENT_CHECKED = "percent_checked_recently"
"""The map's measure: `SHARE_CHECKED_RECENTLY` in percent, as its legend reads."""
PERCENT_BREAKS = (25.0, 50.0, 75.0, 100.0)
"""Fixed quarters, so a ward's colour means the same share in every directory."""
PERIOD = age_words().removeprefix("a ")
"""The last check's window in words: "year" for 12 months ("the last year")."""
MAP_TITLE = f"Entries checked in the last {PERIOD} (%)"


def today() -> datetime:
    """Now, UTC: the day ages are measured to (the analysis never reads the clock)."""
    return datetime.now(UTC)


@st.cache_data(max_entries=4, show_spinner=False)
def _stored_last_verified(source_key: str) -> dict[str, str | None]:
    """Service id -> when a person last confirmed it (ISO text), read once per data version
    (``source_key`` holds the version)."""
    with store_engine().connect() as connection:
        records = stored_records(connection, SERVICE_RESOURCE)
    return {key: stored.record.get(LAST_VERIFIED) for key, stored in records.items()}


def last_verified_values(source: DirectorySource) -> pd.Series:
    """When a person last confirmed each service of ``source``, indexed like its services.

    The store's Directory carries it when it has the column; until then it is read from
    the store's records. An upload has none: no one has confirmed a file's rows.
    """
    services = source.directory.services
    if LAST_VERIFIED in services.columns:
        return pd.to_datetime(services[LAST_VERIFIED], errors="coerce")
    if source.is_upload or source.no_services or services.empty:
        return pd.Series(pd.NaT, index=services.index, dtype="datetime64[ns]")
    confirmed = _stored_last_verified(source.key)
    return pd.to_datetime(services[SERVICE_ID].astype(str).map(confirmed), errors="coerce")


def directory_freshness(source: DirectorySource, area: AreaSet) -> pd.DataFrame:
    """`service_freshness` of the services of ``source`` today."""
    return service_freshness(
        source.directory,
        area,
        last_verified=last_verified_values(source),
        as_of=today().date(),
    )


def percent_classification() -> Classification:
    """Four classes of a quarter each; no entry checked has the dashed class "none"."""
    labels = [NONE_LABEL]
    lower = 0.0
    for upper in PERCENT_BREAKS:
        labels.append(f"{lower:.0f}% to {upper:.0f}%" if lower else f"up to {upper:.0f}%")
        lower = upper
    return Classification(
        PERCENT_CHECKED,
        PERCENT_BREAKS,
        tuple(labels),
        (NONE_COLOUR, *sequential_colours(len(PERCENT_BREAKS))),
    )


def freshness_section(ctx: PageContext) -> None:
    """The overview's "How current is the directory?": a ward map and what it means."""
    if ctx.state.present:
        return
    if not st.toggle(
        "How current is the directory?",
        key=StateKeys.FRESHNESS_SHOWN,
        help="A ward map of the share of entries checked in the last year (drawn only "
        "when asked, so the overview stays quick).",
    ):
        return
    freshness = directory_freshness(ctx.source, ctx.area)
    if freshness.empty:
        st.write("There are no entries to date.")
        return
    by_ward = freshness_by_ward(freshness, ctx.area.wards)
    checked, total = int((~freshness[IS_STALE]).sum()), len(freshness)
    st.write(
        f"{checked:,} of {total:,} entries ({checked / total:.0%}) were checked in the "
        f"last {markdown_text(PERIOD)}: confirmed by a person or dated by their source."
    )
    values = pd.DataFrame(
        {
            AREA_CODE: by_ward[WARD_CODE],
            PERCENT_CHECKED: by_ward[SHARE_CHECKED_RECENTLY] * 100,
        }
    )
    m = choropleth_map(ctx.area.wards, values, percent_classification(), title=MAP_TITLE)
    st_folium(
        m,
        key=StateKeys.FRESHNESS_MAP,
        height=460,
        use_container_width=True,
        returned_objects=[],
    )
    unplaced = total - int(by_ward[ENTRIES].sum())
    st.caption(
        markdown_text(
            f"Each ward's share of the entries whose venue is in it that were checked in "
            f"the last {PERIOD}; grey: no entry has a venue there."
        )
        + markdown_text(
            f" {unplaced:,} entries have no venue in a ward (phone, online, or outside "
            "the area), so no ward counts them."
            if unplaced
            else ""
        )
    )
