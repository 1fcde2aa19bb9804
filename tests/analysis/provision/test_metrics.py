"""Metrics: need in people, E2SFCA accessibility per person in need, classes, flags.

Hand-checked on the tiny area (tests/analysis/tiny.py): four 1 km squares in a row, zone
centres at x = 0.5, 1.5, 2.5, 3.5 km; residents 1,000, 3,000, 2,000, 4,000 (W1 = Z1 + Z2,
W2 = Z3 + Z4); food's need is the population and its catchment 1 km.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

from analysis.errors import AnalysisError
from analysis.model import (
    ACCESSIBILITY_PER_1000,
    ADEQUATE,
    AREA_CODE,
    CATEGORY,
    COUNT_IMPUTED,
    COUNT_REMOTE,
    COUNT_UNCATEGORISED,
    IMPUTED_SHARE,
    LOCAL_SERVICES,
    MISSING,
    NEED,
    NO_NEED,
    PROVISION_CLASS,
    PROVISION_CLASSES,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    SMALL_NUMBERS,
    TABLE_COLUMNS,
    UNCERTAIN,
    UNDER_SERVED,
    WELL_PROVIDED,
)
from analysis.provision.classes import classify_provision
from analysis.provision.coverage import NO_DECAY, compute_coverage
from analysis.provision.metrics import (
    BY_POPULATION,
    Method,
    Thresholds,
    compute_metrics,
)
from tests.analysis.tiny import circle, citywide, make_area, make_directory, make_taxonomy

AREA = make_area()
TAXONOMY = make_taxonomy()


def metrics(rows, *, area=AREA, **options):
    directory = make_directory(list(rows))
    return compute_metrics(
        compute_coverage(directory, area, TAXONOMY), directory, area, TAXONOMY, **options
    )


def food(result) -> pd.DataFrame:
    table = result.table
    return table[table[CATEGORY] == "food"].set_index(AREA_CODE)


S1 = circle(0.5, 0.5, 1000, "S1", capacity=30)  # reaches Z1 (weight 1) and Z2 (1 km: 0.22)
S2 = circle(3.5, 0.5, 1000, "S2", capacity=60)  # reaches Z4 (1) and Z3 (0.22)
PHONE = citywide(AREA, "P", capacity=100, delivery=("phone",))
# A 1 km circle around an end square's centre mostly leaves the 1 km-high strip: only
# this share of it (and so of its capacity) serves the strip's residents. Measured here
# directly on the shapes, apart from the code under test.
END_CIRCLE = shapely.Point(500, 500).buffer(1000, quad_segs=256)
INSIDE = END_CIRCLE.intersection(box(0, 0, 4000, 1000)).area / END_CIRCLE.area


def near(expected):
    """Equal but for INSIDE's 1,024-sided circle (the code measures true circles)."""
    return pytest.approx(expected, rel=1e-4)


def test_ward_values_for_the_food_fixture():
    """By hand: S1's 30 places reach only W1's 4,000 residents, S2's 60 only W2's 6,000.

    A_W = Σ_z N_z A_z / N_W = supply reaching the ward / its need: W1 30/4,000 = 7.5 per
    1,000, W2 60/6,000 = 10 (each times the share inside); the city 9; RP W1 7.5/9, W2 10/9.
    """
    rows = food(metrics([S1, S2, PHONE]))
    assert rows[NEED].tolist() == [4000.0, 6000.0]
    assert rows[ACCESSIBILITY_PER_1000].tolist() == near([7.5 * INSIDE, 10.0 * INSIDE])
    assert rows[RELATIVE_PROVISION].tolist() == pytest.approx([7.5 / 9, 10 / 9])
    assert rows[LOCAL_SERVICES].tolist() == [1.0, 1.0]
    assert rows[REMOTE_OPTIONS].tolist() == [1.0, 1.0]  # the phone line, counted apart
    assert rows[PROVISION_CLASS].tolist() == [ADEQUATE, ADEQUATE]
    assert rows[SMALL_NUMBERS].tolist() == [True, True]  # one local service each


