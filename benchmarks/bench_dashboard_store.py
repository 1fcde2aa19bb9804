"""The overview's time-to-map on a store of 5,000 services against the demo's (not a test).

Run from the repository root::

    .venv/bin/python benchmarks/bench_dashboard_store.py [--runs 3] [--postgresql]

Two new directory databases are made in a temporary folder: ``demo``, a SQLite store
opened as a fresh install opens it (`open_store`: the fictional demo, 900 services), and
``store-5000``, a SQLite store with 5,000 services imported as one source
(`import_file` of `bench_ingest.make_table` rows: the demo repeated with fresh ids and
postcodes, the rows it spoils left out so that all 5,000 are kept). ``--postgresql`` adds
the same two on a throwaway PostgreSQL server (`tests.store.pgserver`, fsync off).

For each database the app is started as ``make run`` starts it (``python -m analysis serve
--port N`` with ``SAFETYNET_DATABASE_URL`` pointing at it) and headless
``/usr/bin/chromium`` (Playwright) opens the overview on food. Time-to-map is navigation to
the first Leaflet path visible in the st_folium iframe. Printed, as medians over
``--runs`` in milliseconds:

* cold: the first browser session after the server starts (a new server each run), so it
  pays for opening the store, reading it into a Directory and computing the coverage;
* warm: a new browser session afterwards (a new context, so a new Streamlit session), with
  the Directory and its `Analysis` cached for the data version;
* after write: a new session right after one service's capacity was changed in the store
  (`save_service`, from this process): the data version rose, so the Directory, the store
  summary and the coverage are built again;

then the ratio store-5000/demo of each, and the peak resident memory (VmHWM, MB) of the
Streamlit process (the child ``serve`` starts) once it has served every session of the
last server. Each session waits for the script to finish before the next starts.
Server logs are kept in a temporary folder, printed at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_dashboard import time_load  # noqa: E402
from benchmarks.bench_ingest import make_table  # noqa: E402
from benchmarks.bench_store import _databases  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.conftest import free_port, stop, wait_healthy  # noqa: E402

STORE_SERVICES = 5_000
OVERVIEW_QUERY = "/?page=overview&category=food&measure=class"
STARTUP_TIMEOUT_S = 90
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
BENCH_ACTOR = "benchmark"
MEASURES = ("cold", "warm", "after write")


@dataclass
class Figures:
    """One database's times (seconds, one per run) and the server's peak memory."""

    cold: list[float]
    warm: list[float]
    after_write: list[float]
    peak_mb: float
    services: int

    def median_ms(self, measure: str) -> float:
        times = {"cold": self.cold, "warm": self.warm, "after write": self.after_write}
        return statistics.median(times[measure]) * 1000


def store_table(path: Path, services: int) -> Path:
    """Write ``services`` kept rows of `make_table` to ``path`` (a CSV)."""
    table = make_table(services + services // 10, seed=11)
    spoiled = (table["postcode"] == "BS99 9ZZ") | (table["service_name"] == "")
    table[~spoiled].head(services).to_csv(path, index=False)
    return path


def make_databases(folder: Path, server) -> dict[str, str]:
    """The new databases by label (``demo`` and ``store-5000`` on each backend)."""
    from analysis.geography import load_area
    from analysis.store.importing import import_file
    from analysis.store.opening import open_store

    area = load_area()
    csv = store_table(folder / "services_5000.csv", STORE_SERVICES)
    urls: dict[str, str] = {}
    for backend, url in _databases(folder, "bench_demo", server).items():
        open_store(url, area=area).dispose()
        urls[f"demo {backend}"] = url
    for backend, url in _databases(folder, "bench_store", server).items():
        engine = open_store(url, load_demo=False, area=area)
        import_file(engine, csv, source="bench", area=area)
        engine.dispose()
        urls[f"store-{STORE_SERVICES} {backend}"] = url
    return urls


def active_services(url: str) -> int:
    from analysis.store.engine import make_engine
    from analysis.store.summary import store_summary

    engine = make_engine(url)
    try:
        return store_summary(engine).active_services
    finally:
        engine.dispose()


def start_app(database_url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    """``python -m analysis serve`` on a free port, reading ``database_url``."""
    port = free_port()
    env = {**os.environ, "SAFETYNET_DATABASE_URL": database_url}
    with log_path.open("a") as log:
        # Its own process group, so `stop` ends serve and the Streamlit child it starts.
        process = subprocess.Popen(
            [sys.executable, "-m", "analysis", "serve", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://localhost:{port}"
    wait_healthy(url, process, STARTUP_TIMEOUT_S, log_path)
    return process, url


def streamlit_child(parent: int) -> int:
    """The pid of the process ``parent`` started (serve runs Streamlit as a child)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the command's closing parenthesis: state, then the parent's pid.
        if int(stat.rpartition(")")[2].split()[1]) == parent:
            return int(entry.name)
    raise RuntimeError(f"serve (pid {parent}) has no child process: did Streamlit start?")


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set size) of process ``pid``, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")


