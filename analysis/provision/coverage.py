"""Coverage: which neighbourhoods each service's area reaches, as a sparse service × zone table.

This is the only step of the analysis that touches geometry, and the most expensive one. It
is kept apart (like the overlap ``table=`` of tobler's ``area_interpolate``) so that changing
thresholds, filters or categories only reruns the cheap arithmetic in `analysis.provision.metrics`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from analysis.crs import ensure_crs
from analysis.directory import Directory
from analysis.errors import AnalysisError
from analysis.geography import AreaSet
from analysis.model import (
    AREA_KIND,
    AT_LOCATION,
    CIRCLE_KINDS,
    CITYWIDE,
    CRS_COMPUTE,
    LOCATION,
    LSOA_CODE,
    POPULATION,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    SHARE,
    WARD_CODE,
    WARD_CODES,
    WARDS,
)


@dataclass(frozen=True, eq=False)
class Coverage:
    """Sparse service × neighbourhood coverage table w(s, z) in {0, 1}.

    Attributes
    ----------
    matrix
        ``scipy.sparse.csr_array`` of shape (services, neighbourhoods), 1.0 where the service
        covers the neighbourhood, no stored entry elsewhere.
    service_ids
        Service id of each row, unique.
    zone_codes
        LSOA code of each column, in the order of the area's neighbourhoods.
    catchment_factor
        Factor applied to the radii of circular catchments (1.0 = as recorded).
    """

    matrix: sparse.csr_array
    service_ids: pd.Index
    zone_codes: pd.Index
    catchment_factor: float = 1.0

    @property
    def n_links(self) -> int:
        """Number of covered (service, neighbourhood) pairs."""
        return int(self.matrix.nnz)

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
                "recompute coverage with compute_coverage(directory, area) after the "
                "directory changed."
            )
        return rows

    def check_area(self, area: AreaSet) -> None:
        """Raise `AnalysisError` unless the columns are ``area``'s neighbourhoods, in order."""
        codes = area.neighbourhoods[LSOA_CODE]
        if len(codes) != len(self.zone_codes) or not np.array_equal(
            codes.to_numpy(), self.zone_codes.to_numpy()
        ):
            raise AnalysisError(
                f"the coverage table has {len(self.zone_codes)} neighbourhoods that are not "
                f"the {len(codes)} neighbourhoods of {area.name}. Fix: recompute coverage "
                "with compute_coverage(directory, area) for this area."
            )

    def to_frame(self) -> pd.DataFrame:
        """Long table of covered pairs: columns ``service_id``, ``lsoa_code``."""
        coo = self.matrix.tocoo()
        return pd.DataFrame(
            {
                SERVICE_ID: self.service_ids.to_numpy()[coo.row],
                LSOA_CODE: self.zone_codes.to_numpy()[coo.col],
            }
        ).sort_values([SERVICE_ID, LSOA_CODE], ignore_index=True)


def representative_points(area: AreaSet) -> np.ndarray:
    """Each neighbourhood's representative point (EPSG:27700), where its demand sits."""
    ensure_crs(area.neighbourhoods, CRS_COMPUTE, name="neighbourhoods")
    return shapely.point_on_surface(area.neighbourhoods.geometry.to_numpy())


def compute_coverage(directory: Directory, area: AreaSet) -> Coverage:
    """Compute which neighbourhoods each service covers.

    Parameters
    ----------
    directory
        Services whose active geometry is the area served (EPSG:27700).
    area
        The reference geography; its neighbourhoods are the zones.

    Returns
    -------
    Coverage
        One row per service (directory order), one column per neighbourhood (area order).

    Raises
    ------
    AnalysisError
        When service ids are not unique.
    CRSError
        When the neighbourhoods are not in EPSG:27700.

    Notes
    -----
    w(s, z) = 1 when zone z's representative point lies in (or on the edge of) service s's
    area, else 0 — found with one STRtree query of all areas against all points, never a
    loop over services × zones. Two kinds are read from their definition rather than their
    polygon, so that a service covers exactly what its provider declared:

    - ``citywide`` covers every neighbourhood of the area (a zone's point may lie a few
      metres outside the generalised authority outline);
    - ``wards`` covers every neighbourhood of the listed wards (7 of Bristol's 268 points
      fall in a neighbouring ward's polygon); with no ward codes the polygon is used.
    """
    services = directory.services
    ensure_crs(area.neighbourhoods, CRS_COMPUTE, name="neighbourhoods")
    ids = pd.Index(services[SERVICE_ID].astype(str).to_numpy())
    if ids.has_duplicates:
        repeated = ", ".join(map(str, ids[ids.duplicated()].unique()[:5]))
        raise AnalysisError(
            f"service ids are not unique ({repeated}). Fix: give every service its own "
            "service_id before computing coverage."
        )
    zones = area.neighbourhoods
    n_services, n_zones = len(services), len(zones)
    kinds = services[AREA_KIND].astype(str).to_numpy()
    ward_lists = services[WARD_CODES].to_numpy()
    has_wards = np.fromiter((bool(codes) for codes in ward_lists), bool, n_services)
    is_citywide = kinds == CITYWIDE
    by_wards = (kinds == WARDS) & has_wards
    by_geometry = ~(is_citywide | by_wards)

    parts = [
        _citywide_pairs(np.flatnonzero(is_citywide), n_zones),
        _ward_pairs(np.flatnonzero(by_wards), ward_lists, zones[WARD_CODE].to_numpy()),
        _geometry_pairs(
            np.flatnonzero(by_geometry), services.geometry.to_numpy(), representative_points(area)
        ),
    ]
    matrix = _pairs_to_matrix(parts, (n_services, n_zones))
    return Coverage(matrix=matrix, service_ids=ids, zone_codes=pd.Index(zones[LSOA_CODE]))


