"""What a checked file will contribute: of its accepted services, how many will count.

A row can be accepted and still add nothing to the maps: a service with no place in the
area, or in no need category, reaches nobody in any need category's table. The import
report counts rows; `file_contribution` counts what those rows will do, so that the
report's headline says it before the row problems (docs/data-format.md, "The report").

Definitions (each of the accepted services):

- **placed**: its area served (a catchment circle around its location, a radius, its
  wards, or the whole authority) is drawn and meets the area's wards;
- **categorised**: it is filed under at least one need category of the taxonomy;
- **active**: its dates (``active_from``, ``active_until``) include the day judged;
- **counts** (covers someone): placed, categorised, active, and it reaches at least one
  neighbourhood with its own catchment, by the Directory's coverage
  (`analysis.provision.coverage.compute_coverage` and `default_reach`: a circle reaches
  the neighbourhoods whose representative point it holds, a list of wards their
  neighbourhoods), as the maps count it.

A service that does not count is counted once, under the first of these it fails, so the
reasons add up to the services that cannot count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Final, Literal

import numpy as np
import pandas as pd
import shapely

from analysis.directory import Directory
from analysis.geography import AreaSet
from analysis.ingest.import_report import ImportReport
from analysis.model import ACTIVE_FROM, ACTIVE_UNTIL, CATEGORIES, CSV_FORMAT, XLSX_FORMAT
from analysis.provision.coverage import compute_coverage, default_reach, has_geometry
from analysis.taxonomy import Taxonomy

Tone = Literal["all_count", "some_count", "none_count"]
"""How the headline is shown: every row read counts, some do, or none does."""
ALL_COUNT, SOME_COUNT, NONE_COUNT = "all_count", "some_count", "none_count"

NO_PLACE: Final = "no_place"
NO_CATEGORY: Final = "no_category"
NOT_ACTIVE: Final = "not_active"
REACHES_NOBODY: Final = "reaches_nobody"
REASONS: Final = (NO_PLACE, NO_CATEGORY, NOT_ACTIVE, REACHES_NOBODY)
"""Why an accepted service cannot count, in the order they are tested."""
_TABLE_FORMATS: Final = frozenset({CSV_FORMAT, XLSX_FORMAT})


@dataclass(frozen=True)
class Contribution:
    """What a file will contribute, in services.

    Attributes
    ----------
    rows_read, accepted, rejected
        As in the file's `ImportReport`.
    placed, categorised
        Accepted services placed in the area; filed under a need category.
    counting
        Accepted services that will count: placed, categorised, active, reaching someone.
    cannot
        Reason -> accepted services that cannot count for it (first reason only), in
        `REASONS` order, zeros left out.
    area_name
        The area judged, for the sentences.
    is_table
        The file is a spreadsheet or CSV (an empty one has a header but no rows).
    """

    rows_read: int
    accepted: int
    rejected: int
    placed: int
    categorised: int
    counting: int
    cannot: dict[str, int] = field(default_factory=dict)
    area_name: str = ""
    is_table: bool = True

    @property
    def usable(self) -> bool:
        """True when at least one service will count (the file covers someone)."""
        return self.counting > 0

    @property
    def tone(self) -> Tone:
        """Every row read counts, some do (others rejected or not counting), or none."""
        if not self.usable:
            return NONE_COUNT
        return ALL_COUNT if self.counting == self.rows_read else SOME_COUNT

    def headline(self) -> str:
        """One sentence: how many services will count, why the others cannot."""
        if self.rows_read == 0:
            if self.is_table:
                return (
                    "The file has a header but no rows: add one row per service under the "
                    "header, then upload it again."
                )
            return "The file holds no services, so nothing will count."
        if self.accepted == 0:
            return (
                f"No service will count: none of the {self.rows_read:,} rows read was "
                "accepted (each reason and its fix is below)."
            )
        lead = f"{_services(self.counting)} will count" if self.usable else "No service will count"
        parts = [
            f"{lead}: of {_services(self.accepted)} accepted, {self.categorised:,} "
            f"{_be(self.categorised)} in a need category and {self.placed:,} "
            f"{_be(self.placed)} placed in {self.area_name}"
        ]
        not_counting = self.accepted - self.counting
        if not_counting:
            why = ", ".join(_REASON_WORDS[reason](n) for reason, n in self.cannot.items())
            parts.append(f"{_services(not_counting)} cannot count: {why}")
        if self.rejected:
            parts.append(f"{self.rejected:,} rejected rows add nothing (below)")
        return "; ".join(parts) + "."


_REASON_WORDS: Final = {
    NO_PLACE: lambda n: f"{n:,} {_have(n)} no place in the area",
    NO_CATEGORY: lambda n: f"{n:,} {_have(n)} no need category",
    NOT_ACTIVE: lambda n: f"{n:,} {_be(n)} not active today",
    REACHES_NOBODY: lambda n: f"{n:,} {_reach(n)} no neighbourhood with {_its(n)} catchment",
}


def file_contribution(
    directory: Directory,
    report: ImportReport,
    *,
    area: AreaSet,
    taxonomy: Taxonomy,
    as_of: date | None = None,
) -> Contribution:
    """Count the accepted services of a checked file that will count, and why others won't.

    Parameters
    ----------
    directory, report
        The file's accepted services and its report (`analysis.ingest.load`).
    area, taxonomy
        The area and need categories the file was checked against.
    as_of
        The day services are judged active on; default today.
    """
    services = directory.services
    made = partial(
        Contribution,
        rows_read=report.rows_read,
        accepted=report.accepted,
        rejected=report.rejected,
        area_name=area.name,
        is_table=report.format in _TABLE_FORMATS,
    )
    if services.empty:
        return made(placed=0, categorised=0, counting=0)
    coverage = compute_coverage(directory, area, taxonomy)
    drawn = has_geometry(services.geometry.to_numpy())
    placed = drawn & shapely.intersects(
        np.where(drawn, services.geometry.to_numpy(), None), coverage.outline.outline
    )
    known = set(taxonomy.ids())
    categorised = services[CATEGORIES].map(lambda ids: bool(known.intersection(ids))).to_numpy()
    active = _active(services, pd.Timestamp(as_of or date.today()))
    reaches = np.asarray(default_reach(coverage).sum(axis=1)).ravel() > 0
    failed = {
        NO_PLACE: ~placed,
        NO_CATEGORY: placed & ~categorised,
        NOT_ACTIVE: placed & categorised & ~active,
        REACHES_NOBODY: placed & categorised & active & ~reaches,
    }
    counting = placed & categorised & active & reaches
    return made(
        placed=int(placed.sum()),
        categorised=int(categorised.sum()),
        counting=int(counting.sum()),
        cannot={reason: int(mask.sum()) for reason, mask in failed.items() if mask.any()},
    )


def _active(services: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    """Per service: its dates include ``day`` (a missing bound is open)."""
    starts, ends = (_naive(services[column]) for column in (ACTIVE_FROM, ACTIVE_UNTIL))
    return ((starts.isna() | (starts <= day)) & (ends.isna() | (ends >= day))).to_numpy(bool)


def _naive(values: pd.Series) -> pd.Series:
    """Dates without their time zone, so they compare with a plain day."""
    stamps = pd.to_datetime(values, errors="coerce")
    return stamps.dt.tz_convert(None) if getattr(stamps.dt, "tz", None) is not None else stamps


def _services(count: int) -> str:
    return f"{count:,} service" if count == 1 else f"{count:,} services"


def _have(count: int) -> str:
    return "has" if count == 1 else "have"


def _be(count: int) -> str:
    return "is" if count == 1 else "are"


def _its(count: int) -> str:
    return "its" if count == 1 else "their"


def _reach(count: int) -> str:
    return "reaches" if count == 1 else "reach"
