"""Importing a directory file into the store, through the importer and its report.

The file is read, checked and geocoded by `analysis.ingest` exactly as ``validate``
does; its accepted rows become records matched by (source, id in the source):

- a record not yet stored is created;
- a stored record whose values differ gets a new version (one history row per field);
- a stored record with the same values is left alone: importing the same file again
  changes nothing (no version, no history);
- with ``full=True`` (the file is the source's whole directory), the source's services
  missing from the file become inactive — not deleted, and active again when a later
  file lists them.

An import never archives, restores or verifies a record: those are people's acts.
Every record keeps the id it was first stored under: the source's own id, or
``SOURCE:ID`` when another source took that id first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.directory import Directory
from analysis.errors import StoreError
from analysis.geography import AreaSet
from analysis.ingest.cells import FeedTerm
from analysis.ingest.import_report import ImportReport
from analysis.ingest.load import build_directory
from analysis.ingest.options import DEFAULT_OPTIONS, ImportOptions
from analysis.ingest.read import read_table
from analysis.ingest.table import RawTable
from analysis.model import CATEGORIES, FIELD_STATUS, ORG_ID, SOURCE_ROW
from analysis.store import schema
from analysis.store.access import Actor, authorise, command_line
from analysis.store.reads import stored_records
from analysis.store.records import (
    KEPT_BY_IMPORT,
    Record,
    organisation_records,
    service_records,
)
from analysis.store.schema import (
    ACTIVE,
    BY_IMPORT,
    INACTIVE,
    ORGANIZATION_RESOURCE,
    SERVICE_RESOURCE,
    SERVICE_STATUSES,
    ResourceType,
)
from analysis.store.writes import Stored, Write, WriteOutcome, batched, utc_now, write_records
from analysis.taxonomy import Taxonomy

IMPORT_ACTOR: Final = command_line("import")
"""Who an import is recorded as when no person is named."""
_TERM_PIECES: Final = re.compile(r"[;\n]+")
"""How a categories cell lists its terms (as the importer splits it)."""
_STATUS_WORDS: Final = {**{status: status for status in SERVICE_STATUSES}, "closed": INACTIVE}


@dataclass(frozen=True)
class StoreImport:
    """What an import did: the importer's report, and the records it wrote."""

    report: ImportReport
    source: str
    import_id: int
    created: int
    changed: int
    unchanged: int
    deactivated: int
    organisations_created: int
    organisations_changed: int
    data_version: int

    def summary(self) -> str:
        """One line: services created, changed, unchanged, made inactive; organisations."""
        return (
            f"{self.source}: {self.created:,} services created, {self.changed:,} changed "
            f"(a new version each), {self.unchanged:,} unchanged, {self.deactivated:,} made "
            f"inactive (missing from the file); organisations: "
            f"{self.organisations_created:,} created, {self.organisations_changed:,} changed"
        )


def import_file(
    store: Engine,
    path: Path | str,
    *,
    source: str | None = None,
    full: bool = False,
    area: AreaSet | None = None,
    taxonomy: Taxonomy | None = None,
    options: ImportOptions = DEFAULT_OPTIONS,
    actor: Actor = IMPORT_ACTOR,
    at: datetime | None = None,
) -> StoreImport:
    """Import a directory file into the store.

    Parameters
    ----------
    store
        The store's engine (schema up to date: `analysis.store.migrate.upgrade`).
    path
        The file, of any kind the importer reads.
    source
        The source's name, which matches records on a later import; default the file's
        name.
    full
        The file is the source's whole directory: its services missing from the file
        become inactive.
    area, taxonomy, options
        As for `analysis.ingest.load.load_directory`.
    actor
        Who imports: a reviewer, an admin or the command line (checked, and recorded in
        the history).
    at
        When (UTC); default now.

    Raises
    ------
    IngestError
        When the file cannot be read at all.
    StoreError
        When ``full`` is asked of a file that gives no service to keep.
    """
    raw = read_table(path, format=options.format, sheet=options.sheet)
    directory, report = build_directory(raw, area=area, taxonomy=taxonomy, options=options)
    name = source or Path(path).name
    if full and (report.accepted == 0 or report.lacks):
        why = report.lacks[0] if report.lacks else "no row was accepted"
        raise StoreError(
            f"{report.source}: {why}; with --full every service of {name!r} would be made "
            "inactive, so nothing was imported. Fix: correct the file (see 'python -m "
            f"analysis validate {report.source}'), or import it without --full"
        )
    statuses, terms = source_cells(raw, report, directory)
    return store_directory(
        store,
        directory,
        report=report,
        source=name,
        full=full,
        statuses=statuses,
        source_terms=terms,
        actor=actor,
        at=at,
    )