def rescale_catchments(
    coverage: Coverage,
    directory: Directory,
    area: AreaSet,
    *,
    factor: float,
    kinds: tuple[str, ...] = (AT_LOCATION,),
) -> Coverage:
    """Coverage with circular catchments of the given kinds scaled by ``factor``.

    Parameters
    ----------
    coverage
        The table computed by `compute_coverage` for ``directory`` and ``area``.
    directory
        The services; those of ``kinds`` with a location and a radius are rescaled.
    area
        The reference geography.
    factor
        Radius multiplier, e.g. 0.5 or 1.5; relative to the recorded ``radius_m`` (so
        rescaling a rescaled table does not compound).
    kinds
        Area-served kinds whose circles are rescaled; ``("at_location",)`` varies the
        category default catchments, add ``"radius_km"`` to vary stated radii too.

    Returns
    -------
    Coverage
        Same rows and columns; rescaled rows replaced, every other row unchanged.

    Raises
    ------
    AnalysisError
        When ``factor`` is not a positive number, or a kind is not circular.

    Notes
    -----
    w(s, z) = 1 when distance(location_s, point_z) <= factor × radius_m(s): one STRtree
    ``dwithin`` query of the locations against the zones' points, with no polygons rebuilt.
    """
    if not np.isfinite(factor) or factor <= 0:
        raise AnalysisError(
            f"catchment factor {factor!r} is not a positive number. Fix: pass e.g. 0.5 "
            "(half the radius) or 1.5."
        )
    unknown = [kind for kind in kinds if kind not in CIRCLE_KINDS]
    if unknown:
        raise AnalysisError(
            f"area-served kind(s) {unknown} have no radius to rescale. Fix: use "
            f"{' or '.join(CIRCLE_KINDS)}."
        )
    coverage.check_area(area)
    services = directory.services
    rows = coverage.rows_for(services[SERVICE_ID].astype(str))
    radius_m = pd.to_numeric(services[RADIUS_M], errors="coerce").to_numpy(float)
    locations = services[LOCATION].to_numpy()
    has_point = ~(shapely.is_missing(locations) | shapely.is_empty(locations))
    chosen = (
        services[AREA_KIND].isin(kinds).to_numpy()
        & has_point
        & np.isfinite(radius_m)
        & (radius_m > 0)
    )
    order = _spatial_order(locations[chosen])
    tree = shapely.STRtree(representative_points(area))
    local, zone = tree.query(
        locations[chosen][order], predicate="dwithin", distance=radius_m[chosen][order] * factor
    )
    new_rows = rows[chosen][order][local]

    kept = coverage.matrix.tocoo()
    keep = ~np.isin(kept.row, rows[chosen])
    matrix = _pairs_to_matrix(
        [(kept.row[keep], kept.col[keep]), (new_rows, zone)], coverage.matrix.shape
    )
    return Coverage(
        matrix=matrix,
        service_ids=coverage.service_ids,
        zone_codes=coverage.zone_codes,
        catchment_factor=float(factor),
    )


