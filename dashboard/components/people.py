"""Parts shared by the pages that keep the directory: the claim form, tables of proposals
and of a proposal's changes field by field, and the message a form leaves after its rerun.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis.errors import StoreError
from analysis.escape import markdown_text
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_KIND,
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_STATUS,
    LAST_UPDATED,
    LOCATIONS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_M,
    SERVICE_NAME,
    WARD_CODES,
    WEBSITE,
)
from analysis.store import claims
from analysis.store.proposals import FieldChange, Proposal
from analysis.store.schema import ORGANIZATION_RESOURCE, SERVICE_RESOURCE
from analysis.store.summary import organisation_names as stored_organisation_names
from dashboard.auth import Viewer
from dashboard.data import store_engine
from dashboard.state import StateKeys

FIELD_LABELS: Mapping[str, str] = {
    ORG_NAME: "Organisation name",
    ORG_KIND: "Kind of organisation",
    CHARITY_NUMBER: "Charity number",
    WEBSITE: "Website",
    EMAIL: "Email",
    PHONE: "Phone",
    DESCRIPTION: "Description",
    LAST_UPDATED: "Last updated",
    CONTACT_PUBLIC: "Website shown publicly",
    EMAIL_PUBLIC: "Email shown publicly",
    PHONE_PUBLIC: "Phone shown publicly",
    SERVICE_NAME: "Service name",
    CATEGORIES: "Categories",
    "source_terms": "The source's own terms",
    DELIVERY: "Delivery",
    POSTCODE: "Postcode",
    LOCATIONS: "Venues (easting, northing)",
    AREA_KIND: "Area served",
    AREA_VALUE: "Area served (value)",
    RADIUS_M: "Radius (metres)",
    WARD_CODES: "Wards served",
    CAPACITY: "Capacity",
    "capacity_unit": "Capacity unit",
    AUDIENCE: "Who it is for",
    ACTIVE_FROM: "Runs from",
    ACTIVE_UNTIL: "Runs until",
    FIELD_STATUS: "Status",
    ORG_ID: "Organisation",
}
"""How a record's fields are named to people."""


RECORD_NAMES: Mapping[str, str] = {
    ORGANIZATION_RESOURCE: "Organisation",
    SERVICE_RESOURCE: "Service",
}
"""How the two kinds of record are named to people."""


def tell_done(message: str) -> None:
    """Say ``message`` at the top of the page after the rerun a form asks for."""
    st.session_state[StateKeys.DONE_MESSAGE] = message


def show_done() -> None:
    """Show (once) what the last form did."""
    message = st.session_state.pop(StateKeys.DONE_MESSAGE, None)
    if message:
        st.success(markdown_text(message))


def organisation_names(store) -> dict[str, str]:
    """Organisation id -> name, of every organisation not deleted; a name two share also
    shows the id (a select tells its options apart by what it shows)."""
    names = stored_organisation_names(store)
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    return {
        key: f"{name} · {key}" if counts[name.casefold()] > 1 else name
        for key, name in names.items()
    }


def shown_value(value: Any) -> str:
    """A record's value as text for a comparison table."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(shown_value(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def changes_table(changes: Sequence[FieldChange], *, then: str, now: str) -> pd.DataFrame:
    """A proposal's (or version's) changes, one row per field: what it was, what it is."""
    return pd.DataFrame(
        {
            "Record": [RECORD_NAMES[c.resource_type] for c in changes],
            "Field": [FIELD_LABELS.get(c.field, c.field) for c in changes],
            then: [shown_value(c.published) for c in changes],
            now: [shown_value(c.proposed) for c in changes],
        }
    )


def proposals_table(found: Sequence[Proposal], names: Mapping[str, str]) -> None:
    """The proposals a person made, with where each stands."""
    table = pd.DataFrame(
        {
            "Sent on": [p.proposed_at.date() for p in found],
            "What": [p.kind for p in found],
            "Organisation": [_proposal_name(p, names) for p in found],
            "Service": [(p.service_record or {}).get(SERVICE_NAME, "") for p in found],
            "Where it stands": [p.status for p in found],
            "Reviewer's reason": [p.reason for p in found],
        }
    )
    st.dataframe(table, hide_index=True, use_container_width=True)


def _proposal_name(proposal: Proposal, names: Mapping[str, str]) -> str:
    if proposal.organisation_record:
        return str(proposal.organisation_record.get(ORG_NAME, ""))
    return names.get(proposal.organisation_id, proposal.organisation_id)


def claim_form(viewer: Viewer) -> None:
    """Find an organisation and ask to manage its entry."""
    names = organisation_names(store_engine())
    options = sorted(names, key=lambda key: names[key].casefold())
    with st.form("claim"):
        organisation = st.selectbox(
            "Your organisation",
            options,
            index=None,
            format_func=names.get,
            placeholder="Type to search the directory",
            help="Not listed? Suggest it on the page 'Suggest a group'.",
        )
        name = st.text_input("Your name", help="So the reviewer knows who asks.")
        role = st.text_input("Your role in the group", help="E.g. coordinator, trustee.")
        contact = st.text_input(
            "How a reviewer can contact you", help="A phone number or email address."
        )
        problem = st.session_state.pop("claim_problem", None)
        if problem:
            st.error(markdown_text(problem))
        if st.form_submit_button("Ask to manage it"):
            if organisation is None:
                st.session_state["claim_problem"] = "Choose your organisation first."
                st.rerun()
            try:
                claims.request_claim(
                    store_engine(),
                    viewer.actor,
                    organisation,
                    claimant_name=name,
                    role_in_group=role,
                    contact=contact,
                )
            except StoreError as error:
                st.session_state["claim_problem"] = f"Not sent: {error}."
                st.rerun()
            tell_done(
                f"Your request to manage {names[organisation]} is sent; a reviewer will "
                "decide, and the outcome shows on this page."
            )
            st.rerun()
