"""Fictional demo data: a deterministic directory of organisations and services in the template.

`generate_sample` makes about 400 organisations running 900 services across every need
category, at real postcodes of the area's own table, laid out so that the analysis has a
story to tell:

- **denser in the centre** (postcodes weighted by distance from the postcodes' median point);
- **real gaps**: a few of the wards farthest from the centre, on the city's edge, each lack
  local provision in a couple of categories. No in-person or area-based service of such a
  category reaches any of the ward's neighbourhoods, even with catchments half as large
  again (the largest variant the robustness check tries); every other ward × category is
  reached by at least one local service;
- **duplicated effort**: a few streets where two or three organisations run the same kind
  of service for the same people, in person, within a few hundred metres of each other;
  elsewhere no two organisations run the same kind of service that close together;
- **citywide lines**: phone lines in several categories, including every category with a
  gap (they are remote options and do not fill it), and some online services;
- **capacities mostly given**: places per week in a range plausible for the kind of service;
  a tenth left blank (unknown), more often by small volunteer groups;
- the texture the importer's tests rely on: synonyms in category cells, mixed delivery,
  radii and ward lists, coordinates instead of postcodes, contacts not public.

`design_story` says which gaps and duplicate streets a seed gives, so tests can check the
file against the intent rather than against row contents.

Everything is invented and says so: every organisation's description ends with
"(fictional demo data)"; names are made-up word pairs, statutory bodies are "Demo
Council" and "Demo NHS"; websites and emails use the reserved ``example.org`` domain;
phone numbers are in Ofcom's range for drama (0117 496 0000-0999); charity numbers start
with 99, above any number the Charity Commission has issued. The seed fixes the output:
the same seed, area and taxonomy give the same file, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from analysis.geography import AreaSet, load_area
from analysis.ingest.fields import TEMPLATE_COLUMNS
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_VALUE,
    AT_LOCATION,
    AUDIENCE,
    BY_PHONE,
    CAPACITY,
    CATEGORIES,
    CHARITY_KIND,
    CHARITY_NUMBER,
    CIC_KIND,
    CIRCLE_KINDS,
    CITYWIDE,
    CONTACT_PUBLIC,
    DELIVERY,
    EASTING,
    EMAIL,
    FAITH_GROUP_KIND,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    FIELD_SERVICE_DESCRIPTION,
    HOME_DELIVERY,
    IN_PERSON,
    LAST_UPDATED,
    LAT,
    LIST_SEPARATOR,
    LON,
    MUTUAL_AID_KIND,
    NORTHING,
    ONLINE,
    ORG_ID,
    ORG_NAME,
    ORGANISATION_KINDS,
    OTHER_KIND,
    PHONE,
    POSTCODE,
    RADIUS_KM,
    SERVICE_ID,
    SERVICE_NAME,
    STATUTORY_KIND,
    WARD_CODE,
    WARD_NAME,
    WARDS,
    WEBSITE,
)
from analysis.settings import DEFAULT_CATEGORY, DEMO_SERVICES_PATH, ROBUSTNESS_CATCHMENT_FACTORS
from analysis.taxonomy import Taxonomy, load_taxonomy

SAMPLE_SEED: Final = 20261128
FICTIONAL_MARK: Final = "(fictional demo data)"
N_ORGANISATIONS: Final = 400
N_SERVICES: Final = 900
# Postcode weight = exp(-distance / CENTRE_SCALE_M) + BACKGROUND_WEIGHT.
CENTRE_SCALE_M: Final = 2500.0
BACKGROUND_WEIGHT: Final = 0.1

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
BLANK_CAPACITY_SHARE: Final = 0.10
"""Share of services whose capacity is left blank (unknown)."""

_FIRST: Final = (
    "Willow", "Lantern", "Kingfisher", "Bluebell", "Harbour", "Cobble", "Heron", "Marigold",
    "Kite", "Orchard", "Meadow", "Ferry", "Rosehip", "Sparrow", "Hazel", "Beacon", "Tidewater",
    "Larkspur", "Juniper", "Copper", "Elmtree", "Foxglove", "Otter", "Puffin", "Thistle",
    "Wren", "Amber", "Bramble", "Clover", "Damson", "Ember", "Fennel", "Gorse", "Hollyhock",
    "Ivy", "Jasmine", "Kestrel", "Linnet", "Maple", "Nettle", "Oakapple", "Primrose",
    "Quayside", "Rowan", "Saffron", "Teasel", "Umber", "Vetch", "Wagtail", "Yarrow",
)  # fmt: skip
_SECOND: Final = (
    "Circle", "Collective", "Network", "Project", "Hub", "Friends", "Neighbours", "Trust",
    "Partnership", "Kitchen", "Pantry", "Link", "Café", "House", "Alliance", "Exchange",
    "Corner", "Together", "Works", "Lantern",
)  # fmt: skip
_FAITH: Final = ("Fellowship", "Faith Hub", "Interfaith Circle", "Chapel Friends")
_TEAMS: Final = (
    "Community Support Team", "Welfare Rights Team", "Family Help Team", "Wellbeing Team",
    "Neighbourhood Team", "Carers Team", "Housing Options Team", "Digital Team",
)  # fmt: skip
# Share of each organisation kind, in the order of ORGANISATION_KINDS.
_KIND_SHARE: Final = dict(
    zip(ORGANISATION_KINDS, (0.46, 0.12, 0.11, 0.12, 0.04, 0.15), strict=True)
)
_KIND_PHRASE: Final = {
    CHARITY_KIND: "Registered charity",
    CIC_KIND: "Community interest company",
    MUTUAL_AID_KIND: "Volunteer mutual aid group",
    FAITH_GROUP_KIND: "Faith community",
    STATUTORY_KIND: "Public service team",
    OTHER_KIND: "Community group",
}
# How much more often each kind leaves its capacity blank: small volunteer groups rarely
# count places, public teams usually do.
_BLANK_CAPACITY_WEIGHT: Final = {
    CHARITY_KIND: 1.0,
    CIC_KIND: 0.8,
    MUTUAL_AID_KIND: 3.0,
    FAITH_GROUP_KIND: 2.0,
    STATUTORY_KIND: 0.3,
    OTHER_KIND: 1.5,
}
# Relative frequency of each category as an organisation's focus.
_CATEGORY_SHARE: Final = {
    "food": 14, "prescriptions": 4, "befriending": 10, "mental_health": 10, "money_advice": 10,
    "employment": 5, "housing": 6, "domestic_abuse": 3, "digital": 5, "transport": 3,
    "carers": 4, "families": 11, "language": 4, "physical_health": 7, "practical_help": 5,
}  # fmt: skip
# The kinds of service of each category, the most typical first: name and a plausible
# range of places per week.
_SERVICE_KINDS: Final = {
    "food": (("Community Pantry", 60, 120), ("Food Parcels", 80, 150), ("Lunch Club", 20, 40),
             ("Community Fridge", 40, 100), ("Breakfast Club", 20, 50),
             ("Community Meals", 30, 80)),
    "prescriptions": (("Prescription Collection", 15, 40), ("Medicine Runs", 10, 30)),
    "befriending": (("Coffee Morning", 15, 35), ("Befriending Calls", 20, 60),
                    ("Good Neighbours", 10, 30), ("Friendship Group", 10, 25)),
    "mental_health": (("Wellbeing Café", 15, 40), ("Peer Support Group", 8, 20),
                      ("Listening Service", 20, 60), ("Bereavement Circle", 8, 20)),
    "money_advice": (("Money Advice", 20, 80), ("Benefits Help", 20, 60),
                     ("Debt Drop-in", 20, 50), ("Energy Bills Help", 20, 60)),
    "employment": (("Job Club", 15, 40), ("CV Workshop", 10, 25), ("Work Ready Course", 10, 20)),
    "housing": (("Housing Advice", 20, 60), ("Tenancy Support", 10, 30),
                ("Night Shelter", 40, 110)),
    "domestic_abuse": (("Safe Space Support", 10, 30), ("Domestic Abuse Outreach", 10, 25)),
    "digital": (("Digital Drop-in", 15, 40), ("Device Lending", 10, 30),
                ("Get Online Sessions", 10, 30)),
    "transport": (("Community Transport", 30, 80), ("Volunteer Drivers", 15, 40),
                  ("Hospital Lifts", 10, 30)),
    "carers": (("Carers Café", 10, 30), ("Carers Support Group", 8, 20),
               ("Young Carers Club", 10, 25)),
    "families": (("Stay and Play", 20, 40), ("Youth Club", 25, 60), ("Baby Bank", 20, 50),
                 ("Parents Group", 10, 25), ("Holiday Activities", 30, 80)),
    "language": (("English Conversation Club", 15, 30), ("ESOL Classes", 12, 30),
                 ("Interpreting Help", 10, 40)),
    "physical_health": (("Walking Group", 10, 30), ("Dementia Café", 10, 25),
                        ("Chair Exercise", 10, 25), ("Sight Loss Support", 8, 20)),
    "practical_help": (("Handyperson Scheme", 10, 30), ("Garden Helpers", 8, 20),
                       ("Shopping Errands", 15, 40)),
}  # fmt: skip
_OTHER_KIND: Final = (("Support", 10, 40),)
_LINE_CAPACITY: Final = (60, 250)
"""Calls a citywide phone line takes per week."""
_OPEN_AUDIENCE: Final = "everyone"
_AUDIENCE: Final = {
    "befriending": ("older people", "people living alone"),
    "families": ("families with children under 5", "young people aged 11-18", "parents"),
    "carers": ("unpaid carers",),
    "language": ("speakers of other languages", "refugees and asylum seekers"),
    "prescriptions": ("older people", "housebound residents"),
    "transport": ("older and disabled people",),
    "employment": ("adults looking for work",),
}
_RHYTHM: Final = (
    "every Tuesday", "weekdays 10am to 2pm", "Saturday mornings", "by appointment",
    "once a month", "Monday and Thursday evenings", "every weekday",
)  # fmt: skip
_RADII_KM: Final = (1, 2, 3, 5)
# An at_location or radius service reaches a neighbourhood whose point lies this far in
# its circle: the drawn circle is a 32-sided polygon inside the true one.
_SURE_REACH: Final = 0.99
# What a service is for in the layout; ordinary services have no role.
_HOTSPOT: Final = "hotspot"
_LINE: Final = "line"
_TOP_UP: Final = "top-up"


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


@dataclass
class _Service:
    """One service while the directory is laid out (positions into the postcode table)."""

    org: int
    categories: list[str]
    kind_name: str
    at: int
    area_kind: str = AT_LOCATION
    delivery: str = IN_PERSON
    radius_km: float = 0.0
    wards: list[str] = field(default_factory=list)
    audience: str = _OPEN_AUDIENCE
    role: str = ""
    capacity_known: bool = True

    @property
    def is_local(self) -> bool:
        return self.area_kind != CITYWIDE


def default_sample_path() -> Path:
    """Where the demo data lives: ``data/sample/services.csv``."""
    return DEMO_SERVICES_PATH


class _Places:
    """The postcodes, wards and neighbourhood points the generator places services with."""

    def __init__(self, area: AreaSet, taxonomy: Taxonomy) -> None:
        self.table = area.postcodes.reset_index(drop=True).sort_values(POSTCODE, ignore_index=True)
        wards = area.wards.sort_values(WARD_CODE).reset_index(drop=True)
        self.ward_codes = list(wards[WARD_CODE])
        self.ward_names = dict(zip(wards[WARD_CODE], wards[WARD_NAME], strict=True))
        self.neighbours = _ward_neighbours(wards)
        self.xy = self.table[[EASTING, NORTHING]].to_numpy(dtype=float)
        self.tree = cKDTree(self.xy)
        self.ward_of = self.table[WARD_CODE].to_numpy()
        self.centre = np.median(self.xy, axis=0)
        distance = np.hypot(*(self.xy - self.centre).T)
        self.weight = np.exp(-distance / CENTRE_SCALE_M) + BACKGROUND_WEIGHT
        points = shapely.point_on_surface(area.neighbourhoods.geometry.to_numpy())
        self.zone_xy = shapely.get_coordinates(points)
        zone_ward = area.neighbourhoods[WARD_CODE].to_numpy()
        self.zone_ward = zone_ward
        # ward x zone incidence: a ward is reached when any of its zones is.
        self.ward_zones = np.array([zone_ward == code for code in self.ward_codes])
        outline = shapely.union_all(wards.geometry.to_numpy()).boundary
        self.on_edge = {
            code: bool(geometry.boundary.intersects(outline.buffer(1.0)))
            for code, geometry in zip(self.ward_codes, wards.geometry, strict=True)
        }
        self.ward_distance = {
            code: float(np.hypot(*(np.array(geometry.centroid.coords[0]) - self.centre)))
            for code, geometry in zip(self.ward_codes, wards.geometry, strict=True)
        }
        self.catchment_m = {c: taxonomy.get(c).catchment_km * 1000.0 for c in taxonomy.ids()}
        self._to_ward: dict[str, np.ndarray] = {}

    def distance_to_ward(self, ward: str) -> np.ndarray:
        """Distance of every postcode to the nearest neighbourhood point of ``ward``."""
        if ward not in self._to_ward:
            zones = self.zone_xy[self.zone_ward == ward]
            gaps = self.xy[:, None, :] - zones[None, :, :]
            self._to_ward[ward] = np.hypot(gaps[..., 0], gaps[..., 1]).min(axis=1)
        return self._to_ward[ward]

    def wards_reached(self, zone_counts: np.ndarray) -> np.ndarray:
        """Per ward (in ``ward_codes`` order): does any of its zones have a count above 0?"""
        return (self.ward_zones & (zone_counts > 0)).any(axis=1)

    def reach(self, service: _Service, category: str) -> np.ndarray:
        """Neighbourhoods ``service`` surely reaches for ``category`` (bool per zone).

        An ``at_location`` circle takes the smaller of the first category's catchment (the
        one the importer draws) and ``category``'s own.
        """
        if service.area_kind == CITYWIDE:
            return np.zeros(len(self.zone_xy), dtype=bool)
        if service.area_kind == WARDS:
            return np.isin(self.zone_ward, service.wards)
        radius = self.radius_m(service, category, largest=False)
        return np.hypot(*(self.zone_xy - self.xy[service.at]).T) <= radius * _SURE_REACH

    def radius_m(self, service: _Service, category: str, *, largest: bool) -> float:
        """Radius of a circular area: the given one, or a catchment of its categories."""
        if service.area_kind == RADIUS_KM:
            return service.radius_km * 1000.0
        own, first = self.catchment_m[category], self.catchment_m[service.categories[0]]
        return max(own, first) if largest else min(own, first)


def design_story(area: AreaSet, taxonomy: Taxonomy, *, seed: int = SAMPLE_SEED) -> DemoStory:
    """The gaps, duplicate streets and phone lines the demo data of ``seed`` is made to show."""
    return _design(np.random.default_rng([seed, 1]), _Places(area, taxonomy), taxonomy)


def generate_sample(
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    seed: int = SAMPLE_SEED,
    organisations: int = N_ORGANISATIONS,
    services: int = N_SERVICES,
) -> pd.DataFrame:
    """Generate the fictional demo directory as a table in the template's columns.

    Parameters
    ----------
    area
        Postcodes and wards to place services at (EPSG:27700 frames).
    taxonomy
        Need categories; every one gets services when ``services`` allows.
    seed
        Seed of the random generator; the output depends on nothing else.
    organisations, services
        How many of each.

    Returns
    -------
    pandas.DataFrame
        One row per service, columns `analysis.ingest.mapping.TEMPLATE_COLUMNS`, text cells.

    Notes
    -----
    The layout, in order: the story (`design_story`); organisations and how many services
    each runs; the duplicate streets and the phone lines; every other service near its
    organisation's home, kept out of the gaps and apart from others of its category;
    then, for each ward × category that is not a gap but that no local service reaches,
    one service moved there from where it is not needed. Distances are in metres
    (EPSG:27700); a neighbourhood is reached when its representative point is.
    """
    places = _Places(area, taxonomy)
    story = _design(np.random.default_rng([seed, 1]), places, taxonomy)
    rng = np.random.default_rng(seed)
    ids = list(taxonomy.ids())
    share = _category_share(ids)
    orgs = _organisations(rng, organisations)
    counts = rng.choice(np.arange(1, 7), size=organisations, p=[0.42, 0.25, 0.15, 0.09, 0.05, 0.04])
    while counts.sum() > services:
        counts[rng.choice(np.flatnonzero(counts > 1))] -= 1
    while counts.sum() < services:
        counts[rng.integers(organisations)] += 1

    layout = _Layout(places, story, rng)
    fixed = {s.org: s for s in _fixed_services(rng, story, places, len(orgs), layout)}
    for service in fixed.values():
        layout.add(service)
    for org, count in enumerate(counts):
        mine = fixed.get(org)
        if mine is not None and mine.role == _HOTSPOT:
            focus, home = mine.categories[0], mine.at
        else:
            focus = mine.categories[0] if mine else ids[int(rng.choice(len(ids), p=share))]
            home = layout.pick(focus, AT_LOCATION)
        for index in range(int(count) - (mine is not None)):
            first = (
                focus if index == 0 and mine is None else ids[int(rng.choice(len(ids), p=share))]
            )
            layout.add(_ordinary_service(rng, org, first, home, ids, share, places, layout))
    layout.fill_uncovered(ids)
    _blank_capacities(rng, layout.services, orgs)
    # An organisation's services on consecutive rows, as a person fills the template.
    by_org = sorted(range(len(layout.services)), key=lambda i: layout.services[i].org)
    rows: list[dict[str, str]] = []
    used_ids: set[str] = set()
    for index in by_org:
        service = layout.services[index]
        rows.append(_service_row(rng, orgs[service.org], service, places, taxonomy, used_ids))
    return pd.DataFrame(rows, columns=list(TEMPLATE_COLUMNS), dtype=str)


def write_sample(
    path: Path | str | None = None,
    *,
    area: AreaSet | None = None,
    taxonomy: Taxonomy | None = None,
    seed: int = SAMPLE_SEED,
) -> Path:
    """Generate the demo data and write it as UTF-8 CSV; return the path written."""
    out = default_sample_path() if path is None else Path(path)
    frame = generate_sample(
        load_area() if area is None else area,
        load_taxonomy() if taxonomy is None else taxonomy,
        seed=seed,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, lineterminator="\n", encoding="utf-8")
    return out


def _design(rng: np.random.Generator, places: _Places, taxonomy: Taxonomy) -> DemoStory:
    gaps = _design_gaps(rng, places, taxonomy)
    gap_categories = {c for categories in gaps.values() for c in categories}
    lines = tuple(c for c in taxonomy.ids() if c in LINE_CATEGORIES or c in gap_categories)
    ids = list(taxonomy.ids())
    categories = rng.choice(ids, HOTSPOTS, replace=False, p=_category_share(ids))
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
                audience=str(rng.choice(_AUDIENCE.get(category, (_OPEN_AUDIENCE,)))),
                size=int(rng.choice(HOTSPOT_SIZES)),
            )
        )
    return DemoStory(gaps=gaps, hotspots=tuple(hotspots), line_categories=lines)


def _design_gaps(
    rng: np.random.Generator, places: _Places, taxonomy: Taxonomy
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


def _category_share(ids: list[str]) -> np.ndarray:
    """Probability of each category as a service's first, in the order of ``ids``."""
    share = np.array([_CATEGORY_SHARE.get(c, 5) for c in ids], dtype=float)
    return share / share.sum()


