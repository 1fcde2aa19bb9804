"""The Directory: its columns and CRS are checked, and services meet their organisations."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely import box

from analysis.directory import Directory
from analysis.errors import CRSError
from analysis.model import (
    CAPACITY,
    CHARITY_NUMBER,
    CRS_DISPLAY,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    SERVICE_COLUMNS,
    SERVICE_ID,
    SERVICE_NAME,
)
from tests.analysis.tiny import make_directory, service

ORGS = [
    {ORG_ID: "A", ORG_NAME: "Heron Trust", ORG_KIND: "charity", CHARITY_NUMBER: "9900001"},
    {ORG_ID: "B", ORG_NAME: "Otter Group", ORG_KIND: "mutual aid group"},
]


def _directory() -> Directory:
    return make_directory(
        [
            service("S1", box(0, 0, 1000, 1000), org_id="A"),
            service("S2", box(0, 0, 1000, 1000), org_id="B"),
            service("S3", box(0, 0, 1000, 1000), org_id="Z"),  # organisation not listed
        ],
        organisations=ORGS,
    )


def test_services_with_organisations_adds_name_kind_and_charity_number():
    directory = _directory()
    joined = directory.services_with_organisations()
    assert joined[SERVICE_ID].tolist() == ["S1", "S2", "S3"]
    assert joined[ORG_NAME].tolist()[:2] == ["Heron Trust", "Otter Group"]
    assert joined[ORG_KIND].tolist()[:2] == ["charity", "mutual aid group"]
    assert joined[CHARITY_NUMBER].tolist()[0] == "9900001"
    assert pd.isna(joined[CHARITY_NUMBER].iloc[1])
    # A service whose organisation is unknown is kept, with no organisation details.
    assert joined[ORG_NAME].isna().tolist() == [False, False, True]
    assert joined.crs == directory.services.crs
    assert list(joined.columns[: len(SERVICE_COLUMNS)]) == list(SERVICE_COLUMNS)
    assert ORG_NAME not in directory.services.columns  # the Directory is not changed


def test_missing_service_columns_are_refused_by_name():
    directory = _directory()
    services = directory.services.drop(columns=[SERVICE_NAME, CAPACITY])
    with pytest.raises(
        ValueError, match=r"^services frame lacks columns \['service_name', 'capacity'\]$"
    ):
        Directory(organisations=directory.organisations, services=services)


def test_missing_organisation_columns_are_refused_by_name():
    directory = _directory()
    organisations = directory.organisations.drop(columns=[ORG_KIND])
    with pytest.raises(ValueError, match=r"^organisations frame lacks columns \['kind'\]$"):
        Directory(organisations=organisations, services=directory.services)


def test_services_in_another_crs_are_refused():
    directory = _directory()
    with pytest.raises(CRSError, match=r"^services is in EPSG:4326, expected EPSG:27700\. Fix"):
        Directory(
            organisations=directory.organisations, services=directory.services.to_crs(CRS_DISPLAY)
        )
