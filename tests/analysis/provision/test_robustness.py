"""Robustness: the share of the method's 60 variants in which an area × category is a gap.

Hand-checked on a strip of six 1 km squares (zone centres at x = 0.5 … 5.5 km, y = 0.5 km),
1,000 residents each, wards of two: W1 = Z1 + Z2, W2 = Z3 + Z4, W3 = Z5 + Z6. Every
service below reaches at most one zone centre, so its decay weight cancels out of the
2SFCA (A_z = w q / (w N_z) = q / N_z): decay and imputation (capacities all known) leave
the classes alone, and only the catchment factor and the need source move them.

Food (need = residents):

======= ======================= =============================================
service centre, radius, places  reaches
======= ======================= =============================================
A       (0.5, 0.5), 300 m, 10   Z1 at every factor (150-450 m; Z2 is 1 km off)
B       (2.5, 0.5), 300 m, 10   Z3 at every factor
C       (5.5, 0.0), 360 m, 20   Z6 (500 m off) only at factor 1.5 (540 m)
======= ======================= =============================================

So W3 is ``missing`` at factors 0.5, 0.75, 1 and 1.25: 4 × 12 = 48 of 60 variants, a
gap share of exactly 0.8, robust (the rule is >= 0.8). At 1.5, C counts for the share s
(about 0.49) of its circle inside the strip: RP(W1) = RP(W2) = 1.5 / (1 + s) and
RP(W3) = 3s / (1 + s), all about 1; at the other factors RP(W1) = RP(W2) = 1.5. W1 and W2
are adequate in every variant: gap share 0.

Befriending (need = residents aged 65+: 100, 300, 100, 100, 0, 0): one service, F, at Z1's
centre with 300 m. W2 has need but no service in either need source: gap share 1. W3 has
no one aged 65+: ``no need`` by the indicator (30 variants), ``missing`` by residents (30):
gap share 0.5. Housing has no service at all: ``missing`` everywhere, gap share 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from analysis.errors import AnalysisError
from analysis.model import (
    AREA_CODE,
    CATEGORY,
    GAP_CLASSES,
    GAP_SHARE,
    MISSING,
    PROVISION_CLASS,
    ROBUST,
    VARIANTS,
    WELL_PROVIDED,
)
from analysis.provision.coverage import DECAYS, compute_coverage
from analysis.provision.metrics import (
    NEED_SOURCES,
    Method,
    Thresholds,
    compute_metrics,
)
from analysis.provision.robustness import (
    ROBUSTNESS_COLUMNS,
    VariantResults,
    Variants,
    assess_robustness,
    gap_shares,
    run_variants,
)
from analysis.provision.supply import IMPUTATIONS
from analysis.settings import ROBUST_GAP_SHARE, ROBUSTNESS_CATCHMENT_FACTORS
from tests.analysis.tiny import KM, circle, make_area, make_directory, make_taxonomy

AREA = make_area(
    population=(1000,) * 6,
    older=(100, 300, 100, 100, 0, 0),
    wards=("W1", "W1", "W2", "W2", "W3", "W3"),
)
TAXONOMY = make_taxonomy()
DIRECTORY = make_directory(
    [
        circle(0.5, 0.5, 300, "A", capacity=10),
        circle(2.5, 0.5, 300, "B", capacity=10),
        circle(5.5, 0.0, 360, "C", capacity=20),
        circle(0.5, 0.5, 300, "F", capacity=10, categories=("befriending",)),
    ]
)
COVERAGE = compute_coverage(DIRECTORY, AREA, TAXONOMY)
# C's widest circle, measured on the shapes apart from the code under test.
C_CIRCLE = shapely.Point(5.5 * KM, 0).buffer(1.5 * 360, quad_segs=256)
C_INSIDE = C_CIRCLE.intersection(box(0, 0, 6 * KM, KM)).area / C_CIRCLE.area


def cells(table: pd.DataFrame, column: str) -> dict[tuple[str, str], object]:
    """``column`` of each (category, area code) of a robustness table."""
    return {(row[CATEGORY], row[AREA_CODE]): row[column] for row in table.to_dict("records")}


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    """The robustness table of the strip with the default 60 variants (quick: 6 zones)."""
    return assess_robustness(COVERAGE, DIRECTORY, AREA, TAXONOMY)


@pytest.fixture(scope="module")
def tiny_results() -> VariantResults:
    """The strip's 60 variant results, to reclassify without rerunning them."""
    return run_variants(COVERAGE, DIRECTORY, AREA, TAXONOMY)


def column_of(results: VariantResults, category: str, area_code: str) -> int:
    """The position of one area × category among the variant results' columns."""
    base = results.base
    return int(
        np.flatnonzero(
            (base[CATEGORY] == category).to_numpy() & (base[AREA_CODE] == area_code).to_numpy()
        ).item()
    )


