"""Records: an organisation or a service as one dict of plain values, the unit of history.

A record holds every field a person can change, keyed by the data model's column names
(`analysis.model`) plus the store's own (status, archived, last verified, the source's
own terms, the capacity's unit). Its values are plain JSON values — text, numbers or
None, booleans, lists; dates as ``YYYY-MM-DD``, times as ISO text, venues as
``[easting, northing]`` in EPSG:27700 metres rounded to the millimetre — so that two
records compare equal exactly when nothing changed, and a change's before and after are
stored as JSON in the history.

A Directory's frames become records here (`organisation_records`, `service_records`),
and records become a Directory's frames again in `analysis.store.reads`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely

from analysis.directory import Directory
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_KIND,
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    FIELD_STATUS,
    FLAGS,
    LAST_UPDATED,
    LAST_VERIFIED,
    LOCATIONS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    SOURCE_ROW,
    WARD_CODES,
    WEBSITE,
)
from analysis.store import config
from analysis.store.schema import ACTIVE

Record = dict[str, Any]
"""One organisation or service: field -> plain value."""

# The store's own fields (the model's columns are used for the rest).
ARCHIVED: Final = "archived"
"""True when the record is deleted (softly: it stays, with its history, restorable)."""
SOURCE_TERMS: Final = "source_terms"
"""The source's own words for what the service does, as its file gave them."""
CAPACITY_UNIT: Final = "capacity_unit"
"""The unit of the capacity (`config.CAPACITY_UNIT`)."""

ORGANISATION_FIELDS: Final = (
    ORG_NAME,
    ORG_KIND,
    CHARITY_NUMBER,
    WEBSITE,
    EMAIL,
    PHONE,
    DESCRIPTION,
    LAST_UPDATED,
    CONTACT_PUBLIC,
    EMAIL_PUBLIC,
    PHONE_PUBLIC,
    ARCHIVED,
)
"""The fields of an organisation record, each versioned."""

SERVICE_FIELDS: Final = (
    ORG_ID,
    SERVICE_NAME,
    DESCRIPTION,
    CATEGORIES,
    SOURCE_TERMS,
    DELIVERY,
    POSTCODE,
    LOCATIONS,
    AREA_KIND,
    AREA_VALUE,
    RADIUS_M,
    WARD_CODES,
    CAPACITY,
    CAPACITY_UNIT,
    AUDIENCE,
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    LAST_UPDATED,
    EMAIL,
    PHONE,
    WEBSITE,
    CONTACT_PUBLIC,
    EMAIL_PUBLIC,
    PHONE_PUBLIC,
    FIELD_STATUS,
    ARCHIVED,
    LAST_VERIFIED,
)
"""The fields of a service record, each versioned."""

IMPORT_NOTES: Final = (FLAGS, SOURCE_ROW)
"""What the last import said about a service (its warnings, its row in the file): kept
with the record to show, but not versioned — importing a file again is no change."""

KEPT_BY_IMPORT: Final = (ARCHIVED, LAST_VERIFIED)
"""Fields an import never sets: a deletion and a verification are people's acts."""

_LIST_FIELDS: Final = frozenset({CATEGORIES, SOURCE_TERMS, DELIVERY, WARD_CODES, FLAGS})
_DATE_FIELDS: Final = frozenset({ACTIVE_FROM, ACTIVE_UNTIL, LAST_UPDATED})
_NUMBER_FIELDS: Final = frozenset({CAPACITY, RADIUS_M})
_DETAIL_FLAGS: Final = (EMAIL_PUBLIC, PHONE_PUBLIC)
_BOOL_FIELDS: Final = frozenset({CONTACT_PUBLIC, *_DETAIL_FLAGS, ARCHIVED})
_MM: Final = 3
"""Decimals kept of a venue's coordinates in metres (a millimetre)."""


def with_detail_flags(record: Mapping[str, Any]) -> Record:
    """``record`` with the email's and the phone's flags, its contact_public where it has none.

    Records written before each detail had its own flag (a proposal's, a frame of an older
    file) showed or hid all their details together: they keep doing so.
    """
    out = dict(record)
    if CONTACT_PUBLIC in out:
        for flag in _DETAIL_FLAGS:
            if out.get(flag) is None or _is_nan(out[flag]):
                out[flag] = out[CONTACT_PUBLIC]
    return out


