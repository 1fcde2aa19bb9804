"""The directory at past moments, for comparing them: `read_snapshot`, `read_snapshots`.

A `analysis.provision.change.Snapshot` is what the change view needs of one moment: the
Directory of the services open then (as `analysis.store.reads.read_directory` builds it)
analysed over the area, every service record held then whatever its status — archived
ones included, so that closures are seen — and the organisations' names then.
`read_snapshots` reads two moments over one connection, and refuses a pair the history
cannot answer: a moment before the store's first record (the directory held nothing
then), a moment in the future, or an earlier moment after the later one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from analysis.directory import Directory
from analysis.errors import StoreError
from analysis.geography import AreaSet, load_area
from analysis.ingest.locate import AreaShape, area_shape
from analysis.model import FIELD_STATUS, ORG_NAME, SOURCE_ROW
from analysis.provision.change import ARCHIVED as ARCHIVED_STANDING
from analysis.provision.change import OPEN, Snapshot
from analysis.provision.pipeline import Analysis
from analysis.store import schema
from analysis.store.reads import (
    AsOf,
    _connected,
    cutoff,
    organisations_frame,
    records_as_of,
    services_frame,
)
from analysis.store.records import ARCHIVED, Record
from analysis.store.schema import ORGANIZATION_RESOURCE, SERVICE_RESOURCE
from analysis.taxonomy import Taxonomy


def first_record_at(store: Engine | Connection) -> datetime | None:
    """When the store's first record was written (UTC, naive); None when it holds none."""
    with _connected(store) as connection:
        return _first_at(connection)


def read_snapshot(
    store: Engine | Connection,
    *,
    as_of: AsOf | None = None,
    area: AreaSet | None = None,
    shape: AreaShape | None = None,
    taxonomy: Taxonomy | None = None,
    now: datetime | None = None,
) -> Snapshot:
    """The directory at ``as_of`` (default now), ready to compare or analyse.

    Parameters
    ----------
    store
        An engine or a connection.
    as_of
        A date (its end, UTC) or a moment; None for now.
    area
        The reference geography; default the bundled area.
    shape
        The area already prepared (`analysis.ingest.locate.area_shape`); saves its cost.
    taxonomy
        The need categories; default the bundled ones.
    now
        The present moment (UTC), default the clock's: ``as_of`` may not be after it.

    Raises
    ------
    StoreError
        When the store holds no record yet, or ``as_of`` is before its first record or
        after now.
    """
    area, shape, taxonomy = _defaults(area, shape, taxonomy)
    with _connected(store) as connection:
        present = _check_moments(connection, [as_of], now=now)
        return _snapshot(connection, as_of, present, area, shape, taxonomy)


def read_snapshots(
    store: Engine | Connection,
    *,
    earlier: AsOf,
    later: AsOf | None = None,
    area: AreaSet | None = None,
    shape: AreaShape | None = None,
    taxonomy: Taxonomy | None = None,
    now: datetime | None = None,
) -> tuple[Snapshot, Snapshot]:
    """The directory at ``earlier`` and at ``later`` (default now), read in one go.

    Parameters are those of `read_snapshot`; the two snapshots share the area, its shape
    and the taxonomy, so `analysis.provision.change.compare_snapshots` can compare them.

    Raises
    ------
    StoreError
        As `read_snapshot` for either moment, and when ``earlier`` is after ``later``.
    """
    area, shape, taxonomy = _defaults(area, shape, taxonomy)
    with _connected(store) as connection:
        present = _check_moments(connection, [earlier, later], now=now)
        start = cutoff(earlier)
        end = present if later is None else cutoff(later)
        if start > end:
            raise StoreError(
                f"the earlier day {_shown(earlier)} is after the later one {_shown(later)}: a "
                "change runs from the earlier to the later. Fix: swap the two."
            )
        return (
            _snapshot(connection, earlier, present, area, shape, taxonomy),
            _snapshot(connection, later, present, area, shape, taxonomy),
        )


def _defaults(
    area: AreaSet | None, shape: AreaShape | None, taxonomy: Taxonomy | None
) -> tuple[AreaSet, AreaShape, Taxonomy]:
    from analysis.taxonomy_file import load_taxonomy

    area = load_area() if area is None else area
    return (
        area,
        area_shape(area) if shape is None else shape,
        load_taxonomy() if taxonomy is None else taxonomy,
    )


def _snapshot(
    connection: Connection,
    as_of: AsOf | None,
    present: datetime,
    area: AreaSet,
    shape: AreaShape,
    taxonomy: Taxonomy,
) -> Snapshot:
    organisations = records_as_of(connection, ORGANIZATION_RESOURCE, as_of)
    services = records_as_of(connection, SERVICE_RESOURCE, as_of)
    standing = {key: _standing(record) for key, record in services.items()}
    directory = _directory(organisations, services, standing, shape)
    return Snapshot(
        moment=present if as_of is None else cutoff(as_of),
        analysis=Analysis(directory, area, taxonomy),
        records=services,
        standing=standing,
        organisation_names={key: record[ORG_NAME] for key, record in organisations.items()},
    )


def _standing(record: Record) -> str:
    return ARCHIVED_STANDING if record[ARCHIVED] else str(record[FIELD_STATUS])


def _directory(
    organisations: Mapping[str, Record],
    services: Mapping[str, Record],
    standing: Mapping[str, str],
    shape: AreaShape,
) -> Directory:
    """The Directory of the open services, as `analysis.store.reads.read_directory` makes
    it: in the order of their rows, organisations not archived."""
    kept = [(key, record) for key, record in services.items() if standing[key] == OPEN]
    kept.sort(key=lambda item: (item[1][SOURCE_ROW] or 0, item[0]))
    return Directory(
        organisations=organisations_frame(
            {key: record for key, record in organisations.items() if not record[ARCHIVED]}
        ),
        services=services_frame(kept, shape),
    )


def _first_at(connection: Connection) -> datetime | None:
    return connection.execute(sa.select(sa.func.min(schema.change.c.updated_at))).scalar()


def _check_moments(
    connection: Connection, moments: list[AsOf | None], *, now: datetime | None
) -> datetime:
    """The present moment (UTC, naive), once every moment is one the history answers."""
    present = cutoff(now or datetime.now(UTC))
    first = _first_at(connection)
    if first is None:
        raise StoreError(
            "the directory's database holds no record yet, so it has no past to read. Fix: "
            "import a directory first: python -m analysis db import FILE"
        )
    for moment in moments:
        if moment is None:
            continue
        if cutoff(moment) < first:
            raise StoreError(
                f"{_shown(moment)} is before the directory's history starts "
                f"({first:%Y-%m-%d %H:%M} UTC, its first record): it held nothing then. Fix: "
                f"choose a day from {first:%Y-%m-%d} on."
            )
        if _is_after(moment, present):
            raise StoreError(
                f"{_shown(moment)} is in the future (today is {present:%Y-%m-%d}, UTC). Fix: "
                "choose a day up to today, or leave it out for the directory now."
            )
    return present


def _is_after(moment: AsOf, present: datetime) -> bool:
    # A date is a whole day: today's is allowed though its end is still to come.
    if isinstance(moment, datetime):
        return cutoff(moment) > present
    return moment > present.date()


def _shown(moment: AsOf | None) -> str:
    if moment is None:
        return "now"
    if isinstance(moment, datetime):
        return f"{cutoff(moment):%Y-%m-%d %H:%M} UTC"
    return date.isoformat(moment)
