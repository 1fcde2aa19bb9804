"""Coverage: exact distances to each zone's point, decay weights, listed wards, edges.

The tiny area (tests/analysis/tiny.py) is four 1 km squares in a row; zone centres at
x = 0.5, 1.5, 2.5 and 3.5 km, y = 0.5 km. Food's catchment is 1 km, befriending's 1.5 km.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from scipy.spatial import distance_matrix

from analysis.errors import AnalysisError, CRSError
from analysis.model import SERVICE_ID, SHARE, WARD_CODE
from analysis.provision.coverage import (
    NO_DECAY,
    STEPPED,
    compute_coverage,
    default_reach,
    representative_points,
    step_weights,
)
from analysis.provision.wards import services_in_ward, ward_coverage
from tests.analysis.tiny import (
    circle,
    citywide,
    make_area,
    make_directory,
    make_taxonomy,
    service,
)

AREA = make_area()
TAXONOMY = make_taxonomy()


def _coverage(*rows):
    directory = make_directory(list(rows))
    return compute_coverage(directory, AREA, TAXONOMY), directory


def test_distances_are_exact_from_the_venue_to_each_zone_point():
    coverage, _ = _coverage(circle(0.5, 0.5, 1000, "S1"))
    pairs = sorted(zip(coverage.pair_zone.tolist(), coverage.pair_distance_m.tolist(), strict=True))
    # Kept up to 1.5 x the largest radius food takes (1 km): zones 0, 1 (1 km).
    assert pairs == [(0, 0.0), (1, 1000.0)]


@pytest.mark.parametrize(
    ("ratio", "weight"),
    [(0.0, 1.0), (1 / 3, 1.0), (0.34, 0.68), (2 / 3, 0.68), (0.67, 0.22), (1.0, 0.22)],
)
def test_stepped_weights_by_thirds_of_the_radius(ratio, weight):
    assert step_weights(np.array([ratio]), STEPPED)[0] == weight
    assert step_weights(np.array([ratio]), NO_DECAY)[0] == 1.0


def test_weights_for_a_radius_per_service():
    coverage, _ = _coverage(circle(0.5, 0.5, 1000, "S1"), circle(3.5, 0.5, 1000, "S2"))
    radius = np.array([1000.0, 1000.0])
    stepped = coverage.weights(radius, decay=STEPPED).toarray()
    # S1: its own zone (0 m) weighs 1, the next (1,000 m: the last third) 0.22.
    np.testing.assert_allclose(stepped, [[1, 0.22, 0, 0], [0, 0, 0.22, 1]])
    plain = coverage.weights(radius, decay=NO_DECAY).toarray()
    np.testing.assert_allclose(plain, [[1, 1, 0, 0], [0, 0, 1, 1]])
    half = coverage.weights(radius * 0.5, decay=NO_DECAY).toarray()
    np.testing.assert_allclose(half, [[1, 0, 0, 0], [0, 0, 0, 1]])


def test_a_service_with_several_venues_reaches_from_the_nearest():
    venues = shapely.multipoints([(500, 500), (3500, 500)])
    row = circle(0.5, 0.5, 1000, "S1", locations=venues)
    coverage, _ = _coverage(row)
    reach = coverage.weights(np.array([600.0]), decay=NO_DECAY).toarray()
    np.testing.assert_allclose(reach, [[1, 0, 0, 1]])


def test_citywide_and_ward_services_weigh_one_on_the_zones_they_list():
    coverage, _ = _coverage(
        citywide(AREA, "C", delivery=("phone",)),
        service("W", kind="wards", ward_codes=("W2",)),
    )
    weights = coverage.weights(np.array([np.nan, np.nan]), decay=STEPPED).toarray()
    np.testing.assert_allclose(weights, [[1, 1, 1, 1], [0, 0, 1, 1]])
    assert coverage.is_remote.tolist() == [True, False]


def test_a_stated_radius_is_kept_and_at_location_takes_the_category_catchment():
    coverage, directory = _coverage(
        circle(0.5, 0.5, 1000, "A", kind="at_location", categories=("befriending",)),
        service(
            "R",
            kind="radius_km",
            location=shapely.Point(3500, 500),
            radius_m=2500,
            categories=("food",),
        ),
    )
    radius = coverage.radius_for(["befriending", "food"], taxonomy=TAXONOMY)
    assert radius.tolist() == [1500.0, 2500.0]
    assert default_reach(coverage).toarray().tolist() == [[1, 1, 0, 0], [0, 1, 1, 1]]


def test_only_the_share_of_a_catchment_inside_the_authority_counts():
    # A circle of 400 m centred on the bottom edge at x = 2 km: exactly half inside.
    edge = circle(2.0, 0.0, 400, "E")
    inner = circle(2.0, 0.5, 400, "I")
    coverage, _ = _coverage(edge, inner)
    share = coverage.inside_share(np.array([400.0, 400.0]))
    assert share[0] == pytest.approx(0.5, abs=1e-3)
    assert share[1] == 1.0


def test_ward_coverage_is_the_population_share_reached():
    coverage, directory = _coverage(circle(0.5, 0.5, 1000, "S1"))
    shares = ward_coverage(coverage, AREA)
    # S1 reaches Z1 (1,000 residents) and Z2 (3,000): all of W1's 4,000.
    assert shares.to_dict("records") == [{SERVICE_ID: "S1", WARD_CODE: "W1", SHARE: 1.0}]
    listed = services_in_ward(coverage, directory, AREA, "W1")
    assert listed[SERVICE_ID].tolist() == ["S1"]


def test_duplicate_ids_and_other_areas_are_refused():
    directory = make_directory([circle(0.5, 0.5, 1000, "S"), circle(1.5, 0.5, 1000, "S")])
    with pytest.raises(AnalysisError, match=r"service ids are not unique \(S\)"):
        compute_coverage(directory, AREA, TAXONOMY)
    coverage, _ = _coverage(circle(0.5, 0.5, 1000, "S1"))
    with pytest.raises(AnalysisError, match="recompute coverage"):
        coverage.check_area(make_area(population=(1, 2), older=(0, 0), wards=("W1", "W2")))
    with pytest.raises(AnalysisError, match=r"1 service\(s\) are not in the coverage table"):
        coverage.rows_for(["nope"])


def test_neighbourhoods_in_another_crs_are_refused():
    area = make_area()
    moved = area.neighbourhoods.to_crs("EPSG:4326")
    with pytest.raises(CRSError):
        representative_points(type(area)(**{**area.__dict__, "neighbourhoods": moved}))


def test_bristol_distances_agree_with_a_brute_force_distance_matrix(
    bristol, demo_directory, taxonomy
):
    coverage = compute_coverage(demo_directory, bristol, taxonomy)
    points = shapely.get_coordinates(representative_points(bristol))
    rows = np.flatnonzero(coverage.is_circle)[:40]
    for row in rows:
        venues = shapely.get_coordinates(coverage.locations[row])
        brute = distance_matrix(venues, points).min(axis=0)
        mine = coverage.pair_distance_m[coverage.pair_service == row]
        zones = coverage.pair_zone[coverage.pair_service == row]
        np.testing.assert_allclose(mine, brute[zones], atol=1e-6)
        limit = mine.max() if len(mine) else 0.0
        # Every zone closer than the largest distance kept is kept.
        assert set(np.flatnonzero(brute <= limit + 1e-6)) == set(zones)
    assert math.isfinite(float(coverage.pair_distance_m.max()))
