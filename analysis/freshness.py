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

from datetime import date, datetime, timedelta

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


def stale_from(checked: date, months: int = settings.STALE_AFTER_MONTHS) -> date:
    """The first day a service last checked on ``checked`` counts as stale."""
    return months_after(checked, months) + timedelta(days=1)


def next_reminder(
    checked: date | None, today: date, months: tuple[int, ...] = settings.REMINDER_MONTHS
) -> date | None:
    """The next reminder date on or after ``today`` of a service last checked on
    ``checked``; None when never checked or past the last one."""
    if checked is None:
        return None
    upcoming = [months_after(checked, after) for after in months]
    return next((day for day in upcoming if day >= today), None)


def whole_months(checked: date, today: date) -> int:
    """Whole calendar months from ``checked`` to ``today`` (0 when ``today`` is earlier),
    counted as `months_after` moves dates, so that an entry is stale exactly when more
    than `settings.STALE_AFTER_MONTHS` months and a day have passed."""
    months = max(0, (today.year - checked.year) * 12 + today.month - checked.month)
    while months > 0 and months_after(checked, months) > today:
        months -= 1
    return months


def cycle_sentence(checked: date | None, today: date) -> str:
    """Where a service stands in the review cycle, in words for its editors."""
    if checked is None:
        return (
            "never checked, so it counts as out of date until someone confirms it is still correct."
        )
    age = whole_months(checked, today)
    ago = "this month" if age < 1 else f"{age} month{'s' if age != 1 else ''} ago"
    said = f"last checked on {long_day(checked)} ({ago})"
    if is_stale(checked, today):
        return f"{said}: over a year ago, so the maps mark it out of date until it is confirmed."
    reminder = next_reminder(checked, today)
    then = f" Its editors are reminded on {long_day(reminder)};" if reminder else ""
    return f"{said}.{then} it counts as out of date from {long_day(stale_from(checked))}."


def long_day(day: date) -> str:
    """A date as people write it: 3 March 2026."""
    return f"{day.day} {day:%B %Y}"


def day_of(text: str | None) -> date | None:
    """The day of a stored date (``2026-03-03``) or time (``2026-03-03T10:00:00``)."""
    if not text:
        return None
    return datetime.fromisoformat(str(text)).date()


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
