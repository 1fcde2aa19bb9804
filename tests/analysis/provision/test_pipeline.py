"""The pipeline object gives the same results as the steps it chains, and computes each once.

On the tiny strip (tests/analysis/tiny.py): zone centres at x = 0.5, 1.5, 2.5, 3.5 km,
residents 1,000, 3,000, 2,000, 4,000; W1 = Z1 + Z2, W2 = Z3 + Z4.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pandas.testing as pdt
import pytest

from analysis.model import (
    ACCESSIBILITY_PER_1000,
    BY_PHONE,
    CATEGORY,
    LOCAL_SERVICES,
    MISSING,
    NEED,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    SERVICE_ID,
    SHARE,
    WARD_LEVEL,
)
from analysis.provision import pipeline
from analysis.provision.classes import classify_provision
from analysis.provision.coverage import NO_DECAY, compute_coverage
from analysis.provision.filters import Filters, apply_filters
from analysis.provision.metrics import (
    Method,
    MetricsResult,
    Thresholds,
    compute_metrics,
)
from analysis.provision.pipeline import Analysis
from analysis.provision.robustness import Variants, assess_robustness
from tests.analysis.tiny import circle, citywide, make_area, make_directory, make_taxonomy

AREA = make_area()
TAXONOMY = make_taxonomy()
STRICT = Thresholds(under_served_below=0.9, well_provided_from=1.5)
PHONE_ONLY = Filters(delivery=(BY_PHONE,))
PLAIN = Method(decay=NO_DECAY)
# Fewer variants than the default 60 keep these tests quick; what is cached is the same.
FEW = Variants(catchment_factors=(0.5, 1.0), imputations=("median",))


@pytest.fixture
def analysis() -> Analysis:
    """S1 (900 m around Z1's centre) reaches Z1 only; S2 (1.4 km around Z3's) reaches Z2,
    Z3 and Z4; S3 is a phone line for the whole city."""
    directory = make_directory(
        [
            circle(0.5, 0.5, 900, "S1", capacity=10),
            circle(2.5, 0.5, 1400, "S2", capacity=40, categories=("food", "befriending")),
            citywide(AREA, "S3", capacity=5, delivery=(BY_PHONE,)),
        ]
    )
    return Analysis(directory, AREA, TAXONOMY)


def _direct(
    analysis: Analysis,
    filters: Filters,
    thresholds: Thresholds,
    level: str,
    method: Method = Method(),  # noqa: B008 - frozen, so a shared default is safe
) -> MetricsResult:
    """The steps the pipeline chains, run by hand on a fresh coverage table."""
    chosen = apply_filters(analysis.directory, filters, taxonomy=TAXONOMY)
    return compute_metrics(
        compute_coverage(analysis.directory, AREA, TAXONOMY),
        chosen.directory,
        AREA,
        TAXONOMY,
        level=level,
        thresholds=thresholds,
        method=method,
        weights=chosen.weights,
    )


@pytest.mark.parametrize("filters", [Filters(), PHONE_ONLY])
@pytest.mark.parametrize("thresholds", [Thresholds(), STRICT])
@pytest.mark.parametrize("level", ["ward", "neighbourhood"])
@pytest.mark.parametrize("method", [Method(), PLAIN])
def test_metrics_equal_the_chained_steps(analysis, filters, thresholds, level, method):
    """Every combination of filters, thresholds, level and method: the same table."""
    got = analysis.metrics(filters, thresholds, level=level, method=method)
    expected = _direct(analysis, filters, thresholds, level, method)
    pdt.assert_frame_equal(got.table, expected.table)
    pdt.assert_frame_equal(got.city, expected.city)
    assert got.thresholds == thresholds
    assert got.method == method


def test_coverage_is_computed_once_and_thresholds_only_reclassify(analysis):
    """A threshold change keeps every sum and ratio and reclassifies them with the new cuts."""
    assert analysis.coverage is analysis.coverage
    default = analysis.metrics()
    strict = analysis.metrics(thresholds=STRICT)
    assert analysis.metrics() is default  # cached
    for column in (NEED, LOCAL_SERVICES, ACCESSIBILITY_PER_1000, RELATIVE_PROVISION):
        pdt.assert_series_equal(default.table[column], strict.table[column])
    expected = classify_provision(
        strict.table[NEED].to_numpy(),
        strict.table[LOCAL_SERVICES].to_numpy(),
        strict.table[RELATIVE_PROVISION].to_numpy(),
        thresholds=STRICT,
    )
    assert strict.table[PROVISION_CLASS].tolist() == expected.tolist()
    # The cuts matter here: some area's relative provision lies in [0.5, 0.9) or [1.5, 2),
    # classed differently by the two sets of thresholds.
    assert not default.table[PROVISION_CLASS].equals(strict.table[PROVISION_CLASS])


def test_a_filter_and_a_method_are_part_of_what_is_cached(analysis):
    """The phone line alone reaches everyone but is no local provision: food is missing."""
    default = analysis.metrics()
    phone = analysis.metrics(PHONE_ONLY)
    assert phone is not default
    food = phone.table[phone.table[CATEGORY] == "food"]
    assert (food[PROVISION_CLASS] == MISSING).all()
    assert analysis.metrics(method=PLAIN) is not default
    assert analysis.metrics(method=PLAIN) is analysis.metrics(method=PLAIN)


def test_robustness_equals_the_step(analysis):
    for filters in (Filters(), PHONE_ONLY):
        chosen = apply_filters(analysis.directory, filters, taxonomy=TAXONOMY)
        expected = assess_robustness(
            analysis.coverage,
            chosen.directory,
            AREA,
            TAXONOMY,
            level=WARD_LEVEL,
            weights=chosen.weights,
            variants=FEW,
        )
        pdt.assert_frame_equal(analysis.robustness(filters, variants=FEW), expected)


def test_robustness_runs_the_variants_once_per_filters_and_method(analysis, monkeypatch):
    """Thresholds reclassify the same variant results; a new method reruns them."""
    calls: list[Method] = []
    run: Callable = pipeline.run_variants

    def counting(*args, **kwargs):
        calls.append(kwargs["method"])
        return run(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run_variants", counting)
    first = analysis.robustness(variants=FEW)
    analysis.robustness(thresholds=STRICT, variants=FEW)
    assert len(calls) == 1
    chosen = apply_filters(analysis.directory, Filters(), taxonomy=TAXONOMY)
    strict = assess_robustness(
        analysis.coverage,
        chosen.directory,
        AREA,
        TAXONOMY,
        thresholds=STRICT,
        weights=chosen.weights,
        variants=FEW,
    )
    pdt.assert_frame_equal(analysis.robustness(thresholds=STRICT, variants=FEW), strict)
    assert len(calls) == 1
    analysis.robustness(method=PLAIN, variants=FEW)
    assert calls == [Method(), PLAIN]
    assert first.equals(analysis.robustness(variants=FEW))


def test_services_in_a_ward_are_those_reaching_it_largest_share_first(analysis):
    w1 = analysis.services_in("W1")
    # S3 is citywide; S2 (1.4 km from x = 2.5 km) reaches Z2's centre, 3,000 of W1's 4,000
    # residents; S1 (0.9 km from x = 0.5 km) reaches Z1 only, 1,000 of them.
    assert list(w1[SERVICE_ID]) == ["S3", "S2", "S1"]
    assert w1[SHARE].tolist() == pytest.approx([1.0, 0.75, 0.25])
    assert set(analysis.services_in("W2")[SERVICE_ID]) == {"S2", "S3"}
    assert isinstance(w1, pd.DataFrame) and "geometry" not in w1.columns
    assert analysis.services_in("W1") is w1  # cached


def test_a_wider_catchment_factor_gets_a_wider_coverage_table(analysis):
    wide = analysis.metrics(method=Method(catchment_factor=2.0))
    assert analysis.coverage_for(2.0).max_factor == 2.0
    assert analysis.coverage_for(1.2) is analysis.coverage
    narrow = analysis.metrics()
    assert (wide.table[LOCAL_SERVICES] >= narrow.table[LOCAL_SERVICES]).all()
