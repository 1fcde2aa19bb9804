"""Metrics: every formula on a hand-computed fixture, invariants as properties, the demo data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import box

from analysis.errors import AnalysisError, TaxonomyError
from analysis.model import TABLE_COLUMNS
from analysis.provision.coverage import compute_coverage
from analysis.provision.metrics import (
    Thresholds,
    classify_provision,
    compute_metrics,
    flag_small_numbers,
)
from tests.analysis.tiny import citywide, make_area, make_directory, make_taxonomy, service

AREA = make_area()
TAXONOMY = make_taxonomy()


def food_directory():
    """Three food services over Z1..Z4 (residents 1,000 / 3,000 / 2,000 / 4,000).

    S1 (org A, capacity 200) covers Z1, Z2; S2 (org B, capacity 500) covers Z2, Z3;
    S3 (org A, capacity 1,000) is citywide.
    """
    return make_directory(
        [
            service("S1", box(0, 0, 2000, 1000), capacity=200, org_id="A"),
            service("S2", box(1000, 0, 3000, 1000), capacity=500, org_id="B"),
            citywide(AREA, "S3", capacity=1000, org_id="A"),
        ]
    )


def metrics(directory, **options):
    return compute_metrics(compute_coverage(directory, AREA), directory, AREA, TAXONOMY, **options)


def rows(result, category):
    table = result.table
    return table[table["category"] == category].set_index("area_code")


def test_ward_table_for_the_food_fixture():
    """Worked by hand.

    2SFCA step 1, capacity per resident reached:
      R1 = 200 / (1000 + 3000) = 0.05; R2 = 500 / (3000 + 2000) = 0.1; R3 = 1000 / 10000 = 0.1.
    Step 2, per zone: A(Z1) = 0.05 + 0.1 = 0.15; A(Z2) = 0.05 + 0.1 + 0.1 = 0.25;
      A(Z3) = 0.1 + 0.1 = 0.2; A(Z4) = 0.1.
    Ward W1 (Z1, Z2; 4,000): A = (1000·0.15 + 3000·0.25) / 4000 = 0.225 -> 2,250 per 10,000.
    Ward W2 (Z3, Z4; 6,000): A = (2000·0.2 + 4000·0.1) / 6000 = 0.1333 -> 1,333.3 per 10,000.
    Effective providers: W1 = 1 (S1) + 3000/4000 (S2) + 1 (S3) = 2.75;
      W2 = 0 + 2000/6000 + 1 = 1.3333.
    Organisations: W1 = A (S1 ∪ S3 cover all of it: 1) + B (0.75) = 1.75; W2 = 1 + 1/3.
    Need (food = population): W1 4,000, W2 6,000; city supply = 200 + 500 + 1000 = 1,700,
      city value 1700 / 10000 = 0.17 per need-person.
    RP(W1) = (0.225 · 4000 / 4000) / 0.17 = 1.3235; RP(W2) = (0.1333 · 6000 / 6000) / 0.17
      = 0.7843. Need-weighted mean (4000·1.3235 + 6000·0.7843) / 10000 = 1.
    Classes: both adequate (RP between 0.5 and 2). Small numbers: W2 (0 < E = 1.33 < 2).
    """
    result = metrics(food_directory())
    food = rows(result, "food")
    assert food["effective_providers"].to_list() == pytest.approx([2.75, 4 / 3])
    assert food["organisations"].to_list() == pytest.approx([1.75, 4 / 3])
    assert food["accessibility_per_10k"].to_list() == pytest.approx([2250, 4000 / 3])
    assert food["need"].to_list() == [4000, 6000]
    assert food["relative_provision"].to_list() == pytest.approx([0.225 / 0.17, (0.8 / 6) / 0.17])
    assert food["class"].to_list() == ["adequate", "adequate"]
    assert food["small_numbers"].to_list() == [False, True]
    assert result.city.loc["food", "supply"] == pytest.approx(1700)
    assert result.city.loc["food", "supply_per_need"] == pytest.approx(0.17)
    assert result.city.loc["food", "accessibility_per_10k"] == pytest.approx(1700)


def test_table_shape_columns_and_order():
    result = metrics(food_directory())
    assert tuple(result.table.columns) == TABLE_COLUMNS
    assert list(zip(result.table["area_code"], result.table["category"], strict=True)) == [
        ("W1", "food"),
        ("W1", "befriending"),
        ("W1", "housing"),
        ("W2", "food"),
        ("W2", "befriending"),
        ("W2", "housing"),
    ]
    assert result.table["area_name"].iloc[0] == "Ward W1"
    assert result.table["population"].to_list() == [4000] * 3 + [6000] * 3
    assert result.level == "ward"
    assert result.thresholds == Thresholds()
    assert result.catchments_km == {"food": 1.0, "befriending": 1.5, "housing": 3.0}


def test_a_category_without_services_is_missing_everywhere_with_rp_zero():
    """No housing service: E = 0, A = 0 and RP = 0 (not 0 / 0) in every ward: ``missing``."""
    housing = rows(metrics(food_directory()), "housing")
    assert housing["effective_providers"].to_list() == [0, 0]
    assert housing["relative_provision"].to_list() == [0, 0]
    assert housing["class"].to_list() == ["missing", "missing"]
    assert not housing.isna().any().any()


def test_need_from_the_category_indicator():
    """Befriending need is residents 65+: W1 100 + 300 = 400, W2 1,000 + 1,000 = 2,000.

    One citywide befriending service of capacity 240: R = 240 / 10000 = 0.024 everywhere,
    A = 0.024 in both wards (240 per 10,000). City value 240 / 2400 = 0.1 per person 65+.
    RP(W1) = (0.024 · 4000 / 400) / 0.1 = 2.4; RP(W2) = (0.024 · 6000 / 2000) / 0.1 = 0.72.
    Need-weighted mean (400·2.4 + 2000·0.72) / 2400 = 1. E = 1 < 3, so W1 is adequate,
    not an overlap; both flagged as small numbers (E = 1).
    """
    directory = make_directory([citywide(AREA, "F", capacity=240, categories=("befriending",))])
    befriending = rows(metrics(directory), "befriending")
    assert befriending["need"].to_list() == [400, 2000]
    assert befriending["accessibility_per_10k"].to_list() == pytest.approx([240, 240])
    assert befriending["relative_provision"].to_list() == pytest.approx([2.4, 0.72])
    assert befriending["class"].to_list() == ["adequate", "adequate"]
    assert befriending["small_numbers"].to_list() == [True, True]
    overlap = metrics(directory, thresholds=Thresholds(overlap_min_providers=1))
    assert rows(overlap, "befriending")["class"].to_list() == ["overlap", "adequate"]


def test_neighbourhood_level_for_the_food_fixture():
    """Per zone, E counts the covering services: Z1 2 (S1, S3), Z2 3, Z3 2 (S2, S3), Z4 1.

    A as in the ward test (0.15, 0.25, 0.2, 0.1), so per 10,000: 1,500, 2,500, 2,000, 1,000.
    Need = population, so RP(z) = A(z) / 0.17: 0.882, 1.471, 1.176, 0.588.
    """
    result = metrics(food_directory(), level="neighbourhood", categories=["food"])
    food = rows(result, "food")
    assert list(food.index) == ["Z1", "Z2", "Z3", "Z4"]
    assert food["ward_code"].to_list() == ["W1", "W1", "W2", "W2"]
    assert food["effective_providers"].to_list() == [2, 3, 2, 1]
    assert food["organisations"].to_list() == [1, 2, 2, 1]
    assert food["accessibility_per_10k"].to_list() == pytest.approx([1500, 2500, 2000, 1000])
    assert food["relative_provision"].to_list() == pytest.approx(
        [0.15 / 0.17, 0.25 / 0.17, 0.2 / 0.17, 0.1 / 0.17]
    )
    assert result.table.columns[:3].to_list() == ["area_code", "area_name", "ward_code"]


def test_two_step_floating_catchment_shares_capacity_among_everyone_reached():
    """Two services of capacity 100: P covers Z1 only (1,000 residents), Q covers all.

    R_P = 100 / 1000 = 0.1; R_Q = 100 / 10000 = 0.01. A(Z1) = 0.11, A(Z2..Z4) = 0.01.
    W1: (1000·0.11 + 3000·0.01) / 4000 = 0.035 -> 350 per 10,000;
    W2: 0.01 -> 100 per 10,000. Supply W1 0.035·4000 = 140, W2 60; 140 + 60 = 200 = capacity.
    """
    directory = make_directory(
        [
            service("P", box(0, 0, 1000, 1000), capacity=100),
            service("Q", box(0, 0, 4000, 1000), capacity=100),
        ]
    )
    food = rows(metrics(directory), "food")
    assert food["accessibility_per_10k"].to_list() == pytest.approx([350, 100])
    assert (food["accessibility_per_10k"] * food["population"] / 1e4).sum() == pytest.approx(200)


def test_a_service_reaching_no_zone_adds_nothing_and_is_counted():
    directory = make_directory(
        [service("S", box(0, 0, 1000, 1000), capacity=10), service("X", box(9e3, 9e3, 1e4, 1e4))]
    )
    result = metrics(directory)
    assert result.service_counts["no_coverage"] == 1
    assert result.city.loc["food", "supply"] == pytest.approx(10)


def test_uncategorised_services_are_left_out_but_counted():
    with_blank = make_directory(
        [
            *food_directory().services.to_dict("records"),
            service("U", box(0, 0, 4000, 1000), categories=()),
        ]
    )
    result = metrics(with_blank)
    assert result.service_counts == {
        "services": 4,
        "used": 3,
        "uncategorised": 1,
        "other_categories_only": 0,
        "no_coverage": 0,
    }
    pd.testing.assert_frame_equal(result.table, metrics(food_directory()).table)


def test_categories_choose_and_order_the_rows():
    result = metrics(food_directory(), categories=["housing", "food"])
    assert result.table["category"].to_list() == ["housing", "food", "housing", "food"]
    assert result.service_counts["used"] == 3
    befriending_only = metrics(food_directory(), categories=["befriending"])
    assert befriending_only.service_counts["other_categories_only"] == 3
    with pytest.raises(TaxonomyError, match=r"Unknown need category 'fod'; known ids: food, "):
        metrics(food_directory(), categories=["fod"])


def test_weights_scale_providers_and_capacity():
    """S1 at weight 0.5: E(W1) = 0.5 + 0.75 + 1 = 2.25; its capacity counts as 100."""
    weights = pd.Series({"S1": 0.5})
    result = metrics(food_directory(), weights=weights)
    food = rows(result, "food")
    assert food.loc["W1", "effective_providers"] == pytest.approx(2.25)
    assert result.city.loc["food", "supply"] == pytest.approx(1600)


def test_bad_inputs_are_refused_with_the_fix():
    directory = food_directory()
    with pytest.raises(
        AnalysisError, match=r"level 'city' is not known\. Fix: use one of ward, neighbourhood"
    ):
        metrics(directory, level="city")
    with pytest.raises(AnalysisError, match=r"service S1 has weight -1.0; expected a number >= 0"):
        metrics(directory, weights=pd.Series({"S1": -1.0}))
    negative = directory.services.copy()
    negative.loc[0, "capacity"] = -5.0
    with pytest.raises(AnalysisError, match=r"service S1 has capacity -5.0; expected people"):
        metrics(replace(directory, services=negative))
    coverage = compute_coverage(make_directory([service("Z", box(0, 0, 1, 1))]), AREA)
    with pytest.raises(AnalysisError, match=r"3 service\(s\) are not in the coverage table"):
        compute_metrics(coverage, directory, AREA, TAXONOMY)


def test_missing_capacity_counts_as_one_unit():
    blank = food_directory().services.copy()
    blank["capacity"] = np.nan
    result = metrics(replace(food_directory(), services=blank))
    assert result.city.loc["food", "supply"] == pytest.approx(3)


def test_a_filtered_directory_reuses_the_full_coverage_table():
    directory = food_directory()
    coverage = compute_coverage(directory, AREA)
    only_s3 = replace(directory, services=directory.services.iloc[[2]])
    reused = compute_metrics(coverage, only_s3, AREA, TAXONOMY)
    fresh = compute_metrics(compute_coverage(only_s3, AREA), only_s3, AREA, TAXONOMY)
    pd.testing.assert_frame_equal(reused.table, fresh.table)


# Classes, flags and thresholds --------------------------------------------------------------


def test_classes_follow_the_thresholds_in_order():
    """missing (E = 0) first, then under-served (RP < 0.5), overlap (E >= 3 and RP >= 2)."""
    effective = np.array([0, 1, 3, 3, 2.9, 5, 0.5])
    relative = np.array([0, 0.49, 2.0, 1.99, 5, 0.3, np.nan])
    assert classify_provision(effective, relative).tolist() == [
        "missing",
        "under-served",
        "overlap",
        "adequate",
        "adequate",
        "under-served",
        "adequate",
    ]
    stricter = Thresholds(under_served_below=0.25, overlap_min_providers=5, overlap_min_rp=0.3)
    assert classify_provision(effective, relative, thresholds=stricter).tolist() == [
        "missing",
        "adequate",
        "adequate",
        "adequate",
        "adequate",
        "overlap",
        "adequate",
    ]


def test_small_numbers_flag():
    """Flag 0 < E < 2, fewer than 1,000 residents, or RP unknown; E = 0 is a firm count."""
    flags = flag_small_numbers(
        np.array([0, 0.5, 1.99, 2, 5, 5]),
        np.array([5000, 5000, 5000, 5000, 999, 5000]),
        np.array([0, 1, 1, 1, 1, np.nan]),
    )
    assert flags.tolist() == [False, True, True, False, True, True]


def test_with_thresholds_reclassifies_without_recomputing():
    result = metrics(food_directory())
    strict = Thresholds(under_served_below=0.8, small_numbers_providers=1)
    again = result.with_thresholds(strict)
    assert rows(again, "food")["class"].to_list() == ["adequate", "under-served"]
    assert rows(again, "food")["small_numbers"].to_list() == [False, False]
    pd.testing.assert_frame_equal(again.table, metrics(food_directory(), thresholds=strict).table)
    assert again.thresholds == strict
    assert result.thresholds == Thresholds()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"under_served_below": -1},
            r"threshold under_served_below = -1 is not a number >= 0\. Fix: pass a finite "
            r"non-negative number \(default 0\.5\)\.",
        ),
        ({"overlap_min_rp": float("nan")}, r"threshold overlap_min_rp = nan is not a number"),
        (
            {"under_served_below": 2.0},
            r"overlap_min_rp = 2\.0 is not above under_served_below = 2\.0, so one area could",
        ),
    ],
)
def test_thresholds_refuse_nonsense(options, message):
    with pytest.raises(AnalysisError, match=message):
        Thresholds(**options)


# Invariants --------------------------------------------------------------------------------

GRID = make_area(
    population=[1200, 800, 3000, 1500, 2500, 1000],
    older=[100, 300, 200, 900, 50, 400],
    wards=["W1", "W1", "W2", "W2", "W3", "W3"],
    rows=2,
)
CATEGORY_IDS = ("food", "befriending", "housing")

service_specs = st.tuples(
    st.integers(-200, 2800),
    st.integers(-200, 1800),
    st.integers(100, 3000),
    st.integers(100, 2000),
    st.sets(st.sampled_from(CATEGORY_IDS), max_size=2),
    st.integers(1, 100),
    st.sampled_from("ABC"),
    st.booleans(),
)


def make_services(specs, prefix="S"):
    return [
        (
            citywide(GRID, f"{prefix}{k}", categories=tuple(sorted(cats)), capacity=cap, org_id=org)
            if is_citywide
            else service(
                f"{prefix}{k}",
                box(x, y, x + w, y + h),
                categories=tuple(sorted(cats)),
                capacity=cap,
                org_id=org,
            )
        )
        for k, (x, y, w, h, cats, cap, org, is_citywide) in enumerate(specs)
    ]


def grid_metrics(rows_, level):
    directory = make_directory(rows_)
    return compute_metrics(
        compute_coverage(directory, GRID), directory, GRID, TAXONOMY, level=level
    ).table


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(
    st.lists(service_specs, min_size=1, max_size=8),
    service_specs,
    st.sampled_from(["ward", "neighbourhood"]),
)
def test_adding_a_service_never_lowers_providers_or_accessibility(specs, extra, level):
    before = grid_metrics(make_services(specs), level)
    after = grid_metrics(make_services([*specs, extra]), level)
    for column in ("effective_providers", "organisations", "accessibility_per_10k"):
        assert (after[column].to_numpy() >= before[column].to_numpy() - 1e-9).all(), column


@PROPERTY
@given(st.lists(service_specs, min_size=1, max_size=8), st.sampled_from(["ward", "neighbourhood"]))
def test_need_weighted_mean_relative_provision_is_one(specs, level):
    """Σ N_W RP_W / Σ N_W = 1 for a category with supply; population-weighted for food."""
    table = grid_metrics(make_services(specs), level)
    for category, part in table.groupby("category"):
        if (part["accessibility_per_10k"] > 0).any():
            mean = (part["need"] * part["relative_provision"]).sum() / part["need"].sum()
            assert mean == pytest.approx(1.0)
        else:
            assert (part["relative_provision"] == 0).all()
        if category == "food" and (part["accessibility_per_10k"] > 0).any():
            weighted = (part["population"] * part["relative_provision"]).sum()
            assert weighted / part["population"].sum() == pytest.approx(1.0)


@PROPERTY
@given(st.lists(service_specs, min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(specs, random):
    rows_ = make_services(specs)
    shuffled = list(rows_)
    random.shuffle(shuffled)
    for level in ("ward", "neighbourhood"):
        pd.testing.assert_frame_equal(
            grid_metrics(rows_, level), grid_metrics(shuffled, level), check_exact=False, rtol=1e-9
        )


@PROPERTY
@given(st.lists(service_specs, max_size=6))
def test_a_citywide_service_covers_every_neighbourhood(specs):
    rows_ = [*make_services(specs), citywide(GRID, "CITY", categories=("housing",))]
    coverage = compute_coverage(make_directory(rows_), GRID)
    row = coverage.matrix[coverage.rows_for(["CITY"])].toarray().ravel()
    assert (row == 1).all()
    table = grid_metrics(rows_, "neighbourhood")
    assert (table.loc[table["category"] == "housing", "effective_providers"] >= 1).all()


# The demo data -------------------------------------------------------------------------------


def test_demo_data_gives_every_ward_and_category_without_gaps_in_the_table(bristol):
    ingest = pytest.importorskip("analysis.ingest.load")
    from analysis.settings import REPO_ROOT
    from analysis.taxonomy import load_taxonomy

    path = REPO_ROOT / "data" / "sample" / "services.csv"
    if not path.is_file():
        pytest.skip(f"demo data not found at {path}")
    taxonomy = load_taxonomy()
    directory, _ = ingest.load_directory(path, area=bristol, taxonomy=taxonomy)
    coverage = compute_coverage(directory, bristol)
    for level, n_areas in (("ward", 34), ("neighbourhood", 268)):
        table = compute_metrics(coverage, directory, bristol, taxonomy, level=level).table
        assert len(table) == n_areas * len(taxonomy.ids())
        assert set(table["category"]) == set(taxonomy.ids())
        assert table["area_code"].nunique() == n_areas
        assert not table.isna().any().any()
