"""A table of services: name, organisation, categories, delivery and public contact details.

Each contact detail (email, phone, website) is shown to the public only where the record's
own flag for it is true (``email_public``, ``phone_public``, and ``contact_public`` for the
website); a record with none public shows a notice instead. The organisation's editors and
reviewers see them all, those not public marked "not public".
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import settings
from analysis.directory import is_detail_public
from analysis.model import (
    CATEGORIES,
    DELIVERY,
    DISTANCE_M,
    EMAIL,
    ORG_ID,
    ORG_NAME,
    PHONE,
    REPORTED_CLOSED,
    SERVICE_NAME,
    WEBSITE,
)
from analysis.provision.filters import checked_on, stale_mask
from analysis.store.access import PUBLIC_ROLE, Rights
from analysis.taxonomy import Taxonomy
from dashboard.state import StateKeys

PRIVATE_CONTACT = "not public: ask your local support organisation"
REPORTED_CLOSED_NOTE = "reported closed by members of the public: not yet checked"
STALE_NOTE = f"out of date: not checked for over {settings.STALE_AFTER_MONTHS} months"
NOT_PUBLIC = "not public: for you as its editor or a reviewer"
PUBLIC_RIGHTS = Rights(PUBLIC_ROLE)


def category_labels(category_ids, taxonomy: Taxonomy) -> str:
    """Category ids as their labels, comma-separated (unknown ids as given)."""
    known = set(taxonomy.ids())
    return ", ".join(taxonomy.get(c).label if c in known else str(c) for c in category_ids)


def public_contact(row: pd.Series, rights: Rights = PUBLIC_RIGHTS) -> str:
    """A record's email, phone and website: each one marked public, and the others when
    ``rights`` may see them (marked as not public); a notice when none can be shown."""
    details = (EMAIL, PHONE, WEBSITE)
    flags = {name: is_detail_public(row, name) for name in details}
    public, private = [], []
    for name in details:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            (public if flags[name] else private).append(value.strip())
    if not rights.may("see private contacts", row.get(ORG_ID)):
        return " · ".join(public) if public or all(flags.values()) else PRIVATE_CONTACT
    marked = [f"{' · '.join(private)} ({NOT_PUBLIC})"] if private else []
    return " · ".join([*public, *marked])


def service_rows(services_df: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """The rows the table shows, as plain strings (and distance in km when known)."""
    out = pd.DataFrame(index=services_df.index)
    if DISTANCE_M in services_df.columns:
        out["Distance (km)"] = (services_df[DISTANCE_M] / 1000).round(2)
    out["Service"] = services_df[SERVICE_NAME].fillna("").astype(str)
    out["Organisation"] = services_df[ORG_NAME].fillna("").astype(str)
    out["Categories"] = services_df[CATEGORIES].map(lambda c: category_labels(c, taxonomy))
    out["Delivery"] = services_df[DELIVERY].map(lambda modes: ", ".join(map(str, modes)))
    rights = st.session_state.get(StateKeys.VIEWER_RIGHTS, PUBLIC_RIGHTS)
    out["Contact"] = [public_contact(row, rights) for _, row in services_df.iterrows()]
    checked = checked_on(services_df)
    out["Last checked"] = checked.map(lambda day: "never" if pd.isna(day) else f"{day:%d %b %Y}")
    out["Check before referring"] = freshness_notes(services_df, pd.Timestamp.today().normalize())
    return out.reset_index(drop=True)


def freshness_notes(services_df: pd.DataFrame, today: pd.Timestamp) -> list[str]:
    """Per service: "reported closed" (by the public, not yet checked), "out of date" (not
    checked for a year), or nothing."""
    stale = stale_mask(services_df, today)
    closed = services_df.get(REPORTED_CLOSED, pd.Series(False, index=services_df.index))
    return [
        REPORTED_CLOSED_NOTE if bool(is_closed) else STALE_NOTE if bool(is_stale) else ""
        for is_closed, is_stale in zip(closed.fillna(False), stale, strict=True)
    ]


def service_table(services_df: pd.DataFrame, taxonomy: Taxonomy, *, key: str) -> None:
    """Show the services as a sortable table (plain text, never HTML)."""
    if services_df.empty:
        st.info("No services.")
        return
    st.dataframe(service_rows(services_df, taxonomy), hide_index=True, key=key)
