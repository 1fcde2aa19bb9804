"""A local OpenID provider for browser tests of ``st.login``, and the secrets that use it.

``oidc_provider()`` serves oidc-provider-mock (a process of its own) on 127.0.0.1, so a
sign-in goes from the app to a provider and back without leaving this machine.
``auth_secrets_toml`` writes the ``[auth]`` section that points Streamlit at it, and
``with_secrets_file`` makes a served Streamlit read that file instead of the repository's
``.streamlit/secrets.toml``. ``sign_in_at_provider`` answers the provider's form in a
Playwright page as a given user.

The app must be opened in the browser under the host name of its ``redirect_uri``
(``localhost``, as ``served_app`` yields it): Streamlit keeps the sign-in state in a
cookie for that host, and accepts the identity cookie only on a websocket from that origin.
After a sign-in Streamlit's ``/oauth2callback`` sends the browser to the app's root, without
the query the sign-in started from.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from tests.e2e.conftest import ARTEFACTS, free_port, stop

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 30
UNREGISTERED_CLIENT_ID = "safety-net-tests"
UNREGISTERED_CLIENT_SECRET = "any-secret-is-accepted"
SECRETS_FILES_ENV = "STREAMLIT_SECRETS_FILES"
"""``streamlit run`` reads its ``secrets.files`` option from here, as from ``--secrets.files``."""
AUTHORIZE_PATH = re.compile(r"/oauth2/authorize\?")


@dataclass(frozen=True)
class Provider:
    """A running OpenID provider and the client credentials the app signs in with."""

    issuer: str
    client_id: str
    client_secret: str

    @property
    def metadata_url(self) -> str:
        """The discovery document Streamlit reads (``server_metadata_url``)."""
        return f"{self.issuer}/.well-known/openid-configuration"


def _wait_serving(issuer: str, process: subprocess.Popen, log_path: Path) -> None:
    """Wait until the provider serves its discovery document; fail if it exits."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log_path.read_text(errors="replace")
            raise RuntimeError(f"the OpenID provider exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the OpenID provider did not answer at {issuer} in {STARTUP_TIMEOUT_S} s")


def _register_client(issuer: str, redirect_uris: Sequence[str]) -> tuple[str, str]:
    """Register a client by dynamic registration (RFC 7591); return its id and secret."""
    request = urllib.request.Request(
        f"{issuer}/oauth2/clients",
        data=json.dumps({"redirect_uris": list(redirect_uris)}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.load(response)
    return body["client_id"], body["client_secret"]


@contextmanager
def oidc_provider(
    redirect_uris: Sequence[str] = (), log_path: Path = ARTEFACTS / "oidc-provider.log"
) -> Iterator[Provider]:
    """Serve oidc-provider-mock on a free port of 127.0.0.1 and yield it; stop it on leaving.

    Without ``redirect_uris`` the provider accepts any client id, secret and redirect URI
    (use this when the app's port is not known yet). With them, it accepts only a client
    registered for exactly those URIs, like a real provider: a wrong secret or callback
    in the app's secrets then fails the sign-in. The provider logs each request and each
    refusal to ``log_path``.
    """
    port = free_port()
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", HOST, "--port", str(port)]
    if redirect_uris:
        args.append("--require-registration")
    # A process of its own, not a thread: the suite turns warnings into errors, and the
    # mock calls Authlib APIs that Authlib deprecates (its token endpoint would fail).
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    issuer = f"http://{HOST}:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_serving(issuer, process, log_path)
            if redirect_uris:
                client_id, client_secret = _register_client(issuer, redirect_uris)
            else:
                client_id, client_secret = UNREGISTERED_CLIENT_ID, UNREGISTERED_CLIENT_SECRET
            yield Provider(issuer=issuer, client_id=client_id, client_secret=client_secret)
        finally:
            stop(process)


def _toml_section(name: str, keys: Mapping[str, str]) -> str:
    """A TOML table of string values; JSON's string escapes are valid TOML."""
    lines = [f"[{name}]", *(f"{key} = {json.dumps(value)}" for key, value in keys.items())]
    return "\n".join(lines) + "\n"


def auth_secrets_toml(provider: Provider, app_url: str, *, name: str | None = None) -> str:
    """The ``[auth]`` section of a secrets.toml that signs in to ``app_url`` via ``provider``.

    ``app_url`` is the app's origin as the browser opens it, e.g. ``http://localhost:8501``;
    ``http://localhost:{port}`` works too (Streamlit puts in its ``server.port``). With
    ``name`` the provider's keys go under ``[auth.<name>]``, for ``st.login("<name>")``.
    """
    shared = {
        "redirect_uri": f"{app_url.rstrip('/')}/oauth2callback",
        # Signs the identity cookie; a fresh one per file, as no cookie outlives a test.
        "cookie_secret": secrets.token_urlsafe(32),
    }
    provider_keys = {
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "server_metadata_url": provider.metadata_url,
    }
    sections = [("auth", shared | provider_keys)]
    if name is not None:
        sections = [("auth", shared), (f"auth.{name}", provider_keys)]
    return "\n".join(_toml_section(section, keys) for section, keys in sections)


def write_secrets(folder: Path, text: str) -> Path:
    """Write ``text`` to ``folder/secrets.toml`` and return the file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secrets.toml"
    path.write_text(text)
    return path


def with_secrets_file(environ: Mapping[str, str], secrets_file: Path) -> dict[str, str]:
    """A copy of ``environ`` in which ``streamlit run`` reads secrets from ``secrets_file`` only.

    Setting ``secrets.files`` replaces Streamlit's default list (``~/.streamlit`` and the
    project's ``.streamlit/secrets.toml``), so a developer's own secrets stay out of the
    test. The CLI splits the variable at whitespace, hence the check.
    """
    path = str(Path(secrets_file).resolve())
    if any(character.isspace() for character in path):
        raise ValueError(f"{SECRETS_FILES_ENV} cannot hold a path with spaces: {path!r}")
    return {**environ, SECRETS_FILES_ENV: path}


def _origin(url: str) -> str:
    """``scheme://host:port`` of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sign_in_at_provider(page, *, sub: str, email: str, name: str) -> None:
    """On the provider's authorization form in ``page``, sign in as ``sub`` with these claims.

    The mock's form asks only for the subject; the other claims of a subject are set
    beforehand with its ``PUT /users/<sub>`` endpoint (otherwise ``email`` would be ``sub``).
    """
    page.wait_for_url(AUTHORIZE_PATH)
    subject = page.locator("input[name='sub']")
    if subject.count() == 0:
        # The provider refused the request (unknown client, redirect URI not registered):
        # say why rather than time out looking for the form.
        raise RuntimeError(f"no sign-in form at {page.url}: {page.locator('body').inner_text()}")
    response = page.request.put(
        f"{_origin(page.url)}/users/{quote(sub, safe='')}",
        data={"email": email, "email_verified": True, "name": name},
    )
    if response.status != 204:
        raise RuntimeError(f"the provider refused the claims of {sub!r}: {response.text()}")
    subject.fill(sub)
    page.get_by_role("button", name="Authorize").click()
