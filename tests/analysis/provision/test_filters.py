"""Filters: each filter, the counts of what they drop, stale records, and their errors."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely import box

from analysis.errors import AnalysisError, TaxonomyError
from analysis.model import ACCESSIBILITY_PER_1000, AREA_CODE, CATEGORY, WARDS
from analysis.provision.coverage import compute_coverage
from analysis.provision.filters import Filters, Selection, apply_filters
from analysis.provision.metrics import MetricsResult, compute_metrics
from tests.analysis.tiny import make_area, make_directory, make_taxonomy, service

AREA = make_area()
TAXONOMY = make_taxonomy()
EVERYWHERE = box(0, 0, 4000, 1000)
AS_OF = pd.Timestamp("2025-06-30")


def everywhere(service_id: str, **fields) -> dict:
    """A service listing both wards: local provision reaching every zone at weight 1."""
    return service(service_id, EVERYWHERE, kind=WARDS, ward_codes=("W1", "W2"), **fields)


def directory():
    """Five services, all over the whole area, differing in one field each (capacity 1)."""
    return make_directory(
        [
            everywhere(
                "food",
                categories=("food",),
                audience="Everyone",
                last_updated=pd.Timestamp("2025-05-01"),
            ),
            everywhere(
                "phone",
                categories=("befriending",),
                delivery=("phone", "online"),
                audience="Older people; carers",
                org_id="B",
                last_updated=pd.Timestamp("2023-01-01"),
            ),
            everywhere(
                "closed",
                categories=("food", "housing"),
                active_until=pd.Timestamp("2024-12-31"),
                audience="families",
                last_updated=pd.NaT,
            ),
            everywhere("future", active_from=pd.Timestamp("2026-01-01")),
            everywhere("council", categories=("housing",), org_id="C"),
        ],
        organisations=[
            {"org_id": "A", "org_name": "Alpha", "kind": "charity"},
            {"org_id": "B", "org_name": "Beta", "kind": "mutual aid group"},
            {"org_id": "C", "org_name": "City Council", "kind": "statutory"},
        ],
    )


def kept(selection: Selection) -> list[str]:
    """Ids of the services a selection keeps, in directory order."""
    return list(selection.directory.services["service_id"])


def test_no_filter_keeps_everything_at_full_weight():
    selection = apply_filters(directory(), Filters())
    assert kept(selection) == ["food", "phone", "closed", "future", "council"]
    assert selection.weights.to_list() == [1.0] * 5
    assert selection.excluded == {}
    assert Filters().is_empty()


@pytest.mark.parametrize(
    ("filters", "expected", "reason"),
    [
        (Filters(categories=("food",)), ["food", "closed", "future"], "category"),
        (Filters(delivery=("online", "home delivery")), ["phone"], "delivery"),
        # A service with no stated audience, or for "everyone", is open to everyone.
        (Filters(audiences=("CARERS",)), ["food", "phone", "future", "council"], "audience"),
        (Filters(active_on=pd.Timestamp("2025-06-30")), ["food", "phone", "council"], "not active"),
        (Filters(org_kinds=("charity",)), ["food", "closed", "future"], "organisation kind"),
    ],
)
def test_each_filter_keeps_what_matches_and_counts_the_rest(filters, expected, reason):
    selection = apply_filters(directory(), filters)
    assert kept(selection) == expected
    assert selection.excluded == {reason: 5 - len(expected)}


def test_a_service_failing_several_filters_is_counted_once_under_the_first():
    filters = Filters(categories=("housing",), active_on=pd.Timestamp("2025-06-30"))
    selection = apply_filters(directory(), filters)
    assert kept(selection) == ["council"]
    assert selection.excluded == {"category": 3, "not active": 1}
    assert len(kept(selection)) + sum(selection.excluded.values()) == 5


def test_stale_records_are_excluded_or_down_weighted():
    """12 months before 30 June 2025 is 30 June 2024: 'phone' (2023) and 'closed' (never
    updated) are stale; the others were updated on 1 May or 1 January 2025."""
    excluded = apply_filters(directory(), Filters(stale_after_months=12, as_of=AS_OF))
    assert kept(excluded) == ["food", "future", "council"]
    assert excluded.excluded == {"stale": 2}
    weighted = apply_filters(
        directory(),
        Filters(stale_after_months=12, as_of=AS_OF, stale="down-weight", stale_weight=0.25),
    )
    assert kept(weighted) == ["food", "phone", "closed", "future", "council"]
    assert weighted.weights.to_dict() == {
        "food": 1.0,
        "phone": 0.25,
        "closed": 0.25,
        "future": 1.0,
        "council": 1.0,
    }
    assert weighted.down_weighted == 2


def housing_per_1000(selection: Selection) -> list[float]:
    """Housing accessibility per 1,000 residents in W1 and W2 for the selected services,
    on the coverage table of the whole, unfiltered directory (a filter reruns no geometry)."""
    full = directory()
    coverage = compute_coverage(full, AREA, TAXONOMY)
    result: MetricsResult = compute_metrics(
        coverage, selection.directory, AREA, TAXONOMY, weights=selection.weights
    )
    housing = result.table[result.table[CATEGORY] == "housing"].set_index(AREA_CODE)
    return housing[ACCESSIBILITY_PER_1000].tolist()


def test_down_weighted_services_count_less_in_the_metrics():
    """Housing: 'council' (1 place) and 'closed' (1 place shared with food: 0.5) reach all
    10,000 residents at weight 1, so A = their places / 10,000 in every zone and ward.

    In full: 1.5 / 10,000 = 0.15 per 1,000. 'closed' is stale; down-weighted by half it
    offers 0.25: 1.25 / 10,000 = 0.125 per 1,000; at weight 0 it is as if excluded, 0.1.
    """
    stale = {"stale_after_months": 12, "as_of": AS_OF}
    assert housing_per_1000(apply_filters(directory(), Filters())) == pytest.approx([0.15] * 2)
    half = apply_filters(directory(), Filters(**stale, stale="down-weight"))
    assert half.weights["closed"] == 0.5
    assert housing_per_1000(half) == pytest.approx([0.125] * 2)
    none = apply_filters(directory(), Filters(**stale, stale="down-weight", stale_weight=0.0))
    excluded = apply_filters(directory(), Filters(**stale))
    assert "closed" not in kept(excluded)
    assert housing_per_1000(none) == housing_per_1000(excluded) == pytest.approx([0.1] * 2)


def test_timezone_aware_dates_compare_with_naive_ones():
    services = directory().services.copy()
    services["last_updated"] = pd.to_datetime(services["last_updated"]).dt.tz_localize("UTC")
    aware = make_directory(services.to_dict("records"))
    selection = apply_filters(
        aware, Filters(stale_after_months=12, as_of=pd.Timestamp("2025-06-30", tz="UTC"))
    )
    assert kept(selection) == ["food", "future", "council"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"delivery": ("post",)},
            r"delivery mode 'post' is not known\. Fix: use one of in person, phone, online, "
            r"home delivery\.",
        ),
        ({"org_kinds": ("club",)}, r"organisation kind 'club' is not known\. Fix: use one of"),
        ({"stale": "ignore"}, r"stale handling 'ignore' is not known\. Fix: use one of exclude"),
        ({"stale_weight": 2.0}, r"stale_weight 2\.0 is not between 0 and 1\. Fix: pass e\.g\."),
        (
            {"stale_after_months": 12},
            r"stale_after_months is set but as_of is not, so staleness has no reference date",
        ),
        ({"stale_after_months": -1, "as_of": AS_OF}, r"stale_after_months -1 is negative"),
    ],
)
def test_filters_refuse_unknown_values(options, message):
    with pytest.raises(AnalysisError, match=message):
        Filters(**options)


def test_categories_are_checked_against_the_taxonomy_when_given():
    with pytest.raises(TaxonomyError, match=r"Unknown need category 'fod'"):
        apply_filters(directory(), Filters(categories=("fod",)), taxonomy=make_taxonomy())
