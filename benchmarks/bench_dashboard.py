"""Speed of the dashboard against the floor of its stack (not a test).

Run from the repository root::

    .venv/bin/python benchmarks/bench_dashboard.py [--runs 5]

Starts the app (``python -m analysis serve``) and `benchmarks/floor_app.py` (only the same
ward layer in st_folium, recoloured by a select box) on free ports, drives headless
``/usr/bin/chromium`` with Playwright and prints medians over ``--runs`` runs of:

* load: navigation to the first Leaflet path visible in the st_folium iframe;
* change: picking another option of the category select box to the map redrawn;

then the ratio app/floor (target <= 1.5) and the map payload (bytes of the st_folium
iframe's HTML, scripts included inline in the component's args).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.conftest import free_port, stop, wait_healthy  # noqa: E402

MAP_FRAME = "iframe[title*='st_folium']"
# Both pages open on food (the first category); each run changes it to this one.
CHANGE_TO = "Befriending and loneliness"


def start(command: list[str], log_path: Path):
    import subprocess

    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [*command, "--server.port", str(port)]
        if "streamlit" in command
        else [*command, "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://localhost:{port}"
    wait_healthy(url, process, 90, log_path)
    return process, log, url


def _map_paths(page):
    return page.frame_locator(MAP_FRAME).first.locator("path.leaflet-interactive")


def time_load(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    _map_paths(page).first.wait_for(state="visible", timeout=60_000)
    return time.perf_counter() - started


def _fills(page) -> list[str]:
    try:
        return _map_paths(page).evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
    except Exception:  # the iframe is being replaced: nothing drawn yet
        return []


def time_change(page, option: str) -> float:
    """Pick ``option`` and wait until the drawn ward fills differ from before."""
    before = _fills(page)
    combobox = page.get_by_role("combobox", name="ategor").first
    started = time.perf_counter()
    combobox.click()
    combobox.fill(option)
    page.get_by_role("option", name=option).first.click()
    deadline = started + 60
    while time.perf_counter() < deadline:
        after = _fills(page)
        if after and after != before:
            return time.perf_counter() - started
        time.sleep(0.01)
    raise TimeoutError(f"the map did not change within 60 s of choosing {option!r}")


def payload_bytes(page) -> int:
    """Bytes of the st_folium iframe's document (the folium HTML and inline scripts)."""
    handle = page.locator(MAP_FRAME).first.element_handle()
    frame = handle.content_frame()
    return len(frame.content().encode())


def measure(browser, url: str, runs: int) -> dict[str, float]:
    loads, changes = [], []
    size = 0
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        loads.append(time_load(page, url))
        page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
        size = payload_bytes(page)
        changes.append(time_change(page, CHANGE_TO))
        context.close()
    return {
        "load_s": statistics.median(loads),
        "change_s": statistics.median(changes),
        "payload_bytes": size,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        print(f"needs Debian's chromium at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    logs = Path(tempfile.mkdtemp(prefix="bench-"))
    # The floor serves Leaflet from a static/ folder beside its script: run a copy.
    floor = logs / "floor_app.py"
    shutil.copy(REPO_ROOT / "benchmarks" / "floor_app.py", floor)
    python = sys.executable
    servers = {
        "app": [python, "-m", "analysis", "serve"],
        "floor": [python, "-m", "streamlit", "run", str(floor)],
    }
    queries = {"app": "/?page=overview&category=food&measure=class", "floor": "/"}
    results: dict[str, dict[str, float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name, command in servers.items():
            process, log, url = start(command, logs / f"{name}.log")
            try:
                measure(browser, url + queries[name], 1)  # warm the caches
                results[name] = measure(browser, url + queries[name], args.runs)
            finally:
                stop(process)
                log.close()
        browser.close()
    app, floor_ = results["app"], results["floor"]
    print(f"medians over {args.runs} runs (logs in {logs})")
    print(f"{'':8}{'load s':>10}{'change s':>10}{'payload bytes':>16}")
    for name, row in results.items():
        print(f"{name:8}{row['load_s']:>10.2f}{row['change_s']:>10.2f}{row['payload_bytes']:>16,}")
    print(
        f"ratio app/floor: load {app['load_s'] / floor_['load_s']:.2f}, "
        f"change {app['change_s'] / floor_['change_s']:.2f} (target <= 1.5)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
