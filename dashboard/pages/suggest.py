"""Suggest a group the directory is missing: anyone, signed in or not.

The suggestion is checked by the importer's rules like any entry and filed into the
reviewers' queue; nothing is published until a reviewer approves it.
"""

from __future__ import annotations

import streamlit as st

from analysis.errors import StoreError
from analysis.escape import inert_text, markdown_text
from analysis.model import (
    ORG_ID,
    SERVICE_ID,
)
from analysis.store import proposals
from analysis.store.access import PUBLIC
from analysis.store.entry import entry_records
from analysis.store.schema import SUGGESTION
from dashboard.components.entry_form import (
    NO_PROBLEMS,
    EntryForm,
    check,
    organisation_fields,
    ready_to_save,
    service_fields,
    show_entry_problems,
)
from dashboard.components.people import show_done, tell_done
from dashboard.context import PageContext
from dashboard.data import store_engine
from dashboard.state import ViewState

PAGE_HEADING = "Suggest a group we're missing"
FORM = "suggest"
PROBLEMS_KEY = "suggest_problems"


def render(ctx: PageContext) -> ViewState:
    """Draw the page; the view does not change here."""
    st.header(inert_text(PAGE_HEADING))
    show_done()
    st.write(
        "Know a group or service that is not in the directory? Describe it here: a reviewer "
        "checks it before it is published."
    )
    ids = st.session_state.setdefault("suggest_ids", (proposals.new_id(), proposals.new_id()))
    form = EntryForm(FORM, {ORG_ID: ids[0], SERVICE_ID: ids[1]}, _problems())
    show_entry_problems(form.problems)
    st.subheader("The organisation")
    organisation_fields(form)
    st.subheader("What it offers")
    service_fields(form, area=ctx.area, taxonomy=ctx.taxonomy)
    st.subheader("For the reviewer")
    note = st.text_area(
        "How do you know of it, and how can a reviewer reach you if they have a question?",
        key="suggest_note",
        help="Seen only by the directory's reviewers.",
    )
    if st.button("Send the suggestion", type="primary"):
        result = check(form, area=ctx.area, taxonomy=ctx.taxonomy)
        ready, st.session_state[PROBLEMS_KEY] = ready_to_save(form, result)
        if not ready:
            st.rerun()
        organisation, service = entry_records(result)
        try:
            proposals.submit(
                store_engine(),
                ctx.viewer.actor if ctx.viewer is not None else PUBLIC,
                organisation_id=ids[0],
                organisation_record=organisation,
                service_id=ids[1],
                service_record=service,
                kind=SUGGESTION,
                note=note,
            )
        except StoreError as error:
            st.error(markdown_text(f"Not sent: {error}."))
            return ctx.state
        for key in list(st.session_state):
            if str(key).startswith(f"{FORM}_") or key in ("suggest_ids", "suggest_note"):
                del st.session_state[key]
        st.session_state.pop(PROBLEMS_KEY, None)
        tell_done("Thank you: your suggestion is with the reviewers.")
        st.rerun()
    return ctx.state


def _problems():
    return st.session_state.get(PROBLEMS_KEY, NO_PROBLEMS)
