"""The step-by-step explanation agrees with the metrics table it explains."""

from __future__ import annotations

import pytest

from analysis.model import (
    ACCESSIBILITY_PER_1000,
    AREA_CODE,
    CATEGORY,
    IMPUTED_SHARE,
    LOCAL_SERVICES,
    NEED,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    REMOTE_OPTIONS,
    SMALL_NUMBERS,
)
from analysis.provision.coverage import NO_DECAY, compute_coverage
from analysis.provision.explain import explain_cell, explain_text
from analysis.provision.metrics import Method, compute_metrics
from analysis.provision.supply import LOWER_QUARTILE

CELLS = [
    ("E05010901", "food"),  # Henbury and Brentry: under-served, three local services
    ("E05010906", "food"),
    ("E05010893", "mental_health"),
]


@pytest.fixture(scope="module")
def demo(bristol, demo_directory, taxonomy):
    coverage = compute_coverage(demo_directory, bristol, taxonomy)
    return coverage, demo_directory, bristol, taxonomy


def _row(demo, ward_code, category, method):
    coverage, directory, area, taxonomy = demo
    table = compute_metrics(coverage, directory, area, taxonomy, method=method).table
    return table[(table[AREA_CODE] == ward_code) & (table[CATEGORY] == category)].iloc[0]


@pytest.mark.parametrize("method", [Method(), Method(decay=NO_DECAY, catchment_factor=1.25)])
def test_the_explanation_reproduces_every_figure_of_the_row(demo, method, bristol):
    for ward_code, category in _cells(bristol):
        row = _row(demo, ward_code, category, method)
        e = explain_cell(*demo, ward_code=ward_code, category=category, method=method)
        assert e.need == pytest.approx(row[NEED])
        assert e.accessibility_per_1000 == pytest.approx(row[ACCESSIBILITY_PER_1000], rel=1e-9)
        assert e.relative_provision == pytest.approx(row[RELATIVE_PROVISION], rel=1e-9)
        assert e.imputed_share == pytest.approx(row[IMPUTED_SHARE], abs=1e-9)
        assert len(e.services) == row[LOCAL_SERVICES]
        assert e.remote_options == row[REMOTE_OPTIONS]
        assert e.provision_class == row[PROVISION_CLASS]
        assert e.small_numbers == row[SMALL_NUMBERS]
        # A_W is the need-weighted mean of the neighbourhoods' values shown in step 3.
        weighted = (e.zones["need"] * e.zones["accessibility_per_1000"]).sum() / e.need
        assert weighted == pytest.approx(e.accessibility_per_1000)


def _cells(area):
    codes = set(area.wards["ward_code"])
    cells = [cell for cell in CELLS if cell[0] in codes]
    assert cells, "the chosen wards are not in the area: choose others"
    return cells


def test_a_missing_cell_explains_itself(demo):
    coverage, directory, area, taxonomy = demo
    table = compute_metrics(coverage, directory, area, taxonomy).table
    missing = table[table[PROVISION_CLASS] == "missing"].iloc[0]
    e = explain_cell(*demo, ward_code=missing[AREA_CODE], category=missing[CATEGORY])
    assert e.services.empty and e.accessibility_per_1000 == 0.0
    text = explain_text(e)
    assert "   none" in text and "Class: missing" in text


def test_the_text_names_every_service_and_the_units(demo, bristol):
    ward_code, category = _cells(bristol)[0]
    e = explain_cell(*demo, ward_code=ward_code, category=category)
    text = explain_text(e)
    for name in e.services["service_name"]:
        assert name in text
    assert "places a week per 1,000 people in need" in text
    assert e.need_unit in text
    assert "1 = city average per person in need" in text


@pytest.mark.parametrize(
    ("method", "said", "not_said"),
    [
        (Method(), ["w = 1, 0.68, 0.22", "counted at the median"], ["w = 1 anywhere"]),
        (
            Method(decay=NO_DECAY, imputation=LOWER_QUARTILE),
            ["w = 1 anywhere", "no decay", "counted at the lower quartile"],
            ["0.68", "median"],
        ),
    ],
)
def test_the_text_names_the_method_it_used(demo, method, said, not_said):
    coverage, directory, area, taxonomy = demo
    table = compute_metrics(coverage, directory, area, taxonomy, method=method).table
    imputed = table[table[IMPUTED_SHARE] > 0].iloc[0]
    explanation = explain_cell(
        *demo, ward_code=imputed[AREA_CODE], category=imputed[CATEGORY], method=method
    )
    text = explain_text(explanation)
    for words in said:
        assert words in text
    for words in not_said:
        assert words not in text
