"""What the demo directory is designed to show: its gaps, duplicate streets and phone lines.

`design` draws the story of a seed: the outer wards that lack local provision in a couple
of categories, the streets where several organisations run the same kind of service, and
the categories with a citywide phone line. `DemoStory` holds it, so the generator
(`analysis.demo.layout`) can keep to it and tests can check the file against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from analysis.demo.names import CATEGORY_AUDIENCES, OPEN_AUDIENCE, category_share
from analysis.model import POSTCODE
from analysis.settings import DEFAULT_CATEGORY, ROBUSTNESS_CATCHMENT_FACTORS
from analysis.taxonomy import Taxonomy

if TYPE_CHECKING:
    from analysis.demo.layout import Places


GAP_WARDS: Final = 5
"""Outer wards given gaps: the wards on the city's edge farthest from its centre."""
GAPS_PER_WARD: Final = 2
"""Categories with no local provision in each gap ward."""
GAP_MAX_CATCHMENT_KM: Final = 3.0
"""Only categories with catchments up to this can have a gap: a wider catchment from the
centre reaches the edge, as a domestic abuse service or community transport does."""
GAP_MARGIN: Final = max(ROBUSTNESS_CATCHMENT_FACTORS)
"""Services of a gap's category keep this many catchments away from the gap ward's
neighbourhoods, so that the gap stays a gap in every catchment variant."""
HOTSPOTS: Final = 5
"""Streets where two or three organisations run the same kind of service."""
HOTSPOT_SIZES: Final = (2, 3)
HOTSPOT_RADIUS_M: Final = 150.0
"""A duplicate street's services lie this close to its centre (at most 300 m apart)."""
DUPLICATE_SPACING_M: Final = 400.0
"""Elsewhere, in-person services of one category run by different organisations are at
least this far apart, so the duplicate streets stand out."""
LINE_CATEGORIES: Final = (
    "befriending",
    "mental_health",
    "money_advice",
    "housing",
    "domestic_abuse",
    "carers",
)
"""Categories with a citywide phone line, besides every category with a gap."""


@dataclass(frozen=True)
class Hotspot:
    """A street where several organisations run the same kind of service."""

    category: str
    ward_code: str
    postcode: str
    audience: str
    size: int


@dataclass(frozen=True)
class DemoStory:
    """What a seed's demo data is designed to show.

    Attributes
    ----------
    gaps
        Ward code -> the categories no local service reaches there.
    hotspots
        The duplicate streets.
    line_categories
        The categories with a citywide phone line.
    """

    gaps: dict[str, tuple[str, ...]]
    hotspots: tuple[Hotspot, ...]
    line_categories: tuple[str, ...]

    def gap_cells(self) -> set[tuple[str, str]]:
        """The (ward code, category) cells designed to have no local provision."""
        return {(ward, c) for ward, categories in self.gaps.items() for c in categories}

    def gap_wards_of(self, category: str) -> tuple[str, ...]:
        """The wards where ``category`` has no local provision."""
        return tuple(ward for ward, categories in self.gaps.items() if category in categories)


def design(rng: np.random.Generator, places: Places, taxonomy: Taxonomy) -> DemoStory:
    """The gaps, duplicate streets and phone lines drawn with ``rng`` in ``places``."""
    gaps = _design_gaps(rng, places, taxonomy)
    gap_categories = {c for categories in gaps.values() for c in categories}
    lines = tuple(c for c in taxonomy.ids() if c in LINE_CATEGORIES or c in gap_categories)
    ids = list(taxonomy.ids())
    categories = rng.choice(ids, HOTSPOTS, replace=False, p=category_share(ids))
    hotspots: list[Hotspot] = []
    for category in map(str, categories):
        # In a ward of its own, not a gap ward, and out of reach of the category's gaps.
        fits = ~np.isin(places.ward_of, [h.ward_code for h in hotspots] + list(gaps))
        for ward, gap_categories_here in gaps.items():
            if category in gap_categories_here:
                radius = places.catchment_m[category] * GAP_MARGIN
                fits &= places.distance_to_ward(ward) > radius
        if not fits.any():
            continue  # an area too small for another street of its own
        weight = np.where(fits, places.weight, 0.0)
        at = int(rng.choice(len(weight), p=weight / weight.sum()))
        hotspots.append(
            Hotspot(
                category=category,
                ward_code=str(places.ward_of[at]),
                postcode=str(places.table.at[at, POSTCODE]),
                audience=str(rng.choice(CATEGORY_AUDIENCES.get(category, (OPEN_AUDIENCE,)))),
                size=int(rng.choice(HOTSPOT_SIZES)),
            )
        )
    return DemoStory(gaps=gaps, hotspots=tuple(hotspots), line_categories=lines)


def _design_gaps(
    rng: np.random.Generator, places: Places, taxonomy: Taxonomy
) -> dict[str, tuple[str, ...]]:
    """``GAPS_PER_WARD`` categories for each of the ``GAP_WARDS`` outermost wards.

    Neighbouring gap wards get different categories, and each use of a category makes it
    four times less likely to be drawn again, so the gaps spread over many categories.
    """
    edge = [code for code in places.ward_codes if places.on_edge[code]]
    outer = sorted(edge, key=lambda code: -places.ward_distance[code])[:GAP_WARDS]
    pool = [c for c in taxonomy.ids() if taxonomy.get(c).catchment_km <= GAP_MAX_CATCHMENT_KM]
    used = dict.fromkeys(pool, 0)
    gaps: dict[str, tuple[str, ...]] = {}
    for ward in outer:
        nearby = {c for other in places.neighbours[ward] for c in gaps.get(other, ())}
        chosen: list[str] = []
        # The overview opens on the default category: the story starts there.
        if not gaps and DEFAULT_CATEGORY in pool:
            chosen.append(DEFAULT_CATEGORY)
        while len(chosen) < GAPS_PER_WARD:
            eligible = [c for c in pool if c not in chosen and c not in nearby]
            weight = np.array([0.25 ** used[c] for c in eligible])
            chosen.append(eligible[int(rng.choice(len(eligible), p=weight / weight.sum()))])
        for c in chosen:
            used[c] += 1
        gaps[ward] = tuple(chosen)
    return gaps