class _Layout:
    """The services placed so far and the rules every new location obeys."""

    def __init__(self, places: _Places, story: DemoStory, rng: np.random.Generator) -> None:
        self.places, self.story, self.rng = places, story, rng
        self.services: list[_Service] = []
        # category -> (postcode, organisation) of each service drawn as a circle
        self._spots: dict[str, list[tuple[int, int]]] = {}
        self._out_of_gaps: dict[tuple[str, float], np.ndarray] = {}
        self._close: dict[int, np.ndarray] = {}

    def add(self, service: _Service) -> None:
        self.services.append(service)
        self._remember(service)

    def replace(self, index: int, service: _Service) -> None:
        old = self.services[index]
        if old.area_kind in CIRCLE_KINDS:
            for c in old.categories:
                self._spots[c].remove((old.at, old.org))
        self.services[index] = service
        self._remember(service)

    def _remember(self, service: _Service) -> None:
        if service.area_kind in CIRCLE_KINDS:
            for c in service.categories:
                self._spots.setdefault(c, []).append((service.at, service.org))

    def allowed(self, service: _Service, *, spaced: bool = True) -> np.ndarray:
        """Postcodes ``service`` may sit at: out of its categories' gaps, apart from others.

        A circle keeps ``GAP_MARGIN`` times its radius (the larger of its categories'
        catchments for ``at_location``) from every neighbourhood point of a gap ward of
        each of its categories, and ``DUPLICATE_SPACING_M`` from other organisations'
        circles of its categories, unless it belongs to a duplicate street. A ward list
        only keeps out of the gap wards.
        """
        places = self.places
        ok = np.ones(len(places.xy), dtype=bool)
        if service.area_kind == CITYWIDE:
            return ok
        for c in service.categories:
            gap_wards = self.story.gap_wards_of(c)
            if not gap_wards:
                continue
            radius = (
                places.radius_m(service, c, largest=True)
                if service.area_kind in CIRCLE_KINDS
                else 0.0
            )
            key = (c, radius)
            if key not in self._out_of_gaps:
                fits = ~np.isin(places.ward_of, gap_wards)
                for ward in gap_wards:
                    fits &= places.distance_to_ward(ward) > radius * GAP_MARGIN
                self._out_of_gaps[key] = fits
            ok &= self._out_of_gaps[key]
        if spaced and service.area_kind in CIRCLE_KINDS and service.role != _HOTSPOT:
            for c in service.categories:
                for at, org in self._spots.get(c, ()):
                    if org != service.org:
                        ok[self._close_to(at)] = False
        return ok

    def _close_to(self, at: int) -> np.ndarray:
        if at not in self._close:
            self._close[at] = np.asarray(
                self.places.tree.query_ball_point(self.places.xy[at], DUPLICATE_SPACING_M),
                dtype=int,
            )
        return self._close[at]

    def pick(self, category: str, area_kind: str) -> int:
        """A postcode, denser in the centre, out of the gaps of ``category``."""
        probe = _Service(-1, [category], "", 0, area_kind=area_kind)
        return self.choose(self.allowed(probe, spaced=False))

    def place(self, service: _Service, home: int) -> None:
        """Put ``service`` at ``home`` when allowed (mostly), else somewhere allowed.

        A circle that fits nowhere (a wide radius between two gaps of its category, or a
        category crowded everywhere) shrinks to the next radius, then becomes a ward list.
        """
        ok = self.allowed(service)
        smaller = [r for r in _RADII_KM if r < service.radius_km]
        while not ok.any() and service.area_kind == RADIUS_KM and smaller:
            service.radius_km = float(smaller.pop())
            ok = self.allowed(service)
        if not ok.any():
            service.area_kind, service.radius_km = WARDS, 0.0
            ok = self.allowed(service)
        if ok[home] and self.rng.random() < 0.7:
            service.at = home
        else:
            service.at = self.choose(ok)

    def choose(self, ok: np.ndarray) -> int:
        """One of the postcodes ``ok`` allows, denser in the centre."""
        weight = np.where(ok, self.places.weight, 0.0)
        return int(self.rng.choice(len(weight), p=weight / weight.sum()))

    def nearby_wards(self, ward: str, categories: list[str]) -> list[str]:
        """Up to two wards next to ``ward`` that are not gaps of ``categories``."""
        pool = [
            w
            for w in self.places.neighbours[ward]
            if not any(w in self.story.gap_wards_of(c) for c in categories)
        ]
        return [str(w) for w in self.rng.permutation(pool)[: int(self.rng.integers(0, 3))]]

    def fill_uncovered(self, ids: list[str]) -> None:
        """Move services to every ward × category no local service reaches, gaps aside.

        Each move takes a service whose every neighbourhood other services of its
        categories reach too (so no ward loses provision), preferably one near the ward
        and of the category, and remakes it as a service of the category in the ward.
        """
        places = self.places
        counts = {c: np.zeros(len(places.zone_xy), dtype=int) for c in ids}
        reach: list[dict[str, np.ndarray]] = []
        for service in self.services:
            own = {c: places.reach(service, c) for c in service.categories}
            for c, zones in own.items():
                counts[c] += zones
            reach.append(own)
        # Cells left alone: the gaps, and wards no donor can be found for (a tiny area).
        left = self.story.gap_cells()
        has_zones = places.ward_zones.any(axis=1)
        for c in ids:
            while True:
                reached = places.wards_reached(counts[c])
                uncovered = [
                    code
                    for code, hit, zoned in zip(places.ward_codes, reached, has_zones, strict=True)
                    if zoned and not hit and (code, c) not in left
                ]
                if not uncovered:
                    break
                ward = uncovered[0]
                index = self._donor(c, ward, reach, counts)
                if index is None:
                    left.add((ward, c))
                    continue
                old = self.services[index]
                for k, zones in reach[index].items():
                    counts[k] -= zones
                name = old.kind_name if old.categories[0] == c else ""
                self.replace(index, self._service_for(old.org, c, ward, name))
                reach[index] = {c: places.reach(self.services[index], c)}
                counts[c] += reach[index][c]

    def _donor(
        self,
        category: str,
        ward: str,
        reach: list[dict[str, np.ndarray]],
        counts: dict[str, np.ndarray],
    ) -> int | None:
        places = self.places
        target = places.zone_xy[places.zone_ward == ward].mean(axis=0)
        reached = {c: places.wards_reached(n) for c, n in counts.items()}
        candidates, weights = [], []
        for index, service in enumerate(self.services):
            if not service.is_local or service.role:
                continue
            if not all(
                (places.wards_reached(counts[k] - zones) == reached[k]).all()
                for k, zones in reach[index].items()
            ):
                continue
            distance = float(np.hypot(*(places.xy[service.at] - target)))
            preference = 3.0 if category in service.categories else 1.0
            candidates.append(index)
            weights.append(np.exp(-distance / 3000.0) * preference)
        if not candidates:
            return None
        weight = np.array(weights)
        return candidates[int(self.rng.choice(len(candidates), p=weight / weight.sum()))]

    def _service_for(self, org: int, category: str, ward: str, kind_name: str) -> _Service:
        """A local service of ``category`` reaching ``ward``: at a postcode in it if one
        fits, else for a list of wards starting with it."""
        places = self.places
        name = kind_name or str(self.rng.choice([k[0] for k in _service_kinds(category)]))
        audience = str(self.rng.choice(_AUDIENCE.get(category, (_OPEN_AUDIENCE,))))
        service = _Service(org, [category], name, 0, audience=audience, role=_TOP_UP)
        in_ward = places.ward_of == ward
        fits = self.allowed(service) & in_ward
        fits &= places.distance_to_ward(ward) <= places.catchment_m[category] * _SURE_REACH
        if fits.any() and self.rng.random() < 0.6:
            service.at = self.choose(fits)
            return service
        service.area_kind = WARDS
        service.delivery = str(self.rng.choice([IN_PERSON, HOME_DELIVERY]))
        service.at = self.choose(self.allowed(service) & in_ward)
        service.wards = [ward, *self.nearby_wards(ward, [category])]
        return service


