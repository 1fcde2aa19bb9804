"""Synthetic inputs for the benchmarks: a tiled "England" and random directories.

`tile_area` copies an area's geometry side by side (codes suffixed ``-T<k>``);
`synthetic_directory` makes a Directory with the mix of area-served kinds a real directory
has. Deterministic for a given seed. Not used by the tests.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.directory import Directory
from analysis.geography import AreaSet
from analysis.model import CRS_COMPUTE, LSOA_CODE, ORG_COLUMNS, SERVICE_COLUMNS, WARD_CODE
from analysis.taxonomy import Taxonomy

# Share of services by area-served kind; "area-wide" services are `wards` listing every
# ward of their tile, so that in a tiled area they stay inside their own authority.
KIND_SHARES = {"at_location": 0.6, "radius_km": 0.1, "wards": 0.2, "area-wide": 0.1}
UNCATEGORISED_SHARE = 0.03


def tile_area(area: AreaSet, tiles: int, *, gap_m: float = 1000.0) -> AreaSet:
    """``tiles`` copies of ``area`` on a near-square grid, codes suffixed ``-T<k>``."""
    minx, miny, maxx, maxy = area.wards.total_bounds
    step_x, step_y = maxx - minx + gap_m, maxy - miny + gap_m
    columns = math.ceil(math.sqrt(tiles))
    wards, zones, postcodes = [], [], []
    for k in range(tiles):
        dx, dy = (k % columns) * step_x, (k // columns) * step_y
        suffix = f"-T{k}"
        w = area.wards.copy()
        w[WARD_CODE] = w[WARD_CODE] + suffix
        w["geometry"] = w.geometry.translate(dx, dy)
        z = area.neighbourhoods.copy()
        z[LSOA_CODE] = z[LSOA_CODE] + suffix
        z[WARD_CODE] = z[WARD_CODE] + suffix
        z["geometry"] = z.geometry.translate(dx, dy)
        p = area.postcodes[["easting", "northing", WARD_CODE, LSOA_CODE]].copy()
        p["easting"] += dx
        p["northing"] += dy
        p[WARD_CODE] = p[WARD_CODE] + suffix
        p[LSOA_CODE] = p[LSOA_CODE] + suffix
        p["tile"] = k
        wards.append(w)
        zones.append(z)
        postcodes.append(p)
    return AreaSet(
        lad_code=f"{area.lad_code}x{tiles}",
        name=f"{area.name} tiled {tiles} times",
        wards=gpd.GeoDataFrame(pd.concat(wards, ignore_index=True), crs=CRS_COMPUTE),
        neighbourhoods=gpd.GeoDataFrame(pd.concat(zones, ignore_index=True), crs=CRS_COMPUTE),
        postcodes=pd.concat(postcodes, ignore_index=True),
        meta={"tiles": tiles},
        attribution=area.attribution,
    )


def synthetic_directory(
    area: AreaSet, taxonomy: Taxonomy, n_services: int, *, seed: int = 0
) -> Directory:
    """A random Directory of ``n_services`` services over ``area`` (EPSG:27700).

    Locations are random postcode points; categories one or two at random (3 %
    uncategorised); catchments the category default for ``at_location``, 0.5-5 km for
    ``radius_km``; 1-3 random wards of the location's tile for ``wards``; every ward of the
    tile for area-wide services. About three services per organisation.
    """
    rng = np.random.default_rng(seed)
    ids = list(taxonomy.ids())
    catchment_m = {c.id: c.catchment_km * 1000 for c in taxonomy.categories}
    postcodes = area.postcodes.reset_index(drop=True)
    if "tile" not in postcodes.columns:
        postcodes = postcodes.assign(tile=0)
    ward_tile = pd.Series(
        area.wards[WARD_CODE].str.extract(r"-T(\d+)$")[0].fillna(0).astype(int).to_numpy(),
        index=area.wards[WARD_CODE].to_numpy(),
    )
    tile_wards = {tile: list(codes.index) for tile, codes in ward_tile.groupby(ward_tile)}
    ward_geometry = pd.Series(area.wards.geometry.to_numpy(), index=area.wards[WARD_CODE])
    tile_outline = {
        tile: shapely.union_all(ward_geometry[codes].to_numpy())
        for tile, codes in tile_wards.items()
    }

    picks = rng.integers(0, len(postcodes), n_services)
    x = postcodes["easting"].to_numpy(float)[picks]
    y = postcodes["northing"].to_numpy(float)[picks]
    tiles = postcodes["tile"].to_numpy()[picks]
    locations = shapely.points(x, y)
    kinds = rng.choice(list(KIND_SHARES), n_services, p=list(KIND_SHARES.values()))
    first = rng.integers(0, len(ids), n_services)
    second = rng.integers(0, len(ids), n_services)
    two = rng.random(n_services) < 0.3
    none = rng.random(n_services) < UNCATEGORISED_SHARE
    categories = [
        ()
        if none[k]
        else tuple(dict.fromkeys([ids[first[k]], *([ids[second[k]]] if two[k] else [])]))
        for k in range(n_services)
    ]
    radius = np.full(n_services, np.nan)
    is_at = kinds == "at_location"
    radius[is_at] = [
        catchment_m[c[0]] if c else 1500.0 for c, a in zip(categories, is_at, strict=True) if a
    ]
    is_radius = kinds == "radius_km"
    radius[is_radius] = rng.uniform(500, 5000, is_radius.sum()).round(-2)
    areas = np.empty(n_services, dtype=object)
    circles = is_at | is_radius
    areas[circles] = shapely.buffer(locations[circles], radius[circles])
    ward_codes: list[tuple[str, ...]] = [()] * n_services
    for k in np.flatnonzero(~circles):
        wards_here = tile_wards[int(tiles[k])]
        if kinds[k] == "area-wide":
            ward_codes[k] = tuple(wards_here)
            areas[k] = tile_outline[int(tiles[k])]
        else:
            chosen = rng.choice(wards_here, rng.integers(1, 4), replace=False)
            ward_codes[k] = tuple(chosen)
            areas[k] = (
                ward_geometry[chosen[0]]
                if len(chosen) == 1
                else shapely.union_all(ward_geometry[list(chosen)].to_numpy())
            )
    n_orgs = max(1, n_services // 3)
    services = pd.DataFrame(
        {
            "service_id": [f"S{k:07d}" for k in range(n_services)],
            "org_id": [f"O{k:06d}" for k in rng.integers(0, n_orgs, n_services)],
            "service_name": [f"Service {k}" for k in range(n_services)],
            "description": "",
            "categories": categories,
            "delivery": [("in person",)] * n_services,
            "postcode": "",
            "area_kind": np.where(kinds == "area-wide", "wards", kinds),
            "area_value": "",
            "radius_m": radius,
            "ward_codes": ward_codes,
            # About one in ten unknown, as in the demo: the imputation runs at scale too.
            "capacity": np.where(
                rng.random(n_services) < 0.1, np.nan, rng.integers(8, 250, n_services)
            ).astype(float),
            "audience": "",
            "active_from": pd.NaT,
            "active_until": pd.NaT,
            "last_updated": pd.Timestamp("2025-01-01")
            - pd.to_timedelta(rng.integers(0, 900, n_services), unit="D"),
            "contact_public": True,
            "email_public": True,
            "phone_public": True,
            "email": "",
            "phone": "",
            "website": "",
            "flags": [()] * n_services,
            "source_row": np.arange(1, n_services + 1),
            "location": gpd.GeoSeries(locations, crs=CRS_COMPUTE),
            "locations": gpd.GeoSeries(locations, crs=CRS_COMPUTE),
        }
    )
    gdf = gpd.GeoDataFrame(
        services[list(SERVICE_COLUMNS)], geometry=gpd.GeoSeries(areas, crs=CRS_COMPUTE)
    )
    org_ids = sorted(set(services["org_id"]))
    organisations = pd.DataFrame({"org_id": org_ids, "org_name": [f"Org {o}" for o in org_ids]})
    organisations["kind"] = "charity"
    organisations = organisations.reindex(columns=list(ORG_COLUMNS))
    return Directory(organisations=organisations, services=gdf)
