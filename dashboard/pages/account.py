"""Sign in, set a password from an invitation or reset link, and one's own account: the
organisations one keeps, claims and their outcome, changes waiting for a reviewer.

Invitation and reset links open this page (``?page=account&invitation=…``); the secret is
taken out of the address at once and kept in this browser session only.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.errors import StoreError
from analysis.escape import inert_text, markdown_text
from analysis.store import accounts, claims, config, proposals
from analysis.store.access import ROLE_NAMES
from analysis.store.schema import INVITATION, RESET
from dashboard.auth import (
    PROVIDER_BUTTON,
    Viewer,
    end_session,
    identity_provider_configured,
    start_session,
)
from dashboard.components.introductions import show_introductions
from dashboard.components.people import (
    claim_form,
    organisation_names,
    proposals_table,
    show_done,
    tell_done,
)
from dashboard.context import PageContext
from dashboard.data import store_engine
from dashboard.navigation import open_view
from dashboard.state import EDIT_PAGE, StateKeys, ViewState

PAGE_HEADING = "Your account"


def render(ctx: PageContext) -> ViewState:
    """Draw the page; the view does not change here."""
    viewer = ctx.viewer
    _keep_link_from_url()
    link = st.session_state.get(StateKeys.LINK_TOKEN)
    if link is not None and (viewer is None or not viewer.signed_in):
        st.header("Set your password")
        _set_password(*link)
        return ctx.state
    if viewer is None or not viewer.signed_in:
        st.header("Sign in")
        _sign_in()
        return ctx.state
    st.header(inert_text(PAGE_HEADING))
    show_done()
    _account_summary(viewer)
    _kept_organisations(ctx.state, viewer)
    show_introductions(viewer)
    _claims(viewer)
    _changes(viewer)
    _leave(viewer)
    return ctx.state


def _keep_link_from_url() -> None:
    for purpose in (INVITATION, RESET):
        token = st.query_params.get(purpose)
        if token:
            st.session_state[StateKeys.LINK_TOKEN] = (purpose, token)
            del st.query_params[purpose]


def _set_password(purpose: str, token: str) -> None:
    store = store_engine()
    try:
        account = accounts.link_account(store, token)
    except StoreError as error:
        st.error(markdown_text(f"This link cannot be used: {error}."))
        st.session_state.pop(StateKeys.LINK_TOKEN, None)
        return
    what = "Welcome" if purpose == INVITATION else "Choose a new password"
    st.write(markdown_text(f"{what}: this is the account of {account.email}."))
    with st.form("set_password"):
        name = (
            st.text_input("Your name", value=account.name, help="Shown to admins only.")
            if purpose == INVITATION
            else None
        )
        password = st.text_input(
            "New password",
            type="password",
            help=f"At least {config.MIN_PASSWORD_LENGTH:d} characters: a few words you will "
            "remember make a good one.",
        )
        again = st.text_input("The same password again", type="password")
        problem = st.session_state.pop("set_password_problem", None)
        if problem:
            st.error(markdown_text(problem))
        if st.form_submit_button("Set password and sign in"):
            if password != again:
                st.session_state["set_password_problem"] = (
                    "The two passwords are not the same. Type the same password twice."
                )
                st.rerun()
            try:
                session = accounts.accept_link(store, token, password=password, name=name)
            except StoreError as error:
                st.session_state["set_password_problem"] = f"{error}"
                st.rerun()
            st.session_state.pop(StateKeys.LINK_TOKEN, None)
            start_session(session.token)
            tell_done("Your password is set and you are signed in.")
            st.rerun()


def _sign_in() -> None:
    reason = st.session_state.pop(StateKeys.SIGNED_OUT_BECAUSE, None)
    if reason:
        st.info(markdown_text(f"You were signed out: {reason}."))
    st.write(
        "Sign in to keep your group's entry up to date, or to review changes. Reading the "
        "directory needs no account."
    )
    if identity_provider_configured():
        st.subheader("Council and NHS staff")
        if st.button(inert_text(PROVIDER_BUTTON), type="primary"):
            st.session_state.pop(StateKeys.PROVIDER_SIGNED_OUT, None)
            st.login()
        st.subheader("Community groups")
    with st.form("sign_in"):
        email = st.text_input("Email", autocomplete="email")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        problem = st.session_state.pop("sign_in_problem", None)
        if problem:
            st.error(markdown_text(problem))
        if st.form_submit_button("Sign in"):
            try:
                session = accounts.sign_in(store_engine(), email, password)
            except StoreError as error:
                st.session_state["sign_in_problem"] = f"Not signed in: {error}."
                st.rerun()
            start_session(session.token)
            st.rerun()
    st.caption(
        "No account yet? A reviewer of the directory sends your group an invitation link. "
        "Forgotten your password? Ask them for a reset link."
    )


def _account_summary(viewer: Viewer) -> None:
    account = viewer.account
    assert account is not None
    how = "your organisation's account" if account.signs_in_with_provider else "a password"
    st.write(
        markdown_text(
            f"Signed in as {account.email}: {ROLE_NAMES[account.role]}, signing in with {how}."
        )
    )


def _kept_organisations(state: ViewState, viewer: Viewer) -> None:
    st.subheader("Organisations you keep")
    kept = sorted(viewer.rights.organisations)
    if not kept:
        st.write(
            "None yet. Find your organisation below and ask to manage its entry; a reviewer "
            "approves it."
        )
        return
    names = organisation_names(store_engine())
    for organisation_id in kept:
        st.button(
            markdown_text(f"Edit {names.get(organisation_id, organisation_id)}"),
            key=f"edit_{organisation_id}",
            on_click=open_view,
            args=(state.with_(page=EDIT_PAGE, org=organisation_id, service=""),),
        )


def _claims(viewer: Viewer) -> None:
    st.subheader("Ask to manage an organisation")
    claim_form(viewer)
    mine = claims.my_claims(store_engine(), viewer.actor)
    if mine:
        st.subheader("Your requests")
        table = pd.DataFrame(
            {
                "Organisation": [c.organisation_name for c in mine],
                "Asked on": [c.created_at.date() for c in mine],
                "Outcome": [c.status for c in mine],
                "Reviewer's reason": [c.reason for c in mine],
            }
        )
        st.dataframe(table, hide_index=True, use_container_width=True)


def _changes(viewer: Viewer) -> None:
    mine = proposals.my_proposals(store_engine(), viewer.actor)
    if mine:
        st.subheader("Your changes")
        st.caption("Changes wait for a reviewer; only approved ones are shown to the public.")
        proposals_table(mine, organisation_names(store_engine()))


def _leave(viewer: Viewer) -> None:
    st.subheader("Sign out or delete your account")
    if st.button("Sign out"):
        end_session()
        st.rerun()
    with st.expander("Delete my account"):
        st.write(
            "Your email and name are deleted; the changes you made stay in the directory's "
            "history, by “a former user”."
        )
        sure = st.checkbox("I understand: delete my account")
        if st.button("Delete my account", disabled=not sure):
            account = viewer.account
            assert account is not None
            try:
                accounts.delete_account(store_engine(), viewer.actor, account.id)
            except StoreError as error:
                st.error(markdown_text(f"Not deleted: {error}."))
                return
            end_session()
            st.rerun()