def test_the_default_variants_are_every_combination_of_the_four_choices():
    """5 catchment factors × 2 decays × 3 imputations × 2 need sources = 60, all distinct."""
    variants = Variants()
    methods = list(variants.methods(Method()))
    assert variants.count == len(methods) == 60
    assert (
        len(ROBUSTNESS_CATCHMENT_FACTORS) * len(DECAYS) * len(IMPUTATIONS) * len(NEED_SOURCES) == 60
    )
    assert len(set(methods)) == 60
    assert {m.catchment_factor for m in methods} == set(ROBUSTNESS_CATCHMENT_FACTORS)
    assert {m.decay for m in methods} == set(DECAYS)
    assert {m.imputation for m in methods} == set(IMPUTATIONS)
    assert {m.need_source for m in methods} == set(NEED_SOURCES)
    assert variants.robust_share == ROBUST_GAP_SHARE == 0.8


def test_variants_scale_the_base_catchment_and_keep_its_duplicate_threshold():
    """A base method at twice the radius varies around it: factors 1 to 3."""
    base = Method(catchment_factor=2.0, duplicate_min_jaccard=0.7)
    methods = list(Variants().methods(base))
    assert sorted({m.catchment_factor for m in methods}) == [1.0, 1.5, 2.0, 2.5, 3.0]
    assert {m.duplicate_min_jaccard for m in methods} == {0.7}


def test_gap_shares_by_hand(tiny):
    """See the module docstring for each value."""
    assert tuple(tiny.columns) == ROBUSTNESS_COLUMNS
    assert (tiny[VARIANTS] == 60).all()
    assert cells(tiny, GAP_SHARE) == {
        ("food", "W1"): 0.0,
        ("food", "W2"): 0.0,
        ("food", "W3"): 0.8,
        ("befriending", "W1"): 0.0,
        ("befriending", "W2"): 1.0,
        ("befriending", "W3"): 0.5,
        ("housing", "W1"): 1.0,
        ("housing", "W2"): 1.0,
        ("housing", "W3"): 1.0,
    }


def test_robust_means_a_gap_in_at_least_80_percent_of_the_variants(tiny):
    """Food in W3 is a gap in exactly 48 of 60, a share of 0.8: robust (the rule is >=)."""
    robust = cells(tiny, ROBUST)
    assert robust[("food", "W3")]
    assert robust[("housing", "W1")] and robust[("befriending", "W2")]  # gap share 1
    assert not robust[("befriending", "W3")]  # 0.5
    assert not robust[("food", "W1")]  # 0
    assert (tiny[ROBUST] == (tiny[GAP_SHARE] >= 0.8)).all()


@pytest.mark.parametrize(("robust_share", "robust"), [(0.6, True), (2 / 3, True), (0.7, False)])
def test_the_robust_share_is_the_variants_own(robust_share, robust):
    """Three variants (factors 0.5, 1, 1.5; the rest fixed): W3's food is missing in two of
    them, a gap share of 2/3, robust from a share of 2/3 on; housing (3 of 3) always is."""
    variants = Variants(
        catchment_factors=(0.5, 1.0, 1.5),
        decays=DECAYS[:1],
        imputations=IMPUTATIONS[:1],
        need_sources=NEED_SOURCES[:1],
        robust_share=robust_share,
    )
    table = assess_robustness(COVERAGE, DIRECTORY, AREA, TAXONOMY, variants=variants)
    assert (table[VARIANTS] == 3).all()
    assert cells(table, GAP_SHARE)[("food", "W3")] == pytest.approx(2 / 3)
    assert bool(cells(table, ROBUST)[("food", "W3")]) is robust
    assert cells(table, ROBUST)[("housing", "W1")]


def test_the_class_shown_is_the_baseline_method(tiny):
    """At factor 1, C reaches no one, so W3's food is missing; without anyone aged 65+,
    W3's befriending has no need by its indicator (the baseline need source)."""
    classes = cells(tiny, PROVISION_CLASS)
    assert classes[("food", "W3")] == MISSING
    assert classes[("food", "W1")] == classes[("food", "W2")] == "adequate"
    assert classes[("befriending", "W3")] == "no need"
    baseline = compute_metrics(COVERAGE, DIRECTORY, AREA, TAXONOMY).table
    assert tiny[PROVISION_CLASS].tolist() == baseline[PROVISION_CLASS].tolist()
    assert tiny[[AREA_CODE, CATEGORY]].equals(baseline[[AREA_CODE, CATEGORY]])