def _service_kinds(category: str) -> tuple[tuple[str, int, int], ...]:
    return _SERVICE_KINDS.get(category, _OTHER_KIND)


def _fixed_services(
    rng: np.random.Generator,
    story: DemoStory,
    places: _Places,
    organisations: int,
    layout: _Layout,
) -> list[_Service]:
    """The duplicate streets' services and the phone lines, each of its own organisation."""
    order = [int(i) for i in rng.permutation(organisations)]
    fixed: list[_Service] = []
    postcodes = places.table[POSTCODE].to_numpy()
    for hotspot in story.hotspots:
        centre = int(np.flatnonzero(postcodes == hotspot.postcode)[0])
        near = np.hypot(*(places.xy - places.xy[centre]).T) <= HOTSPOT_RADIUS_M
        probe = _Service(-1, [hotspot.category], "", 0, role=_HOTSPOT)
        spots = np.flatnonzero(near & layout.allowed(probe))
        chosen = rng.choice(spots, hotspot.size, replace=len(spots) < hotspot.size)
        # The same kind of service (the category's most typical), for the same people.
        name = _service_kinds(hotspot.category)[0][0]
        for at in chosen:
            fixed.append(
                _Service(
                    order.pop(),
                    [hotspot.category],
                    name,
                    int(at),
                    audience=hotspot.audience,
                    role=_HOTSPOT,
                )
            )
    for category in story.line_categories:
        fixed.append(
            _Service(
                order.pop(),
                [category],
                "",
                0,
                area_kind=CITYWIDE,
                delivery=BY_PHONE,
                role=_LINE,
            )
        )
    return fixed