def store_directory(
    store: Engine,
    directory: Directory,
    *,
    report: ImportReport,
    source: str,
    full: bool = False,
    statuses: Sequence[str] | None = None,
    source_terms: Sequence[Sequence[str]] | None = None,
    actor: Actor = IMPORT_ACTOR,
    at: datetime | None = None,
) -> StoreImport:
    """Store a Directory the importer built, as the records of ``source`` (one transaction).

    ``statuses`` and ``source_terms`` are each service's, positionally (default active,
    none). See `import_file`.
    """
    at = at or utc_now()
    with store.begin() as connection:
        authorise(connection, actor, "import")
        label = actor.label
        import_id = _start_run(connection, report, source=source, full=full, actor=label, at=at)
        orgs, org_ids = _import_records(
            connection,
            ORGANIZATION_RESOURCE,
            organisation_records(directory.organisations),
            source=source,
            actor=label,
            at=at,
            import_id=import_id,
        )
        records = service_records(directory, statuses=statuses, source_terms=source_terms)
        for record in records.values():
            record[ORG_ID] = org_ids[record[ORG_ID]]
        services, _ = _import_records(
            connection,
            SERVICE_RESOURCE,
            records,
            source=source,
            actor=label,
            at=at,
            import_id=import_id,
            full=full,
        )
        outcome, deactivated = services
        counts = {
            "created": len(outcome.created),
            "changed": len(outcome.changed) - deactivated,
            "unchanged": len(outcome.unchanged),
            "deactivated": deactivated,
        }
        run = schema.import_run
        connection.execute(run.update().where(run.c.id == import_id).values(**counts))
        data_version = int(
            connection.execute(sa.select(schema.store_state.c.data_version)).scalar_one()
        )
    org_outcome, _ = orgs
    return StoreImport(
        report=report,
        source=source,
        import_id=import_id,
        organisations_created=len(org_outcome.created),
        organisations_changed=len(org_outcome.changed),
        data_version=data_version,
        **counts,
    )


def _start_run(
    connection: Connection,
    report: ImportReport,
    *,
    source: str,
    full: bool,
    actor: str,
    at: datetime,
) -> int:
    run = schema.import_run
    result = connection.execute(
        run.insert().values(
            source=source,
            file_name=report.source,
            format=report.format,
            full=full,
            started_at=at,
            actor=actor,
            rows_read=report.rows_read,
            accepted=report.accepted,
            rejected=report.rejected,
            created=0,
            changed=0,
            unchanged=0,
            deactivated=0,
        )
    )
    return int(result.inserted_primary_key[0])


def _import_records(
    connection: Connection,
    resource_type: ResourceType,
    records: Mapping[str, Record],
    *,
    source: str,
    actor: str,
    at: datetime,
    import_id: int,
    full: bool = False,
) -> tuple[tuple[WriteOutcome, int], dict[str, str]]:
    """Write one type's records of ``source``; return the outcome, the number made
    inactive, and each source id's store id."""
    stored = stored_records(connection, resource_type, source=source)
    by_source_id = {each.source_id: key for key, each in stored.items()}
    ids = _store_ids(connection, resource_type, list(records), by_source_id, source=source)
    writes = [
        Write(
            resource_type,
            ids[source_id],
            _kept(record, stored.get(ids[source_id])),
            source=source,
            source_id=source_id,
        )
        for source_id, record in records.items()
    ]
    missing: list[Write] = []
    if full and resource_type == SERVICE_RESOURCE:
        missing = [
            Write(resource_type, key, {**each.record, FIELD_STATUS: INACTIVE})
            for source_id, key in by_source_id.items()
            if source_id not in records and (each := stored[key]).record[FIELD_STATUS] != INACTIVE
        ]
    outcome = write_records(
        connection,
        [*writes, *missing],
        stored=stored,
        actor=actor,
        source_kind=BY_IMPORT,
        at=at,
        import_id=import_id,
    )
    return (outcome, len(missing)), ids


def _kept(record: Record, stored: Stored | None) -> Record:
    """The imported record with what an import never sets taken from the stored one."""
    if stored is None:
        return record
    kept = {field: stored.record[field] for field in KEPT_BY_IMPORT if field in stored.record}
    return {**record, **kept}


def _store_ids(
    connection: Connection,
    resource_type: ResourceType,
    source_ids: Sequence[str],
    by_source_id: Mapping[str, str],
    *,
    source: str,
) -> dict[str, str]:
    """Each source id's store id: the one it has, else its own when free, else
    ``SOURCE:ID``."""
    table = schema.service if resource_type == SERVICE_RESOURCE else schema.organization
    new = [each for each in source_ids if each not in by_source_id]
    taken: set[str] = set()
    for batch in batched([*new, *(f"{source}:{each}" for each in new)]):
        taken.update(
            connection.execute(sa.select(table.c.id).where(table.c.id.in_(batch))).scalars()
        )
    ids = dict(by_source_id)
    for each in new:
        candidate, suffix = each, 1
        while candidate in taken:
            candidate = f"{source}:{each}" if suffix == 1 else f"{source}:{each}#{suffix}"
            suffix += 1
        taken.add(candidate)
        ids[each] = candidate
    return {each: ids[each] for each in source_ids}


def source_cells(
    raw: RawTable, report: ImportReport, directory: Directory
) -> tuple[list[str], list[list[str]]]:
    """Each accepted service's status and its source's own category terms, from the file.

    The Directory keeps only our category ids and flags a service the file marks as not
    running; the store keeps the status itself and the words the source used.
    """
    frame = raw.frame
    rows = [int(row) for row in directory.services[SOURCE_ROW]]

    def cells(field: str) -> list[object]:
        column = field if raw.is_canonical else report.mapping_used.get(field)
        if column is None or column not in frame.columns:
            return [""] * len(rows)
        values = frame[column]
        return [values.get(row, "") for row in rows]

    statuses = [
        _STATUS_WORDS.get(str(cell).strip().lower(), ACTIVE) for cell in cells(FIELD_STATUS)
    ]
    terms = [_terms(cell) for cell in cells(CATEGORIES)]
    return statuses, terms


def _terms(cell: object) -> list[str]:
    """A categories cell's terms as the source wrote them, each once, in order."""
    if isinstance(cell, tuple):
        pieces = [
            (term.name or term.code) if isinstance(term, FeedTerm) else str(term) for term in cell
        ]
    else:
        pieces = _TERM_PIECES.split(str(cell or ""))
    return list(dict.fromkeys(piece.strip() for piece in pieces if piece and piece.strip()))
