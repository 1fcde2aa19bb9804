"""Where the demo directory's services go: the area's places and the placement rules.

`Places` holds the postcodes, wards and neighbourhood points services are placed at
(denser in the centre) and which neighbourhoods a service surely reaches. `Layout` holds
the services placed so far and the rules every new location obeys: out of the gaps of
the story (`analysis.demo.story`), apart from other organisations' services of the same
category except on the duplicate streets, and, at the end, one service moved to each
ward x category no local service reaches. `fixed_services` makes the duplicate streets'
services and the phone lines, `ordinary_service` every other service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from analysis.demo.names import CATEGORY_AUDIENCES, OPEN_AUDIENCE, service_kinds
from analysis.demo.story import (
    DUPLICATE_SPACING_M,
    GAP_MARGIN,
    HOTSPOT_RADIUS_M,
    DemoStory,
)
from analysis.geography import AreaSet
from analysis.model import (
    AT_LOCATION,
    BY_PHONE,
    CIRCLE_KINDS,
    CITYWIDE,
    EASTING,
    HOME_DELIVERY,
    IN_PERSON,
    LIST_SEPARATOR,
    NORTHING,
    ONLINE,
    POSTCODE,
    RADIUS_KM,
    WARD_CODE,
    WARD_NAME,
    WARDS,
)
from analysis.taxonomy import Taxonomy

# Postcode weight = exp(-distance / CENTRE_SCALE_M) + BACKGROUND_WEIGHT.
CENTRE_SCALE_M: Final = 2500.0
BACKGROUND_WEIGHT: Final = 0.1
RADII_KM: Final = (1, 2, 3, 5)
# An at_location or radius service reaches a neighbourhood whose point lies this far in
# its circle: the drawn circle is a 32-sided polygon inside the true one.
SURE_REACH: Final = 0.99
# What a service is for in the layout; ordinary services have no role.
HOTSPOT_ROLE: Final = "hotspot"
LINE_ROLE: Final = "line"
TOP_UP_ROLE: Final = "top-up"


@dataclass
class Service:
    """One service while the directory is laid out (positions into the postcode table)."""

    org: int
    categories: list[str]
    kind_name: str
    at: int
    area_kind: str = AT_LOCATION
    delivery: str = IN_PERSON
    radius_km: float = 0.0
    wards: list[str] = field(default_factory=list)
    audience: str = OPEN_AUDIENCE
    role: str = ""
    capacity_known: bool = True

    @property
    def is_local(self) -> bool:
        return self.area_kind != CITYWIDE


class Places:
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

    def reach(self, service: Service, category: str) -> np.ndarray:
        """Neighbourhoods ``service`` surely reaches for ``category`` (bool per zone).

        An ``at_location`` circle takes the smaller of the first category's catchment (the
        one the importer draws) and ``category``'s own.
        """
        if service.area_kind == CITYWIDE:
            return np.zeros(len(self.zone_xy), dtype=bool)
        if service.area_kind == WARDS:
            return np.isin(self.zone_ward, service.wards)
        radius = self.radius_m(service, category, largest=False)
        return np.hypot(*(self.zone_xy - self.xy[service.at]).T) <= radius * SURE_REACH

    def radius_m(self, service: Service, category: str, *, largest: bool) -> float:
        """Radius of a circular area: the given one, or a catchment of its categories."""
        if service.area_kind == RADIUS_KM:
            return service.radius_km * 1000.0
        own, first = self.catchment_m[category], self.catchment_m[service.categories[0]]
        return max(own, first) if largest else min(own, first)


class Layout:
    """The services placed so far and the rules every new location obeys."""

    def __init__(self, places: Places, story: DemoStory, rng: np.random.Generator) -> None:
        self.places, self.story, self.rng = places, story, rng
        self.services: list[Service] = []
        # category -> (postcode, organisation) of each service drawn as a circle
        self._spots: dict[str, list[tuple[int, int]]] = {}
        self._out_of_gaps: dict[tuple[str, float], np.ndarray] = {}
        self._close: dict[int, np.ndarray] = {}

    def add(self, service: Service) -> None:
        self.services.append(service)
        self._remember(service)

    def replace(self, index: int, service: Service) -> None:
        old = self.services[index]
        if old.area_kind in CIRCLE_KINDS:
            for c in old.categories:
                self._spots[c].remove((old.at, old.org))
        self.services[index] = service
        self._remember(service)

    def _remember(self, service: Service) -> None:
        if service.area_kind in CIRCLE_KINDS:
            for c in service.categories:
                self._spots.setdefault(c, []).append((service.at, service.org))

    def allowed(self, service: Service, *, spaced: bool = True) -> np.ndarray:
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
        if spaced and service.area_kind in CIRCLE_KINDS and service.role != HOTSPOT_ROLE:
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
        probe = Service(-1, [category], "", 0, area_kind=area_kind)
        return self.choose(self.allowed(probe, spaced=False))

    def place(self, service: Service, home: int) -> None:
        """Put ``service`` at ``home`` when allowed (mostly), else somewhere allowed.

        A circle that fits nowhere (a wide radius between two gaps of its category, or a
        category crowded everywhere) shrinks to the next radius, then becomes a ward list.
        """
        ok = self.allowed(service)
        smaller = [r for r in RADII_KM if r < service.radius_km]
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

    def _service_for(self, org: int, category: str, ward: str, kind_name: str) -> Service:
        """A local service of ``category`` reaching ``ward``: at a postcode in it if one
        fits, else for a list of wards starting with it."""
        places = self.places
        name = kind_name or str(self.rng.choice([k[0] for k in service_kinds(category)]))
        audience = str(self.rng.choice(CATEGORY_AUDIENCES.get(category, (OPEN_AUDIENCE,))))
        service = Service(org, [category], name, 0, audience=audience, role=TOP_UP_ROLE)
        in_ward = places.ward_of == ward
        fits = self.allowed(service) & in_ward
        fits &= places.distance_to_ward(ward) <= places.catchment_m[category] * SURE_REACH
        if fits.any() and self.rng.random() < 0.6:
            service.at = self.choose(fits)
            return service
        service.area_kind = WARDS
        service.delivery = str(self.rng.choice([IN_PERSON, HOME_DELIVERY]))
        service.at = self.choose(self.allowed(service) & in_ward)
        service.wards = [ward, *self.nearby_wards(ward, [category])]
        return service


def fixed_services(
    rng: np.random.Generator,
    story: DemoStory,
    places: Places,
    organisations: int,
    layout: Layout,
) -> list[Service]:
    """The duplicate streets' services and the phone lines, each of its own organisation."""
    order = [int(i) for i in rng.permutation(organisations)]
    fixed: list[Service] = []
    postcodes = places.table[POSTCODE].to_numpy()
    for hotspot in story.hotspots:
        centre = int(np.flatnonzero(postcodes == hotspot.postcode)[0])
        near = np.hypot(*(places.xy - places.xy[centre]).T) <= HOTSPOT_RADIUS_M
        probe = Service(-1, [hotspot.category], "", 0, role=HOTSPOT_ROLE)
        spots = np.flatnonzero(near & layout.allowed(probe))
        chosen = rng.choice(spots, hotspot.size, replace=len(spots) < hotspot.size)
        # The same kind of service (the category's most typical), for the same people.
        name = service_kinds(hotspot.category)[0][0]
        for at in chosen:
            fixed.append(
                Service(
                    order.pop(),
                    [hotspot.category],
                    name,
                    int(at),
                    audience=hotspot.audience,
                    role=HOTSPOT_ROLE,
                )
            )
    for category in story.line_categories:
        fixed.append(
            Service(
                order.pop(),
                [category],
                "",
                0,
                area_kind=CITYWIDE,
                delivery=BY_PHONE,
                role=LINE_ROLE,
            )
        )
    return fixed


