"""Command-line interface: the same functions the dashboard calls.

Every command prints a one-line reason on stderr and exits non-zero on bad input (1 or 2)
and on a failure it does not handle (3); a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import settings
from analysis.errors import SafetyNetError
from analysis.geography import default_area_path, load_area, lookup_postcode

if TYPE_CHECKING:
    from analysis.ingest.import_report import ImportReport

Handler = Callable[[argparse.Namespace], int]
UNEXPECTED_FAILURE_EXIT = 3
"""Exit code when a command fails on something it does not handle (a bug, not bad input)."""


def _build_area(args: argparse.Namespace) -> int:
    from analysis.reference.build import build_area

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


def _validate(args: argparse.Namespace) -> int:
    from analysis.demo.sample import default_sample_path
    from analysis.ingest.load import load_directory

    path = args.file
    if path is None:
        path = default_sample_path()
        print(f"no FILE given: validating the fictional demo data {path}", file=sys.stderr)
    area = load_area(args.area)
    directory, report = load_directory(path, area=area, options=_import_options(args))
    if args.rejected:
        args.rejected.parent.mkdir(parents=True, exist_ok=True)
        args.rejected.write_text(report.rejected_rows_csv(), encoding="utf-8")
    if args.accepted:
        from analysis.outputs.accepted import write_accepted_csv

        write_accepted_csv(directory, args.accepted)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print_report(report)
    return 0 if report.rejected == 0 and not report.lacks else 1


def _import_options(args: argparse.Namespace):
    """The `ImportOptions` of the reading options (`_add_reading_options`)."""
    from analysis.ingest.mapping import load_column_mapping
    from analysis.ingest.options import ImportOptions

    return ImportOptions(
        format=args.format,
        columns=load_column_mapping(args.columns) if args.columns else None,
        sheet=args.sheet,
        default_categories=tuple(args.default_category or ()),
        default_kind=args.default_kind,
        default_delivery=tuple(args.default_delivery or ()),
        accept_suggestions=args.accept_suggestions,
    )


def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that reads a directory: how to read the file, and
    what every row of it is when the file does not say."""
    from analysis.model import DELIVERY_MODES, FORMAT_CHOICES, ORGANISATION_KINDS

    group = parser.add_argument_group("reading the file")
    group.add_argument(
        "--format",
        choices=FORMAT_CHOICES,
        default=FORMAT_CHOICES[0],
        help="how to read it (default auto: by its content)",
    )
    group.add_argument(
        "--columns", type=Path, metavar="MAPPING.json", help="column mapping {field: column}"
    )
    group.add_argument("--sheet", help="XLSX sheet to read (default: the first)")
    group.add_argument(
        "--default-category",
        action="extend",
        nargs="+",
        metavar="ID",
        help="need categories of every row that gives none, e.g. food (a list of food banks)",
    )
    group.add_argument(
        "--default-kind",
        choices=ORGANISATION_KINDS,
        help="organisation kind of every row that gives none (quote kinds with a space)",
    )
    group.add_argument(
        "--default-delivery",
        action="extend",
        nargs="+",
        choices=DELIVERY_MODES,
        metavar="MODE",
        help="delivery of every row that gives none: in person, phone, online, 'home delivery'",
    )
    group.add_argument(
        "--accept-suggestions",
        action="store_true",
        help="use the categories suggested from a service's name and description when its "
        "own terms name none",
    )


def _print_report(report: ImportReport) -> None:
    for lack in report.lacks:
        print(f"error: {lack}")
    print(f"{report.summary()} [{report.format}]")
    if report.mapping_used:
        from analysis.ingest.fields import FIELD_NAMES, field_spec

        pairs = ", ".join(
            f"{field} ({field_spec(field).label.lower()}) <- {column!r}"
            if field in FIELD_NAMES
            else f"{field} <- {column!r}"
            for field, column in report.mapping_used.items()
        )
        print(f"columns: {pairs}")
    if report.ignored_columns:
        print(f"ignored columns: {', '.join(repr(c) for c in report.ignored_columns)}")
    if report.blank_rows_skipped:
        print(f"blank rows skipped: {report.blank_rows_skipped}")
    for note in report.notes:
        print(f"note: {note}")
    if report.unmapped_categories:
        terms = ", ".join(
            f"{term!r} ({count} row{'s' if count > 1 else ''})"
            for term, count in report.unmapped_categories.items()
        )
        print(f"unmapped categories: {terms}")
    for line in report.category_lines():
        print(line)
    for problem in report.problems[: settings.PRINTED_PROBLEMS]:
        print(f"{problem.severity}: {problem}")
    hidden = len(report.problems) - settings.PRINTED_PROBLEMS
    if hidden > 0:
        print(
            f"… and {hidden} more problems: use --json, or --rejected OUT.csv for the rejected rows"
        )


