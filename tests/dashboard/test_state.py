"""The view round-trips through the URL; bad values are reported, never fatal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.state import MEASURES, PAGES, ViewState, from_query, requested_area, to_query

CATEGORIES = ("food", "befriending", "carers")
WARDS = ("E05010885", "E05010892")


def test_defaults_when_the_url_is_empty():
    state, ignored = from_query({}, categories=CATEGORIES, wards=WARDS)
    assert state == ViewState()
    assert ignored == []


def test_shared_link_reopens_the_same_view():
    params = {
        "page": "ward",
        "category": "carers",
        "measure": "need",
        "ward": "E05010892",
        "postcode": "BS8 1TH",
        "km": "2.5",
        "present": "1",
    }
    state, ignored = from_query(params, categories=CATEGORIES, wards=WARDS)
    assert ignored == []
    assert state == ViewState("ward", "carers", "need", "E05010892", "BS8 1TH", 2.5, True)
    assert to_query(state) == params


def test_unknown_values_fall_back_and_are_named():
    params = {"page": "nowhere", "category": "xyz", "measure": "colour", "ward": "E0", "km": "-1"}
    state, ignored = from_query(params, categories=CATEGORIES, wards=WARDS)
    assert state == ViewState()
    assert ignored == [
        "page 'nowhere' (pages: overview, ward, postcode, changes, data, suggest, account, "
        "edit, queue, review, admin)",
        "category 'xyz'",
        "measure 'colour' (measures: class, relative_provision, accessibility_per_1000, "
        "need, local_services, remote_options, duplicate_pairs)",
        "ward 'E0'",
        "distance '-1' (0 to 10 km)",
    ]


def test_default_category_follows_the_taxonomy():
    state, _ = from_query({}, categories=("carers",), wards=WARDS)
    assert state.category == "carers"


@given(
    page=st.sampled_from(PAGES),
    category=st.sampled_from(CATEGORIES),
    measure=st.sampled_from(tuple(MEASURES)),
    ward=st.sampled_from(("",) + WARDS),
    postcode=st.sampled_from(("", "BS1 6QA")),
    km=st.sampled_from((0.5, 1.5, 3.0, 10.0)),
    present=st.booleans(),
)
def test_every_view_round_trips(page, category, measure, ward, postcode, km, present):
    state = ViewState(page, category, measure, ward, postcode, km, present)
    again, ignored = from_query(to_query(state), categories=CATEGORIES, wards=WARDS)
    assert (again, ignored) == (state, [])


def test_filters_and_thresholds_are_part_of_the_link():
    from analysis.provision.metrics import Thresholds

    params = {
        "page": "overview",
        "category": "food",
        "measure": "class",
        "delivery": "in person,phone",
        "kind": "charity",
        "active": "1",
        "stale": "down-weight",
        "under": "0.8",
        "well": "2.5",
    }
    state, ignored = from_query(params, categories=CATEGORIES, wards=WARDS)
    assert ignored == []
    assert state.delivery == ("in person", "phone") and state.org_kinds == ("charity",)
    assert state.active_today and state.stale == "down-weight"
    assert state.thresholds == Thresholds(under_served_below=0.8, well_provided_from=2.5)
    assert to_query(state) == params


def test_the_view_builds_the_analysis_filters():
    import pandas as pd

    today = pd.Timestamp("2026-06-30")
    state = ViewState(delivery=("online",), active_today=True, stale="exclude")
    filters = state.filters(today)
    assert filters.delivery == ("online",) and filters.active_on == today
    assert (filters.stale_after_months, filters.stale, filters.as_of) == (12, "exclude", today)
    assert ViewState().filters(today).is_empty()


def test_bad_filters_and_thresholds_fall_back_and_are_named():
    params = {"delivery": "post,phone", "stale": "ignore", "under": "lots", "well": "-3"}
    state, ignored = from_query(params, categories=CATEGORIES, wards=WARDS)
    assert state.delivery == ("phone",) and state.stale is None
    assert state.thresholds == ViewState().thresholds
    assert ignored[:3] == [
        "delivery 'post' (delivery: in person, phone, online, home delivery)",
        "stale 'ignore' (stale: exclude, down-weight)",
        "under 'lots' (a number)",
    ]
    assert ignored[3].startswith("thresholds (")


def test_well_provided_at_or_below_under_served_falls_back_and_is_named():
    state, ignored = from_query({"under": "0.8", "well": "0.8"}, categories=CATEGORIES, wards=WARDS)
    assert state.thresholds == ViewState().thresholds
    [message] = ignored
    assert message.startswith("thresholds (threshold well_provided_from = 0.8 is not above")


def test_a_link_with_the_old_overlap_thresholds_says_they_are_no_longer_used():
    """Its numbers came from other classes: the link cannot reproduce them silently."""
    params = {"under": "0.9", "providers": "4", "rp": "3"}
    state, ignored = from_query(params, categories=CATEGORIES, wards=WARDS)
    assert state.thresholds == replace(ViewState().thresholds, under_served_below=0.9)
    assert ignored == [
        "providers '4' (no longer used: the overlap class is gone)",
        "rp '3' (no longer used: the overlap class is gone; 'well' sets where well provided "
        "starts)",
    ]
    assert "rp" not in to_query(state) and "providers" not in to_query(state)


AREAS = ("bristol", "testshire")


def test_the_area_is_part_of_the_link_unless_it_is_the_default():
    state, ignored = from_query({"area": "testshire"}, categories=CATEGORIES, wards=(), areas=AREAS)
    assert (state.area, ignored) == ("testshire", [])
    assert to_query(state)["area"] == "testshire"
    state, _ = from_query({"area": "bristol"}, categories=CATEGORIES, wards=WARDS, areas=AREAS)
    assert state.area == ""
    assert "area" not in to_query(state)


def test_an_unknown_area_falls_back_to_the_default_and_is_named():
    params = {"area": "atlantis"}
    state, ignored = from_query(params, categories=CATEGORIES, wards=WARDS, areas=AREAS)
    assert state.area == ""
    assert ignored == ["area 'atlantis' (areas: bristol, testshire)"]
    assert requested_area(params, AREAS) == "bristol"
    assert requested_area({"area": "testshire"}, AREAS) == "testshire"
    assert requested_area({}, AREAS) == "bristol"


def test_the_days_compared_are_part_of_the_link():
    state = ViewState(page="changes", since="2026-01-31", until="2026-06-30")
    query = to_query(state)
    assert query["since"] == "2026-01-31" and query["until"] == "2026-06-30"
    again, ignored = from_query(query, categories=CATEGORIES, wards=WARDS)
    assert (again, ignored) == (state, [])


@pytest.mark.parametrize("text", ["yesterday", "2026-02-30", "2026-1-5", "20260105"])
def test_a_day_that_is_not_a_date_is_reported_and_left_out(text):
    state, ignored = from_query({"since": text}, categories=CATEGORIES, wards=WARDS)
    assert state.since == ""
    assert ignored == [f"since '{text}' (a date, YYYY-MM-DD)"]
