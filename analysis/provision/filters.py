"""Filters: which services an analysis counts, and how much a stale record still counts.

`apply_filters` returns a smaller Directory plus a weight per service; both go straight into
`analysis.provision.metrics.compute_metrics` with the coverage table of the unfiltered
directory, so a filter change never recomputes geometry.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final

import pandas as pd

from analysis import settings
from analysis.directory import Directory
from analysis.errors import AnalysisError, check_choice
from analysis.freshness import checked_series
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AUDIENCE,
    CATEGORIES,
    DELIVERY,
    DELIVERY_MODES,
    DOWN_WEIGHT_STALE,
    EXCLUDE_STALE,
    LAST_UPDATED,
    LAST_VERIFIED,
    ORG_ID,
    ORG_KIND,
    ORGANISATION_KINDS,
    REASON_AUDIENCE,
    REASON_CATEGORY,
    REASON_DELIVERY,
    REASON_INACTIVE,
    REASON_ORG_KIND,
    REASON_STALE,
    SERVICE_ID,
    STALE_HANDLING,
    StaleHandling,
)
from analysis.taxonomy import Taxonomy

_AUDIENCE_SPLIT: Final = re.compile(r"\s*[;,/|]\s*")
# Audiences that mean "open to everyone", like a blank audience.
OPEN_AUDIENCES: Final = frozenset({"everyone", "all", "anyone", "all ages", "general public"})


@dataclass(frozen=True)
class Filters:
    """Which services to count. Empty tuples and None mean "no filter".

    Attributes
    ----------
    categories
        Keep services filed under any of these category ids.
    delivery
        Keep services delivered in any of these modes (``in person``, ``phone``, ``online``,
        ``home delivery``).
    audiences
        Keep services for any of these audiences (case-insensitive), and services open to
        everyone: no stated audience, or one of `OPEN_AUDIENCES` ("everyone", "all", …).
    active_on
        Keep services active on this date (``active_from`` <= date <= ``active_until``,
        a missing bound being open).
    org_kinds
        Keep services of organisations of these kinds.
    stale_after_months
        A record last checked (`analysis.freshness`: the later of its source's date and a
        person's confirmation) more than this many months before ``as_of``, or never, is
        stale.
    stale
        ``"exclude"`` drops stale services; ``"down-weight"`` keeps them with
        ``stale_weight``.
    stale_weight
        Weight of a stale service when down-weighting, between 0 and 1.
    as_of
        The date staleness is measured from; required with ``stale_after_months`` (the
        functions here never read the clock). Given alone, nothing is filtered, but the
        tables count the out-of-date services behind each figure on that day.
    """

    categories: tuple[str, ...] = ()
    delivery: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    active_on: pd.Timestamp | None = None
    org_kinds: tuple[str, ...] = ()
    stale_after_months: int | None = None
    stale: StaleHandling = EXCLUDE_STALE
    stale_weight: float = settings.STALE_WEIGHT
    as_of: pd.Timestamp | None = None

    def __post_init__(self) -> None:
        _check_vocabulary("delivery mode", self.delivery, DELIVERY_MODES)
        _check_vocabulary(REASON_ORG_KIND, self.org_kinds, ORGANISATION_KINDS)
        _check_vocabulary("stale handling", (self.stale,), STALE_HANDLING)
        if not (math.isfinite(self.stale_weight) and 0 <= self.stale_weight <= 1):
            raise AnalysisError(
                f"stale_weight {self.stale_weight!r} is not between 0 and 1. Fix: pass e.g. "
                "0.5 to count a stale record as half a service."
            )
        if self.stale_after_months is not None:
            if self.stale_after_months < 0:
                raise AnalysisError(
                    f"stale_after_months {self.stale_after_months!r} is negative. Fix: pass "
                    "a number of months >= 0, e.g. 12."
                )
            if self.as_of is None:
                raise AnalysisError(
                    "stale_after_months is set but as_of is not, so staleness has no "
                    "reference date. Fix: pass as_of=pandas.Timestamp.today().normalize()."
                )

    def is_empty(self) -> bool:
        """True when no filter is set."""
        return self == Filters(stale=self.stale, stale_weight=self.stale_weight, as_of=self.as_of)


@dataclass(frozen=True, eq=False)
class Selection:
    """The services a filter keeps.

    Attributes
    ----------
    directory
        The Directory with only the kept services (organisations unchanged).
    weights
        Weight of each kept service, indexed by service id: 1, or ``stale_weight`` for a
        down-weighted stale record.
    excluded
        Reason -> number of services dropped for it; a service failing several filters is
        counted under the first, in the order category, delivery, audience, not active,
        organisation kind, stale. Kept + excluded = services read.
    down_weighted
        Number of kept services counted with less than full weight.
    """

    directory: Directory
    weights: pd.Series
    excluded: Mapping[str, int] = field(default_factory=dict)
    down_weighted: int = 0


def checked_on(services: pd.DataFrame) -> pd.Series:
    """When each service was last checked (naive day; NaT when never): a file's services
    by their own date, the store's also by a person's confirmation."""
    verified = services.get(LAST_VERIFIED, pd.Series(pd.NaT, index=services.index))
    return checked_series(services[LAST_UPDATED], verified)


def stale_mask(
    services: pd.DataFrame, as_of: pd.Timestamp, months: int = settings.STALE_AFTER_MONTHS
) -> pd.Series:
    """True for each service last checked more than ``months`` months before ``as_of``, or
    never (`analysis.freshness`)."""
    cutoff = _naive(pd.Timestamp(as_of)) - pd.DateOffset(months=months)
    return ~(checked_on(services) >= cutoff)


def apply_filters(
    directory: Directory, filters: Filters, *, taxonomy: Taxonomy | None = None
) -> Selection:
    """Keep the services that pass ``filters``; weight the stale ones if asked to.

    Parameters
    ----------
    directory
        All services.
    filters
        What to keep.
    taxonomy
        When given, category ids in ``filters`` are checked against it.

    Returns
    -------
    Selection
        The smaller Directory, weights and the count of services dropped per reason.

    Raises
    ------
    TaxonomyError
        For a category id the taxonomy does not know (only with ``taxonomy``).
    """
    if taxonomy is not None:
        for category_id in filters.categories:
            taxonomy.get(category_id)
    services = directory.services
    tests: list[tuple[str, pd.Series]] = []
    if filters.categories:
        tests.append((REASON_CATEGORY, _any_of(services[CATEGORIES], filters.categories)))
    if filters.delivery:
        tests.append((REASON_DELIVERY, _any_of(services[DELIVERY], filters.delivery)))
    if filters.audiences:
        tests.append((REASON_AUDIENCE, _for_audience(services[AUDIENCE], filters.audiences)))
    if filters.active_on is not None:
        tests.append((REASON_INACTIVE, _active_on(services, pd.Timestamp(filters.active_on))))
    if filters.org_kinds:
        kinds = directory.organisations.set_index(ORG_ID)[ORG_KIND]
        kind = services[ORG_ID].map(kinds[~kinds.index.duplicated()])
        tests.append((REASON_ORG_KIND, kind.isin(filters.org_kinds)))
    stale = pd.Series(False, index=services.index)
    if filters.stale_after_months is not None:
        stale = stale_mask(services, pd.Timestamp(filters.as_of), filters.stale_after_months)
        if filters.stale == EXCLUDE_STALE:
            tests.append((REASON_STALE, ~stale))

    keep = pd.Series(True, index=services.index)
    excluded: dict[str, int] = {}
    for reason, passes in tests:
        dropped = keep & ~passes.astype(bool)
        excluded[reason] = int(dropped.sum())
        keep &= ~dropped

    kept = services[keep]
    weight = pd.Series(1.0, index=kept[SERVICE_ID].astype(str).to_numpy(), name="weight")
    down = stale[keep].to_numpy() if filters.stale == DOWN_WEIGHT_STALE else None
    if down is not None:
        weight[down] = filters.stale_weight
    return Selection(
        directory=replace(directory, services=kept),
        weights=weight,
        excluded=excluded,
        down_weighted=int(down.sum()) if down is not None else 0,
    )


def _check_vocabulary(what: str, values: tuple[str, ...], known: tuple[str, ...]) -> None:
    for value in values:
        check_choice(what, value, known)


def _any_of(cells: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    wanted_set = set(wanted)
    return cells.map(lambda values: bool(wanted_set.intersection(_as_tuple(values))))


def _for_audience(cells: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    wanted_set = {value.strip().casefold() for value in wanted}

    def matches(value: object) -> bool:
        terms = {term.strip().casefold() for term in _as_tuple(value, split=True)} - {""}
        return not terms or bool(terms & (wanted_set | OPEN_AUDIENCES))

    return cells.map(matches)


def _as_tuple(value: object, *, split: bool = False) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(_AUDIENCE_SPLIT.split(value)) if split else (value,)
    return tuple(str(item) for item in value)


def _active_on(services: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    day = _naive(day)
    starts = _naive_series(services[ACTIVE_FROM])
    ends = _naive_series(services[ACTIVE_UNTIL])
    return (starts.isna() | (starts <= day)) & (ends.isna() | (ends >= day))


def _naive(stamp: pd.Timestamp) -> pd.Timestamp:
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _naive_series(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values, errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert(None)
    return stamps
