"""The reviewers' queue: changes and suggestions to approve or decline, field by field;
claims to decide; pairs of similar services to decide; invitations and reset links for
groups; who keeps which organisation.
"""

from __future__ import annotations

import streamlit as st

from analysis.errors import StoreError
from analysis.escape import inert_text, markdown_text
from analysis.model import (
    ORG_NAME,
    SERVICE_NAME,
)
from analysis.store import accounts, claims, proposals
from analysis.store.accounts import account_names
from dashboard.auth import Viewer, link_base
from dashboard.components.feedback_queue import feedback_queue
from dashboard.components.pairs_queue import show_pairs_queue
from dashboard.components.people import (
    changes_table,
    organisation_names,
    show_done,
    tell_done,
)
from dashboard.context import PageContext
from dashboard.data import store_engine
from dashboard.state import ViewState

PAGE_HEADING = "Review queue"


def render(ctx: PageContext) -> ViewState:
    """Draw the page; the view does not change here."""
    st.header(inert_text(PAGE_HEADING))
    viewer = ctx.viewer
    if viewer is None or not viewer.may("decide proposal"):
        st.info("The review queue is for the directory's reviewers: sign in as one to see it.")
        return ctx.state
    show_done()
    held = proposals.queue(store_engine(), viewer.actor)
    waiting = claims.claims_to_decide(store_engine(), viewer.actor)
    changes_tab, claims_tab, pairs_tab, invite_tab, editors_tab = st.tabs(
        [
            markdown_text(f"Changes to approve ({len(held)})"),
            markdown_text(f"Claims ({len(waiting)})"),
            "Similar services",
            "Invite a group",
            "Editors",
        ]
    )
    with changes_tab:
        _changes(viewer, held)
    with claims_tab:
        _claims(viewer, waiting)
    with pairs_tab:
        show_pairs_queue(ctx, viewer)
    with invite_tab:
        _invite(viewer)
    with editors_tab:
        _editors(viewer)
    feedback_queue(viewer, key="queue")
    return ctx.state


def _changes(viewer: Viewer, held: list[proposals.Proposal]) -> None:
    if not held:
        st.write("Nothing waits for approval.")
        return
    store = store_engine()
    names = organisation_names(store)
    who = account_names(store, viewer.actor, {p.proposed_by for p in held})
    for proposal in held:
        organisation = (proposal.organisation_record or {}).get(ORG_NAME) or names.get(
            proposal.organisation_id, proposal.organisation_id
        )
        service = (proposal.service_record or {}).get(SERVICE_NAME, "")
        title = f"{proposal.kind.capitalize()}: {organisation}" + (
            f" — {service}" if service else ""
        )
        with st.container(border=True):
            st.markdown(f"**{markdown_text(title)}**")
            st.caption(
                markdown_text(
                    f"Sent on {proposal.proposed_at:%d %B %Y %H:%M} UTC by "
                    f"{who.get(proposal.proposed_by, proposal.proposed_by)}"
                )
            )
            if proposal.note:
                st.write(markdown_text(f"Their note: {proposal.note}"))
            table = changes_table(
                proposals.proposal_changes(store, proposal), then="Published", now="Proposed"
            )
            st.dataframe(table, hide_index=True, use_container_width=True)
            _decision(viewer, proposal.id, "proposal")


def _claims(viewer: Viewer, waiting: list[claims.Claim]) -> None:
    if not waiting:
        st.write("No claim waits for a decision.")
        return
    for claim in waiting:
        with st.container(border=True):
            st.markdown(f"**{markdown_text(claim.organisation_name)}**")
            st.write(
                markdown_text(
                    f"{claim.claimant_name}, {claim.role_in_group}; contact: {claim.contact}. "
                    f"Asked on {claim.created_at:%d %B %Y}."
                )
            )
            _decision(viewer, claim.id, "claim")


def _decision(viewer: Viewer, number: int, what: str) -> None:
    """Approve, or decline with a reason, one proposal or claim."""
    with st.form(f"decide_{what}_{number}"):
        reason = st.text_input(
            "Reason (needed to decline; shown to them)", key=f"reason_{what}_{number}"
        )
        approve, decline = st.columns(2)
        approved = approve.form_submit_button("Approve", type="primary")
        declined = decline.form_submit_button("Decline")
        problem_key = f"problem_{what}_{number}"
        problem = st.session_state.pop(problem_key, None)
        if problem:
            st.error(markdown_text(problem))
    if not (approved or declined):
        return
    store = store_engine()
    try:
        if what == "proposal":
            proposals.decide(store, viewer.actor, number, approve=approved, reason=reason)
        else:
            claims.decide_claim(store, viewer.actor, number, approve=approved, reason=reason)
    except StoreError as error:
        st.session_state[problem_key] = f"Not done: {error}."
        st.rerun()
    tell_done(f"The {what} is {'approved' if approved else 'declined'}.")
    st.rerun()


def _invite(viewer: Viewer) -> None:
    st.write(
        "An invitation is a link that works once, for 14 days: send it to the group. They "
        "set a password, sign in and ask to manage their organisation."
    )
    with st.form("invite"):
        email = st.text_input("Their email")
        reset = st.checkbox("They have an account: make a password-reset link instead")
        made = st.form_submit_button("Make the link")
    if not made:
        return
    try:
        if reset:
            link = accounts.reset_link(store_engine(), viewer.actor, email, base_url=link_base())
        else:
            link = accounts.invite(store_engine(), viewer.actor, email, base_url=link_base())
    except StoreError as error:
        st.error(markdown_text(f"No link made: {error}."))
        return
    st.success(
        markdown_text(
            f"Send this link to {link.account.email}; it works once, until "
            f"{link.expires_at:%d %B %Y %H:%M} UTC. It is shown only now."
        )
    )
    st.code(link.url, language=None)


def _editors(viewer: Viewer) -> None:
    store = store_engine()
    names = organisation_names(store)
    options = sorted(names, key=lambda key: names[key].casefold())
    chosen = st.selectbox(
        "Organisation", options, index=None, format_func=names.get, key="editors_of"
    )
    if chosen is None:
        return
    kept_by = claims.editors_of(store, viewer.actor, chosen)
    if not kept_by:
        st.write("Nobody keeps this organisation's entry yet.")
        return
    for editor in kept_by:
        cols = st.columns([3, 2])
        cols[0].write(
            markdown_text(
                f"{editor.claimant_name or 'An editor'}, since {editor.granted_at:%d %B %Y}"
            )
        )
        if cols[1].button("Revoke", key=f"revoke_{editor.account_id}_{chosen}"):
            try:
                claims.revoke_editor(store, viewer.actor, editor.account_id, chosen, reason="")
            except StoreError as error:
                st.error(markdown_text(f"Not revoked: {error}."))
                return
            tell_done(f"{editor.claimant_name or 'The editor'} no longer keeps this entry.")
            st.rerun()
