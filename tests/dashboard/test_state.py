"""The view round-trips through the URL; bad values are reported, never fatal."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dashboard.state import MEASURES, PAGES, ViewState, from_query, to_query

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
    params = {"page": "admin", "category": "xyz", "measure": "colour", "ward": "E0", "km": "-1"}
    state, ignored = from_query(params, categories=CATEGORIES, wards=WARDS)
    assert state == ViewState()
    assert ignored == [
        "page 'admin' (pages: overview, ward, postcode, data)",
        "category 'xyz'",
        "measure 'colour' (measures: class, effective_providers, accessibility_per_10k, "
        "relative_provision, need)",
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
