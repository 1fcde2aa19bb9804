"""The review of suggested categories: its table, the choices it returns, and the upload
of a group list whose categories are only broad terms."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.geography import load_area
from analysis.ingest.load import load_directory
from analysis.ingest.options import ImportOptions
from analysis.taxonomy_file import load_taxonomy
from dashboard.components.category_review import (
    CHOSEN,
    NAME,
    REVIEW_COLUMNS,
    STATUS,
    SUGGESTED,
    TERMS,
    choices_from_table,
    review_rows,
)
from dashboard.components.upload import check_upload, handle_upload
from dashboard.context import PageContext
from dashboard.data import DirectorySource
from dashboard.state import ViewState

REAL = Path(__file__).resolve().parents[2] / "data" / "real"
GROUPS = REAL / "group_list_broad_terms.csv"


@pytest.fixture(scope="module")
def ctx() -> PageContext:
    area, taxonomy = load_area(), load_taxonomy()
    directory, report = load_directory(GROUPS, area=area, taxonomy=taxonomy)
    source = DirectorySource(directory, report, "groups", "Groups", is_upload=True)
    return PageContext(ViewState(page="data"), area, taxonomy, source)


@pytest.fixture(scope="module")
def uploaded(ctx):
    return handle_upload(GROUPS.read_bytes(), GROUPS.name, ctx)


def test_the_upload_keeps_broad_terms_out_of_categories_and_lists_rows_to_review(uploaded, ctx):
    report = uploaded.source.report
    assert (report.categories.by_terms, report.categories.uncategorised) == (1, 6)
    table = review_rows(report, ctx.taxonomy)
    assert tuple(table.columns) == REVIEW_COLUMNS
    food_bank = table.set_index(NAME).loc["Eastside Food Bank"]
    assert food_bank[TERMS] == "Advice; Support"
    assert food_bank[SUGGESTED] == "Food and essential shopping ('Food Bank', 'Emergency food')"
    assert food_bank[CHOSEN] == ["food"]
    assert food_bank[STATUS] == "in no category: suggestion not accepted yet"
    church = table.set_index(NAME).loc["St Mary's Church"]
    assert (church[SUGGESTED], church[CHOSEN], church[STATUS]) == ("", [], "in no category")


def test_the_table_as_left_accepts_the_suggestions_and_an_edit_is_a_choice(uploaded, ctx):
    report = uploaded.source.report
    table = review_rows(report, ctx.taxonomy)
    assert choices_from_table(table, report) == {
        4: ("physical_health",),
        5: ("befriending",),
        6: ("food",),
    }
    edited = table.copy()
    rows = dict(zip(edited[NAME], edited.index, strict=True))
    edited.at[rows["St Mary's Church"], CHOSEN] = ["befriending"]
    edited.at[rows["Eastside Food Bank"], CHOSEN] = []
    assert choices_from_table(edited, report) == {
        2: ("befriending",),
        4: ("physical_health",),
        5: ("befriending",),
    }


def test_the_choices_checked_again_file_the_rows(uploaded, ctx):
    report = uploaded.source.report
    choices = choices_from_table(review_rows(report, ctx.taxonomy), report)
    options = replace(uploaded.options, category_choices=choices)
    again = check_upload(uploaded, ctx, options=options)
    services = again.source.directory.services.set_index("service_name")
    assert services.loc["Eastside Food Bank", "categories"] == ("food",)
    assert services.loc["St Mary's Church", "categories"] == ()
    shares = again.source.report.categories
    assert (shares.by_terms, shares.by_choice, shares.uncategorised) == (1, 3, 3)
    # Checked again, the chosen rows are filed as chosen: nothing left to apply.
    table = review_rows(again.source.report, ctx.taxonomy)
    assert choices_from_table(table, again.source.report) == {}


def test_accept_suggestions_on_upload_files_the_suggested_categories(ctx):
    outcome = handle_upload(
        GROUPS.read_bytes(), GROUPS.name, ctx, options=ImportOptions(accept_suggestions=True)
    )
    services = outcome.source.directory.services.set_index("service_name")
    assert services.loc["Chiropody clinic", "categories"] == ("physical_health",)
    assert outcome.source.report.categories.by_suggestion == 3


def _review_app(report, taxonomy):
    import streamlit as st

    from dashboard.components.category_review import category_review

    st.session_state["choices"] = category_review(report, taxonomy, key="t")


def test_the_widget_returns_the_choices_only_when_applied(uploaded, ctx):
    at = AppTest.from_function(
        _review_app, args=(uploaded.source.report, ctx.taxonomy), default_timeout=30
    )
    at.run()
    assert not at.exception
    assert at.session_state["choices"] is None
    assert "#### Categories to review" in [m.value for m in at.markdown]
    at.button[0].click().run()
    assert at.session_state["choices"] == {
        4: ("physical_health",),
        5: ("befriending",),
        6: ("food",),
    }