def ward_coverage(coverage: Coverage, area: AreaSet) -> pd.DataFrame:
    """Population share of each ward that each service covers, for the pairs that are > 0.

    Returns
    -------
    pandas.DataFrame
        Columns ``service_id``, ``ward_code``, ``share`` (0-1], sorted by service and ward.

    Notes
    -----
    w(s, W) = Σ_{z in W} pop_z w(s, z) / Σ_{z in W} pop_z. A ward without population has
    no share.
    """
    coverage.check_area(area)
    membership, ward_codes = zone_membership(area.neighbourhoods, area.wards[WARD_CODE])
    population = area.neighbourhoods[POPULATION].to_numpy(float)
    ward_population = membership.T @ population
    covered = (coverage.matrix @ sparse.diags_array(population) @ membership).tocoo()
    share = covered.data / np.where(ward_population > 0, ward_population, np.inf)[covered.col]
    frame = pd.DataFrame(
        {
            SERVICE_ID: coverage.service_ids.to_numpy()[covered.row],
            WARD_CODE: ward_codes.to_numpy()[covered.col],
            SHARE: share,
        }
    )
    return frame[frame[SHARE] > 0].sort_values([SERVICE_ID, WARD_CODE], ignore_index=True)


def zone_membership(
    zones_df: pd.DataFrame, ward_codes: Iterable[str]
) -> tuple[sparse.csr_array, pd.Index]:
    """Zone × ward indicator matrix G (G[z, W] = 1 when zone z is in ward W) and ward order.

    Zones whose ward is not among ``ward_codes`` belong to no column.
    """
    wards = pd.Index(list(ward_codes))
    column = wards.get_indexer(zones_df[WARD_CODE])
    inside = np.flatnonzero(column >= 0)
    matrix = sparse.csr_array(
        (np.ones(len(inside)), (inside, column[inside])), shape=(len(zones_df), len(wards))
    )
    return matrix, wards


def _citywide_pairs(rows: np.ndarray, n_zones: int) -> tuple[np.ndarray, np.ndarray]:
    return np.repeat(rows, n_zones), np.tile(np.arange(n_zones), len(rows))


def _ward_pairs(
    rows: np.ndarray, ward_lists: np.ndarray, zone_wards: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    listed = pd.DataFrame({"s": rows, WARD_CODE: ward_lists[rows]}).explode(WARD_CODE)
    zones = pd.DataFrame({WARD_CODE: zone_wards, "z": np.arange(len(zone_wards))})
    pairs = listed.merge(zones, on=WARD_CODE, how="inner")
    return pairs["s"].to_numpy(np.int64), pairs["z"].to_numpy(np.int64)


def _geometry_pairs(
    rows: np.ndarray, areas: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    geometries = areas[rows]
    usable = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    rows, geometries = rows[usable], geometries[usable]
    order = _spatial_order(geometries)
    tree = shapely.STRtree(points)
    local, zone = tree.query(geometries[order], predicate="intersects")
    return rows[order][local], zone


def _spatial_order(geometries: np.ndarray) -> np.ndarray:
    """An order of ``geometries`` along a Hilbert curve.

    Querying the tree with neighbours one after another keeps its nodes in the CPU cache:
    three times faster at England scale than the directory's own order.
    """
    if len(geometries) < 2:
        return np.arange(len(geometries))
    distances = gpd.GeoSeries(geometries).hilbert_distance()
    return np.argsort(distances.to_numpy(), kind="stable")


def _pairs_to_matrix(
    parts: list[tuple[np.ndarray, np.ndarray]], shape: tuple[int, int]
) -> sparse.csr_array:
    row = np.concatenate([np.asarray(part[0], np.int64) for part in parts])
    col = np.concatenate([np.asarray(part[1], np.int64) for part in parts])
    matrix = sparse.csr_array((np.ones(len(row)), (row, col)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def covered_population(coverage: Coverage, area: AreaSet) -> pd.Series:
    """Residents covered by each service (Σ_z pop_z w(s, z)), indexed by service id."""
    coverage.check_area(area)
    population = area.neighbourhoods[POPULATION].to_numpy(float)
    return pd.Series(coverage.matrix @ population, index=coverage.service_ids, name=POPULATION)


def services_in_ward(
    coverage: Coverage, directory: Directory, area: AreaSet, ward_code: str
) -> gpd.GeoDataFrame:
    """The services reaching a ward, with their organisation, largest share first.

    Returns
    -------
    geopandas.GeoDataFrame
        `analysis.directory.Directory.services_with_organisations` rows of the services
        reaching the ward, with ``share``: the share of the ward's residents each reaches
        (`analysis.provision.coverage.ward_coverage`). Ties sorted by service name.
    """
    shares = ward_coverage(coverage, area)
    shares = shares[shares[WARD_CODE] == ward_code][[SERVICE_ID, SHARE]]
    services = directory.services_with_organisations()
    services = services.assign(**{SERVICE_ID: services[SERVICE_ID].astype(str)})
    merged = services.merge(shares, on=SERVICE_ID, how="inner")
    return merged.sort_values([SHARE, SERVICE_NAME], ascending=[False, True], ignore_index=True)