def test_neighbourhood_values_follow_the_decay_steps():
    """S1: R = 30 / (1·1,000 + 0.22·3,000) = 30/1,660; A(Z1) = R, A(Z2) = 0.22 R."""
    rows = food(metrics([S1, S2], level="neighbourhood"))
    r1, r2 = 30 * INSIDE / 1660, 60 * INSIDE / 4440
    expected = [r1, 0.22 * r1, 0.22 * r2, r2]
    assert rows[ACCESSIBILITY_PER_1000].tolist() == near([a * 1000 for a in expected])
    plain = food(metrics([S1, S2], level="neighbourhood", method=Method(decay=NO_DECAY)))
    assert plain[ACCESSIBILITY_PER_1000].tolist() == near([7.5 * INSIDE] * 2 + [10.0 * INSIDE] * 2)


def test_a_phone_line_never_turns_missing_into_adequate():
    rows = food(metrics([PHONE]))
    assert rows[PROVISION_CLASS].tolist() == [MISSING, MISSING]
    assert rows[REMOTE_OPTIONS].tolist() == [1.0, 1.0]
    assert rows[RELATIVE_PROVISION].tolist() == [0.0, 0.0]


def test_no_need_where_nobody_the_category_counts_lives():
    area = make_area(older=(0, 0, 1000, 1000))
    rows = metrics([circle(0.5, 0.5, 1500, "B", categories=("befriending",))], area=area)
    table = rows.table[rows.table[CATEGORY] == "befriending"].set_index(AREA_CODE)
    assert table.loc["W1", PROVISION_CLASS] == NO_NEED
    assert table.loc["W1", RELATIVE_PROVISION] == 0.0  # never NaN
    assert table.loc["W2", PROVISION_CLASS] == MISSING  # B's 1.5 km reach stops at Z2


def test_unknown_capacity_counts_at_the_category_median_and_is_reported():
    unknown = replace_capacity(S1, float("nan"))
    result = metrics([unknown, S2, circle(3.5, 0.5, 1000, "S3", capacity=20)])
    rows = food(result)
    # The known food capacities are 60 and 20: S1 counts at their median, 40.
    assert rows.loc["W1", ACCESSIBILITY_PER_1000] == near(40 / 4000 * 1000 * INSIDE)
    assert rows.loc["W1", IMPUTED_SHARE] == 1.0 and rows.loc["W1", UNCERTAIN]
    assert rows.loc["W2", IMPUTED_SHARE] == 0.0 and not rows.loc["W2", UNCERTAIN]
    assert result.service_counts[COUNT_IMPUTED] == 1
    low = food(
        metrics(
            [unknown, S2, circle(3.5, 0.5, 1000, "S3", capacity=20)],
            method=Method(imputation="lower quartile"),
        )
    )
    assert low.loc["W1", ACCESSIBILITY_PER_1000] == near(30 / 4000 * 1000 * INSIDE)


def replace_capacity(row: dict, capacity: float) -> dict:
    return {**row, "capacity": capacity}


def test_a_service_in_two_categories_shares_its_capacity():
    both = circle(0.5, 0.5, 1000, "S1", capacity=30, categories=("food", "housing"))
    rows = food(metrics([both, S2]))
    assert rows.loc["W1", ACCESSIBILITY_PER_1000] == near(15 / 4000 * 1000 * INSIDE)


def test_only_the_share_of_a_catchment_inside_the_authority_counts():
    # 600 m around a point on the bottom edge: half the circle lies outside the strip.
    edge = circle(2.5, 0.0, 600, "E", capacity=40)
    inner = circle(2.5, 0.5, 400, "I", capacity=40)
    outside = food(metrics([edge]))
    inside = food(metrics([inner]))
    assert outside.loc["W2", ACCESSIBILITY_PER_1000] == pytest.approx(
        inside.loc["W2", ACCESSIBILITY_PER_1000] / 2, rel=1e-3
    )


def test_weights_scale_a_service_capacity():
    rows = food(metrics([S1, S2], weights=pd.Series({"S1": 0.5})))
    assert rows.loc["W1", ACCESSIBILITY_PER_1000] == near(3.75 * INSIDE)


