"""Filters: each filter, the counts of what they drop, stale records, and their errors."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely import box

from analysis.errors import AnalysisError, TaxonomyError
from analysis.provision.coverage import compute_coverage
from analysis.provision.filters import Filters, apply_filters
from analysis.provision.metrics import compute_metrics
from tests.analysis.tiny import make_area, make_directory, make_taxonomy, service

AREA = make_area()
EVERYWHERE = box(0, 0, 4000, 1000)
AS_OF = pd.Timestamp("2025-06-30")


def directory():
    """Five services, all over the whole area, differing in one field each."""
    return make_directory(
        [
            service(
                "food",
                EVERYWHERE,
                categories=("food",),
                audience="Everyone",
                last_updated=pd.Timestamp("2025-05-01"),
            ),
            service(
                "phone",
                EVERYWHERE,
                categories=("befriending",),
                delivery=("phone", "online"),
                audience="Older people; carers",
                org_id="B",
                last_updated=pd.Timestamp("2023-01-01"),
            ),
            service(
                "closed",
                EVERYWHERE,
                categories=("food", "housing"),
                active_until=pd.Timestamp("2024-12-31"),
                audience="families",
                last_updated=pd.NaT,
            ),
            service("future", EVERYWHERE, active_from=pd.Timestamp("2026-01-01")),
            service("council", EVERYWHERE, categories=("housing",), org_id="C"),
        ],
        organisations=[
            {"org_id": "A", "org_name": "Alpha", "kind": "charity"},
            {"org_id": "B", "org_name": "Beta", "kind": "mutual aid group"},
            {"org_id": "C", "org_name": "City Council", "kind": "statutory"},
        ],
    )


def kept(selection) -> list[str]:
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


def test_down_weighted_services_count_less_in_the_metrics():
    """Housing: 'closed' (stale, weight 0.5) and 'council' cover every zone: E = 1.5."""
    full = directory()
    coverage = compute_coverage(full, AREA)
    selection = apply_filters(
        full, Filters(stale_after_months=12, as_of=AS_OF, stale="down-weight")
    )
    result = compute_metrics(
        coverage, selection.directory, AREA, make_taxonomy(), weights=selection.weights
    )
    housing = result.table[result.table["category"] == "housing"]
    assert housing["effective_providers"].to_list() == pytest.approx([1.5, 1.5])


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
