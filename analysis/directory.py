"""The Directory: organisations and the services they run, as the data model describes them.

Ingest (`analysis.ingest.load`) makes it from a file; coverage and metrics read it. It is
immutable by convention: functions return new frames, never edit these in place.

Organisations (`pandas.DataFrame`, one row per organisation), columns `ORG_COLUMNS`.

Services (`geopandas.GeoDataFrame` in EPSG:27700, one row per service), columns
`SERVICE_COLUMNS`. The active geometry ``geometry`` is the **area served** (a polygon:
a catchment circle, a radius, the union of listed wards, or the whole authority);
``location`` is the service's point (empty for services with no address, e.g. a phone
line). Multi-valued fields (categories, delivery, ward codes, flags) hold tuples of str.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import pandas as pd

from analysis.crs import ensure_crs
from analysis.model import CRS_COMPUTE

# Organisation columns.
ORG_ID: Final = "org_id"
ORG_NAME: Final = "org_name"
ORG_KIND: Final = "kind"
CHARITY_NUMBER: Final = "charity_number"
WEBSITE: Final = "website"
EMAIL: Final = "email"
PHONE: Final = "phone"
DESCRIPTION: Final = "description"
LAST_UPDATED: Final = "last_updated"
CONTACT_PUBLIC: Final = "contact_public"
ORG_COLUMNS: Final = (
    ORG_ID,
    ORG_NAME,
    ORG_KIND,
    CHARITY_NUMBER,
    WEBSITE,
    EMAIL,
    PHONE,
    DESCRIPTION,
    LAST_UPDATED,
    CONTACT_PUBLIC,
)

# Service columns.
SERVICE_ID: Final = "service_id"
SERVICE_NAME: Final = "service_name"
CATEGORIES: Final = "categories"  # tuple of category ids; () = uncategorised (flagged)
DELIVERY: Final = "delivery"  # tuple of DeliveryMode
POSTCODE: Final = "postcode"
AREA_KIND: Final = "area_kind"  # AreaServedKind
AREA_VALUE: Final = "area_value"  # as given: radius in km, ward codes/names, or ""
RADIUS_M: Final = "radius_m"  # catchment radius used for at_location / radius_km, else NaN
WARD_CODES: Final = "ward_codes"  # tuple of ward codes for `wards`, else ()
CAPACITY: Final = "capacity"  # people per week; 1.0 (one "unit") when not given
AUDIENCE: Final = "audience"
ACTIVE_FROM: Final = "active_from"  # pandas Timestamp or NaT
ACTIVE_UNTIL: Final = "active_until"
LOCATION: Final = "location"  # Point in EPSG:27700, or None
FLAGS: Final = "flags"  # tuple of warning codes kept with an accepted row
SOURCE_ROW: Final = "source_row"  # row in its file as a spreadsheet shows it (header = 1)
SERVICE_COLUMNS: Final = (
    SERVICE_ID,
    ORG_ID,
    SERVICE_NAME,
    DESCRIPTION,
    CATEGORIES,
    DELIVERY,
    POSTCODE,
    AREA_KIND,
    AREA_VALUE,
    RADIUS_M,
    WARD_CODES,
    CAPACITY,
    AUDIENCE,
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    LAST_UPDATED,
    CONTACT_PUBLIC,
    EMAIL,
    PHONE,
    WEBSITE,
    FLAGS,
    SOURCE_ROW,
    LOCATION,
)


@dataclass(frozen=True)
class Directory:
    """Organisations and services of one area, services' areas in EPSG:27700."""

    organisations: pd.DataFrame
    services: gpd.GeoDataFrame

    def __post_init__(self) -> None:
        ensure_crs(self.services, CRS_COMPUTE, name="services")
        missing = [c for c in SERVICE_COLUMNS if c not in self.services.columns]
        if missing:
            raise ValueError(f"services frame lacks columns {missing}")
        missing = [c for c in ORG_COLUMNS if c not in self.organisations.columns]
        if missing:
            raise ValueError(f"organisations frame lacks columns {missing}")

    def services_with_organisations(self) -> gpd.GeoDataFrame:
        """Services joined to their organisation's name, kind and charity number."""
        orgs = self.organisations[[ORG_ID, ORG_NAME, ORG_KIND, CHARITY_NUMBER]]
        return self.services.merge(orgs, on=ORG_ID, how="left")