def session_time_to_map(browser, url: str) -> float:
    """Time-to-map of a new browser session (seconds); returns once its script finished."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        elapsed = time_load(page, url + OVERVIEW_QUERY)
        page.locator(IDLE).wait_for(timeout=120_000)
        return elapsed
    finally:
        context.close()


def change_one_capacity(database_url: str, step: int) -> None:
    """Change the capacity of the store's first service (a person's edit: a new version)."""
    from analysis.model import CAPACITY, SERVICE_ID
    from analysis.store.access import command_line
    from analysis.store.editing import open_service, save_service
    from analysis.store.engine import make_engine
    from analysis.store.reads import load_directory_from_store

    engine = make_engine(database_url)
    try:
        service_id = str(load_directory_from_store(engine).services[SERVICE_ID].iloc[0])
        stored = open_service(engine, service_id)
        capacity = stored.record.get(CAPACITY) or 20
        save_service(
            engine,
            service_id,
            {CAPACITY: float(capacity) + step},
            expected_version=stored.version,
            actor=command_line(BENCH_ACTOR),
        )
    finally:
        engine.dispose()


def measure(browser, database_url: str, runs: int, log_path: Path) -> Figures:
    """Cold (a new server per run), then warm and after-write on the last server."""
    cold: list[float] = []
    for run in range(runs):
        process, url = start_app(database_url, log_path)
        try:
            cold.append(session_time_to_map(browser, url))
            if run < runs - 1:
                continue
            warm = [session_time_to_map(browser, url) for _ in range(runs)]
            after_write = []
            for step in range(1, runs + 1):
                change_one_capacity(database_url, step)
                after_write.append(session_time_to_map(browser, url))
            peak = peak_rss_mb(streamlit_child(process.pid))
        finally:
            stop(process)
    return Figures(cold, warm, after_write, peak, active_services(database_url))


def report(results: dict[str, Figures], runs: int) -> None:
    print(f"time-to-map (navigation to the first ward drawn), medians over {runs} runs, in ms")
    header = "".join(f"{name:>14}" for name in MEASURES)
    print(f"{'database':24}{'services':>10}{header}{'peak MB':>10}")
    for label, figures in results.items():
        times = "".join(f"{figures.median_ms(name):>14,.0f}" for name in MEASURES)
        print(f"{label:24}{figures.services:>10,}{times}{figures.peak_mb:>10,.0f}")
    print("each run, in ms (to judge the spread):")
    for label, figures in results.items():
        runs_ms = "; ".join(
            f"{name} " + " ".join(f"{value * 1000:,.0f}" for value in values)
            for name, values in zip(
                MEASURES, (figures.cold, figures.warm, figures.after_write), strict=True
            )
        )
        print(f"  {label}: {runs_ms}")
    for backend in sorted({label.split()[-1] for label in results}):
        demo, store = results[f"demo {backend}"], results[f"store-{STORE_SERVICES} {backend}"]
        ratios = ", ".join(
            f"{name} {store.median_ms(name) / demo.median_ms(name):.2f}" for name in MEASURES
        )
        print(
            f"ratio store-{STORE_SERVICES}/demo on {backend}: {ratios}; "
            f"peak memory {store.peak_mb / demo.peak_mb:.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (default 3)")
    parser.add_argument(
        "--postgresql", action="store_true", help="also on a throwaway PostgreSQL server"
    )
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(f"needs Debian's chromium at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    from tests.store.pgserver import start_server, why_unavailable

    server = None
    if args.postgresql:
        reason = why_unavailable()
        if reason:
            print(f"PostgreSQL not benchmarked: {reason}", file=sys.stderr)
            return 2
        server = start_server()
    logs = Path(tempfile.mkdtemp(prefix="bench-dashboard-store-"))
    results: dict[str, Figures] = {}
    try:
        started = time.perf_counter()
        urls = make_databases(logs, server)
        print(f"databases made in {time.perf_counter() - started:.0f} s")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for label, url in urls.items():
                log_path = logs / f"{label.replace(' ', '_')}.log"
                results[label] = measure(browser, url, args.runs, log_path)
            browser.close()
    finally:
        if server is not None:
            server.stop()
    report(results, args.runs)
    print(f"databases and server logs in {logs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
