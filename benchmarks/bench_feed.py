"""Benchmark the Open Referral UK feed: 10,000 services in the store, served by the
dashboard's own server.

Run from the repository root (not part of the tests)::

    .venv/bin/python benchmarks/bench_feed.py                  # 10,000 services, 50 clients, 30 s
    .venv/bin/python benchmarks/bench_feed.py --services 2000 --seconds 10

A SQLite store in a temporary folder gets ``--services`` kept rows of
`bench_ingest.make_table` (the fictional demo repeated with fresh ids and postcodes); the
server is ``python -m analysis serve`` on a free port, as ``make run`` starts it. Measured:

- the first ``/services?per_page=100`` after start (the feed is built for the data
  version), then ``--requests`` single requests of random pages one after another: median
  and 95th percentile latency (ms);
- ``--clients`` threads, each with its own keep-alive connection, asking for random pages
  for ``--seconds`` seconds (bounded: localhost only, a fixed duration): requests answered,
  errors (any status but 200, any broken connection), throughput (requests a second) and
  the latency median and 95th percentile under load;
- the dashboard meanwhile: a new browser session's time to map on the overview, alone
  and during the load (`bench_dashboard_store.session_time_to_map`).

The clients share the server's two cores, so the load figures are a lower bound of what
a separate client machine would see.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_dashboard_store import (  # noqa: E402
    session_time_to_map,
    start_app,
    store_table,
)
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.conftest import stop  # noqa: E402

PER_PAGE = 100
FEED = "/api/oruk/services"


def make_store(folder: Path, services: int) -> str:
    """A new SQLite store in ``folder`` holding ``services`` services; its URL."""
    from analysis.geography import load_area
    from analysis.store.access import command_line
    from analysis.store.config import sqlite_url
    from analysis.store.importing import import_file
    from analysis.store.opening import open_store

    area = load_area()
    url = sqlite_url(folder / "feed.sqlite3")
    csv = store_table(folder / "services.csv", services)
    engine = open_store(url, load_demo=False, area=area)
    import_file(engine, csv, source="bench", area=area, actor=command_line("benchmark"))
    engine.dispose()
    return url


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (0-1) of ``values``, by the nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Client:
    """One keep-alive connection asking for pages of services."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def page(self, number: int) -> tuple[int, float, int]:
        """(status, seconds, items) of one page."""
        started = time.perf_counter()
        self.connection.request("GET", f"{FEED}?per_page={PER_PAGE}&page={number}")
        response = self.connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        items = len(json.loads(body)["contents"]) if response.status == 200 else 0
        return response.status, elapsed, items

    def close(self) -> None:
        self.connection.close()


def sequential(base_url: str, pages: int, requests: int, *, reuse: bool) -> list[float]:
    """Latencies (s) of ``requests`` random pages asked one after another, on one kept-alive
    connection (``reuse``) or each on a new one."""
    client = Client(base_url)
    try:
        times = []
        for _ in range(requests):
            if not reuse:
                client.close()
                client = Client(base_url)
            status, elapsed, _ = client.page(random.randint(1, pages))
            if status != 200:
                raise RuntimeError(f"the feed answered {status}")
            times.append(elapsed)
        return times
    finally:
        client.close()


class Load:
    """``clients`` threads asking for random pages until ``seconds`` have passed."""

    def __init__(self, base_url: str, pages: int, clients: int, seconds: float) -> None:
        self.base_url, self.pages, self.seconds = base_url, pages, seconds
        self.times: list[float] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work) for _ in range(clients)]

    def start(self) -> None:
        self.stop_at = time.monotonic() + self.seconds
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()

    def join(self) -> float:
        """Wait for every client; the wall time in seconds."""
        for thread in self._threads:
            thread.join()
        return time.monotonic() - self.started

    def _work(self) -> None:
        client = Client(self.base_url)
        mine: list[float] = []
        failed: list[str] = []
        while time.monotonic() < self.stop_at:
            try:
                status, elapsed, _ = client.page(random.randint(1, self.pages))
            except (OSError, http.client.HTTPException) as error:
                failed.append(type(error).__name__)
                client.close()
                client = Client(self.base_url)
                continue
            if status == 200:
                mine.append(elapsed)
            else:
                failed.append(f"status {status}")
        client.close()
        with self._lock:
            self.times.extend(mine)
            self.errors.extend(failed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        url = make_store(Path(folder), args.services)
        process, base_url = start_app(url, Path(folder) / "server.log")
        try:
            client = Client(base_url)
            status, first, items = client.page(1)
            client.close()
            total = json.loads(urllib_get(f"{base_url}{FEED}?per_page={PER_PAGE}"))["total_items"]
            pages = max(1, -(-total // PER_PAGE))
            single = sequential(base_url, pages, args.requests, reuse=True)
            fresh = sequential(base_url, pages, args.requests, reuse=False)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
                )
                alone = session_time_to_map(browser, base_url)
                # Playwright's sync API stays on this thread; the clients have their own.
                loaded = Load(base_url, pages, args.clients, args.seconds)
                loaded.start()
                time.sleep(args.seconds / 3)
                during = session_time_to_map(browser, base_url)
                wall = loaded.join()
                browser.close()
        finally:
            stop(process)
    times = loaded.times
    print(f"services in the feed: {total:,} ({pages} pages of {PER_PAGE})")
    print(f"first page after start (feed built): {first * 1000:.0f} ms, status {status}")
    for label, times_of in (
        ("one kept-alive connection", single),
        ("a new connection each", fresh),
    ):
        print(
            f"one client, {len(times_of)} random pages, {label}: median "
            f"{statistics.median(times_of) * 1000:.1f} ms, "
            f"p95 {percentile(times_of, 0.95) * 1000:.1f} ms"
        )
    print(
        f"{args.clients} clients for {args.seconds:g} s: {len(times):,} answered, "
        f"{len(loaded.errors)} errors, {len(times) / wall:.0f} requests/s, "
        f"median {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.0f} ms"
    )
    if loaded.errors:
        print("errors:", sorted(set(loaded.errors))[:10])
    print(f"dashboard time to map: alone {alone:.1f} s, during the load {during:.1f} s")
    return 1 if loaded.errors else 0


def urllib_get(url: str) -> bytes:
    """The body of ``url``."""
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


if __name__ == "__main__":
    raise SystemExit(main())
