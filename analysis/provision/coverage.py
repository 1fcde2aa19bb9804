"""Coverage: which neighbourhoods each service reaches, and how far each one is from it.

This is the only step of the analysis that touches geometry. It is kept apart (like the
overlap ``table=`` of tobler's ``area_interpolate``) so that changing thresholds, filters,
categories, catchments or the distance decay only reruns arithmetic on its tables.

Two kinds of reach:

- **circles** (``at_location``, ``radius_km``): the exact distance from the service's
  location(s) to each neighbourhood's representative point, kept for every pair closer
  than the largest radius any variant may ask for; `Coverage.weights` turns distances into
  decay weights for a given radius per service;
- **lists** (``wards``, ``citywide``): every neighbourhood of the listed wards, or of the
  whole authority, at weight 1.

The k-d tree search for the circles' distances is `analysis.provision.distances`; the
views of coverage from one ward (the share of its residents each service reaches) are in
`analysis.provision.wards`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from analysis import settings
from analysis.crs import ensure_crs
from analysis.directory import Directory
from analysis.errors import AnalysisError, check_choice
from analysis.geography import AreaSet
from analysis.model import (
    AREA_KIND,
    CATEGORIES,
    CIRCLE_KINDS,
    CITYWIDE,
    CRS_COMPUTE,
    DELIVERY,
    LOCATION,
    LOCATIONS,
    LSOA_CODE,
    RADIUS_KM,
    RADIUS_M,
    REMOTE_MODES,
    SERVICE_ID,
    WARD_CODE,
    WARD_CODES,
    WARDS,
)
from analysis.provision.distances import circle_pairs
from analysis.provision.edges import Outline
from analysis.taxonomy import Taxonomy

Decay = Literal["stepped", "none"]
DECAYS: Final = get_args(Decay)
STEPPED, NO_DECAY = DECAYS
STEP_WEIGHTS: Final = (1.0, 0.68, 0.22)
"""Enhanced 2SFCA (Luo & Qi 2009): weight of a zone in the first, second and last third of
a service's catchment radius."""
STEP_EDGES: Final = (1 / 3, 2 / 3, 1.0)
"""Upper edges (distance / radius) of the thirds that the weights apply to."""


