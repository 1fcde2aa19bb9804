"""``db export``: the store's directory as a file our importer reads back.

- ``.csv`` / ``.xlsx``: the template's columns (`analysis.outputs.accepted`), one row per
  service (archived ones left out), with its ``status``. It keeps every contact detail,
  with ``contact_public`` (the website's, and the others' default), ``email_public`` and
  ``phone_public`` saying which may be shown: a file for the directory's keepers, not for
  publishing.
- ``.json``: an Open Referral UK 3.0 page (`analysis.store.oruk_json`), a publishing
  format: each contact detail not marked public is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy.engine import Engine

from analysis.errors import StoreError
from analysis.geography import AreaSet
from analysis.model import FIELD_STATUS, SERVICE_ID
from analysis.outputs.accepted import ACCEPTED_FLAGS, ACCEPTED_ROW, accepted_frame
from analysis.outputs.export import csv_bytes, xlsx_bytes
from analysis.store.oruk_json import oruk_json_bytes
from analysis.store.reads import AsOf, read_directory
from analysis.store.records import organisation_records
from analysis.store.schema import SERVICE_STATUSES

EXPORT_SUFFIXES: Final = (".csv", ".xlsx", ".json")
SHEET_NAME: Final = "directory"


@dataclass(frozen=True)
class Exported:
    """What was written: the file, and how many services and organisations it holds."""

    path: Path
    services: int
    organisations: int


def export_store(
    store: Engine, path: Path | str, *, as_of: AsOf | None = None, area: AreaSet | None = None
) -> Exported:
    """Write the store's directory (on ``as_of``, default now) to ``path``.

    Raises
    ------
    StoreError
        When the file's extension is not one of `EXPORT_SUFFIXES`.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise StoreError(
            f"cannot export the directory to {target.name}: the kind of file is not known. Fix: "
            f"name it with one of {', '.join(EXPORT_SUFFIXES)}, e.g. directory.csv"
        )
    directory, records = read_directory(store, as_of=as_of, area=area, statuses=SERVICE_STATUSES)
    if suffix == ".json":
        services = dict(zip(directory.services[SERVICE_ID], records, strict=True))
        organisations = organisation_records(directory.organisations)
        data = oruk_json_bytes(services, organisations)
    else:
        frame = accepted_frame(directory).drop(columns=[ACCEPTED_FLAGS, ACCEPTED_ROW])
        frame[FIELD_STATUS] = [record[FIELD_STATUS] for record in records]
        data = (
            csv_bytes(frame, byte_order_mark=True)
            if suffix == ".csv"
            else xlsx_bytes({SHEET_NAME: frame})
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return Exported(target, len(directory.services), len(directory.organisations))