def organisation_records(organisations_df: pd.DataFrame) -> dict[str, Record]:
    """Each organisation of a Directory as a record, by its id (not yet archived)."""
    records: dict[str, Record] = {}
    for row in organisations_df.to_dict("records"):
        row = with_detail_flags(row)
        record = {field: plain(field, row.get(field)) for field in ORGANISATION_FIELDS}
        record[ARCHIVED] = False
        records[str(row[ORG_ID])] = record
    return records


def service_records(
    directory: Directory,
    *,
    statuses: Sequence[str] | None = None,
    source_terms: Sequence[Sequence[str]] | None = None,
) -> dict[str, Record]:
    """Each service of a Directory as a record, by its id.

    Parameters
    ----------
    directory
        The services, as the importer built them.
    statuses
        Each service's status, positionally; default all active.
    source_terms
        Each service's terms as its source gave them, positionally; default none.
    """
    services = directory.services
    venues = _venues(services[LOCATIONS].to_numpy())
    frame = pd.DataFrame(services.drop(columns=[services.geometry.name, LOCATIONS]))
    records: dict[str, Record] = {}
    for position, row in enumerate(frame.to_dict("records")):
        row = with_detail_flags(row)
        record: Record = {
            field: plain(field, row.get(field))
            for field in SERVICE_FIELDS
            if field not in (LOCATIONS, SOURCE_TERMS, CAPACITY_UNIT, FIELD_STATUS)
        }
        record[LOCATIONS] = venues[position]
        record[SOURCE_TERMS] = list(source_terms[position]) if source_terms else []
        record[CAPACITY_UNIT] = config.CAPACITY_UNIT
        record[FIELD_STATUS] = statuses[position] if statuses else ACTIVE
        record[ARCHIVED] = False
        record[LAST_VERIFIED] = None
        record[FLAGS] = plain(FLAGS, row.get(FLAGS))
        record[SOURCE_ROW] = int(row.get(SOURCE_ROW) or 0)
        records[str(row[SERVICE_ID])] = {field: record[field] for field in _ORDER}
    return records


_ORDER: Final = (*SERVICE_FIELDS, *IMPORT_NOTES)


def _venues(geometries: np.ndarray) -> list[list[list[float]]]:
    """Each service's venues as [[easting, northing], ...] (EPSG:27700, to the mm)."""
    coords, index = shapely.get_coordinates(geometries, return_index=True)
    out: list[list[list[float]]] = [[] for _ in range(len(geometries))]
    for (x, y), position in zip(np.round(coords, _MM).tolist(), index.tolist(), strict=True):
        out[position].append([x, y])
    return out


def plain(field: str, value: Any) -> Any:
    """``value`` of ``field`` as the record's plain value (see the module's notes)."""
    if field in _LIST_FIELDS:
        return [str(item) for item in value] if isinstance(value, list | tuple) else []
    if field in _DATE_FIELDS:
        return day_text(value)
    if field in _NUMBER_FIELDS:
        return None if value is None or _is_nan(value) else float(value)
    if field in _BOOL_FIELDS:
        return bool(value) if value is not None and not _is_nan(value) else False
    if field == LAST_VERIFIED:
        return time_text(value)
    return "" if value is None or _is_nan(value) else str(value)


def _is_nan(value: Any) -> bool:
    return (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def day_text(value: Any) -> str | None:
    """A date as ``YYYY-MM-DD``; None for a missing one."""
    if value is None or _is_nan(value) or value == "":
        return None
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, date):  # a datetime too: its day
        return value.isoformat()[:10]
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def time_text(value: Any) -> str | None:
    """A time as ISO text (seconds); None for a missing one."""
    if value is None or _is_nan(value) or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return pd.Timestamp(value).isoformat(timespec="seconds")


def as_date(text: str | None) -> date | None:
    """A record's date text as a date (for a Date column)."""
    return None if text is None else date.fromisoformat(text)


def as_datetime(text: str | None) -> datetime | None:
    """A record's time text as a naive UTC datetime (for a DateTime column)."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=None)


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any], fields: Sequence[str]):
    """The fields whose values differ between two records, in the fields' order."""
    return [field for field in fields if before.get(field) != after.get(field)]


def to_json(value: Any) -> str:
    """A plain value as the JSON text the history stores."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str | None) -> Any:
    """The plain value of a history's JSON text (None stays None)."""
    return None if text is None else json.loads(text)