def test_each_variant_is_one_method_in_the_order_of_methods(tiny_results):
    """Per variant, C is local provision for W3 exactly when the factor is 1.5, and then
    W3's relative provision is 3s / (1 + s) whatever the decay, imputation or need source."""
    w3_food = column_of(tiny_results, "food", "W3")
    factors = np.array([m.catchment_factor for m in Variants().methods(Method())])
    reached = tiny_results.local_services[:, w3_food] > 0
    assert reached.tolist() == (factors == 1.5).tolist()
    relative = tiny_results.relative_provision[factors == 1.5, w3_food]
    assert relative.tolist() == pytest.approx([3 * C_INSIDE / (1 + C_INSIDE)] * 12, rel=1e-3)


def test_other_thresholds_reclassify_the_same_variants(tiny_results):
    """Under-served below 1.1: at factor 1.5, W1 and W2 (RP = 1.5 / (1 + s), about 1.0) turn
    under-served, so their food is a gap in 12 of 60 variants; at the other factors their
    RP of 1.5 stays adequate."""
    assert 1.5 / (1 + C_INSIDE) < 1.1 < 1.5  # the premise, on the measured share
    baseline = compute_metrics(COVERAGE, DIRECTORY, AREA, TAXONOMY).table
    strict = gap_shares(tiny_results, baseline, thresholds=Thresholds(under_served_below=1.1))
    shares = cells(strict, GAP_SHARE)
    assert shares[("food", "W1")] == shares[("food", "W2")] == pytest.approx(12 / 60)
    assert shares[("food", "W3")] == pytest.approx(1.0)  # 3s / (1 + s) < 1.1 as well


def test_variants_refuse_nonsense():
    with pytest.raises(AnalysisError, match=r"robustness needs at least one value of each"):
        Variants(catchment_factors=())
    with pytest.raises(AnalysisError, match=r"decay 'linear' is not known"):
        Variants(decays=("linear",))
    with pytest.raises(AnalysisError, match=r"capacity imputation 'mean' is not known"):
        Variants(imputations=("mean",))
    with pytest.raises(AnalysisError, match=r"robust_share 0 is not in \(0, 1\]"):
        Variants(robust_share=0)
    with pytest.raises(AnalysisError, match=r"need source 'votes' is not known"):
        Variants(need_sources=("votes",))
    with pytest.raises(AnalysisError, match=r"catchment factor -1 is not a positive number"):
        Variants(catchment_factors=(-1,))
    with pytest.raises(AnalysisError, match=r"catchment_factors \(1.0, 1.0\) repeats a value"):
        Variants(catchment_factors=(1.0, 1.0))


# On the demo directory over Bristol: one full run (60 variants, about 3 s) for the module.


@pytest.fixture(scope="module")
def demo(bristol, demo_directory, taxonomy) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo's robustness table and its baseline metrics table."""
    coverage = compute_coverage(demo_directory, bristol, taxonomy)
    table = assess_robustness(coverage, demo_directory, bristol, taxonomy)
    baseline = compute_metrics(
        coverage, demo_directory, bristol, taxonomy, with_duplicates=False
    ).table
    return table, baseline


def test_demo_table_has_one_row_per_ward_and_category(demo, bristol, taxonomy):
    table, baseline = demo
    assert len(table) == len(bristol.wards) * len(taxonomy.ids())
    assert table[[AREA_CODE, CATEGORY]].equals(baseline[[AREA_CODE, CATEGORY]])
    assert table[PROVISION_CLASS].tolist() == baseline[PROVISION_CLASS].tolist()
    assert (table[VARIANTS] == 60).all()


def test_demo_gap_shares_are_counts_of_60_variants(demo):
    """In [0, 1], a whole number of sixtieths, and robust exactly from 0.8."""
    table, _ = demo
    share = table[GAP_SHARE].to_numpy(float)
    assert ((share >= 0) & (share <= 1)).all()
    np.testing.assert_allclose(share * 60, np.round(share * 60), atol=1e-9)
    assert (table[ROBUST].to_numpy() == (share >= 0.8)).all()
    # The demo is laid out with gaps and with good provision: both ends occur.
    assert (share == 1).any() and (share == 0).any()


def test_demo_baseline_is_one_of_the_variants(demo):
    """The baseline (factor 1, stepped, median, indicator) is among the 60, so a baseline
    gap is a gap in at least one variant, and a baseline non-gap escapes at least one."""
    table, _ = demo
    gap = table[PROVISION_CLASS].isin(GAP_CLASSES).to_numpy()
    share = table[GAP_SHARE].to_numpy(float)
    assert (share[gap] >= 1 / 60 - 1e-12).all()
    assert (share[~gap] <= 59 / 60 + 1e-12).all()
    assert gap.any() and (table[PROVISION_CLASS] == WELL_PROVIDED).any()
