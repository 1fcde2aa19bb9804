"""End-to-end: a council officer signs in with their organisation's account (OpenID Connect).

The app is served with a secrets file whose ``[auth]`` section points at a local OpenID
provider (``tests/e2e/oidc.py``), never at the repository's ``.streamlit/secrets.toml``.
The browser signs in there as Alice and comes back to the app signed in. The server logs
are ``test-artefacts/oidc-app-server.log`` and ``test-artefacts/oidc-provider.log``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analysis.store.access import command_line
from analysis.store.accounts import invite
from analysis.store.config import database_url
from analysis.store.opening import open_store
from tests.e2e.conftest import ARTEFACTS, served_app, shoot
from tests.e2e.oidc import (
    Provider,
    auth_secrets_toml,
    oidc_provider,
    sign_in_at_provider,
    with_secrets_file,
    write_secrets,
)
from tests.e2e.test_browser import no_exception, open_view

pytestmark = pytest.mark.browser

SIGN_IN = "Sign in with your organisation's account"
SUB = "alice"
EMAIL = "alice@council.example"
NAME = "Alice Example"


def as_shown(text: str) -> re.Pattern:
    """``text`` as the page shows it: escaped Markdown puts invisible word joiners after
    the characters that would make a link (``@``, ``:``, ``.``)."""
    return re.compile("".join(re.escape(char) + "\u2060?" for char in text))


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """The local OpenID provider of this module's tests."""
    with oidc_provider(log_path=ARTEFACTS / "oidc-provider.log") as provider:
        yield provider


def serve_with_secrets(folder: Path, text: str, log_name: str):
    """``served_app`` reading only ``text`` as its secrets (written under ``folder``)."""
    environ = with_secrets_file(os.environ, write_secrets(folder, text))
    return served_app(ARTEFACTS / log_name, environ)


@pytest.fixture(scope="module")
def signin_app_url(
    provider: Provider, tmp_path_factory: pytest.TempPathFactory, chromium_path: Path
) -> Iterator[str]:
    """The app served with ``[auth]`` secrets for ``provider``; its base URL.

    ``{port}`` in the redirect URI: served_app picks the port, Streamlit fills it in.
    """
    text = auth_secrets_toml(provider, "http://localhost:{port}")
    folder = tmp_path_factory.mktemp("oidc-secrets")
    with serve_with_secrets(folder, text, "oidc-app-server.log") as base_url:
        yield base_url


@pytest.fixture
def fresh_page(chromium) -> Iterator:
    """A page in a context of its own, so no identity cookie is left from another test."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_an_officer_signs_in_with_the_organisation_account(fresh_page, signin_app_url: str):
    # An admin made Alice's account a reviewer's before her first sign-in.
    engine = open_store(database_url())
    try:
        invite(engine, command_line(), EMAIL, base_url=signin_app_url, role="reviewer")
    finally:
        engine.dispose()
    page = fresh_page
    open_view(page, signin_app_url, "page=account")
    page.get_by_role("button", name=SIGN_IN).click()

    sign_in_at_provider(page, sub=SUB, email=EMAIL, name=NAME)

    # Streamlit's /oauth2callback always sends the browser to the app's root, without
    # the query it left from: open the account page again to see who is signed in.
    page.wait_for_url(f"{signin_app_url}/")
    open_view(page, signin_app_url, "page=account")
    expect(page.get_by_text(as_shown(f"Signed in as {EMAIL}: a reviewer"))).to_be_visible()
    expect(page.get_by_text("Review queue")).to_be_visible()  # offered in the sidebar
    expect(page.get_by_role("button", name=SIGN_IN)).to_have_count(0)
    no_exception(page)
    shoot(page, "account-signed-in")


def test_without_auth_secrets_there_is_no_sign_in_button(
    fresh_page, tmp_path: Path, chromium_path: Path
):
    # An empty secrets file, not the developer's .streamlit/secrets.toml.
    with serve_with_secrets(tmp_path, "", "oidc-app-server-no-auth.log") as base_url:
        open_view(fresh_page, base_url, "page=account")
        no_exception(fresh_page)
        expect(fresh_page.get_by_role("button", name=SIGN_IN)).to_have_count(0)
