"""A table of services: name, organisation, categories, delivery and public contact details.

Contact details (email, phone, website) are shown to the public only where the record's
``contact_public`` flag is true; a private record shows a notice instead. The
organisation's editors and reviewers see them all, marked "not public".
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.model import (
    CATEGORIES,
    CONTACT_PUBLIC,
    DELIVERY,
    DISTANCE_M,
    EMAIL,
    ORG_ID,
    ORG_NAME,
    PHONE,
    SERVICE_NAME,
    WEBSITE,
)
from analysis.store.access import PUBLIC_ROLE, Rights
from analysis.taxonomy import Taxonomy
from dashboard.state import StateKeys

PRIVATE_CONTACT = "not public: ask your local support organisation"
NOT_PUBLIC = "not public: for you as its editor or a reviewer"
PUBLIC_RIGHTS = Rights(PUBLIC_ROLE)


def category_labels(category_ids, taxonomy: Taxonomy) -> str:
    """Category ids as their labels, comma-separated (unknown ids as given)."""
    known = set(taxonomy.ids())
    return ", ".join(taxonomy.get(c).label if c in known else str(c) for c in category_ids)


def public_contact(row: pd.Series, rights: Rights = PUBLIC_RIGHTS) -> str:
    """Email, phone and website of a record whose contact is public, or that ``rights``
    may see (marked as not public); else a notice."""
    public = bool(row.get(CONTACT_PUBLIC, False))
    if not public and not rights.may("see private contacts", row.get(ORG_ID)):
        return PRIVATE_CONTACT
    parts = [row.get(name) for name in (EMAIL, PHONE, WEBSITE)]
    shown = " · ".join(str(p).strip() for p in parts if isinstance(p, str) and p.strip())
    return shown if public or not shown else f"{shown} ({NOT_PUBLIC})"


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
    return out.reset_index(drop=True)


def service_table(services_df: pd.DataFrame, taxonomy: Taxonomy, *, key: str) -> None:
    """Show the services as a sortable table (plain text, never HTML)."""
    if services_df.empty:
        st.info("No services.")
        return
    st.dataframe(service_rows(services_df, taxonomy), hide_index=True, key=key)
