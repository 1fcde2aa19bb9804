"""The server as ``make run`` starts it: security headers on every response, loopback only,
and the settings a public server needs."""

from __future__ import annotations

import socket
import tomllib
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import REPO_ROOT

pytestmark = pytest.mark.browser


def _headers(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return {name.lower(): value for name, value in response.headers.items()}


def _policy(headers: dict[str, str]) -> dict[str, set[str]]:
    directives = (part.split() for part in headers["content-security-policy"].split(";"))
    return {words[0]: set(words[1:]) for words in directives if words}


def test_app_pages_forbid_framing_and_foreign_scripts(app_url):
    headers = _headers(f"{app_url}/")
    policy = _policy(headers)
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["x-content-type-options"] == "nosniff"
    assert policy["frame-ancestors"] == {"'self'"}
    assert (
        "'unsafe-inline'" not in policy["script-src"]
        and "'unsafe-eval'" not in policy["script-src"]
    )
    assert any(source.startswith("'sha256-") for source in policy["script-src"])
    assert policy["img-src"] == {"'self'", "data:", "blob:"}  # no tracking pixel elsewhere
    assert policy["connect-src"] == {"'self'"} and policy["object-src"] == {"'none'"}


def test_map_components_run_folium_but_reach_no_other_host(page, app_url):
    from tests.e2e.test_browser import open_view, wait_for_map

    open_view(page, app_url, "page=overview")  # a session registers the map component
    wait_for_map(page)
    headers = _headers(f"{app_url}/component/streamlit_folium.st_folium/index.html")
    policy = _policy(headers)
    assert {"'self'", "'unsafe-inline'", "'unsafe-eval'"} == policy["script-src"]
    assert policy["connect-src"] == {"'self'"} and policy["frame-ancestors"] == {"'self'"}


def test_static_leaflet_has_the_headers_too(app_url):
    from dashboard.maps.offline import LEAFLET_JS, STATIC_ROUTE

    headers = _headers(f"{app_url}{STATIC_ROUTE}/{LEAFLET_JS}")
    assert "javascript" in headers["content-type"] and "content-security-policy" in headers


def _other_addresses() -> list[str]:
    """This machine's own addresses other than loopback (those its routes would send from)."""
    found = set()
    for probe in ("192.0.2.1", "10.255.255.255", "172.31.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.connect((probe, 9))  # UDP: picks a route, sends nothing
            except OSError:
                continue
            found.add(sock.getsockname()[0])
    return sorted(address for address in found if not address.startswith("127."))


def test_the_server_listens_on_loopback_only(app_url):
    addresses = _other_addresses()
    if not addresses:
        pytest.skip("this machine has no address other than loopback to try")
    port = urlsplit(app_url).port
    for address in addresses:
        with socket.socket() as sock, pytest.raises(OSError):
            sock.settimeout(2)
            sock.connect((address, port))


def test_served_settings_hide_internals():
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["server"]["fileWatcherType"] == "none"
    assert config["server"]["runOnSave"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert "address" not in config["server"]  # it comes from analysis.settings