@dataclass(frozen=True, eq=False)
class Coverage:
    """Which services reach which neighbourhoods (EPSG:27700), for every variant of radius.

    Attributes
    ----------
    service_ids
        Service id of each row (directory order), unique.
    zone_codes
        LSOA code of each column, in the order of the area's neighbourhoods.
    pair_service, pair_zone, pair_distance_m
        The circle services' (service, zone) pairs closer than the service's largest
        radius, and the distance in metres from the service's nearest location to the
        zone's representative point; grouped by service in directory order.
    listed
        Service × zone 0/1 matrix of the list services (``wards``, ``citywide``).
    is_circle
        Per service: its reach is a circle (``at_location`` or ``radius_km``).
    given_radius_m
        Per service: the radius it states (``radius_km``), else NaN.
    is_remote
        Per service: reaches people wherever they live (citywide, or delivered by phone or
        online only), so it counts as a remote option, not as local provision.
    outline
        The authority's outline (union of its wards), indexed for the share of a circle
        inside it.
    locations
        Per service: its location points (empty when it has none).
    categories
        Per service: its category ids (a tuple; empty when uncategorised).
    own_radius_m
        Per service: the radius of its own catchment (its first category's, or the one it
        states), for what reaches whom regardless of category (partners, a ward's list).
    max_factor
        The largest catchment factor the distances were kept for (`check_factor`).
    """

    service_ids: pd.Index
    zone_codes: pd.Index
    pair_service: np.ndarray
    pair_zone: np.ndarray
    pair_distance_m: np.ndarray
    listed: sparse.csr_array
    is_circle: np.ndarray
    given_radius_m: np.ndarray
    is_remote: np.ndarray
    outline: Outline
    locations: np.ndarray
    categories: np.ndarray
    own_radius_m: np.ndarray
    max_factor: float = max(settings.ROBUSTNESS_CATCHMENT_FACTORS)
    _inside: dict = field(default_factory=dict, init=False, repr=False)

    @property
    def n_links(self) -> int:
        """Service-zone links held: circle pairs (up to the largest radius) and list ones."""
        return int(len(self.pair_service) + self.listed.nnz)

    @property
    def shape(self) -> tuple[int, int]:
        """(services, neighbourhoods)."""
        return len(self.service_ids), len(self.zone_codes)

    def rows_for(self, service_ids: Iterable[str]) -> np.ndarray:
        """Row positions of ``service_ids``.

        Raises
        ------
        AnalysisError
            When a service is not in the table, i.e. the directory changed after coverage
            was computed.
        """
        wanted = pd.Index(list(service_ids))
        rows = self.service_ids.get_indexer(wanted)
        if (rows < 0).any():
            absent = wanted[rows < 0]
            shown = ", ".join(map(str, absent[:5])) + (" …" if len(absent) > 5 else "")
            raise AnalysisError(
                f"{len(absent)} service(s) are not in the coverage table ({shown}). Fix: "
                "recompute coverage with compute_coverage(directory, area, taxonomy) after "
                "the directory changed."
            )
        return rows

    def check_factor(self, factor: float) -> None:
        """Refuse a catchment factor beyond the distances this table holds.

        Raises
        ------
        AnalysisError
            When ``factor`` exceeds ``max_factor``: the farther zones were never measured.
        """
        if factor > self.max_factor * (1 + 1e-12):
            raise AnalysisError(
                f"catchment factor {factor:g} reaches beyond the distances this coverage "
                f"table holds (up to {self.max_factor:g} × each catchment). Fix: compute the "
                f"coverage with compute_coverage(..., max_factor={factor:g})."
            )

    def check_area(self, area: AreaSet) -> None:
        """Raise `AnalysisError` unless the columns are ``area``'s neighbourhoods, in order."""
        codes = area.neighbourhoods[LSOA_CODE]
        if len(codes) != len(self.zone_codes) or not np.array_equal(
            codes.to_numpy(), self.zone_codes.to_numpy()
        ):
            raise AnalysisError(
                f"the coverage table has {len(self.zone_codes)} neighbourhoods that are not "
                f"the {len(codes)} neighbourhoods of {area.name}. Fix: recompute coverage "
                "with compute_coverage(directory, area, taxonomy) for this area."
            )

    def weights(self, radius_m: np.ndarray, *, decay: Decay = STEPPED) -> sparse.csr_array:
        """Service × zone weights w(s, z) for a radius per service.

        Parameters
        ----------
        radius_m
            Per service (all rows), the catchment radius in metres for circle services;
            NaN (or 0) leaves a circle service out. Ignored for list services.
        decay
            ``"stepped"``: 1, 0.68, 0.22 in the first, second and last third of the radius
            (enhanced 2SFCA); ``"none"``: 1 within the radius (plain 2SFCA).

        Notes
        -----
        A zone is within the radius when distance <= radius (exact distance to its
        representative point); list services weigh 1 on every zone they list.
        """
        check_choice("decay", decay, DECAYS)
        radius = np.asarray(radius_m, dtype=float)[self.pair_service]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = self.pair_distance_m / radius
        inside = np.isfinite(ratio) & (ratio <= 1.0)
        weight = step_weights(ratio[inside], decay)
        circles = sparse.csr_array(
            (weight, (self.pair_service[inside], self.pair_zone[inside])), shape=self.shape
        )
        return (circles + self.listed).tocsr()

    def unit_pairs(
        self, unit_row: np.ndarray, unit_radius_m: np.ndarray, *, decay: Decay = STEPPED
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(unit, zone, weight) for supply units: a service in one category, with its radius.

        Parameters
        ----------
        unit_row
            The coverage row (service) of each unit.
        unit_radius_m
            The unit's catchment radius in metres (circle services; ignored otherwise).
        decay
            As for `weights`.

        Returns
        -------
        tuple of numpy.ndarray
            Unit index, zone index and weight of every zone the unit reaches.
        """
        check_choice("decay", decay, DECAYS)
        start, count = self._pair_ranges
        unit, pair = _expand(start[unit_row], count[unit_row])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = self.pair_distance_m[pair] / np.asarray(unit_radius_m, float)[unit]
        inside = ratio <= 1.0  # NaN radius: never inside
        unit, pair, ratio = unit[inside], pair[inside], ratio[inside]
        weight = step_weights(ratio, decay)
        listed_unit, listed_pos = _expand(
            self.listed.indptr[unit_row], np.diff(self.listed.indptr)[unit_row]
        )
        return (
            np.concatenate([unit, listed_unit]),
            np.concatenate([self.pair_zone[pair], self.listed.indices[listed_pos]]),
            np.concatenate([weight, np.ones(len(listed_unit))]),
        )

    @cached_property
    def _pair_ranges(self) -> tuple[np.ndarray, np.ndarray]:
        """Per service, where its circle pairs start in the pair arrays and how many."""
        n_services = len(self.service_ids)
        count = np.bincount(self.pair_service, minlength=n_services)
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        return start, count

    def radius_for(
        self, categories: Iterable[str], *, taxonomy: Taxonomy, factor: float = 1.0
    ) -> np.ndarray:
        """Per service, the radius (m) of its catchment for one category, × ``factor``.

        A ``radius_km`` service keeps its stated radius; an ``at_location`` service takes
        the category's default catchment. ``categories`` gives each service's category
        (one per row; ``""`` for rows outside the category).
        """
        catchments = {c.id: c.catchment_km * 1000.0 for c in taxonomy.categories}
        default = np.fromiter(
            (catchments.get(c, np.nan) for c in categories), float, len(self.service_ids)
        )
        radius = np.where(np.isfinite(self.given_radius_m), self.given_radius_m, default)
        return np.where(self.is_circle, radius * factor, np.nan)

    def inside_share(self, radius_m: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per service (or per ``rows``), the share of its circle inside the authority (0-1).

        List services count fully. A circle service near or beyond the boundary counts
        only the share of its catchment's area inside (`analysis.provision.edges`): the
        residents outside are not in the analysis, so its capacity is not all theirs.
        """
        radius = np.asarray(radius_m, dtype=float)
        rows = np.arange(len(radius)) if rows is None else np.asarray(rows)
        share = np.ones(len(radius))
        measured = self.is_circle[rows] & np.isfinite(radius) & (radius > 0)
        keys = [(int(rows[p]), float(radius[p])) for p in np.flatnonzero(measured)]
        missing = list(dict.fromkeys(k for k in keys if k not in self._inside))
        if missing:
            found = self.outline.shares(
                [self.locations[row] for row, _ in missing], np.array([r for _, r in missing])
            )
            self._inside.update(zip(missing, found.tolist(), strict=True))
        share[measured] = [self._inside[k] for k in keys]
        return share

    def reach(self, radius_m: np.ndarray) -> sparse.csr_array:
        """0/1 service × zone matrix: zones within the radius (or listed)."""
        matrix = self.weights(radius_m, decay=NO_DECAY)
        matrix.data[:] = 1.0
        return matrix


def step_weights(ratio: np.ndarray, decay: Decay) -> np.ndarray:
    """Weight of zones at ``ratio`` = distance / radius (0 to 1): the thirds' steps, or 1.

    A zone exactly on a third's edge takes the nearer third's weight (distance <= edge).
    """
    if decay != STEPPED:
        return np.ones(len(ratio))
    third = np.searchsorted(STEP_EDGES, ratio, side="left")
    return np.asarray(STEP_WEIGHTS)[np.minimum(third, len(STEP_WEIGHTS) - 1)]


def _expand(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For ranges [start_i, start_i + count_i): (i, position) of every element."""
    owner = np.repeat(np.arange(len(count)), count)
    offset = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    return owner, np.repeat(start, count) + offset


def representative_points(area: AreaSet) -> np.ndarray:
    """Each neighbourhood's representative point (EPSG:27700), where its demand sits."""
    ensure_crs(area.neighbourhoods, CRS_COMPUTE, name="neighbourhoods")
    return shapely.point_on_surface(area.neighbourhoods.geometry.to_numpy())


def compute_coverage(
    directory: Directory,
    area: AreaSet,
    taxonomy: Taxonomy,
    *,
    max_factor: float = max(settings.ROBUSTNESS_CATCHMENT_FACTORS),
) -> Coverage:
    """Compute which neighbourhoods each service reaches, with distances for the circles.

    Parameters
    ----------
    directory
        Services (EPSG:27700) with their area-served kind, locations, radius and wards.
    area
        The reference geography; its neighbourhoods are the zones.
    taxonomy
        The need categories: an ``at_location`` service's radius is its category's.
    max_factor
        The largest catchment factor any variant asks for: distances are kept up to
        ``max_factor`` × the largest radius the service may take.

    Raises
    ------
    AnalysisError
        When service ids are not unique.
    CRSError
        When the neighbourhoods are not in EPSG:27700.

    Notes
    -----
    Distances are exact (metres, EPSG:27700) from each of a service's locations to each
    zone's representative point, found with one k-d tree of the zone points: never a
    polygon approximation of a circle, never a loop over services × zones. ``citywide``
    covers every neighbourhood of the area; ``wards`` every neighbourhood of the listed
    wards (a zone's point may lie a few metres outside the generalised ward outline).
    """
    services = directory.services
    ids = _unique_ids(services)
    zones = area.neighbourhoods
    points = representative_points(area)
    kinds = services[AREA_KIND].astype(str).to_numpy()
    is_circle = np.isin(kinds, CIRCLE_KINDS)
    given = np.where(
        kinds == RADIUS_KM, pd.to_numeric(services[RADIUS_M], errors="coerce"), np.nan
    ).astype(float)
    locations = _service_locations(services)
    largest = _largest_radius_m(services, given, taxonomy) * max_factor
    pair_service, pair_zone, distance = circle_pairs(
        np.flatnonzero(is_circle), locations, largest, points
    )
    listed = _listed(kinds, services[WARD_CODES].to_numpy(), zones[WARD_CODE].to_numpy())
    return Coverage(
        service_ids=ids,
        zone_codes=pd.Index(zones[LSOA_CODE]),
        pair_service=pair_service,
        pair_zone=pair_zone,
        pair_distance_m=distance,
        listed=listed,
        is_circle=is_circle,
        given_radius_m=given,
        is_remote=is_remote(services),
        outline=Outline.of_wards(area.wards.geometry.to_numpy()),
        locations=locations,
        categories=services[CATEGORIES].map(tuple).to_numpy(),
        own_radius_m=np.where(is_circle, _own_radius_m(services, given, taxonomy), np.nan),
        max_factor=float(max_factor),
    )


def is_remote(services: pd.DataFrame) -> np.ndarray:
    """Per service: citywide, or delivered only by phone or online (reaches anyone)."""
    remote_only = services[DELIVERY].map(
        lambda modes: bool(modes) and set(modes) <= set(REMOTE_MODES)
    )
    return ((services[AREA_KIND] == CITYWIDE) | remote_only).to_numpy(bool)


def _unique_ids(services: pd.DataFrame) -> pd.Index:
    ids = pd.Index(services[SERVICE_ID].astype(str).to_numpy())
    if ids.has_duplicates:
        repeated = ", ".join(map(str, ids[ids.duplicated()].unique()[:5]))
        raise AnalysisError(
            f"service ids are not unique ({repeated}). Fix: give every service its own "
            "service_id before computing coverage."
        )
    return ids


def _service_locations(services: gpd.GeoDataFrame) -> np.ndarray:
    """Per service, an array of its location points (all of them, for several venues)."""
    venues = services[LOCATIONS] if LOCATIONS in services.columns else services[LOCATION]
    chosen = np.where(has_geometry(venues), venues.to_numpy(object), services[LOCATION].to_numpy())
    chosen = np.where(has_geometry(chosen), chosen, None)
    parts, owner = shapely.get_parts(chosen, return_index=True)
    out = np.empty(len(services), dtype=object)
    out[:] = np.split(parts, np.searchsorted(owner, np.arange(1, len(services))))
    return out


def has_geometry(geometries) -> np.ndarray:
    """Per value: a geometry (a venue's point or points), not missing or empty."""
    values = np.asarray(geometries, dtype=object)
    present = np.fromiter((isinstance(g, shapely.Geometry) for g in values), bool, len(values))
    return present & ~shapely.is_empty(np.where(present, values, None))


def _largest_radius_m(services: pd.DataFrame, given: np.ndarray, taxonomy: Taxonomy):
    """Per service, the largest radius it takes in any of its categories (m)."""
    largest = _category_radii(services, taxonomy).groupby(level=0).max()
    return np.where(np.isfinite(given), given, largest.to_numpy(float))


def _own_radius_m(services: pd.DataFrame, given: np.ndarray, taxonomy: Taxonomy):
    """Per service, its stated radius, else its first category's catchment (m)."""
    first = _category_radii(services, taxonomy).groupby(level=0).first()
    return np.where(np.isfinite(given), given, first.to_numpy(float))


def _category_radii(services: pd.DataFrame, taxonomy: Taxonomy) -> pd.Series:
    """Each service's categories' catchments (m) in their order, indexed by service
    position; an uncategorised service (or unknown category) takes the fallback."""
    catchments = {c.id: c.catchment_km * 1000.0 for c in taxonomy.categories}
    fallback = settings.UNCATEGORISED_CATCHMENT_KM * 1000.0
    categories = services[CATEGORIES].reset_index(drop=True).explode()
    return categories.map(catchments).astype(float).fillna(fallback)


def _listed(kinds: np.ndarray, ward_lists: np.ndarray, zone_wards: np.ndarray):
    """0/1 matrix of the zones listed by ``wards`` services and covered by ``citywide``."""
    n_services, n_zones = len(kinds), len(zone_wards)
    citywide = np.flatnonzero(kinds == CITYWIDE)
    rows = [np.repeat(citywide, n_zones)]
    cols = [np.tile(np.arange(n_zones), len(citywide))]
    by_wards = np.flatnonzero((kinds == WARDS) & np.array([bool(w) for w in ward_lists], bool))
    if len(by_wards):
        listed = pd.DataFrame({"s": by_wards, WARD_CODE: ward_lists[by_wards]}).explode(WARD_CODE)
        zones = pd.DataFrame({WARD_CODE: zone_wards, "z": np.arange(n_zones)})
        pairs = listed.merge(zones, on=WARD_CODE, how="inner")
        rows.append(pairs["s"].to_numpy(np.int64))
        cols.append(pairs["z"].to_numpy(np.int64))
    row, col = np.concatenate(rows), np.concatenate(cols)
    matrix = sparse.csr_array((np.ones(len(row)), (row, col)), shape=(n_services, n_zones))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def default_reach(coverage: Coverage) -> sparse.csr_array:
    """0/1 reach of each service with its own catchment (its first category's, or stated)."""
    return coverage.reach(coverage.own_radius_m)
