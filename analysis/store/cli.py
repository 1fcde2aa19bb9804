"""``python -m analysis db …``: create, fill, export, back up the store and read its history.

Each handler returns the exit code; bad input raises a `SafetyNetError` whose one-line
message the CLI prints. Every subcommand takes ``--database URL`` (default
``SAFETYNET_DATABASE_URL``, else the SQLite file in ``var/``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Final

from sqlalchemy.engine import Engine

from analysis.errors import StoreError
from analysis.geography import default_area_path, load_area
from analysis.store import config
from analysis.store.access import command_line

DEFAULT_ACTOR = "cli"
"""Who a change made from the command line is recorded as, unless --actor names someone."""

KEEPER: Final = command_line(DEFAULT_ACTOR)
"""The command line acts as the machine's keeper (`analysis.store.access`)."""


def add_db_commands(commands: argparse._SubParsersAction) -> None:
    """Register ``db`` and its subcommands on the CLI's subparsers."""
    from analysis.cli import _add_reading_options
    from analysis.store.exporting import EXPORT_SUFFIXES

    common = argparse.ArgumentParser(add_help=False)
    add_database_option(common)
    db = commands.add_parser(
        "db",
        help="the directory's database: upgrade, import, export, history, backup",
        description="The directory's database keeps every version of every organisation and "
        "service (docs/store.md).",
    )
    sub = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")

    upgrade = sub.add_parser("upgrade", parents=[common], help="create or migrate the schema")
    upgrade.set_defaults(handler=_upgrade)

    imports = sub.add_parser(
        "import",
        parents=[common],
        help="import a services file: new records, new versions of changed ones",
        description="Read the file with the importer (as validate does) and store its accepted "
        "rows, matched by source and id: the same file again changes nothing. Exit 0 when "
        "every row was accepted, 1 when some were rejected (the others are imported), 2 when "
        "the file cannot be read.",
    )
    imports.add_argument("file", type=Path, metavar="FILE")
    imports.add_argument(
        "--source", help="the source's name, which matches records next time (default: file name)"
    )
    imports.add_argument(
        "--full",
        action="store_true",
        help="the file is the source's whole directory: its services missing from it become "
        "inactive (not deleted)",
    )
    imports.add_argument("--area", type=Path, default=default_area_path(), help="area folder")
    imports.add_argument("--actor", default=DEFAULT_ACTOR, help="who imports, for the history")
    _add_reading_options(imports)
    imports.set_defaults(handler=_import)

    export = sub.add_parser(
        "export",
        parents=[common],
        help="write the directory as the template (CSV, XLSX) or Open Referral UK JSON",
    )
    export.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help=f"the file to write: {', '.join(EXPORT_SUFFIXES)}; CSV and XLSX keep contacts not "
        "marked public (not for publishing), JSON leaves them out",
    )
    export.add_argument("--as-of", metavar="YYYY-MM-DD", help="the directory as it was that day")
    export.add_argument("--area", type=Path, default=default_area_path(), help="area folder")
    export.set_defaults(handler=_export)

    history = sub.add_parser(
        "history", parents=[common], help="every version of one service: who, when, what"
    )
    history.add_argument("record_id", metavar="SERVICE_ID")
    history.set_defaults(handler=_history)

    backup = sub.add_parser(
        "backup",
        parents=[common],
        help="copy the database while in use (SQLite's backup API; pg_dump for PostgreSQL)",
    )
    backup.add_argument("--out", type=Path, required=True, metavar="FILE")
    backup.set_defaults(handler=_backup)


def add_database_option(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--database URL``: the store to use, default `config.database_url`'s."""
    parser.add_argument(
        "--database",
        metavar="URL",
        default=None,
        help=f"database URL (default ${config.DATABASE_URL_ENV}, else the SQLite file "
        f"{config.DEFAULT_DATABASE_PATH.relative_to(config.REPO_ROOT)})",
    )


@contextmanager
def _engine(args: argparse.Namespace) -> Iterator[Engine]:
    """The store's engine, closed after; its schema created when it has none, refused when
    out of date."""
    from analysis.store.engine import check_reachable, make_engine, redacted
    from analysis.store.locking import setting_up
    from analysis.store.migrate import current_revision, head_revision, refuse_unknown, upgrade

    engine = make_engine(args.database)
    try:
        check_reachable(engine)
        with setting_up(engine):
            revision = current_revision(engine)
            refuse_unknown(engine, revision)
            if revision is None:
                upgrade(engine)
                print(f"created the database {redacted(engine.url)}", file=sys.stderr)
        if revision is not None and revision != head_revision():
            raise StoreError(
                f"the database {redacted(engine.url)} is at schema revision {revision}, and "
                f"this version of the project needs {head_revision()}. Fix: run 'python -m "
                "analysis db upgrade' (back it up first: 'python -m analysis db backup --out "
                "FILE')"
            )
        yield engine
    finally:
        engine.dispose()


def _upgrade(args: argparse.Namespace) -> int:
    from analysis.store.engine import make_engine, redacted
    from analysis.store.locking import setting_up
    from analysis.store.migrate import upgrade

    engine = make_engine(args.database)
    try:
        with setting_up(engine):
            before, after = upgrade(engine)
    finally:
        engine.dispose()
    where = redacted(engine.url)
    if before is None:
        print(f"created the schema of {where} at revision {after}")
    elif before != after:
        print(f"migrated {where} from revision {before} to {after}")
    else:
        print(f"{where} is up to date (revision {after})")
    return 0


def _import(args: argparse.Namespace) -> int:
    from analysis.cli import _import_options, _print_report
    from analysis.store.importing import import_file

    with _engine(args) as engine:
        done = import_file(
            engine,
            args.file,
            source=args.source,
            full=args.full,
            area=load_area(args.area),
            options=_import_options(args),
            actor=command_line(args.actor),
        )
    _print_report(done.report)
    print(done.summary())
    return 0 if done.report.rejected == 0 and not done.report.lacks else 1


def _export(args: argparse.Namespace) -> int:
    from analysis.store.exporting import export_store

    as_of = _day(args.as_of, "--as-of")
    with _engine(args) as engine:
        written = export_store(engine, args.out, as_of=as_of, area=load_area(args.area))
    when = f" as of {args.as_of}" if args.as_of else ""
    print(
        f"wrote {written.services:,} services of {written.organisations:,} organisations"
        f"{when} to {written.path}"
    )
    return 0


def _history(args: argparse.Namespace) -> int:
    from analysis.store.accounts import account_names
    from analysis.store.history import history_lines, record_history

    with _engine(args) as engine:
        changes = record_history(engine, args.record_id)
        # The keeper of the machine sees who each account is (or "a former user").
        names = account_names(engine, KEEPER, {change.updated_by for change in changes})
    changes = [replace(change, updated_by=names[change.updated_by]) for change in changes]
    for line in history_lines(changes):
        print(line)
    return 0


def _backup(args: argparse.Namespace) -> int:
    from analysis.store.backup import backup_store

    with _engine(args) as engine:
        path = backup_store(engine, args.out)
    print(f"wrote a backup of the database to {path}")
    return 0


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise StoreError(
            f"{option} {text!r} is not a date. Fix: write it as YYYY-MM-DD, e.g. 2026-06-30"
        ) from error