def test_classes_follow_the_thresholds_in_order():
    need = np.array([0, 10, 10, 10, 10, 10])
    local = np.array([3, 0, 2, 2, 2, 2])
    relative = np.array([5.0, 0.0, 0.4, 1.0, 2.0, 3.0])
    classes = classify_provision(need, local, relative)
    assert classes.tolist() == [
        NO_NEED,
        MISSING,
        UNDER_SERVED,
        ADEQUATE,
        WELL_PROVIDED,
        WELL_PROVIDED,
    ]
    strict = classify_provision(
        need, local, relative, thresholds=Thresholds(under_served_below=1.5, well_provided_from=2.5)
    )
    assert strict.tolist() == [
        NO_NEED,
        MISSING,
        UNDER_SERVED,
        UNDER_SERVED,
        ADEQUATE,
        WELL_PROVIDED,
    ]


def test_with_thresholds_reclassifies_without_recomputing():
    result = metrics([S1, S2])
    strict = result.with_thresholds(Thresholds(under_served_below=0.9))
    assert food(strict)[PROVISION_CLASS].tolist() == [UNDER_SERVED, ADEQUATE]
    pd.testing.assert_series_equal(food(strict)[NEED], food(result)[NEED])


def test_small_numbers_for_few_people_in_need():
    tiny = make_area(population=(50, 40, 2000, 4000), older=(0, 0, 0, 0))
    rows = food(metrics([circle(0.5, 0.5, 1000, "A"), circle(0.6, 0.5, 1000, "B"), S2], area=tiny))
    assert rows.loc["W1", SMALL_NUMBERS]  # 90 people in need: fewer than 100


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"under_served_below": 2.0, "well_provided_from": 1.0}, "is not above under_served_below"),
        ({"under_served_below": -1}, "threshold under_served_below = -1 is not a number >= 0"),
        ({"uncertain_imputed_share": 1.5}, "is above 1, the whole supply"),
    ],
)
def test_thresholds_refuse_nonsense(options, message):
    with pytest.raises(AnalysisError, match=message):
        Thresholds(**options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"catchment_factor": 0}, "catchment factor 0 is not a positive number"),
        ({"need_source": "votes"}, "need source 'votes' is not known"),
        ({"duplicate_min_jaccard": 0}, r"duplicate_min_jaccard 0 is not in \(0, 1\]"),
    ],
)
def test_methods_refuse_nonsense(options, message):
    with pytest.raises(AnalysisError, match=message):
        Method(**options)


def test_bad_inputs_are_refused_with_the_fix():
    with pytest.raises(AnalysisError, match=r"level 'city' is not known\. Fix: use one of"):
        metrics([S1], level="city")
    with pytest.raises(AnalysisError, match=r"service S1 has weight -1\.0; expected a number >= 0"):
        metrics([S1], weights=pd.Series({"S1": -1.0}))
    with pytest.raises(AnalysisError, match="has capacity -5.0; expected a number >= 0 or blank"):
        metrics([replace_capacity(S1, -5.0)])


def test_table_shape_columns_and_counts():
    uncategorised = circle(1.5, 0.5, 1000, "U", categories=())
    result = metrics([S1, S2, PHONE, uncategorised])
    assert list(result.table.columns) == list(TABLE_COLUMNS)
    assert len(result.table) == 2 * 3  # wards × categories
    assert result.service_counts[COUNT_REMOTE] == 1
    assert result.service_counts[COUNT_UNCATEGORISED] == 1
    assert not result.table[RELATIVE_PROVISION].isna().any()


def test_need_source_population_counts_every_resident():
    area = make_area(older=(0, 0, 1000, 1000))
    b = circle(0.5, 0.5, 1500, "B", categories=("befriending",))
    by_need = metrics([b], area=area).table
    by_people = metrics([b], area=area, method=Method(need_source=BY_POPULATION)).table
    w1 = (by_people[CATEGORY] == "befriending") & (by_people[AREA_CODE] == "W1")
    assert by_need.loc[w1, PROVISION_CLASS].item() == NO_NEED
    assert by_people.loc[w1, NEED].item() == 4000.0


