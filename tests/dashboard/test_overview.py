"""The overview: URL <-> selects, bad links, presentation mode, classes, summary, exports."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from streamlit.testing.v1 import AppTest

from analysis import settings
from analysis.geography import load_area
from analysis.outputs.export import csv_bytes
from analysis.outputs.palette import classify_measure
from analysis.provision.metrics import compute_metrics
from analysis.settings import REPO_ROOT
from analysis.taxonomy_file import load_taxonomy
from dashboard.components.summary import summary_text
from dashboard.maps.choropleth import choropleth_map
from dashboard.maps.offline import external_references, standalone_html
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")
ONE_MB = 1_000_000


def _app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in {"page": "overview", **query}.items():
        at.query_params[name] = value
    return at.run()


def test_default_view_has_selects_map_table_and_fictional_notice():
    at = _app()
    assert not at.exception
    assert at.selectbox(key="category").value == "food"
    assert at.selectbox(key="measure").value == "class"
    assert any("fictional" in c.value for c in at.caption)
    assert any("hatching marks uncertain wards" in shown(c.value) for c in at.caption)
    assert len(at.dataframe) >= 1
    assert any("within reach" in m.value for m in at.markdown)


def test_url_sets_the_selects_and_a_change_updates_the_url():
    at = _app(category="befriending", measure="need")
    assert not at.exception
    assert at.selectbox(key="category").value == "befriending"
    assert at.selectbox(key="measure").value == "need"
    at.selectbox(key="category").set_value("food").run()
    assert not at.exception
    assert at.query_params["category"] == "food"


def test_bad_category_warns_without_exception():
    at = _app(category="xyz")
    assert not at.exception
    assert any("xyz" in w.value for w in at.warning)


def test_presentation_mode_hides_the_filters_and_shows_headlines():
    at = _app(present="1")
    assert not at.exception
    assert not [s for s in at.selectbox if s.key in ("category", "measure")]
    assert not at.number_input
    assert len(at.metric) == 3
    at.button(key="leave_present").click().run()
    assert not at.exception
    assert "present" not in at.query_params
    assert at.selectbox(key="category").value == "food"


def _metrics_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["E1", "E2", "E3", "E4"],
            "area_name": ["Ashley", "Filwood", "Hartcliffe", "Clifton"],
            "category": ["food"] * 4,
            "need": [100.0, 900.0, 500.0, 50.0],
            "need_unit": ["income-deprived residents"] * 4,
            "relative_provision": [0.0, 0.0, 0.3, 2.5],
            "class": ["missing", "missing", "under-served", "well provided"],
            "duplicate_pairs": [0, 0, 1, 2],
            "small_numbers": [False, False, True, False],
        }
    )


def test_summary_counts_gaps_and_duplicates_and_names_the_largest_unmet_need():
    text = summary_text(_metrics_table(), "food", "Food support")
    assert text.startswith("2 wards have no local food support within reach: Filwood, Ashley.")
    assert "1 ward is under-served." in text
    assert (
        "The largest unmet need is in Filwood (900 income-deprived residents; relative "
        "provision 0.00, where 1 = city average per person in need)." in text
    )
    assert "3 pairs of local services in 2 wards reach mostly the same people" in text
    assert "1 ward rests on small numbers" in text


def test_summary_with_no_gaps():
    table = _metrics_table().assign(**{"class": "adequate"})
    text = summary_text(table, "food", "Food support")
    assert text.startswith("Every ward has at least some local food support within reach.")
    assert "under-served" not in text
    assert "largest unmet need" not in text


@pytest.fixture(scope="module")
def bristol_map():
    """The demo's class map of the category with the most uncertain wards, hatched."""
    from analysis.ingest.load import load_directory
    from analysis.provision.coverage import compute_coverage

    area, taxonomy = load_area(), load_taxonomy()
    directory, _ = load_directory(settings.DEMO_SERVICES_PATH, area=area, taxonomy=taxonomy)
    coverage = compute_coverage(directory, area, taxonomy)
    table = compute_metrics(coverage, directory, area, taxonomy).table
    uncertain = table.groupby("category")["uncertain"].sum()
    category = uncertain.idxmax()
    assert uncertain[category] > 0, "the demo has no uncertain ward to hatch"
    rows = table[table["category"] == category]
    classification = classify_measure(table["class"], "class")
    return choropleth_map(area.wards, rows, classification, title="Demo: <class>")


def test_bristol_map_with_hatching_is_under_one_megabyte(bristol_map):
    page = bristol_map.get_root().render()
    assert "sn-hatched" in page  # the legend names the hatching drawn
    assert len(page) < ONE_MB


def test_exported_map_html_has_no_external_references_and_escapes(bristol_map):
    page = standalone_html(bristol_map)
    assert external_references(page) == []
    assert "<class>" not in page
    assert "Demo: \\u0026lt;class\\u0026gt;" in page  # escaped, then JSON-encoded


def test_csv_export_neutralises_formulas():
    data = csv_bytes(pd.DataFrame({"Ward": ["=HYPERLINK(1)"], "Need": [1.0]}))
    assert b"'=HYPERLINK" in data


def _headlines(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _ward_rows(at: AppTest) -> pd.DataFrame:
    """The overview's table of wards, as shown."""
    [table] = [df.value for df in at.dataframe if "Class" in df.value.columns]
    return table


def test_a_link_with_thresholds_and_filters_reproduces_the_numbers():
    """The link a presenter copies gives the audience the same classes, presented or not."""
    query = {"under": "0.9", "well": "3", "delivery": "in person"}
    at = _app(**query)
    assert not at.exception
    assert at.number_input(key="thr_under").value == 0.9
    assert at.number_input(key="thr_well").value == 3.0
    assert at.multiselect(key="flt_delivery").value == ["in person"]
    default, strict = _app(present="1"), _app(present="1", **query)
    assert _headlines(default) != _headlines(strict)
    assert_frame_equal(_ward_rows(at), _ward_rows(strict))  # presenter and audience agree
    # Well provided is not a headline: the table's classes show that it counts too.
    well_default = _app(present="1", **{**query, "well": "2"})
    assert (_ward_rows(well_default)["Class"] == "well provided").sum() > (
        _ward_rows(strict)["Class"] == "well provided"
    ).sum()
    # The presenter changes a threshold in the sidebar: the link follows.
    at.number_input(key="thr_under").set_value(0.7).run()
    assert at.query_params["under"] == "0.7" and at.query_params["well"] == "3"
    again = _app(present="1", **{**query, "under": "0.7"})
    assert _headlines(again) != _headlines(strict)
    assert_frame_equal(_ward_rows(at), _ward_rows(again))


def test_an_old_link_with_overlap_thresholds_is_told_they_no_longer_apply():
    at = _app(rp="3", providers="4")
    assert not at.exception
    [warning] = at.warning
    assert "rp '3' (no longer used" in shown(warning.value)
    assert "providers '4' (no longer used" in shown(warning.value)
    assert "rp" not in at.query_params and "providers" not in at.query_params


def test_the_sidebar_follows_a_click_that_opens_a_ward():
    at = _app()
    at.query_params["page"], at.query_params["ward"] = "ward", "E05010892"
    at.run()
    assert not at.exception
    assert at.sidebar.radio[0].value == "ward"
    at.sidebar.radio[0].set_value("overview").run()
    assert not at.exception and at.query_params["page"] == "overview"
