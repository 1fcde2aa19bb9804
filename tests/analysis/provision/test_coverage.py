"""Coverage: the sparse service × neighbourhood table, its rules, and a geopandas oracle."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

from analysis.errors import AnalysisError, CRSError
from analysis.provision.coverage import (
    compute_coverage,
    covered_population,
    rescale_catchments,
    ward_coverage,
)
from tests.analysis.tiny import circle, citywide, make_area, make_directory, service

AREA = make_area()


def covered(coverage) -> dict[str, list[str]]:
    """Service id -> covered zone codes, for readable assertions."""
    frame = coverage.to_frame()
    return {
        sid: list(frame.loc[frame["service_id"] == sid, "lsoa_code"])
        for sid in coverage.service_ids
    }


def test_an_area_covers_the_zones_whose_centre_it_holds():
    """Z1..Z4 are 1 km squares with centres at x = 500, 1500, 2500, 3500 m.

    S1 spans x 0-2000 (centres of Z1, Z2); S2 spans x 1900-2400, holding no centre; S3 ends
    exactly on Z2's centre (x = 1500), which counts: the edge is part of the area.
    """
    directory = make_directory(
        [
            service("S1", box(0, 0, 2000, 1000)),
            service("S2", box(1900, 0, 2400, 1000)),
            service("S3", box(0, 0, 1500, 1000)),
        ]
    )
    coverage = compute_coverage(directory, AREA)
    assert covered(coverage) == {"S1": ["Z1", "Z2"], "S2": [], "S3": ["Z1", "Z2"]}
    assert coverage.matrix.shape == (3, 4)
    assert coverage.n_links == 4
    assert list(coverage.zone_codes) == ["Z1", "Z2", "Z3", "Z4"]


def test_citywide_covers_every_zone_whatever_its_polygon():
    directory = make_directory([service("C", box(0, 0, 10, 10), kind="citywide")])
    assert covered(compute_coverage(directory, AREA)) == {"C": ["Z1", "Z2", "Z3", "Z4"]}


def test_ward_services_cover_their_wards_neighbourhoods_not_their_polygon():
    """The polygon (a sliver of Z3) holds no centre, but the service lists ward W2."""
    directory = make_directory(
        [
            service("W", box(2000, 0, 2100, 1000), kind="wards", ward_codes=("W2",)),
            service("G", box(0, 0, 1000, 1000), kind="wards"),  # no codes: polygon used
            service("X", box(0, 0, 10, 10), kind="wards", ward_codes=("W9", "W2", "W2")),
        ]
    )
    assert covered(compute_coverage(directory, AREA)) == {
        "W": ["Z3", "Z4"],
        "G": ["Z1"],
        "X": ["Z3", "Z4"],
    }


def test_missing_and_empty_areas_cover_nothing():
    directory = make_directory(
        [service("N", None), service("E", shapely.Polygon()), service("S", box(0, 0, 1e4, 1e4))]
    )
    assert covered(compute_coverage(directory, AREA)) == {
        "N": [],
        "E": [],
        "S": ["Z1", "Z2", "Z3", "Z4"],
    }


def test_duplicate_service_ids_are_refused():
    directory = make_directory([service("S1", box(0, 0, 1, 1)), service("S1", box(0, 0, 1, 1))])
    with pytest.raises(AnalysisError, match=r"service ids are not unique \(S1\)\. Fix: give"):
        compute_coverage(directory, AREA)


def test_neighbourhoods_in_another_crs_are_refused():
    wgs84 = replace(AREA, neighbourhoods=AREA.neighbourhoods.set_crs(4326, allow_override=True))
    with pytest.raises(CRSError, match=r"neighbourhoods is in EPSG:4326, expected EPSG:27700"):
        compute_coverage(make_directory([service("S", box(0, 0, 1, 1))]), wgs84)


def test_ward_coverage_is_the_population_share_covered():
    """S spans Z2 (3,000 residents) and Z3 (2,000).

    W1 = Z1 + Z2 = 4,000 residents, so w(S, W1) = 3000 / 4000 = 0.75;
    W2 = Z3 + Z4 = 6,000, so w(S, W2) = 2000 / 6000 = 1/3. Covered population 5,000.
    """
    directory = make_directory([service("S", box(1000, 0, 3000, 1000))])
    coverage = compute_coverage(directory, AREA)
    shares = ward_coverage(coverage, AREA)
    assert list(shares["ward_code"]) == ["W1", "W2"]
    assert shares["share"].to_list() == pytest.approx([0.75, 1 / 3])
    assert covered_population(coverage, AREA)["S"] == 5000


def test_rescaled_catchments_use_distance_to_the_location():
    """A 600 m catchment at Z1's centre (500, 500) reaches Z1 only (Z2's centre is 1 km off).

    × 2 = 1,200 m reaches Z1 and Z2; × 0.5 = 300 m still Z1. The radius_km service is not an
    at_location catchment, so it is kept as it was.
    """
    directory = make_directory(
        [
            circle(0.5, 0.5, 600, "A"),
            service(
                "R",
                shapely.Point(3500, 500).buffer(600),
                location=shapely.Point(3500, 500),
                radius_m=600,
            ),
        ]
    )
    coverage = compute_coverage(directory, AREA)
    assert covered(coverage) == {"A": ["Z1"], "R": ["Z4"]}
    wider = rescale_catchments(coverage, directory, AREA, factor=2.0)
    assert covered(wider) == {"A": ["Z1", "Z2"], "R": ["Z4"]}
    assert wider.catchment_factor == 2.0
    assert covered(rescale_catchments(coverage, directory, AREA, factor=0.5))["A"] == ["Z1"]
    both = rescale_catchments(
        coverage, directory, AREA, factor=2.0, kinds=("at_location", "radius_km")
    )
    assert covered(both) == {"A": ["Z1", "Z2"], "R": ["Z3", "Z4"]}
    # Relative to the recorded radius: rescaling a rescaled table does not compound.
    assert covered(rescale_catchments(wider, directory, AREA, factor=1.0))["A"] == ["Z1"]


def test_rescaling_checks_its_factor_and_kinds():
    directory = make_directory([circle(0.5, 0.5, 600, "A")])
    coverage = compute_coverage(directory, AREA)
    with pytest.raises(AnalysisError, match=r"catchment factor 0 is not a positive number"):
        rescale_catchments(coverage, directory, AREA, factor=0)
    with pytest.raises(AnalysisError, match=r"kind\(s\) \['wards'\] have no radius to rescale"):
        rescale_catchments(coverage, directory, AREA, factor=2, kinds=("wards",))


def test_a_table_of_another_area_or_directory_is_refused():
    directory = make_directory([service("S", box(0, 0, 1000, 1000))])
    coverage = compute_coverage(directory, AREA)
    other = make_area(population=(1, 2), older=(0, 0), wards=("W1", "W1"))
    with pytest.raises(AnalysisError, match=r"has 4 neighbourhoods that are not the 2 neighb"):
        ward_coverage(coverage, other)
    with pytest.raises(AnalysisError, match=r"1 service\(s\) are not in the coverage table \(T\)"):
        coverage.rows_for(["S", "T"])


# Oracle: a plain geopandas spatial join of the zones' points and the services' areas -------


def sjoin_pairs(directory, area) -> set[tuple[str, str]]:
    points = gpd.GeoDataFrame(
        area.neighbourhoods[["lsoa_code"]],
        geometry=area.neighbourhoods.representative_point(),
        crs=area.neighbourhoods.crs,
    )
    services = directory.services[["service_id", "geometry"]]
    services = services[~(services.geometry.isna() | services.geometry.is_empty)]
    joined = gpd.sjoin(points, services, predicate="intersects")
    return set(zip(joined["service_id"], joined["lsoa_code"], strict=True))


def coverage_pairs(coverage) -> set[tuple[str, str]]:
    frame = coverage.to_frame()
    return set(zip(frame["service_id"], frame["lsoa_code"], strict=True))


boxes = st.tuples(
    st.integers(-500, 4500), st.integers(-500, 2500), st.integers(1, 3000), st.integers(1, 2500)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(boxes, min_size=1, max_size=12))
def test_coverage_agrees_with_a_geopandas_sjoin(specs):
    """Random boxes over a 2 × 4 grid of squares (centres on a 1 km lattice, some on edges)."""
    area = make_area(population=[100] * 8, older=[10] * 8, wards=["W1"] * 4 + ["W2"] * 4, rows=2)
    rows = [service(f"S{k}", box(x, y, x + w, y + h)) for k, (x, y, w, h) in enumerate(specs)]
    directory = make_directory(rows)
    assert coverage_pairs(compute_coverage(directory, area)) == sjoin_pairs(directory, area)


def test_coverage_agrees_with_sjoin_on_bristol(bristol):
    """300 random circles and boxes over Bristol's 268 real neighbourhoods."""
    rng = np.random.default_rng(4)
    minx, miny, maxx, maxy = bristol.wards.total_bounds
    xs, ys = rng.uniform(minx, maxx, 300), rng.uniform(miny, maxy, 300)
    sizes = rng.uniform(200, 4000, 300)
    rows = [
        service(f"S{k}", shapely.Point(x, y).buffer(r))
        if k % 2
        else service(f"S{k}", box(x - r, y - r / 2, x + r, y + r / 2))
        for k, (x, y, r) in enumerate(zip(xs, ys, sizes, strict=True))
    ]
    directory = make_directory(rows)
    coverage = compute_coverage(directory, bristol)
    assert coverage_pairs(coverage) == sjoin_pairs(directory, bristol)
    assert coverage.n_links > 1000


def test_citywide_covers_every_neighbourhood_of_bristol(bristol):
    directory = make_directory([citywide(bristol, "C")])
    coverage = compute_coverage(directory, bristol)
    assert coverage.n_links == len(bristol.neighbourhoods) == 268


def test_to_frame_lists_pairs_sorted():
    directory = make_directory(
        [service("B", box(0, 0, 4000, 1000)), service("A", box(0, 0, 1000, 1000))]
    )
    frame = compute_coverage(directory, AREA).to_frame()
    assert frame.to_dict("list") == {
        "service_id": ["A", "B", "B", "B", "B"],
        "lsoa_code": ["Z1", "Z1", "Z2", "Z3", "Z4"],
    }
    assert isinstance(frame, pd.DataFrame)
