"""The Open Referral UK feed over HTTP, from the server ``make run`` starts: the same
process as the dashboard, JSON everywhere, readable from any site, errors a client can
act on."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from dashboard.feed_routes import FEED_PREFIX

pytestmark = pytest.mark.browser


def _get(url: str, method: str = "GET") -> tuple[int, dict[str, str], object]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    lowered = {name.lower(): value for name, value in headers.items()}
    return status, lowered, json.loads(body) if body else None


def test_the_feed_answers_beside_the_dashboard(app_url):
    feed = f"{app_url}{FEED_PREFIX}"
    status, headers, index = _get(f"{feed}/")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert headers["access-control-allow-origin"] == "*"
    assert index["version"].startswith("3.0")
    assert index["openapi_url"] == f"{feed}/openapi.json"
    status, _, document = _get(index["openapi_url"])
    assert status == 200 and document["servers"][0]["url"] == feed
    assert "/services" in document["paths"]
    # The dashboard itself is still there, on the same port.
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10) as response:
        assert response.status == 200


def test_a_page_of_services_and_one_service_by_its_id(app_url):
    feed = f"{app_url}{FEED_PREFIX}"
    status, headers, page = _get(f"{feed}/services?per_page=3&page=2")
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert (page["page_number"], page["size"], len(page["contents"])) == (2, 3, 3)
    assert page["total_items"] > 3 and not page["first_page"]
    first = page["contents"][0]
    status, _, service = _get(f"{feed}/services/{first['id']}")
    assert status == 200 and service["id"] == first["id"] and service["name"] == first["name"]


def test_a_bad_parameter_is_a_400_naming_it_and_an_unknown_id_a_404(app_url):
    feed = f"{app_url}{FEED_PREFIX}"
    status, headers, problem = _get(f"{feed}/services?per_page=abc")
    assert status == 400 and problem["parameter"] == "per_page"
    assert "abc" in problem["message"] and headers["access-control-allow-origin"] == "*"
    status, _, problem = _get(f"{feed}/services/no-such-service")
    assert status == 404 and "no-such-service" in problem["message"]


def test_a_browser_on_another_site_may_ask_first(app_url):
    status, headers, _ = _get(f"{app_url}{FEED_PREFIX}/services", method="OPTIONS")
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "GET" in headers["access-control-allow-methods"]