def _ordinary_service(
    rng: np.random.Generator,
    org: int,
    first: str,
    home: int,
    ids: list[str],
    share: np.ndarray,
    places: _Places,
    layout: _Layout,
) -> _Service:
    categories = [first]
    if rng.random() < 0.22:
        extra = ids[int(rng.choice(len(ids), p=share))]
        if extra != first:
            categories.append(extra)
    name = str(rng.choice([k[0] for k in _service_kinds(first)]))
    audience = str(rng.choice(_AUDIENCE.get(first, (_OPEN_AUDIENCE, "adults"))))
    service = _Service(org, categories, name, home, audience=audience)
    draw = rng.random()
    if draw < 0.10:
        service.area_kind, service.radius_km = RADIUS_KM, float(rng.choice(_RADII_KM))
    elif draw < 0.25:
        service.area_kind = WARDS
        service.delivery = str(
            rng.choice([IN_PERSON, HOME_DELIVERY, _listed(IN_PERSON, HOME_DELIVERY)])
        )
    elif draw < 0.33:
        service.delivery = str(
            rng.choice([_listed(IN_PERSON, BY_PHONE), HOME_DELIVERY, _listed(IN_PERSON, ONLINE)])
        )
    elif draw < 0.37:
        service.area_kind = CITYWIDE
        service.delivery = str(rng.choice([ONLINE, _listed(BY_PHONE, ONLINE)]))
    layout.place(service, home)
    if service.area_kind == WARDS:
        ward = str(places.ward_of[service.at])
        service.wards = [ward, *layout.nearby_wards(ward, categories)]
    return service


