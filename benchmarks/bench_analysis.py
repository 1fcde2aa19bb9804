"""Benchmark the analysis: the Bristol demo, and a synthetic England made of tiled Bristols.

Run from the repository root (not part of the tests)::

    .venv/bin/python benchmarks/bench_analysis.py                 # Bristol + 1x, 10x, 100x
    .venv/bin/python benchmarks/bench_analysis.py --scales 1 10   # quicker
    .venv/bin/python benchmarks/bench_analysis.py --bristol-only

Bristol: the demo services (``data/sample/services.csv``, read once with
``analysis.ingest.load.load_directory``); timed after loading are the full analysis (coverage +
ward and neighbourhood metrics), a threshold change (``MetricsResult.with_thresholds``) and a
metrics rerun on the cached coverage (what a filter or category change costs), and the
robustness assessment.

Scales: Bristol's geometry tiled 2 / 20 / 200 times (1x / 10x / 100x) with 1,000 synthetic
services per tile (`benchmarks/synthetic.py`); 100x is England-sized (~6,800 wards,
~54,000 neighbourhoods, 200,000 services). Each scale runs in its own process so that its
peak memory (whole process, data generation included) is its own; timed are coverage and
ward-level metrics, and the time from data to table (both). Medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(Path(__file__).resolve().parent)]

SERVICES_PER_TILE = 1000
TILES = {1: 2, 10: 20, 100: 200}


def median_time(action, repeat: int) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs of ``action`` (after one warm-up), and its result."""
    result = action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


class PeakRss:
    """Samples the resident set size every few milliseconds while active."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self._stop.is_set():
            with open("/proc/self/statm") as statm:
                self.peak = max(self.peak, int(statm.read().split()[1]) * page)
            time.sleep(0.005)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def process_peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def bench_bristol(repeat: int) -> dict:
    from analysis.geography import load_area
    from analysis.ingest.load import load_directory
    from analysis.provision.coverage import compute_coverage
    from analysis.provision.metrics import Thresholds, compute_metrics
    from analysis.provision.robustness import assess_robustness
    from analysis.taxonomy_file import load_taxonomy

    area, taxonomy = load_area(), load_taxonomy()
    started = time.perf_counter()
    directory, report = load_directory(
        REPO_ROOT / "data" / "sample" / "services.csv", area=area, taxonomy=taxonomy
    )
    load_s = time.perf_counter() - started

    def full():
        coverage = compute_coverage(directory, area, taxonomy)
        ward = compute_metrics(coverage, directory, area, taxonomy)
        compute_metrics(coverage, directory, area, taxonomy, level="neighbourhood")
        return coverage, ward

    full_s, (coverage, ward) = median_time(full, repeat)
    coverage_s, _ = median_time(lambda: compute_coverage(directory, area, taxonomy), repeat)
    rerun_s, _ = median_time(lambda: compute_metrics(coverage, directory, area, taxonomy), repeat)
    strict = Thresholds(under_served_below=0.6, well_provided_from=2.5)
    reclass_s, _ = median_time(lambda: ward.with_thresholds(strict), repeat)
    robust_s, _ = median_time(
        lambda: assess_robustness(coverage, directory, area, taxonomy), max(1, repeat // 3)
    )
    return {
        "services": len(directory.services),
        "rows_read": report.rows_read,
        "wards": len(area.wards),
        "neighbourhoods": len(area.neighbourhoods),
        "coverage_links": coverage.n_links,
        "ingest_s": load_s,
        "full_analysis_s": full_s,
        "coverage_s": coverage_s,
        "metrics_rerun_s": rerun_s,
        "threshold_change_s": reclass_s,
        "robustness_s": robust_s,
        "peak_rss_mb": process_peak_bytes() / 2**20,
    }


def bench_scale(scale: int, repeat: int) -> dict:
    """One scale, in this process (called in a child process by `main`)."""
    from synthetic import synthetic_directory, tile_area

    from analysis.geography import load_area
    from analysis.provision.coverage import compute_coverage
    from analysis.provision.metrics import compute_metrics
    from analysis.taxonomy_file import load_taxonomy

    tiles = TILES[scale]
    taxonomy = load_taxonomy()
    started = time.perf_counter()
    area = tile_area(load_area(), tiles)
    directory = synthetic_directory(area, taxonomy, tiles * SERVICES_PER_TILE, seed=scale)
    setup_s = time.perf_counter() - started

    coverage_times, metrics_times = [], []
    with PeakRss() as sampler:
        for _ in range(repeat):
            started = time.perf_counter()
            coverage = compute_coverage(directory, area, taxonomy)
            middle = time.perf_counter()
            compute_metrics(coverage, directory, area, taxonomy)
            coverage_times.append(middle - started)
            metrics_times.append(time.perf_counter() - middle)
    return {
        "scale": f"{scale}x",
        "tiles": tiles,
        "wards": len(area.wards),
        "neighbourhoods": len(area.neighbourhoods),
        "services": len(directory.services),
        "coverage_links": coverage.n_links,
        "setup_s": setup_s,
        "coverage_s": statistics.median(coverage_times),
        "metrics_s": statistics.median(metrics_times),
        "analysis_s": statistics.median(
            c + m for c, m in zip(coverage_times, metrics_times, strict=True)
        ),
        "peak_rss_during_analysis_mb": sampler.peak / 2**20,
        "peak_rss_process_mb": process_peak_bytes() / 2**20,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[1, 10, 100], choices=TILES)
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--bristol-only", action="store_true")
    parser.add_argument("--child-scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_scale is not None:
        print(json.dumps(bench_scale(args.child_scale, args.repeat)))
        return 0

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    bristol = bench_bristol(max(args.repeat, 7))
    print("\nBristol demo (after loading):")
    for key, value in bristol.items():
        print(f"  {key:22} {value:,.4f}" if isinstance(value, float) else f"  {key:22} {value:,}")
    if args.bristol_only:
        return 0

    print("\nTiled synthetic (coverage + ward metrics; median of", args.repeat, "runs):")
    header = (
        f"  {'scale':>5} {'wards':>6} {'zones':>7} {'services':>8} {'links':>11} "
        f"{'coverage s':>10} {'metrics s':>9} {'total s':>8} {'peak MB (analysis/process)':>27}"
    )
    print(header)
    for scale in args.scales:
        # The 100x run repeats fewer times: it is the slow one and varies little.
        repeat = args.repeat if scale < 100 else max(1, min(args.repeat, 3))
        run = subprocess.run(
            [sys.executable, __file__, "--child-scale", str(scale), "--repeat", str(repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(run.stdout)
        print(
            f"  {r['scale']:>5} {r['wards']:>6,} {r['neighbourhoods']:>7,} {r['services']:>8,} "
            f"{r['coverage_links']:>11,} {r['coverage_s']:>10.3f} {r['metrics_s']:>9.3f} "
            f"{r['analysis_s']:>8.3f} {r['peak_rss_during_analysis_mb']:>13,.0f} / "
            f"{r['peak_rss_process_mb']:>,.0f}   (setup {r['setup_s']:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
