"""Benchmark the store: importing 100,000 services into SQLite and PostgreSQL, and reading a
5,000-service store back into a Directory.

Run from the repository root (not part of the tests)::

    .venv/bin/python benchmarks/bench_store.py                   # 100,000 and 5,000 services
    .venv/bin/python benchmarks/bench_store.py --rows 20000      # quicker

The file is `bench_ingest.make_table`'s: the fictional demo data repeated with fresh ids
and postcodes (1 % rejected rows). PostgreSQL is a throwaway server started as the store's
tests start it (`tests.store.pgserver`: initdb in a temporary folder, localhost, fsync off —
so its figures are an upper bound for a server that syncs to disk); SQLite is a file in a
temporary folder, with the store's own settings (WAL, synchronous=FULL by default).

The 100,000 rows come in files of `FILE_ROWS` (one file would be over the importer's size
limit), imported in turn as one source. Each backend's imports run in their own process
into a new database: reported are the importer's time
(read, check, geocode: `read_table` + `build_directory`), the store's time (records
compared and written with their history: `store_directory`), rows per second of each and
of the whole, and the process's peak resident memory (VmHWM) over its baseline (Python,
pandas, geopandas and the area already loaded). Then a 5,000-service store is read into a
Directory five times (`load_directory_from_store`, the area's shape prepared once, as the
dashboard keeps it): the median in milliseconds, and the first read with the shape made.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_ingest import _status_kb, make_table  # noqa: E402

LOAD_REPEAT = 5
FILE_ROWS = 25_000
"""Rows per file imported: 100,000 rows of the template are 34 MB, over the importer's
20 MB limit (`settings.MAX_UPLOAD_BYTES`), so the directory comes in four files, one source,
as its error message tells a person to do."""


def run_import(paths: list[Path], url: str) -> dict:
    """Import the files ``paths`` in turn, one source, into the new database at ``url``."""
    from analysis.geography import load_area
    from analysis.ingest.load import build_directory
    from analysis.ingest.read import read_table
    from analysis.store.engine import make_engine
    from analysis.store.importing import source_cells, store_directory
    from analysis.store.migrate import upgrade
    from analysis.taxonomy_file import load_taxonomy

    area, taxonomy = load_area(), load_taxonomy()
    engine = make_engine(url)
    upgrade(engine)
    baseline_kb = _status_kb("VmHWM")
    totals = dict.fromkeys(("rows", "created", "unchanged_again"), 0)
    times = dict.fromkeys(("importer_s", "store_s", "again_s"), 0.0)
    for path in paths:
        started = time.perf_counter()
        raw = read_table(path)
        directory, report = build_directory(raw, area=area, taxonomy=taxonomy)
        statuses, terms = source_cells(raw, report, directory)
        imported = time.perf_counter()
        kept = {"report": report, "source": "bench", "statuses": statuses, "source_terms": terms}
        done = store_directory(engine, directory, **kept)
        stored = time.perf_counter()
        again = store_directory(engine, directory, **kept)
        times["importer_s"] += imported - started
        times["store_s"] += stored - imported
        times["again_s"] += time.perf_counter() - stored
        totals["rows"] += report.rows_read
        totals["created"] += done.created
        totals["unchanged_again"] += again.unchanged
        del directory, raw
    engine.dispose()
    return {
        **totals,
        **times,
        "files": len(paths),
        "baseline_mb": baseline_kb / 1024,
        "peak_mb": _status_kb("VmHWM") / 1024,
    }


def run_load(path: Path, url: str) -> dict:
    """Import ``path`` into ``url``, then time reading the store back into a Directory."""
    from analysis.geography import load_area
    from analysis.store.engine import make_engine
    from analysis.store.importing import import_file
    from analysis.store.migrate import upgrade
    from analysis.store.reads import load_directory_from_store

    area = load_area()
    engine = make_engine(url)
    upgrade(engine)
    import_file(engine, path, source="bench", area=area)
    started = time.perf_counter()
    first = load_directory_from_store(engine, area=area)
    with_shape_s = time.perf_counter() - started
    from analysis.ingest.locate import area_shape

    shape = area_shape(area)
    times = []
    for _ in range(LOAD_REPEAT):
        started = time.perf_counter()
        load_directory_from_store(engine, shape=shape)
        times.append(time.perf_counter() - started)
    engine.dispose()
    return {
        "services": len(first.services),
        "median_ms": statistics.median(times) * 1000,
        "first_ms": with_shape_s * 1000,
    }


def _child(kind: str, paths: list[Path], url: str) -> dict:
    files = [argument for path in paths for argument in ("--file", str(path))]
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *files, "--url", url],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} on {url} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _databases(folder: Path, name: str, server) -> dict[str, str]:
    import sqlalchemy as sa

    urls = {"SQLite": f"sqlite:///{folder / f'{name}.sqlite3'}"}
    if server is not None:
        admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
        admin.dispose()
        urls["PostgreSQL"] = server.url(name)
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--load-rows", type=int, default=5_000)
    parser.add_argument("--child", choices=("import", "load"), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, action="append", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child == "import":
            print(json.dumps(run_import(args.file, args.url)))
        else:
            print(json.dumps(run_load(args.file[0], args.url)))
        return
    from tests.store.pgserver import start_server, why_unavailable

    reason = why_unavailable()
    server = None if reason else start_server()
    if reason:
        print(f"PostgreSQL not benchmarked: {reason}")
    try:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            table = make_table(args.rows)
            parts = []
            for number, start in enumerate(range(0, len(table), FILE_ROWS)):
                parts.append(folder / f"services_{number}.csv")
                table.iloc[start : start + FILE_ROWS].to_csv(parts[-1], index=False)
            small = folder / "services_small.csv"
            make_table(args.load_rows, seed=11).to_csv(small, index=False)
            for label, url in _databases(folder, "bench_import", server).items():
                stats = _child("import", parts, url)
                whole = stats["importer_s"] + stats["store_s"]
                print(
                    f"import {label:10} {stats['rows']:,} rows read in {stats['files']} files, "
                    f"{stats['created']:,} "
                    f"services stored: importer {stats['importer_s']:.1f} s "
                    f"({stats['rows'] / stats['importer_s']:,.0f} rows/s), store "
                    f"{stats['store_s']:.1f} s ({stats['created'] / stats['store_s']:,.0f} "
                    f"services/s), whole {whole:.1f} s ({stats['rows'] / whole:,.0f} rows/s); "
                    f"the same again (nothing to write) {stats['again_s']:.1f} s; peak memory "
                    f"{stats['peak_mb']:,.0f} MB (baseline {stats['baseline_mb']:,.0f} MB, "
                    f"+{stats['peak_mb'] - stats['baseline_mb']:,.0f} MB)"
                )
            for label, url in _databases(folder, "bench_load", server).items():
                stats = _child("load", [small], url)
                print(
                    f"load   {label:10} a {stats['services']:,}-service store into a Directory: "
                    f"median {stats['median_ms']:,.0f} ms of {LOAD_REPEAT} (area prepared); "
                    f"{stats['first_ms']:,.0f} ms with the area's shape made"
                )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
