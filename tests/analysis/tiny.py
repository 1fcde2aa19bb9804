"""Tiny hand-checkable areas and directories for the analysis tests, built inline.

The default area is four 1 km squares in a row, two wards of two neighbourhoods::

    x (km)   0      1      2      3      4
             | Z1   | Z2   | Z3   | Z4   |
             |  ward W1    |  ward W2    |
    pop       1000   3000   2000   4000        (W1 4,000, W2 6,000, city 10,000)
    65+        100    300   1000   1000        (W1   400, W2 2,000, city  2,400)

Each square's representative point is its centre ((500, 500), (1500, 500), …).
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import box

from analysis.directory import Directory
from analysis.geography import AreaSet
from analysis.model import CRS_COMPUTE, IMD_DOMAINS, ORG_COLUMNS, SERVICE_COLUMNS
from analysis.taxonomy import Category, Taxonomy

KM = 1000.0
POPULATION = (1000, 3000, 2000, 4000)
OLDER = (100, 300, 1000, 1000)


def make_area(
    population: Sequence[float] = POPULATION,
    older: Sequence[float] = OLDER,
    wards: Sequence[str] = ("W1", "W1", "W2", "W2"),
    *,
    rows: int = 1,
) -> AreaSet:
    """Squares of 1 km, ``rows`` rows of ``len(population) // rows`` columns, row by row."""
    n = len(population)
    columns = n // rows
    geometries = [
        box(k % columns * KM, k // columns * KM, (k % columns + 1) * KM, (k // columns + 1) * KM)
        for k in range(n)
    ]
    zones = gpd.GeoDataFrame(
        {
            "lsoa_code": [f"Z{k + 1}" for k in range(n)],
            "lsoa_name": [f"Zone {k + 1}" for k in range(n)],
            "ward_code": list(wards),
            "population": np.asarray(population, float),
            "pop_0_15": np.zeros(n),
            "pop_16_64": np.asarray(population, float) - np.asarray(older, float),
            "pop_65_plus": np.asarray(older, float),
            **{f"need_{domain}": np.full(n, 50.0) for domain in IMD_DOMAINS},
            **{f"decile_{domain}": np.full(n, 5) for domain in IMD_DOMAINS},
        },
        geometry=geometries,
        crs=CRS_COMPUTE,
    )
    ward_codes = list(dict.fromkeys(wards))
    ward_geometries = [
        shapely.union_all(zones.geometry[zones["ward_code"] == code].to_numpy())
        for code in ward_codes
    ]
    ward_gdf = gpd.GeoDataFrame(
        {"ward_code": ward_codes, "ward_name": [f"Ward {code}" for code in ward_codes]},
        geometry=ward_geometries,
        crs=CRS_COMPUTE,
    )
    return AreaSet(
        lad_code="E06999999",
        name="Tinyshire",
        wards=ward_gdf,
        neighbourhoods=zones,
        postcodes=pd.DataFrame(
            {
                "postcode": ["TS1 1AA"],
                "lat": [50.0],
                "lon": [-2.0],
                "easting": [2500.0],
                "northing": [500.0],
                "ward_code": ["W2"],
                "lsoa_code": ["Z3"],
            }
        ).set_index("postcode", drop=False),
        meta={},
        attribution="Contains tiny test data.",
    )


def make_taxonomy() -> Taxonomy:
    """``food`` (need = population, 1 km), ``befriending`` (65+, 1.5 km), ``housing`` (none)."""
    return Taxonomy(
        (
            Category("food", "Food", "", (), ("population",), 1.0),
            Category("befriending", "Befriending", "", (), ("pop_65_plus",), 1.5),
            Category("housing", "Housing", "", (), ("population",), 3.0),
        )
    )


def service(
    service_id: str,
    area: shapely.Geometry | None = None,
    *,
    org_id: str = "A",
    categories: Sequence[str] = ("food",),
    capacity: float = 1.0,
    kind: str = "radius_km",
    location: shapely.Geometry | None = None,
    radius_m: float = float("nan"),
    ward_codes: Sequence[str] = (),
    **extra,
) -> dict:
    """One service row with the Directory's columns; unspecified fields get dull defaults."""
    row = {column: None for column in SERVICE_COLUMNS}
    row.update(
        service_id=service_id,
        org_id=org_id,
        service_name=f"Service {service_id}",
        description="",
        categories=tuple(categories),
        delivery=("in person",),
        postcode="",
        area_kind=kind,
        area_value="",
        radius_m=radius_m,
        ward_codes=tuple(ward_codes),
        capacity=float(capacity),
        audience="",
        active_from=pd.NaT,
        active_until=pd.NaT,
        last_updated=pd.Timestamp("2025-01-01"),
        contact_public=True,
        email_public=True,
        phone_public=True,
        email="",
        phone="",
        website="",
        flags=(),
        source_row=0,
        location=location,
        geometry=area,
    )
    row.update(extra)
    return row


def circle(
    x_km: float, y_km: float, radius_m: float, service_id: str, *, kind: str = "radius_km", **kwargs
) -> dict:
    """A service serving ``radius_m`` around (x, y) km.

    ``kind="at_location"`` makes it a venue: the analysis then uses the category's
    catchment instead of ``radius_m``.
    """
    centre = shapely.Point(x_km * KM, y_km * KM)
    return service(
        service_id,
        centre.buffer(radius_m),
        kind=kind,
        location=centre,
        radius_m=radius_m,
        **kwargs,
    )


def citywide(area: AreaSet, service_id: str, **kwargs) -> dict:
    """A ``citywide`` service whose area is the union of the wards."""
    return service(
        service_id, shapely.union_all(area.wards.geometry.to_numpy()), kind="citywide", **kwargs
    )


def make_directory(rows: Sequence[dict], organisations: Sequence[dict] = ()) -> Directory:
    """A Directory of ``rows``; organisations default to one per org id seen, kind charity."""
    services = gpd.GeoDataFrame(
        pd.DataFrame(list(rows), columns=[*SERVICE_COLUMNS, "geometry"]),
        geometry="geometry",
        crs=CRS_COMPUTE,
    )
    services["location"] = gpd.GeoSeries(services["location"], crs=CRS_COMPUTE)
    orgs = list(organisations) or [
        {"org_id": org_id, "org_name": f"Org {org_id}", "kind": "charity"}
        for org_id in dict.fromkeys(services["org_id"])
    ]
    org_df = pd.DataFrame(orgs).reindex(columns=list(ORG_COLUMNS))
    return Directory(organisations=org_df, services=services)
