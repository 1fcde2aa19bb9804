"""Command-line interface: the same functions the dashboard calls.

Every command prints a one-line reason on stderr and exits non-zero on bad input; a
traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis.errors import SafetyNetError
from analysis.geography import REPO_ROOT, default_area_path, load_area, lookup_postcode

Handler = Callable[[argparse.Namespace], int]


def _build_area(args: argparse.Namespace) -> int:
    from analysis.build_area import build_area

    started = time.perf_counter()
    meta = build_area(args.source, args.lad, args.out, population_year=args.population_year)
    elapsed = time.perf_counter() - started
    counts = meta["counts"]
    print(
        f"built {meta['name']} ({meta['lad_code']}) in {args.out}: {counts['wards']} wards, "
        f"{counts['neighbourhoods']} neighbourhoods, {counts['postcodes']} postcodes, "
        f"population {counts['population']:,} in {elapsed:.1f} s"
    )
    for line in meta["notes"]:
        print(f"note: {line}")
    for line in meta["warnings"]:
        print(f"warning: {line}", file=sys.stderr)
    return 0


def _lookup(args: argparse.Namespace) -> int:
    area = load_area(args.area)
    print(json.dumps(lookup_postcode(area, args.postcode).as_dict(), ensure_ascii=False))
    return 0


def _serve(args: argparse.Namespace) -> int:
    app = REPO_ROOT / "dashboard" / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port)]
    return subprocess.call(command, cwd=REPO_ROOT)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Safety Net: where voluntary-sector help overlaps and where it is missing.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build-area", help="derive an area's reference files from raw public data"
    )
    build.add_argument("--source", type=Path, required=True, help="folder of raw public files")
    build.add_argument("--lad", required=True, help="local authority code, e.g. E06000023")
    build.add_argument("--out", type=Path, required=True, help="folder to write the area to")
    build.add_argument(
        "--population-year", type=int, default=None, help="mid-year estimate (default: latest)"
    )
    build.set_defaults(handler=_build_area)

    lookup = commands.add_parser("lookup", help="place a postcode: point, ward, neighbourhood")
    lookup.add_argument("postcode")
    lookup.add_argument("--area", type=Path, default=default_area_path(), help="area folder")
    lookup.set_defaults(handler=_lookup)

    serve = commands.add_parser("serve", help="start the dashboard")
    serve.add_argument("--port", type=int, default=8501)
    serve.set_defaults(handler=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except SafetyNetError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