# Property tests on random services over a 2 x 3 grid of 1 km squares.
GRID = make_area(
    population=(900, 1200, 3000, 500, 2500, 1800),
    older=(100,) * 6,
    wards=("A", "A", "B", "B", "C", "C"),
    rows=2,
)
service_specs = st.tuples(
    st.floats(0.0, 3.0),
    st.floats(0.0, 2.0),
    st.floats(300, 2500),
    st.floats(1, 200) | st.just(float("nan")),
    st.booleans(),
)


def _services(specs) -> list[dict]:
    return [
        circle(x, y, r, f"S{k}", capacity=c, delivery=("phone",) if remote else ("in person",))
        for k, (x, y, r, c, remote) in enumerate(specs)
    ]


def _grid_metrics(rows, **options):
    return metrics(rows, area=GRID, **options)


PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(service_specs, min_size=1, max_size=8), st.sampled_from(["ward", "neighbourhood"]))
def test_need_weighted_mean_relative_provision_is_one(specs, level):
    table = _grid_metrics(_services(specs), level=level).table
    assert not table[RELATIVE_PROVISION].isna().any()
    for _, rows in table.groupby(CATEGORY):
        if (rows[RELATIVE_PROVISION] > 0).any():
            mean = float((rows[NEED] * rows[RELATIVE_PROVISION]).sum() / rows[NEED].sum())
            assert mean == pytest.approx(1.0, rel=1e-9)


@PROPERTY
@given(st.lists(service_specs, min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(specs, random):
    rows = _services(specs)
    shuffled = rows[:]
    random.shuffle(shuffled)
    a, b = _grid_metrics(rows).table, _grid_metrics(shuffled).table
    pd.testing.assert_frame_equal(a, b)


@PROPERTY
@given(st.lists(service_specs, max_size=6), service_specs)
def test_adding_a_local_service_never_lowers_the_local_count(specs, extra):
    before = _grid_metrics(_services(specs)).table
    after = _grid_metrics(_services([*specs, extra])).table
    assert (after[LOCAL_SERVICES].to_numpy() >= before[LOCAL_SERVICES].to_numpy()).all()


def test_every_class_is_a_known_one_on_the_demo(bristol, demo_directory, taxonomy):
    result = compute_metrics(
        compute_coverage(demo_directory, bristol, taxonomy), demo_directory, bristol, taxonomy
    )
    assert set(result.table[PROVISION_CLASS]) <= set(PROVISION_CLASSES)
    assert not result.table[RELATIVE_PROVISION].isna().any()
    for _, rows in result.table.groupby(CATEGORY):
        mean = float((rows[NEED] * rows[RELATIVE_PROVISION]).sum() / rows[NEED].sum())
        assert mean == pytest.approx(1.0, rel=1e-9)


def test_a_catchment_factor_beyond_the_measured_distances_is_refused():
    directory = make_directory([S1])
    coverage = compute_coverage(directory, AREA, TAXONOMY)  # distances up to 1.5 × radius
    with pytest.raises(AnalysisError, match=r"catchment factor 2 reaches beyond .* 1.5 ×"):
        compute_metrics(coverage, directory, AREA, TAXONOMY, method=Method(catchment_factor=2))
    wide = compute_coverage(directory, AREA, TAXONOMY, max_factor=3.0)
    result = compute_metrics(
        wide, directory, AREA, TAXONOMY, level="neighbourhood", method=Method(catchment_factor=3)
    )
    assert food(result)[LOCAL_SERVICES].tolist() == [1, 1, 1, 1]  # Z4 at 3 km: reached


def test_no_coverage_counts_services_reaching_nobody_in_any_category():
    # 1.2 km from Z1's centre: outside food's 1 km catchment, inside befriending's 1.5 km.
    venue = circle(0.5, 1.7, 10, "V", kind="at_location", categories=("food", "befriending"))
    nowhere = circle(0.5, 9.0, 10, "N", kind="at_location", categories=("food",))
    assert metrics([venue, nowhere]).service_counts["no_coverage"] == 1


def test_thresholds_in_words_name_every_value():
    words = Thresholds(under_served_below=0.4, well_provided_from=2.5).in_words()
    assert words == (
        "under-served below 0.4 and well provided from 2.5 times the city's provision per "
        "person in need; small numbers below 2 local services, 1,000 residents or 100 people "
        "in need; uncertain when more than 50% of the supply comes from estimated capacities"
    )
