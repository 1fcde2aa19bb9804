"""Domain errors: each names the thing, the bad value, what was expected and the fix.

The CLI prints ``str(error)`` on one line and exits with ``error.exit_code``; the dashboard
shows the same text as a friendly message. Nothing here ever reaches a user as a traceback.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class SafetyNetError(Exception):
    """Base of every error the project raises on purpose."""

    exit_code: int = 2


class SourceDataError(SafetyNetError):
    """A reference-data source file is missing, unreadable or not of the expected form."""


class AreaDataError(SafetyNetError):
    """A built area folder is missing, incomplete or inconsistent."""


class CRSError(SafetyNetError):
    """A frame is in another coordinate reference system than the function expects."""


class PostcodeError(SafetyNetError):
    """A postcode could not be used."""

    exit_code = 1


class PostcodeFormatError(PostcodeError):
    """The text is not a UK postcode at all."""


class PostcodeNotInAreaError(PostcodeError):
    """A well-formed postcode that the area's postcode table does not hold."""


class PointOutsideAreaError(SafetyNetError):
    """A point lies outside every ward of the area."""

    exit_code = 1


class TaxonomyError(SafetyNetError):
    """The need-category file is malformed, or a category or its indicator columns are unknown."""


class AnalysisError(SafetyNetError):
    """An analysis, report or export was asked for something its inputs cannot give."""


class IngestError(SafetyNetError):
    """A services file cannot be read at all: unknown format, undecodable, malformed, empty.

    Row-level problems never raise: they go into the ingest report. This error is for the
    whole file, and the CLI exits 2 with its one-line message.
    """


class ColumnMappingError(IngestError):
    """The columns of a services file cannot be matched to the template's fields."""


class StoreError(SafetyNetError):
    """The directory's database cannot be opened, migrated, read or written as asked."""


class RecordNotFoundError(StoreError):
    """No organisation or service of the store has the id given."""

    exit_code = 1


class StaleRecordError(StoreError):
    """A record changed since the person saving it opened it (optimistic locking)."""

    exit_code = 1


class RecordMovedError(StaleRecordError):
    """A record changed between a writer's read of it and its write (another process won
    the race); reading it again tells whose values are now stored."""


def check_choice(
    what: str, value: T, allowed: tuple[T, ...], *, error: type[SafetyNetError] = AnalysisError
) -> T:
    """Return ``value`` when it is one of ``allowed``; else raise ``error`` naming both.

    The one check for every closed vocabulary (a level, a delivery mode, a format…), so
    each refusal reads the same: what, the bad value, and the values that would do.
    """
    if value not in allowed:
        raise error(
            f"{what} {value!r} is not known. Fix: use one of {', '.join(map(str, allowed))}."
        )
    return value