def _blank_capacities(
    rng: np.random.Generator, services: list[_Service], orgs: list[dict[str, str]]
) -> None:
    """Leave ``BLANK_CAPACITY_SHARE`` of capacities blank, more often for small groups."""
    weight = np.array([_BLANK_CAPACITY_WEIGHT[orgs[s.org][FIELD_ORG_KIND]] for s in services])
    count = round(BLANK_CAPACITY_SHARE * len(services))
    for index in rng.choice(len(services), count, replace=False, p=weight / weight.sum()):
        services[int(index)].capacity_known = False


def _ward_neighbours(wards: pd.DataFrame) -> dict[str, list[str]]:
    geometries = list(wards.geometry)
    codes = list(wards[WARD_CODE])
    return {
        code: [
            other
            for other, other_geometry in zip(codes, geometries, strict=True)
            if other != code and geometry.buffer(50).intersects(other_geometry)
        ]
        for code, geometry in zip(codes, geometries, strict=True)
    }


def _organisations(rng: np.random.Generator, count: int) -> list[dict[str, str]]:
    pairs = [(a, b) for a in _FIRST for b in _SECOND if a != b]
    order = rng.permutation(len(pairs))
    kinds = rng.choice(len(ORGANISATION_KINDS), size=count, p=list(_KIND_SHARE.values()))
    charity_numbers = rng.choice(np.arange(9_900_000, 10_000_000), size=count, replace=False)
    orgs = []
    names: set[str] = set()
    cursor = 0
    for index in range(count):
        kind = ORGANISATION_KINDS[int(kinds[index])]
        while True:
            first, second = pairs[int(order[cursor % len(order)])]
            cursor += 1
            if kind == FAITH_GROUP_KIND:
                name = f"{first} {_FAITH[cursor % len(_FAITH)]}"
            elif kind == MUTUAL_AID_KIND:
                name = f"{first} {second} Mutual Aid"
            elif kind == STATUTORY_KIND:
                body = "Demo Council" if cursor % 3 else "Demo NHS"
                name = f"{body} {first} {_TEAMS[cursor % len(_TEAMS)]}"
            elif kind == CIC_KIND:
                name = f"{first} {second} CIC"
            else:
                name = f"{first} {second}"
            if name not in names:
                break
        names.add(name)
        slug = "-".join(name.lower().replace("é", "e").split())
        orgs.append(
            {
                ORG_ID: slug,
                ORG_NAME: name,
                FIELD_ORG_KIND: kind,
                CHARITY_NUMBER: str(charity_numbers[index]) if kind == CHARITY_KIND else "",
                WEBSITE: f"https://{slug}.example.org" if rng.random() < 0.8 else "",
                EMAIL: f"hello@{slug}.example.org" if rng.random() < 0.85 else "",
                PHONE: f"0117 496 0{int(rng.integers(1000)):03d}" if rng.random() < 0.75 else "",
                FIELD_ORG_DESCRIPTION: f"{_KIND_PHRASE[kind]}. {FICTIONAL_MARK}",
            }
        )
    return orgs


