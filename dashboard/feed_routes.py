"""The Open Referral UK feed, served by the dashboard's own server under ``/api/oruk``.

Starlette routes mounted in `dashboard.server`'s `st.App`, so ``make run`` serves both the
dashboard and the feed. Every answer is JSON, readable from any site
(``Access-Control-Allow-Origin: *``: a feed is public data meant for reuse); what it holds
is built by `analysis.store.feed` (published, public records only). Handlers are plain
functions, which Starlette runs in its thread pool, so a slow database never holds up the
dashboard's own connections.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from analysis.errors import StoreError
from analysis.geography import AreaSet, load_area
from analysis.settings import PUBLIC_URL_ENV, public_url
from analysis.store.config import database_url
from analysis.store.engine import Engine
from analysis.store.feed import (
    Feed,
    FeedNotFound,
    FeedParameterError,
    feed_index,
    openapi_document,
)
from analysis.store.opening import open_store
from dashboard.data import area_path, has_demo

FEED_PREFIX: Final = "/api/oruk"
"""Where the feed lives on the dashboard's server."""
CORS_HEADERS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "*",
}
CACHE_SECONDS: Final = 60
"""How long a client may reuse an answer: a minute keeps a busy reuser's load small, and
an edit shows within it."""


@functools.cache
def _engine(url: str, area_folder: str) -> Engine:
    area = load_area(area_folder)
    return open_store(url, load_demo=has_demo(area), area=area)


@functools.cache
def _area(area_folder: str) -> AreaSet:
    return load_area(area_folder)


def current_feed() -> Feed:
    """The feed of the directory database as it is now (rebuilt after a write)."""
    folder = str(area_path())
    return Feed.current(_engine(database_url(), folder), _area(folder))


def feed_base(request: Request) -> str:
    """The feed's address: ``SAFETYNET_PUBLIC_URL`` when set (behind a proxy), else the
    address this request came to."""
    if os.environ.get(PUBLIC_URL_ENV, "").strip():
        return public_url().rstrip("/") + FEED_PREFIX
    return str(request.base_url).rstrip("/") + FEED_PREFIX


def _answer(body: Any, status: int = 200) -> JSONResponse:
    headers = {**CORS_HEADERS, "Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    if status != 200:
        headers["Cache-Control"] = "no-store"
    return JSONResponse(body, status_code=status, headers=headers)


def _problem(status: int, message: str, parameter: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if parameter is not None:
        body["parameter"] = parameter
    return _answer(body, status)


def _served(make: Callable[[Request], Any]) -> Callable[[Request], JSONResponse]:
    """A handler answering ``make``'s object, or the error a feed client can act on."""

    @functools.wraps(make)
    def handler(request: Request) -> JSONResponse:
        if request.method == "OPTIONS":
            return _answer({})
        try:
            return _answer(make(request))
        except FeedParameterError as error:
            return _problem(400, str(error), error.parameter)
        except FeedNotFound as error:
            return _problem(404, str(error))
        except StoreError as error:
            return _problem(503, f"the directory cannot be read just now ({error})")

    return handler


def _query(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def _list(method: str) -> Callable[[Request], JSONResponse]:
    return _served(lambda request: getattr(current_feed(), method)(_query(request)))


def _one(method: str) -> Callable[[Request], JSONResponse]:
    return _served(lambda request: getattr(current_feed(), method)(request.path_params["id"]))


_METHODS: Final = ["GET", "OPTIONS"]


def feed_routes() -> list[BaseRoute]:
    """The feed's routes, to mount in the server's `st.App`."""
    lists = {
        "/services": "services",
        "/organizations": "organizations",
        "/taxonomies": "taxonomies",
        "/taxonomy_terms": "taxonomy_terms",
        "/service_at_locations": "service_at_locations",
    }
    ones = {
        "/services/{id}": "service",
        "/organizations/{id}": "organization",
        "/taxonomies/{id}": "taxonomy",
        "/taxonomy_terms/{id}": "taxonomy_term",
        "/service_at_locations/{id}": "service_at_location",
    }
    routes: list[BaseRoute] = [
        Route("/", _served(lambda request: feed_index(feed_base(request))), methods=_METHODS),
        Route(
            "/openapi.json",
            _served(lambda request: openapi_document(feed_base(request))),
            methods=_METHODS,
        ),
    ]
    routes += [Route(path, _list(method), methods=_METHODS) for path, method in lists.items()]
    routes += [Route(path, _one(method), methods=_METHODS) for path, method in ones.items()]
    return [Mount(FEED_PREFIX, routes=routes)]
