"""The pipeline object gives the same results as the steps it chains, and computes each once."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from analysis.model import PHONE, SERVICE_ID, SHARE
from analysis.provision.coverage import compute_coverage
from analysis.provision.filters import Filters, apply_filters
from analysis.provision.metrics import Thresholds, compute_metrics
from analysis.provision.pipeline import Analysis
from analysis.provision.robustness import assess_robustness
from tests.analysis.tiny import circle, citywide, make_area, make_directory, make_taxonomy

AREA = make_area()
TAXONOMY = make_taxonomy()
STRICT = Thresholds(under_served_below=0.9, overlap_min_rp=1.5)
PHONE_ONLY = Filters(delivery=(PHONE,))


@pytest.fixture
def analysis() -> Analysis:
    directory = make_directory(
        [
            circle(0.5, 0.5, 900, "S1", capacity=10),
            circle(2.5, 0.5, 1400, "S2", capacity=40, categories=("food", "befriending")),
            citywide(AREA, "S3", capacity=5, delivery=(PHONE,)),
        ]
    )
    return Analysis(directory, AREA, TAXONOMY)


def _direct(analysis: Analysis, filters: Filters, thresholds: Thresholds, level: str):
    chosen = apply_filters(analysis.directory, filters, taxonomy=TAXONOMY)
    return compute_metrics(
        compute_coverage(analysis.directory, AREA),
        chosen.directory,
        AREA,
        TAXONOMY,
        level=level,
        thresholds=thresholds,
        weights=chosen.weights,
    )


@pytest.mark.parametrize("filters", [Filters(), PHONE_ONLY])
@pytest.mark.parametrize("thresholds", [Thresholds(), STRICT])
@pytest.mark.parametrize("level", ["ward", "neighbourhood"])
def test_metrics_equal_the_chained_steps(analysis, filters, thresholds, level):
    got = analysis.metrics(filters, thresholds, level=level)
    expected = _direct(analysis, filters, thresholds, level)
    pdt.assert_frame_equal(got.table, expected.table)
    assert got.thresholds == thresholds


def test_coverage_is_computed_once_and_thresholds_only_reclassify(analysis):
    assert analysis.coverage is analysis.coverage
    default = analysis.metrics()
    strict = analysis.metrics(thresholds=STRICT)
    assert analysis.metrics() is default  # cached
    # The sums are shared; only the classes differ.
    pdt.assert_series_equal(default.table["need"], strict.table["need"])
    assert not default.table["class"].equals(strict.table["class"])


def test_robustness_equals_the_step(analysis):
    chosen = apply_filters(analysis.directory, Filters(), taxonomy=TAXONOMY)
    expected = assess_robustness(
        analysis.coverage, chosen.directory, AREA, TAXONOMY, weights=chosen.weights
    )
    pdt.assert_frame_equal(analysis.robustness(), expected)
    assert analysis.robustness() is analysis.robustness()


def test_services_in_a_ward_are_those_reaching_it_largest_share_first(analysis):
    w1 = analysis.services_in("W1")
    # S3 is citywide; S2 (1.4 km from x = 2.5 km) reaches Z2's centre, 3,000 of W1's 4,000
    # residents; S1 (0.9 km from x = 0.5 km) reaches Z1 only, 1,000 of them.
    assert list(w1[SERVICE_ID]) == ["S3", "S2", "S1"]
    assert w1[SHARE].tolist() == pytest.approx([1.0, 0.75, 0.25])
    assert set(analysis.services_in("W2")[SERVICE_ID]) == {"S2", "S3"}
    assert isinstance(w1, pd.DataFrame) and "geometry" not in w1.columns