def _sample(args: argparse.Namespace) -> int:
    import pandas as pd

    from analysis.demo.sample import write_sample
    from analysis.model import ORG_ID

    area = load_area(args.area)
    path = write_sample(args.out, area=area, seed=args.seed)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    print(
        f"wrote {len(frame)} services of {frame[ORG_ID].nunique()} organisations "
        f"(fictional demo data, seed {args.seed}) to {path}"
    )
    return 0


def _template(args: argparse.Namespace) -> int:
    from analysis.demo.template import write_templates

    for path in write_templates(args.out):
        print(f"wrote {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from analysis.serve import serve_command

    command = serve_command(port=args.port, address=args.address, area=args.area)
    return subprocess.call(list(command.args), cwd=command.cwd, env=command.env)


def _analysis(args: argparse.Namespace, area):
    """The pipeline over the services file of ``args``, and the filters ``args`` ask for."""
    from analysis.errors import IngestError
    from analysis.ingest.load import load_directory
    from analysis.provision.pipeline import Analysis
    from analysis.taxonomy_file import load_taxonomy

    taxonomy = load_taxonomy()
    services = settings.DEMO_SERVICES_PATH if args.services is None else args.services
    directory, ingest_report = load_directory(
        services, area=area, taxonomy=taxonomy, options=_import_options(args)
    )
    if ingest_report.lacks:
        raise IngestError(f"{ingest_report.source}: {ingest_report.lacks[0]}; nothing was written")
    if ingest_report.rejected:
        print(
            f"note: {ingest_report.summary()}; see 'python -m analysis validate "
            f"{services}' for the reasons",
            file=sys.stderr,
        )
    return Analysis(directory, area, taxonomy), _filters(args)


def _filters(args: argparse.Namespace):
    import pandas as pd

    from analysis.errors import AnalysisError
    from analysis.provision.filters import Filters

    def day(text: str | None, option: str) -> pd.Timestamp | None:
        if text is None:
            return None
        try:
            return pd.Timestamp(text).normalize()
        except ValueError as error:
            raise AnalysisError(
                f"{option} {text!r} is not a date. Fix: write it as YYYY-MM-DD, e.g. 2025-06-30."
            ) from error

    return Filters(
        delivery=tuple(args.delivery or ()),
        audiences=tuple(args.audience or ()),
        active_on=day(args.active_on, "--active-on"),
        org_kinds=tuple(args.org_kind or ()),
        stale_after_months=args.stale_months,
        stale=args.stale,
        # Always the day: the table counts the out-of-date services behind each row.
        as_of=pd.Timestamp.today().normalize(),
    )


def _analysis_thresholds(args: argparse.Namespace):
    from analysis.provision.metrics import Thresholds

    return Thresholds(
        under_served_below=args.under_served_below, well_provided_from=args.well_provided_from
    )


def _method(args: argparse.Namespace):
    from analysis.provision.metrics import Method

    return Method(decay=args.decay)


def _analyse(args: argparse.Namespace) -> int:
    from analysis.outputs.export import export_metrics

    if _reads_store(args):
        return _analyse_store(args)
    area = load_area(args.area)
    analysis, filters = _analysis(args, area)
    result = _metrics_of(analysis, filters, args)
    path = export_metrics(result, area, args.out, about=_file_about(args, area))
    _print_metrics_summary(analysis, filters, result, path, level=args.level)
    return 0


def _file_about(args: argparse.Namespace, area):
    """What a table made from a services file says about itself: the file, and whether it
    is the fictional demo."""
    from analysis.outputs.export import export_about

    services = Path(args.services or settings.DEMO_SERVICES_PATH)
    demo = services.resolve() == Path(settings.DEMO_SERVICES_PATH).resolve()
    return export_about(
        area,
        title="Provision by area and need category",
        source="Demo data (fictional)" if demo else f"the services file {services.name}",
        demo=demo,
    )


def _metrics_of(analysis, filters, args: argparse.Namespace):
    """The metrics ``args`` ask for: thresholds, level, categories and method."""
    return analysis.metrics(
        filters,
        _analysis_thresholds(args),
        level=args.level,
        categories=args.category,
        method=_method(args),
    )


def _print_metrics_summary(analysis, filters, result, path: Path, *, level: str) -> None:
    """The one line `analyse` prints after writing the area × category table."""
    from analysis.model import (
        AREA_CODE,
        COUNT_IMPUTED,
        COUNT_SERVICES,
        COUNT_UNCATEGORISED,
        PROVISION_CLASS,
        PROVISION_CLASSES,
    )

    table = result.table
    classes = table[PROVISION_CLASS].value_counts()
    counts = result.service_counts
    dropped = sum(analysis.selection(filters).excluded.values())
    n_areas = table[AREA_CODE].nunique()
    pairs = len(result.duplicates)
    print(
        f"wrote {len(table)} rows ({n_areas} {level}s × "
        f"{len(table) // max(n_areas, 1)} categories) to {path}: "
        + ", ".join(f"{classes.get(name, 0)} {name}" for name in PROVISION_CLASSES)
        + f"; {counts[COUNT_SERVICES] + dropped} services, {dropped} filtered out, "
        f"{counts[COUNT_UNCATEGORISED]} uncategorised (in no category), "
        f"{counts[COUNT_IMPUTED]} with capacity unknown (counted at their category's median "
        f"capacity, or {settings.DEFAULT_CAPACITY:g} places a week where it states none), "
        f"{pairs} duplicate pair{'' if pairs == 1 else 's'} (local services of two "
        "organisations reaching mostly the same people)"
    )


STORE_OPTIONS = ("--store", "--as-of", "--compare-to")
"""The options of `analyse` that read the directory's database instead of a file."""


def _reads_store(args: argparse.Namespace) -> bool:
    return bool(args.store or args.as_of or args.compare_to)


def _store_option(args: argparse.Namespace) -> str:
    """The first store option given, to name in a message."""
    given = {"--store": args.store, "--as-of": args.as_of, "--compare-to": args.compare_to}
    return next(option for option in STORE_OPTIONS if given[option])


def _check_store_arguments(args: argparse.Namespace) -> None:
    """Refuse what reads a file, or a neighbourhood change table, beside a store option."""
    from analysis.errors import AnalysisError
    from analysis.model import FORMAT_CHOICES, WARD_LEVEL

    option = _store_option(args)
    if args.services is not None:
        raise AnalysisError(
            f"the services file {args.services} and {option} both name the directory to "
            f"analyse: {option} reads the directory's database. Fix: leave out "
            f"{args.services} to analyse the database, or {option} to analyse the file."
        )
    reading = {
        "--format": args.format != FORMAT_CHOICES[0],
        "--columns": args.columns is not None,
        "--sheet": args.sheet is not None,
        "--default-category": bool(args.default_category),
        "--default-kind": args.default_kind is not None,
        "--default-delivery": bool(args.default_delivery),
        "--accept-suggestions": args.accept_suggestions,
    }
    for name, given in reading.items():
        if given:
            raise AnalysisError(
                f"{name} says how to read a services file, and {option} reads the "
                f"directory's database, which needs no reading. Fix: leave out {name}."
            )
    if args.compare_to and args.level != WARD_LEVEL:
        raise AnalysisError(
            f"--compare-to writes what changed per ward × category; --level {args.level} "
            "is not one it writes. Fix: leave out --level, or leave out --compare-to for "
            "the neighbourhood table of one day."
        )


def _day_option(text: str | None, option: str):
    """The date ``option`` names, or None when not given."""
    from datetime import date

    from analysis.errors import AnalysisError

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise AnalysisError(
            f"{option} {text!r} is not a date. Fix: write it as YYYY-MM-DD, e.g. 2026-06-30."
        ) from error


def _analyse_store(args: argparse.Namespace) -> int:
    """``analyse --store | --as-of DATE [--compare-to DATE]``: the database's directory."""
    from analysis.errors import AnalysisError
    from analysis.outputs.change_export import check_change_path
    from analysis.store.engine import redacted
    from analysis.store.opening import open_store

    _check_store_arguments(args)
    as_of = _day_option(args.as_of, "--as-of")
    compare_to = _day_option(args.compare_to, "--compare-to")
    if compare_to is not None:
        check_change_path(args.out)
        if as_of is not None and compare_to > as_of:
            raise AnalysisError(
                f"--compare-to {compare_to} is after --as-of {as_of}: what changed runs from "
                "the --compare-to day to the --as-of day. Fix: give --compare-to the earlier "
                "day."
            )
    area = load_area(args.area)
    # Named with --database, a store is used as it is; the default one is the dashboard's,
    # which opens on the fictional demo when it holds nothing yet.
    engine = open_store(args.database, load_demo=args.database is None, area=area)
    try:
        where = redacted(engine.url)
        if compare_to is None:
            return _analyse_store_day(args, engine, as_of, area, where)
        return _analyse_store_change(args, engine, compare_to, as_of, area, where)
    finally:
        engine.dispose()


def _analyse_store_day(args, engine, as_of, area, where: str) -> int:
    """The area × category table of the database's directory on one day (or now)."""
    from analysis.outputs.export import export_about, export_metrics
    from analysis.provision.change import filters_on
    from analysis.store.changes import read_snapshot
    from analysis.store.opening import DEMO_SOURCE
    from analysis.store.summary import store_summary

    snapshot = read_snapshot(engine, as_of=as_of, area=area)
    analysis = snapshot.analysis
    filters = filters_on(_filters(args), snapshot.moment)
    result = _metrics_of(analysis, filters, args)
    when = "now" if as_of is None else f"as of the end of {as_of} (UTC)"
    demo = store_summary(engine).holds_only(DEMO_SOURCE)
    about = export_about(
        area,
        title="Provision by area and need category",
        source=f"{'Demo data (fictional), in ' if demo else ''}the directory {when}",
        demo=demo,
    )
    path = export_metrics(result, area, args.out, about=about)
    print(f"read the directory of {where} {when}")
    _print_metrics_summary(analysis, filters, result, path, level=args.level)
    return 0


def _analyse_store_change(args, engine, compare_to, as_of, area, where: str) -> int:
    """What changed in the database's directory from ``compare_to`` to ``as_of`` (or now)."""
    from analysis.model import AREA_CODE
    from analysis.outputs.change_export import export_change
    from analysis.provision.change import compare_snapshots
    from analysis.store.changes import read_snapshots

    earlier, later = read_snapshots(engine, earlier=compare_to, later=as_of, area=area)
    change = compare_snapshots(
        earlier,
        later,
        filters=_filters(args),
        thresholds=_analysis_thresholds(args),
        method=_method(args),
        categories=args.category,
    )
    paths = export_change(change, args.out)
    table, counts = change.table, change.counts()
    n_wards = table[AREA_CODE].nunique()
    until = "now" if as_of is None else str(as_of)
    beside = f", the services in {paths[1]}" if len(paths) > 1 else ""
    print(
        f"wrote what changed in the directory of {where} from the end of {compare_to} to "
        f"{until} ({len(table)} rows: {n_wards} wards × {len(table) // max(n_wards, 1)} "
        f"categories) to {paths[0]}{beside}: {counts.opened} service"
        f"{'' if counts.opened == 1 else 's'} opened, {counts.closed} closed, "
        f"{counts.changed} changed; {counts.gaps_opened} gap"
        f"{'' if counts.gaps_opened == 1 else 's'} opened, {counts.gaps_closed} closed "
        "(ward × category rows that became, or stopped being, missing or under-served)"
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    from analysis.errors import AnalysisError
    from analysis.outputs.export import write_html
    from analysis.outputs.profile import render_ward_profile, resolve_ward

    if args.out.suffix.lower() not in (".html", ".htm"):
        raise AnalysisError(
            f"cannot write the ward profile to {args.out.name}: it is an HTML page. "
            "Fix: name the output e.g. ward.html."
        )
    thresholds = _analysis_thresholds(args)
    area = load_area(args.area)
    ward_code = resolve_ward(area, args.ward)
    analysis, filters = _analysis(args, area)
    method = _method(args)
    page = render_ward_profile(
        analysis.metrics(filters, thresholds, method=method),
        analysis.coverage,
        analysis.selection(filters).directory,
        area,
        analysis.taxonomy,
        ward_code=ward_code,
        robustness=analysis.robustness(filters, thresholds, method=method),
        as_of=filters.as_of,
    )
    path = write_html(page, args.out)
    print(f"wrote the profile of {area.ward_name(ward_code)} ({ward_code}) to {path}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    from analysis.outputs.profile import resolve_ward
    from analysis.provision.explain import explain_cell, explain_text

    thresholds = _analysis_thresholds(args)
    area = load_area(args.area)
    ward_code = resolve_ward(area, args.ward)
    analysis, filters = _analysis(args, area)
    analysis.taxonomy.get(args.category)
    selection = analysis.selection(filters)
    explanation = explain_cell(
        analysis.coverage,
        selection.directory,
        area,
        analysis.taxonomy,
        ward_code=ward_code,
        category=args.category,
        method=_method(args),
        thresholds=thresholds,
        weights=selection.weights,
    )
    print(explain_text(explanation))
    return 0


def _add_analysis_commands(commands: argparse._SubParsersAction) -> None:
    """The ``analyse`` and ``report`` subcommands."""
    from analysis.model import EXCLUDE_STALE, LEVELS, STALE_HANDLING, WARD_LEVEL
    from analysis.provision.coverage import DECAYS, STEPPED
    from analysis.provision.metrics import Thresholds

    defaults = Thresholds()

    def common(parser: argparse.ArgumentParser, *, out: bool = True) -> None:
        parser.add_argument(
            "services",
            nargs="?",
            type=Path,
            default=None,
            metavar="SERVICES",
            help="services file (CSV, XLSX, JSON, Open Referral UK); default the demo data",
        )
        _add_reading_options(parser)
        parser.add_argument("--area", type=Path, default=default_area_path(), help="area folder")
        if out:
            parser.add_argument("--out", type=Path, required=True, help="file to write")
        group = parser.add_argument_group("thresholds")
        group.add_argument(
            "--under-served-below",
            type=float,
            default=defaults.under_served_below,
            metavar="RP",
            help="relative provision below this is under-served (default 0.5)",
        )
        group.add_argument(
            "--well-provided-from",
            type=float,
            default=defaults.well_provided_from,
            metavar="RP",
            help="relative provision from this is well provided (default 2)",
        )
        group.add_argument(
            "--decay",
            choices=DECAYS,
            default=STEPPED,
            help="distance decay: stepped (enhanced 2SFCA, the default) or none (plain 2SFCA)",
        )
        filters = parser.add_argument_group("filters (which services count)")
        filters.add_argument(
            "--delivery",
            action="extend",
            nargs="+",
            metavar="MODE",
            help="in person, phone, online or home delivery (quote modes with a space)",
        )
        filters.add_argument(
            "--audience",
            action="extend",
            nargs="+",
            metavar="TEXT",
            help="services for these audiences, and those open to everyone",
        )
        filters.add_argument(
            "--active-on", metavar="YYYY-MM-DD", help="services active on this date"
        )
        filters.add_argument(
            "--org-kind",
            action="extend",
            nargs="+",
            metavar="KIND",
            help="charity, CIC, 'mutual aid group', 'faith group', statutory or other",
        )
        filters.add_argument(
            "--stale-months",
            type=int,
            metavar="N",
            help="records not updated for more than N months are stale",
        )
        filters.add_argument(
            "--stale",
            choices=STALE_HANDLING,
            default=EXCLUDE_STALE,
            help="drop stale records, or count them at half weight (default exclude)",
        )

    analyse = commands.add_parser(
        "analyse", help="write the area × category table of need, provision, gaps and duplication"
    )
    common(analyse)
    analyse.add_argument(
        "--level", choices=LEVELS, default=WARD_LEVEL, help=f"default {WARD_LEVEL}"
    )
    analyse.add_argument(
        "--category",
        action="extend",
        nargs="+",
        metavar="ID",
        help="categories to report (default all), e.g. food befriending",
    )
    _add_store_options(analyse)
    analyse.set_defaults(handler=_analyse)

    report = commands.add_parser("report", help="write a printable HTML profile of one ward")
    common(report)
    report.add_argument("--ward", required=True, metavar="CODE_OR_NAME")
    report.set_defaults(handler=_report)

    explain = commands.add_parser(
        "explain", help="show one ward and category's result step by step, every input and sum"
    )
    common(explain, out=False)
    explain.add_argument("--ward", required=True, metavar="CODE_OR_NAME")
    explain.add_argument("--category", required=True, metavar="ID", help="e.g. food")
    explain.set_defaults(handler=_explain)


def _add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--store``, ``--as-of``, ``--compare-to`` and ``--database`` of `analyse`."""
    from analysis.store.cli import add_database_option

    group = parser.add_argument_group(
        "the directory's database (instead of SERVICES; docs/store.md)"
    )
    group.add_argument(
        "--store",
        action="store_true",
        help="analyse the directory in the database now, as the dashboard shows it",
    )
    group.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="analyse the database's directory as it was at the end of that day (UTC)",
    )
    group.add_argument(
        "--compare-to",
        metavar="YYYY-MM-DD",
        help="write what changed from the end of that day to --as-of (default now): services "
        "opened, closed and changed and the gaps per ward × category (.csv, .xlsx)",
    )
    add_database_option(group)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Safety Net: where voluntary-sector help is missing or duplicated.",
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

    _add_analysis_commands(commands)

    from analysis.demo.sample import SAMPLE_SEED, default_sample_path
    from analysis.demo.template import default_template_dir

    validate = commands.add_parser(
        "validate",
        help="check a services file (CSV, XLSX, Open Referral UK) and report every row",
        description="Exit 0 when every row is accepted, 1 when some are rejected or the file "
        "lacks what an analysis needs (a service in the area, a row with a category), 2 when "
        "the file cannot be read at all.",
    )
    validate.add_argument(
        "file", nargs="?", type=Path, default=None, help="the file (default: the demo data)"
    )
    validate.add_argument("--area", type=Path, default=default_area_path(), help="area folder")
    _add_reading_options(validate)
    validate.add_argument(
        "--rejected", type=Path, metavar="OUT.csv", help="write the rejected rows with reasons"
    )
    validate.add_argument(
        "--accepted",
        type=Path,
        metavar="OUT.csv",
        help="write the accepted rows in the template's columns, as they were understood",
    )
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.set_defaults(handler=_validate)

    sample = commands.add_parser("sample", help="write the fictional demo directory")
    sample.add_argument("--out", type=Path, default=default_sample_path(), help="CSV to write")
    sample.add_argument("--seed", type=int, default=SAMPLE_SEED)
    sample.add_argument("--area", type=Path, default=default_area_path(), help="area folder")
    sample.set_defaults(handler=_sample)

    template = commands.add_parser("template", help="write the CSV and XLSX services templates")
    template.add_argument("--out", type=Path, default=default_template_dir(), help="folder")
    template.set_defaults(handler=_template)

    serve = commands.add_parser("serve", help="start the dashboard")
    serve.add_argument("--port", type=int, default=settings.SERVER_PORT)
    serve.add_argument(
        "--address",
        default=settings.SERVER_ADDRESS,
        help="address to listen on (default from SAFETYNET_ADDRESS, else 127.0.0.1: "
        "this machine only)",
    )
    serve.add_argument(
        "--area",
        type=Path,
        default=None,
        help="area folder built with build-area (default from SAFETYNET_AREA, else the "
        "bundled Bristol)",
    )
    serve.set_defaults(handler=_serve)

    from analysis.store.cli import add_db_commands
    from analysis.store.reminders_cli import add_reminders_commands
    from analysis.store.users_cli import add_users_commands

    add_db_commands(commands)
    add_users_commands(commands)
    add_reminders_commands(commands)
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
    except Exception:  # the last guard: a reason in one line, the traceback with --debug
        if args.debug:
            raise
        print(
            "error: the command stopped on something it does not handle yet. Fix: run it "
            "again with --debug to see the details, and report them to the project",
            file=sys.stderr,
        )
        return UNEXPECTED_FAILURE_EXIT