def ordinary_service(
    rng: np.random.Generator,
    org: int,
    first: str,
    home: int,
    ids: list[str],
    share: np.ndarray,
    places: Places,
    layout: Layout,
) -> Service:
    categories = [first]
    if rng.random() < 0.22:
        extra = ids[int(rng.choice(len(ids), p=share))]
        if extra != first:
            categories.append(extra)
    name = str(rng.choice([k[0] for k in service_kinds(first)]))
    audience = str(rng.choice(CATEGORY_AUDIENCES.get(first, (OPEN_AUDIENCE, "adults"))))
    service = Service(org, categories, name, home, audience=audience)
    draw = rng.random()
    if draw < 0.10:
        service.area_kind, service.radius_km = RADIUS_KM, float(rng.choice(RADII_KM))
    elif draw < 0.25:
        service.area_kind = WARDS
        service.delivery = str(
            rng.choice([IN_PERSON, HOME_DELIVERY, listed(IN_PERSON, HOME_DELIVERY)])
        )
    elif draw < 0.33:
        service.delivery = str(
            rng.choice([listed(IN_PERSON, BY_PHONE), HOME_DELIVERY, listed(IN_PERSON, ONLINE)])
        )
    elif draw < 0.37:
        service.area_kind = CITYWIDE
        service.delivery = str(rng.choice([ONLINE, listed(BY_PHONE, ONLINE)]))
    layout.place(service, home)
    if service.area_kind == WARDS:
        ward = str(places.ward_of[service.at])
        service.wards = [ward, *layout.nearby_wards(ward, categories)]
    return service


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


def listed(*values: str) -> str:
    return LIST_SEPARATOR.join(values)
