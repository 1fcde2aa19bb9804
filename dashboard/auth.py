"""Who is using this browser session: the public, or a signed-in account.

A local sign-in keeps its session's secret in ``st.session_state`` (this browser tab's
session on the server; never in the URL or a cookie the page can read); each rerun asks
the store whether it still holds (`analysis.store.accounts.session_account`), so an
expired, signed-out or deleted account is signed out at once. A sign-in through the
organisation's identity provider is Streamlit's ``st.login`` (OpenID Connect, configured
in ``.streamlit/secrets.toml``): its cookie says who, and the store's account for that
issuer and subject gives the role.

What a viewer may do is decided by the store on every write; `Viewer.may` only chooses
what to offer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import streamlit as st

from analysis.errors import StoreError
from analysis.settings import PUBLIC_URL_ENV, public_url
from analysis.store.access import PUBLIC, Action, Actor, Rights, rights_of
from analysis.store.accounts import (
    Account,
    SignInError,
    session_account,
    sign_in_with_identity,
    sign_out,
)
from dashboard.data import store_engine
from dashboard.state import StateKeys

PROVIDER_BUTTON: Final = "Sign in with your organisation's account"


@dataclass(frozen=True)
class Viewer:
    """The person in this session: their account (None for the public) and rights now."""

    actor: Actor
    rights: Rights
    account: Account | None = None

    @property
    def signed_in(self) -> bool:
        return self.account is not None

    def may(self, action: Action, organisation_id: str | None = None) -> bool:
        """Whether to offer ``action`` (the store checks again when it is done)."""
        return self.rights.may(action, organisation_id)


def link_base() -> str:
    """The address invitation and reset links start with: ``SAFETYNET_PUBLIC_URL`` when
    set, else the address this page was opened at (scheme, host and port)."""
    if os.environ.get(PUBLIC_URL_ENV, "").strip():
        return public_url()
    opened = urlsplit(st.context.url or "")
    if opened.scheme and opened.netloc:
        return f"{opened.scheme}://{opened.netloc}"
    return public_url()


def identity_provider_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section for ``st.login``."""
    try:
        return "auth" in st.secrets
    except Exception:  # Streamlit raises its own error when there is no secrets file
        return False


def current_viewer() -> Viewer:
    """The viewer of this rerun, signing in one the identity provider vouched for."""
    token = st.session_state.get(StateKeys.SESSION_TOKEN)
    if token is None and _provider_signed_in():
        token = _provider_session()
    if token is None:
        return _public()
    store = store_engine()
    try:
        account = session_account(store, token)
    except SignInError as error:
        st.session_state.pop(StateKeys.SESSION_TOKEN, None)
        st.session_state[StateKeys.SIGNED_OUT_BECAUSE] = str(error)
        if _provider_signed_in():  # end the provider's sign-in too, or it would start anew
            st.session_state[StateKeys.PROVIDER_SIGNED_OUT] = True
            st.logout()
        return _public()
    with store.connect() as connection:
        rights = rights_of(connection, account.actor)
    return Viewer(account.actor, rights, account)


def start_session(token: str) -> None:
    """Keep a new sign-in's secret for this browser session."""
    st.session_state[StateKeys.SESSION_TOKEN] = token
    st.session_state.pop(StateKeys.SIGNED_OUT_BECAUSE, None)


def end_session() -> None:
    """Sign out: end the session in the store, and with the identity provider if used."""
    token = st.session_state.pop(StateKeys.SESSION_TOKEN, None)
    if token is not None:
        sign_out(store_engine(), token)
    if _provider_signed_in():
        st.session_state[StateKeys.PROVIDER_SIGNED_OUT] = True
        st.logout()


def _public() -> Viewer:
    return Viewer(PUBLIC, Rights("public"))


def _provider_signed_in() -> bool:
    if st.session_state.get(StateKeys.PROVIDER_SIGNED_OUT):
        return False
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # no [auth] configured: nobody signs in this way
        return False


def _email_of(user) -> str:
    """The signed-in person's email: the ``email`` claim, else Microsoft Entra ID's
    ``preferred_username`` when it is an address (Entra sends no ``email`` for accounts
    without a mailbox)."""
    email = str(user.get("email") or "")
    fallback = str(user.get("preferred_username") or "")
    return email or (fallback if "@" in fallback else "")


def _provider_session() -> str | None:
    """Sign in the account of the identity provider's user; None when it cannot say who."""
    user = st.user
    try:
        session = sign_in_with_identity(
            store_engine(),
            issuer=str(user.get("iss", "")),
            subject=str(user.get("sub", "")),
            email=_email_of(user),
            name=str(user.get("name", "")),
        )
    except StoreError as error:
        st.session_state[StateKeys.SIGNED_OUT_BECAUSE] = str(error)
        return None
    start_session(session.token)
    return session.token
