"""The accepted rows as the importer understood them, in the template's columns.

A user who brought in a file with broad terms, a mapping or file-level defaults checks
here what each row became (category ids, location, area served, capacity, the warnings
kept), corrects it in a spreadsheet and loads the corrected file next time: it reads
back with the template's own headers, no mapping needed.

This file is the uploader's own: it keeps every contact detail, with ``contact_public``
(the website's), ``email_public`` and ``phone_public`` saying which ones may be shown. It
is never a public export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from analysis.crs import bng_to_lonlat
from analysis.directory import Directory
from analysis.ingest.area_lookup import APPROXIMATE
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
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_SERVICE_DESCRIPTION,
    FIELD_SERVICE_EMAIL,
    FIELD_SERVICE_PHONE,
    FIELD_SERVICE_WEBSITE,
    FLAGS,
    LAST_UPDATED,
    LIST_SEPARATOR,
    LOCATION,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_KM,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    SOURCE_ROW,
    WARD_CODES,
    WARDS,
    WEBSITE,
)
from analysis.outputs.export import csv_bytes

ACCEPTED_FLAGS: Final = "import_warnings"
"""Column of the warnings kept with each accepted row (not a template field: ignored when
the file is read again)."""
ACCEPTED_ROW: Final = "row_in_file"
"""Column of each service's row in the file it came from (ignored when read again)."""
_SERVICE_CONTACTS: Final = {
    EMAIL: FIELD_SERVICE_EMAIL,
    PHONE: FIELD_SERVICE_PHONE,
    WEBSITE: FIELD_SERVICE_WEBSITE,
}


def accepted_frame(directory: Directory) -> pd.DataFrame:
    """One row per accepted service, in the template's columns, as the importer read it.

    Notes
    -----
    Categories are ids, delivery modes the template's words, the location the first
    venue's postcode and WGS84 latitude and longitude (6 decimals, about 0.1 m), the area
    served the kind and its value (radius in km, or ward codes). A service's own email,
    phone or website is written only where it differs from its organisation's.
    """
    services = pd.DataFrame(directory.services.drop(columns=directory.services.geometry.name))
    orgs = directory.organisations.set_index(ORG_ID)
    org = orgs.reindex(services[ORG_ID])
    lon, lat = _lonlat(directory.services[LOCATION])
    # A district's centroid is no exact point: the district alone reads back approximate.
    approximate = services[FLAGS].map(lambda flags: APPROXIMATE in flags).to_numpy()
    lon, lat = np.where(approximate, np.nan, lon), np.where(approximate, np.nan, lat)
    frame = pd.DataFrame(
        {
            ORG_ID: services[ORG_ID].to_numpy(),
            ORG_NAME: org[ORG_NAME].to_numpy(),
            FIELD_ORG_KIND: org[ORG_KIND].to_numpy(),
            CHARITY_NUMBER: org[CHARITY_NUMBER].to_numpy(),
            WEBSITE: org[WEBSITE].to_numpy(),
            EMAIL: org[EMAIL].to_numpy(),
            PHONE: org[PHONE].to_numpy(),
            FIELD_ORG_DESCRIPTION: org[DESCRIPTION].to_numpy(),
            SERVICE_ID: services[SERVICE_ID].to_numpy(),
            SERVICE_NAME: services[SERVICE_NAME].to_numpy(),
            FIELD_SERVICE_DESCRIPTION: services[DESCRIPTION].to_numpy(),
            CATEGORIES: services[CATEGORIES].map(LIST_SEPARATOR.join).to_numpy(),
            DELIVERY: services[DELIVERY].map(LIST_SEPARATOR.join).to_numpy(),
            POSTCODE: services[POSTCODE].to_numpy(),
            FIELD_LATITUDE: lat,
            FIELD_LONGITUDE: lon,
            FIELD_AREA_SERVED: services[AREA_KIND].to_numpy(),
            AREA_VALUE: [_area_value(row) for row in services.to_dict("records")],
            CAPACITY: services[CAPACITY].to_numpy(),
            AUDIENCE: services[AUDIENCE].to_numpy(),
            ACTIVE_FROM: _days(services[ACTIVE_FROM]),
            ACTIVE_UNTIL: _days(services[ACTIVE_UNTIL]),
            LAST_UPDATED: _days(services[LAST_UPDATED]),
            **{
                flag: np.where(services[flag].astype(bool), "yes", "no")
                for flag in (CONTACT_PUBLIC, EMAIL_PUBLIC, PHONE_PUBLIC)
            },
        }
    )
    for org_field, own_field in _SERVICE_CONTACTS.items():
        own = services[org_field].fillna("").to_numpy()
        frame[own_field] = np.where(own == frame[org_field].fillna("").to_numpy(), "", own)
    frame[ACCEPTED_FLAGS] = services[FLAGS].map(LIST_SEPARATOR.join).to_numpy()
    frame[ACCEPTED_ROW] = services[SOURCE_ROW].to_numpy()
    return frame


def accepted_csv_bytes(directory: Directory) -> bytes:
    """`accepted_frame` as UTF-8 CSV (with the byte-order mark Excel needs)."""
    return csv_bytes(accepted_frame(directory), byte_order_mark=True)


def write_accepted_csv(directory: Directory, path: Path | str) -> Path:
    """Write `accepted_csv_bytes` to ``path`` (folders made as needed); return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(accepted_csv_bytes(directory))
    return target


def _lonlat(points: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude and latitude of each point (EPSG:27700), NaN where there is none."""
    has_point = points.notna().to_numpy() & ~points.is_empty.fillna(True).to_numpy()
    x = np.where(has_point, points.x.to_numpy(dtype=float, na_value=np.nan), np.nan)
    y = np.where(has_point, points.y.to_numpy(dtype=float, na_value=np.nan), np.nan)
    lon, lat = (np.asarray(values, dtype=float) for values in bng_to_lonlat(x, y))
    # The transform turns a missing point's NaN into infinity: keep it missing.
    return np.round(np.where(has_point, lon, np.nan), 6), np.round(
        np.where(has_point, lat, np.nan), 6
    )


def _area_value(service: dict) -> str:
    """The area served's value as the template writes it: km, or ward codes."""
    if service[AREA_KIND] == RADIUS_KM:
        return f"{service[RADIUS_M] / 1000:g}"
    if service[AREA_KIND] == WARDS:
        return LIST_SEPARATOR.join(service[WARD_CODES])
    return ""


def _days(values: pd.Series) -> list[str]:
    """Dates as YYYY-MM-DD text; blank where there is none."""
    return [value.strftime("%Y-%m-%d") if pd.notna(value) else "" for value in values]
