"""Benchmark the import: a 100,000-row template CSV and an Open Referral UK JSON as large.

Run from the repository root (not part of the tests)::

    .venv/bin/python benchmarks/bench_ingest.py                  # 100,000 rows, median of 3
    .venv/bin/python benchmarks/bench_ingest.py --rows 20000 --repeat 1   # quicker

The files are generated in a temporary folder from the fictional demo data
(``data/sample/services.csv``, 900 rows) repeated with fresh ids and postcodes drawn from the
Bristol table, so the mix of area kinds, categories and delivery is the demo's; 1 % of rows
get a postcode outside the table and 1 % no name (rejected), to exercise the problem paths.
The JSON is a v1 API page (``content``, ``totalElements``) whose services carry a nested
organisation, taxonomy terms, a location with coordinates and a physical address, and
service areas.

Each format is imported in its own process (``analysis.ingest.load.load_directory`` on the path,
area and taxonomy loaded beforehand): reported are the median wall time, rows per second, and
the process's peak resident memory (``VmHWM`` of /proc/self/status) with the baseline before
the first import (Python, pandas, geopandas and the area already loaded), so the difference
is what the import itself needs at its peak.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def make_table(rows: int, *, seed: int = 7) -> pd.DataFrame:
    """``rows`` template rows: the demo data repeated with fresh ids and postcodes."""
    from analysis.geography import load_area

    rng = np.random.default_rng(seed)
    base = pd.read_csv(
        REPO_ROOT / "data" / "sample" / "services.csv", dtype=str, keep_default_na=False
    )
    copies = -(-rows // len(base))
    table = pd.concat([base] * copies, ignore_index=True).iloc[:rows].copy()
    copy = (np.arange(rows) // len(base)).astype(str)
    for column in ("org_id", "service_id"):
        table[column] = table[column] + "-" + copy
    table["org_name"] = table["org_name"] + " " + copy
    org_number = pd.factorize(table["org_id"])[0]
    table["charity_number"] = np.where(
        table["charity_number"] != "", (9_000_000 + org_number).astype(str), ""
    )
    postcodes = load_area().postcodes.index.to_numpy()
    has_postcode = table["postcode"] != ""
    table.loc[has_postcode, "postcode"] = rng.choice(postcodes, int(has_postcode.sum()))
    bad = rng.random(rows)
    table.loc[bad < 0.01, "postcode"] = "BS99 9ZZ"
    table.loc[(bad >= 0.01) & (bad < 0.02), ["org_name", "service_name"]] = ""
    return table


def to_oruk(table: pd.DataFrame) -> dict:
    """The table as a v1 Open Referral UK API page."""
    from analysis.geography import load_area

    points = load_area().postcodes[["lat", "lon"]]
    services = []
    for row in table.itertuples(index=False):
        location = []
        if row.postcode in points.index:
            lat, lon = points.loc[row.postcode]
            location = [
                {
                    "id": f"loc-{row.service_id}",
                    "latitude": float(lat),
                    "longitude": float(lon),
                    "physical_addresses": [{"postal_code": row.postcode}],
                }
            ]
        elif row.latitude:
            location = [{"latitude": float(row.latitude), "longitude": float(row.longitude)}]
        elif row.postcode:
            location = [{"physical_addresses": [{"postal_code": row.postcode}]}]
        areas = (
            [{"service_area": w} for w in row.area_value.split("; ")]
            if row.area_served == "wards"
            else []
        )
        if row.area_served == "citywide":
            areas = [{"service_area": "Bristol"}]
        services.append(
            {
                "id": row.service_id,
                "name": row.service_name,
                "description": row.service_description,
                "email": row.email,
                "status": "active",
                "attending_type": row.delivery,
                "assured_date": row.last_updated,
                "organization": {
                    "id": row.org_id,
                    "name": row.org_name,
                    "description": row.org_description,
                    "email": row.email,
                    "url": row.website,
                },
                "service_taxonomys": [
                    {"taxonomy": {"name": term}} for term in row.categories.split("; ") if term
                ],
                "service_at_locations": [{"location": loc} for loc in location],
                "service_areas": areas,
            }
        )
    return {"totalElements": len(services), "totalPages": 1, "number": 1, "content": services}


def _status_kb(key: str) -> int:
    """A memory figure of this process from /proc/self/status, in kB.

    VmHWM is the peak resident set size of this process image; unlike ``ru_maxrss`` it does
    not inherit the parent's peak across fork and exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(path: Path, repeat: int) -> dict:
    """Import ``path`` ``repeat`` times in this process; timings and memory."""
    from analysis.geography import load_area
    from analysis.ingest.load import load_directory
    from analysis.taxonomy_file import load_taxonomy

    area, taxonomy = load_area(), load_taxonomy()
    baseline_kb = _status_kb("VmHWM")
    times = []
    first_peak_kb = 0
    for _ in range(repeat):
        started = time.perf_counter()
        directory, report = load_directory(path, area=area, taxonomy=taxonomy)
        times.append(time.perf_counter() - started)
        first_peak_kb = first_peak_kb or _status_kb("VmHWM")
        del directory  # the next import must not count this one's result
    peak_kb = _status_kb("VmHWM")
    return {
        "rows": report.rows_read,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "median_s": statistics.median(times),
        "baseline_mb": baseline_kb / 1024,
        "peak_mb": peak_kb / 1024,
        "first_peak_mb": first_peak_kb / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.repeat)))
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        table = make_table(args.rows)
        csv_path = Path(folder) / "services.csv"
        table.to_csv(csv_path, index=False)
        json_path = Path(folder) / "services.json"
        json_path.write_text(json.dumps(to_oruk(table)), encoding="utf-8")
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        for label, path in (("CSV template", csv_path), ("ORUK JSON v1", json_path)):
            result = subprocess.run(
                [sys.executable, __file__, "--child", str(path), "--repeat", str(args.repeat)],
                capture_output=True,
                text=True,
                check=True,
            )
            stats = json.loads(result.stdout)
            size_mb = path.stat().st_size / 1e6
            print(
                f"{label:13} {size_mb:6.1f} MB  {stats['rows']:,} rows "
                f"({stats['accepted']:,} accepted, {stats['rejected']:,} rejected): "
                f"median {stats['median_s']:.2f} s of {args.repeat} = "
                f"{stats['rows'] / stats['median_s']:,.0f} rows/s; peak memory "
                f"{stats['peak_mb']:,.0f} MB (baseline {stats['baseline_mb']:,.0f} MB, "
                f"+{stats['first_peak_mb'] - stats['baseline_mb']:,.0f} MB for the first "
                "import)"
            )


if __name__ == "__main__":
    main()
