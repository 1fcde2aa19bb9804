"""What the store's tests compare: a Directory's services on the columns that matter."""

from __future__ import annotations

import pandas as pd

from analysis.directory import Directory
from analysis.model import (
    AREA_KIND,
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CONTACT_PUBLIC,
    DELIVERY,
    EMAIL,
    EMAIL_PUBLIC,
    ORG_ID,
    PHONE,
    PHONE_PUBLIC,
    POSTCODE,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    WARD_CODES,
    WEBSITE,
)

MATTERS = [
    ORG_ID,
    SERVICE_NAME,
    CATEGORIES,
    DELIVERY,
    POSTCODE,
    AREA_KIND,
    WARD_CODES,
    RADIUS_M,
    CAPACITY,
    AUDIENCE,
]
"""Columns a Directory must keep through the store, besides where each service is."""
CONTACTS = [CONTACT_PUBLIC, EMAIL_PUBLIC, PHONE_PUBLIC, EMAIL, PHONE, WEBSITE]


def by_id(directory: Directory, columns: list[str]) -> pd.DataFrame:
    """The services' ``columns``, indexed and sorted by service id."""
    frame = pd.DataFrame(directory.services[[SERVICE_ID, *columns]])
    return frame.set_index(SERVICE_ID).sort_index()


def assert_same_services(
    got: Directory, expected: Directory, columns: list[str], *, ids_only_of_expected: bool = False
) -> None:
    """Same ids, same ``columns``, and each service's location within 0.1 m."""
    left, right = by_id(got, columns), by_id(expected, columns)
    assert list(left.index) == list(right.index)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    mine = got.services.set_index(SERVICE_ID).sort_index()
    theirs = expected.services.set_index(SERVICE_ID).sort_index()
    assert (mine.location.isna() == theirs.location.isna()).all()
    placed = theirs.location.notna()
    gap_m = mine.location[placed].distance(theirs.location[placed], align=True)
    assert gap_m.max() < 0.1


__all__ = ["AREA_VALUE", "CONTACTS", "MATTERS", "assert_same_services", "by_id"]
