"""When a service was last checked, and whether it is stale: one rule for every part.

A service is *checked* when a person confirms it (``last_verified``, set by "still
correct" or by a person's published change) or when its source dates it
(``last_updated``, the date the file gives). Its last check is the later of the two; a
service with neither was never checked. It is *stale* when its last check is more than
`settings.STALE_AFTER_MONTHS` months before the day asked about, or it was never checked
(ALISS: entries go stale within a year unless someone is asked). Its editors are reminded
`settings.REMINDER_MONTHS` months after the last check.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from analysis import settings


def last_checked(last_updated: date | None, last_verified: datetime | date | None) -> date | None:
    """The later of the source's date and a person's confirmation; None when neither."""
    days = [_day(value) for value in (last_updated, last_verified)]
    known = [day for day in days if day is not None]
    return max(known) if known else None


def months_after(day: date, months: int) -> date:
    """``day`` moved on by whole calendar months (31 January + 1 month = 28 February)."""
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def is_stale(checked: date | None, as_of: date, months: int = settings.STALE_AFTER_MONTHS) -> bool:
    """True when ``checked`` is more than ``months`` months before ``as_of``, or None."""
    return checked is None or months_after(checked, months) < as_of


def checked_series(last_updated: pd.Series, last_verified: pd.Series) -> pd.Series:
    """`last_checked` of each row, as naive timestamps (NaT when never checked)."""
    updated = _naive(pd.to_datetime(last_updated, errors="coerce")).dt.normalize()
    verified = _naive(pd.to_datetime(last_verified, errors="coerce")).dt.normalize()
    return pd.concat([updated, verified], axis=1).max(axis=1)


def _naive(values: pd.Series) -> pd.Series:
    if getattr(values.dt, "tz", None) is not None:
        return values.dt.tz_convert(None)
    return values


def _day(value: date | datetime | None) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.date()
    return value