def _service_row(
    rng: np.random.Generator,
    org: dict[str, str],
    service: _Service,
    places: _Places,
    taxonomy: Taxonomy,
    used_ids: set[str],
) -> dict[str, str]:
    is_line = service.role == _LINE
    name = f"{org[ORG_NAME]} Phone Line" if is_line else service.kind_name
    base_id = f"{org[ORG_ID]}--{'-'.join(name.lower().replace('é', 'e').split())}"
    service_id, number = base_id, 2
    while service_id in used_ids:
        service_id, number = f"{base_id}-{number}", number + 1
    used_ids.add(service_id)
    words = []
    for c in service.categories:
        # A third of category cells use a synonym, as real spreadsheets do.
        synonyms = taxonomy.get(c).synonyms
        words.append(str(rng.choice(synonyms)) if synonyms and rng.random() < 0.33 else c)
    at = service.at
    postcode = str(places.table.at[at, POSTCODE])
    latitude = longitude = ""
    if is_line:
        postcode = ""
    elif rng.random() < 0.1:
        latitude = f"{float(places.table.at[at, LAT]):.5f}"
        longitude = f"{float(places.table.at[at, LON]):.5f}"
        postcode = ""
    area_value = ""
    if service.area_kind == RADIUS_KM:
        area_value = f"{service.radius_km:g}"
    elif service.area_kind == WARDS:
        area_value = LIST_SEPARATOR.join(places.ward_names[w] for w in service.wards)
    rhythm = str(rng.choice(_RHYTHM))
    description = f"Free phone line {rhythm}." if is_line else f"{name} {rhythm}."
    low, high = _LINE_CAPACITY if is_line else _capacity_range(service)
    capacity = _draw_capacity(rng, low, high)
    start = date(2015, 1, 1) + timedelta(days=int(rng.integers(0, 4017)))
    until = date(2029, 3, 31) + timedelta(days=int(rng.integers(0, 700)))
    updated = date(2025, 6, 1) + timedelta(days=int(rng.integers(0, 517)))
    return {
        **org,
        SERVICE_ID: service_id,
        SERVICE_NAME: name,
        FIELD_SERVICE_DESCRIPTION: description,
        CATEGORIES: LIST_SEPARATOR.join(words),
        DELIVERY: service.delivery,
        POSTCODE: postcode,
        FIELD_LATITUDE: latitude,
        FIELD_LONGITUDE: longitude,
        FIELD_AREA_SERVED: service.area_kind,
        AREA_VALUE: area_value,
        CAPACITY: str(capacity) if service.capacity_known else "",
        AUDIENCE: service.audience,
        ACTIVE_FROM: start.isoformat() if rng.random() < 0.7 else "",
        ACTIVE_UNTIL: until.isoformat() if rng.random() < 0.08 else "",
        LAST_UPDATED: updated.isoformat(),
        CONTACT_PUBLIC: "yes" if rng.random() < 0.85 else "no",
    }


def _draw_capacity(rng: np.random.Generator, low: int, high: int) -> int:
    """Places per week between ``low`` and ``high``: a round five for larger services."""
    places = np.arange(low, high + 1)
    if high >= 40:
        places = places[places % 5 == 0]
    return int(rng.choice(places))


def _capacity_range(service: _Service) -> tuple[int, int]:
    for name, low, high in _service_kinds(service.categories[0]):
        if name == service.kind_name:
            return low, high
    return _OTHER_KIND[0][1], _OTHER_KIND[0][2]


def _listed(*values: str) -> str:
    return LIST_SEPARATOR.join(values)
