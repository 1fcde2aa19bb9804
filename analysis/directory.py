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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from analysis.crs import ensure_crs
from analysis.model import (
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    CRS_COMPUTE,
    DETAIL_PUBLIC,
    ORG_COLUMNS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    SERVICE_COLUMNS,
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


def is_detail_public(row: Mapping[str, Any], detail: str) -> bool:
    """Whether one contact detail (website, email or phone) of a record may be shown publicly.

    ``row`` is an organisation or a service: a Directory's row or a store's record, which
    share the column names. A record without the detail's own flag (one made before each
    detail had one) shows or hides it with its ``contact_public``.
    """
    flag = row.get(DETAIL_PUBLIC[detail])
    if flag is None or pd.isna(flag):
        flag = row.get(CONTACT_PUBLIC)
    return flag is not None and not pd.isna(flag) and bool(flag)
