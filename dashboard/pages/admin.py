"""Accounts (admins): who has an account and which role, changing a role, inviting staff,
deleting an account, and the history of access. Emails and names are personal data:
this page is the only one that shows them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.errors import StoreError
from analysis.escape import inert_text, markdown_text
from analysis.store import accounts
from analysis.store.access import ROLE_NAMES
from analysis.store.audit import access_events
from analysis.store.schema import ACCOUNT_ROLES, REVIEWER
from dashboard.auth import Viewer, link_base
from dashboard.components.people import show_done, tell_done
from dashboard.context import PageContext
from dashboard.data import store_engine
from dashboard.state import ViewState

PAGE_HEADING = "Accounts"


def render(ctx: PageContext) -> ViewState:
    """Draw the page; the view does not change here."""
    st.header(inert_text(PAGE_HEADING))
    viewer = ctx.viewer
    if viewer is None or not viewer.may("manage accounts"):
        st.info("Accounts are managed by the directory's admins: sign in as one to see them.")
        return ctx.state
    show_done()
    found = accounts.list_accounts(store_engine(), viewer.actor)
    _accounts_table(found)
    _change_role(viewer, found)
    _invite_staff(viewer)
    _delete(viewer, found)
    _history(viewer, found)
    return ctx.state


def _how(account: accounts.Account) -> str:
    if account.signs_in_with_provider:
        return "identity provider"
    return "password" if account.has_password else "invited, no password yet"


def _accounts_table(found: list[accounts.Account]) -> None:
    st.subheader(markdown_text(f"{len(found):,} accounts"))
    table = pd.DataFrame(
        {
            "Email": [a.email for a in found],
            "Name": [a.name for a in found],
            "Role": [a.role for a in found],
            "Signs in with": [_how(a) for a in found],
            "Last signed in (UTC)": [a.last_sign_in_at for a in found],
            "Locked until (UTC)": [a.locked_until for a in found],
        }
    )
    st.dataframe(table, hide_index=True, use_container_width=True)


def _change_role(viewer: Viewer, found: list[accounts.Account]) -> None:
    st.subheader("Change a role")
    by_id = {account.id: account for account in found}
    with st.form("change_role"):
        chosen = st.selectbox(
            "Account", list(by_id), index=None, format_func=lambda key: by_id[key].email
        )
        role = st.selectbox(
            "New role",
            ACCOUNT_ROLES,
            format_func=lambda name: f"{name}: {ROLE_NAMES[name]}",
            help="Editors keep the organisations a reviewer approved them for; reviewers "
            "approve changes and claims and import files; admins also manage accounts.",
        )
        if st.form_submit_button("Change the role") and chosen is not None:
            try:
                accounts.set_role(store_engine(), viewer.actor, chosen, role)
            except StoreError as error:
                st.error(markdown_text(f"Not changed: {error}."))
            else:
                tell_done(f"{by_id[chosen].email} is now {role}.")
                st.rerun()


def _invite_staff(viewer: Viewer) -> None:
    st.subheader("Invite a reviewer or an admin")
    st.caption(
        "Staff who sign in with their organisation's account need no invitation: add them "
        "here with their work email and they get this role when they first sign in."
    )
    with st.form("invite_staff"):
        email = st.text_input("Their email")
        role = st.selectbox("Role", ACCOUNT_ROLES, index=ACCOUNT_ROLES.index(REVIEWER))
        made = st.form_submit_button("Make the account and its link")
    if not made:
        return
    try:
        link = accounts.invite(store_engine(), viewer.actor, email, base_url=link_base(), role=role)
    except StoreError as error:
        st.error(markdown_text(f"Not made: {error}."))
        return
    st.success(
        markdown_text(
            f"{link.account.email} is {link.account.role}. To set a password, they open this "
            f"link (once, until {link.expires_at:%d %B %Y %H:%M} UTC); it is shown only now."
        )
    )
    st.code(link.url, language=None)


def _delete(viewer: Viewer, found: list[accounts.Account]) -> None:
    st.subheader("Delete an account")
    by_id = {account.id: account for account in found}
    with st.form("delete_account"):
        chosen = st.selectbox(
            "Account to delete",
            list(by_id),
            index=None,
            format_func=lambda key: by_id[key].email,
            help="Its email and name are deleted; its versions stay, by “a former user”.",
        )
        sure = st.checkbox("Yes, delete it")
        if st.form_submit_button("Delete") and chosen is not None and sure:
            try:
                accounts.delete_account(store_engine(), viewer.actor, chosen)
            except StoreError as error:
                st.error(markdown_text(f"Not deleted: {error}."))
            else:
                tell_done(f"The account of {by_id[chosen].email} is deleted.")
                st.rerun()


def _history(viewer: Viewer, found: list[accounts.Account]) -> None:
    st.subheader("History of access")
    events = access_events(store_engine(), viewer.actor)
    labels = {event.actor for event in events} | {
        f"account:{event.account_id}" for event in events if event.account_id
    }
    names = accounts.account_names(store_engine(), viewer.actor, labels)
    table = pd.DataFrame(
        {
            "When (UTC)": [event.at for event in events],
            "Who": [names.get(event.actor, event.actor) for event in events],
            "What": [event.action for event in events],
            "Whose account": [
                names.get(f"account:{event.account_id}", "") if event.account_id else ""
                for event in events
            ],
            "Organisation": [event.organisation_id or "" for event in events],
            "Detail": [event.detail for event in events],
        }
    )
    st.dataframe(table, hide_index=True, use_container_width=True)
