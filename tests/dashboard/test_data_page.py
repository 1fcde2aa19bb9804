"""The data page: the data in use, checking uploads, and uploads kept to one session."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.geography import load_area
from analysis.ingest.load import load_directory
from analysis.ingest.options import ImportOptions
from analysis.settings import MAX_UPLOAD_BYTES, REPO_ROOT
from analysis.taxonomy_file import load_taxonomy
from dashboard.components.upload import (
    UPLOAD_TYPES,
    check_upload,
    describe_size,
    handle_upload,
    mapping_frame,
    problems_frame,
)
from dashboard.context import PageContext
from dashboard.data import DirectorySource, upload_key
from dashboard.state import StateKeys, ViewState
from tests.dashboard.shown import shown

APP = str(REPO_ROOT / "dashboard" / "app.py")
DEMO = Path(REPO_ROOT / "data" / "sample" / "services.csv")


@pytest.fixture(scope="module")
def demo_lines() -> list[str]:
    return DEMO.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def ctx() -> PageContext:
    area, taxonomy = load_area(), load_taxonomy()
    directory, report = load_directory(DEMO, area=area, taxonomy=taxonomy)
    source = DirectorySource(directory, report, "demo", "Demo data (fictional)", is_upload=False)
    return PageContext(ViewState(page="data"), area, taxonomy, source)


def _good_csv(lines: list[str]) -> bytes:
    return "\n".join(lines[:4]).encode()


def _bad_postcode_csv(lines: list[str]) -> bytes:
    # The demo's first service gives coordinates; the next two give the postcode BS1 3BE.
    header, first, second = lines[0], lines[2], lines[3]
    assert "BS1 3BE" in first
    return "\n".join([header, first.replace("BS1 3BE", "ZZ99 9ZZ"), second]).encode()


def _app(page: str = "data") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = page
    return at


def test_good_csv_gives_a_source_keyed_by_its_bytes(ctx, demo_lines):
    data = _good_csv(demo_lines)
    outcome = handle_upload(data, "mine.csv", ctx)
    assert outcome.is_ok and outcome.error is None
    assert outcome.source.key == upload_key(data)
    assert outcome.source.label == "Uploaded: mine.csv"
    assert outcome.source.is_upload
    report = outcome.source.report
    assert (report.rows_read, report.accepted, report.rejected) == (3, 3, 0)


def test_bad_postcode_is_rejected_with_reason_and_fix(ctx, demo_lines):
    outcome = handle_upload(_bad_postcode_csv(demo_lines), "bad.csv", ctx)
    report = outcome.source.report
    assert (report.rows_read, report.accepted, report.rejected) == (2, 1, 1)
    problems = problems_frame(report)
    assert list(problems.columns) == ["row", "column", "value", "reason", "fix", "severity"]
    row = problems.iloc[0]
    assert (row["row"], row["column"], row["value"]) == (2, "postcode", "ZZ99 9ZZ")
    assert "this postcode is in another area" in row["reason"] and row["fix"]
    assert "ZZ99 9ZZ" in report.rejected_rows_csv()


@pytest.mark.parametrize("data", [b"", b"  \n\n"])
def test_empty_file_is_refused(ctx, data):
    outcome = handle_upload(data, "empty.csv", ctx)
    assert not outcome.is_ok
    assert outcome.error.startswith("empty.csv is empty")


def test_json_that_is_not_open_referral_is_refused(ctx):
    outcome = handle_upload(b'{"foo": 1}', "feed.json", ctx)
    assert not outcome.is_ok
    assert "not an Open Referral UK feed" in outcome.error


def test_unmatched_columns_say_how_to_fix_on_the_page(ctx):
    outcome = handle_upload(b"a,b\n1,2\n", "odd.csv", ctx)
    assert not outcome.is_ok
    assert "organisation or service name" in outcome.error
    assert "choose below which of your columns holds each field" in outcome.error
    assert outcome.headers == ("a", "b")


def test_mapping_step_reads_a_file_with_unusual_headers(ctx):
    data = b"Group we are,Where\nFood Friends,BS8 1TH\n"
    first = handle_upload(data, "odd.csv", ctx)
    assert not first.is_ok and first.headers == ("Group we are", "Where")
    assert first.guess.get("postcode") != "Group we are"
    mapped = handle_upload(
        data,
        "odd.csv",
        ctx,
        options=ImportOptions(columns={"org_name": "Group we are", "postcode": "Where"}),
    )
    assert mapped.is_ok, mapped.error
    report = mapped.source.report
    assert (report.rows_read, report.accepted) == (1, 1)
    assert report.mapping_used["org_name"] == "Group we are"


def test_the_mapping_step_checks_the_table_already_read(ctx):
    data = b"Group we are,Where\nFood Friends,BS8 1TH\n"
    first = handle_upload(data, "odd.csv", ctx)
    assert first.raw is not None and first.raw.headers == first.headers
    # check_upload has no bytes to read: it checks the table read by the upload.
    mapped = check_upload(
        first, ctx, options=ImportOptions(columns={"org_name": "Group we are", "postcode": "Where"})
    )
    assert mapped.is_ok and mapped.error is None and mapped.headers == ()
    assert mapped.source.report.mapping_used == {"org_name": "Group we are", "postcode": "Where"}
    assert mapped.source.key.startswith(upload_key(data) + "-")
    # Another mapping of the same file is another source, not the one already in use.
    other = check_upload(
        first, ctx, options=ImportOptions(columns={"service_name": "Group we are"})
    )
    assert other.source.key not in (mapped.source.key, upload_key(data))
    # A mapping still without a name column asks again.
    again = check_upload(
        first, ctx, options=ImportOptions(columns={"org_name": None, "postcode": "Where"})
    )
    assert not again.is_ok and again.headers == ("Group we are", "Where")
    assert "no column holds the organisation or service name" in again.error


def test_file_over_the_limit_is_refused_with_both_sizes(ctx):
    outcome = handle_upload(b"x" * (MAX_UPLOAD_BYTES + 1), "big.csv", ctx)
    assert not outcome.is_ok
    assert (
        "big.csv is 20.0 MB (20,971,521 bytes), over the limit of 20.0 MB (20,971,520 bytes)"
        in outcome.error
    )


def test_sizes_are_described_in_words():
    assert describe_size(512) == "512 bytes"
    assert describe_size(2048) == "2.0 KB"
    assert describe_size(21 * 1024 * 1024) == "21.0 MB"


def test_data_page_shows_the_directory_database_with_the_demo():
    at = _app()
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Active services"] == "900"
    assert metrics["Not active"] == "0"
    assert "Rows read" not in metrics  # the directory is not a file
    assert any("fictional" in info.value for info in at.info)
    assert any("held in the directory database" in shown(info.value) for info in at.info)
    assert any("gaps and duplicated effort" in shown(info.value) for info in at.info)
    assert any(
        shown(b.label) == "Download services_template.csv" for b in at.get("download_button")
    )
    assert not [b for b in at.button if b.label == "Go back to the directory"]


def test_an_upload_stays_in_its_own_session(ctx, demo_lines):
    upload = handle_upload(_good_csv(demo_lines), "mine.csv", ctx).source
    mine, other = _app(), _app()
    mine.session_state[StateKeys.UPLOAD] = upload
    mine.run()
    other.run()
    assert not mine.exception and not other.exception
    assert {m.label: m.value for m in mine.metric}["Rows read"] == "3"
    assert {m.label: m.value for m in other.metric}["Active services"] == "900"
    assert any(shown(c.value) == "Services: Uploaded: mine.csv" for c in mine.sidebar.caption)
    assert any(
        shown(c.value) == "Services: Demo data (fictional), in the directory"
        for c in other.sidebar.caption
    )
    # The upload is compared with the directory: its 3 services are the demo's first three.
    mine_metrics = {m.label: m.value for m in mine.metric}
    assert mine_metrics["In both"] == "3"
    assert mine_metrics["Only in your file"] == "0"
    assert mine_metrics["Only in the directory"] == "897"

    [back] = [b for b in mine.button if b.label == "Go back to the directory"]
    back.click().run()
    assert not mine.exception
    assert StateKeys.UPLOAD not in mine.session_state
    assert {m.label: m.value for m in mine.metric}["Active services"] == "900"


def _bad_corpus(tmp_path_factory) -> dict:
    from tests.analysis.ingest.test_bad_inputs import RAISES, REPORTS, make_bad_inputs

    folder = tmp_path_factory.mktemp("bad")
    return make_bad_inputs.write_corpus(folder, large=True), RAISES, REPORTS


def test_every_bad_input_gets_a_clear_outcome_on_the_data_page(ctx, tmp_path_factory):
    """Each corpus file: a one-line message with a fix, or a report accounting for each row."""
    corpus, raises, reports = _bad_corpus(tmp_path_factory)
    assert set(corpus) >= set(raises) | set(reports)
    for name, path in corpus.items():
        outcome = handle_upload(path.read_bytes(), name, ctx)
        if name in reports:
            assert outcome.is_ok, (name, outcome.error)
            report = outcome.source.report
            read, accepted, rejected, _ = reports[name]
            assert (report.rows_read, report.accepted, report.rejected) == (
                read,
                accepted,
                rejected,
            ), name
        elif name == "rows_50000.csv":
            report = outcome.source.report
            assert report.rows_read == 50_000 == report.accepted + report.rejected
        else:
            assert not outcome.is_ok, name
            assert "Fix" in outcome.error and "Traceback" not in outcome.error, name
            assert "\n" not in outcome.error.strip(), name


def test_the_template_caption_describes_the_mapping_step():
    at = _app()
    at.run()
    assert not at.exception
    captions = " ".join(shown(caption.value) for caption in at.caption)
    assert "not available yet" not in captions
    assert "the upload asks which of your columns holds each field" in captions


REAL = REPO_ROOT / "tests" / "data" / "real"


def test_every_row_of_this_file_is_makes_a_list_of_food_banks_usable(ctx):
    data = (REAL / "foodbanks.csv").read_bytes()
    columns = {"org_name": "Food bank", "postcode": "Postcode", "email": "Contact"}
    plain = handle_upload(data, "foodbanks.csv", ctx, options=ImportOptions(columns=columns))
    assert plain.is_ok and plain.source.report.lacks[0].startswith("no accepted row has a need")
    with_food = check_upload(
        plain, ctx, options=ImportOptions(columns=columns, default_categories=("food",))
    )
    assert with_food.is_ok and with_food.source.report.lacks == ()
    assert with_food.source.key != plain.source.key
    assert {ids for ids in with_food.source.directory.services["categories"]} == {("food",)}


def test_a_file_with_no_service_in_the_area_says_so(ctx):
    outcome = handle_upload((REAL / "outside.csv").read_bytes(), "outside.csv", ctx)
    assert outcome.is_ok
    assert "none of the 2 rows gives a service in Bristol" in outcome.source.report.lacks[0]


def test_an_open_referral_package_can_be_uploaded_as_a_zip(ctx):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((REPO_ROOT / "tests" / "data" / "oruk" / "package_v3").iterdir()):
            archive.write(path, path.name)
    outcome = handle_upload(buffer.getvalue(), "directory.zip", ctx)
    assert outcome.is_ok, outcome.error
    assert outcome.source.report.accepted > 0 and outcome.source.report.format == "oruk-csv"
    assert "zip" in UPLOAD_TYPES


def test_the_upload_report_says_which_column_became_what(ctx):
    data = (REAL / "council_venues.csv").read_bytes()
    outcome = handle_upload(data, "council_venues.csv", ctx)
    frame = mapping_frame(outcome.source.report)
    read_as = dict(zip(frame["your column"], frame["read as"], strict=True))
    assert read_as["Ward"] == "Ward of the place" and read_as["Service area"] == "Area served"
    codes = {problem.code for problem in outcome.source.report.problems}
    assert {"place_ward_mismatch", "place_ward_unknown"} <= codes


def test_a_lookup_table_is_refused_on_the_page_as_not_a_directory(ctx):
    data = (REAL / "classification_lookup.csv").read_bytes()
    outcome = handle_upload(data, "lookup.csv", ctx)
    assert not outcome.is_ok and outcome.error.startswith("this table is not a directory")


def test_the_data_page_gives_the_feeds_address():
    from dashboard.feed_routes import FEED_PREFIX

    at = _app()
    at.run()
    assert not at.exception
    assert "Open Referral UK feed" in [s.value for s in at.subheader]
    [address] = [c.value for c in at.code if FEED_PREFIX in c.value]
    # The address this page was opened at (AppTest has none: the default public URL).
    assert address == f"http://localhost:8501{FEED_PREFIX}/services"


def _uploaded(data: bytes, name: str = "mine.csv") -> AppTest:
    """The data page after uploading ``data``, as a person would with the file picker."""
    at = _app()
    at.run()
    at.file_uploader(key=StateKeys.UPLOAD_WIDGET).set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception
    return at


def _texts(elements) -> list[str]:
    return [shown(element.value) for element in elements]


def test_a_good_demo_slice_is_green_and_says_what_it_will_add(demo_lines):
    at = _uploaded("\n".join(demo_lines[:11]).encode())
    assert _texts(at.success)[0].startswith(
        "10 services will count: of 10 services accepted, 10 are in a need category"
    )
    assert not at.error
    assert [b for b in at.button if b.label.startswith("Use this data")]


def test_a_header_only_file_says_to_add_rows_and_is_never_green():
    at = _uploaded(b"org_name,service_name,categories,postcode\n", "empty_rows.csv")
    assert not at.success
    [headline] = _texts(at.error)
    assert headline.startswith("The file has a header but no rows: add one row per service")
    assert not [b for b in at.button if b.label.startswith("Use this data")]


def test_a_file_with_no_categories_and_no_locations_is_not_green_and_says_why():
    at = _uploaded(b"org_name,service_name\nFriends,Chat\nNeighbours,Lunch\n")
    assert not at.success
    errors = _texts(at.error)
    assert errors[0] == (
        "No service will count: of 2 services accepted, 0 are in a need category and 0 are "
        "placed in Bristol, City of; 2 services cannot count: 2 have no place in the area."
    )
    assert any("no service of it will count" in w for w in _texts(at.warning))
    assert not [b for b in at.button if b.label.startswith("Use this data")]


def test_a_mixed_file_is_a_warning_naming_what_cannot_count():
    data = b"org_name,service_name,categories,area_served\nA,Food,food,citywide\nB,Chat,,citywide\n"
    at = _uploaded(data)
    assert not [s for s in _texts(at.success) if "will count" in s]
    assert _texts(at.warning)[0] == (
        "1 service will count: of 2 services accepted, 1 is in a need category and 2 are "
        "placed in Bristol, City of; 1 service cannot count: 1 has no need category."
    )
    assert [b for b in at.button if b.label.startswith("Use this data")]


def _import_guard(contribution) -> None:
    import streamlit as st

    from dashboard.components.upload import import_confirmed

    st.session_state["confirmed"] = import_confirmed(contribution, key="k")


def test_importing_a_file_where_nothing_counts_asks_to_be_ticked_first(ctx):
    nothing = handle_upload(b"org_name,service_name\nFriends,Chat\n", "x.csv", ctx).contribution
    at = AppTest.from_function(_import_guard, args=(nothing,)).run()
    assert at.session_state["confirmed"] is False
    assert shown(at.error[0].value).startswith("No service of this file will count on the maps")
    at.checkbox[0].check().run()
    assert at.session_state["confirmed"] is True
    counting = handle_upload(b"org_name,area_served,categories\nA,citywide,food\n", "y.csv", ctx)
    at = AppTest.from_function(_import_guard, args=(counting.contribution,)).run()
    assert at.session_state["confirmed"] is True and not at.error and not at.checkbox


def test_a_column_of_delivery_modes_is_suggested_and_read_as_delivery_when_asked():
    data = (
        b"org_name,categories,area_served,How we help\n"
        b"A,food,citywide,phone\nB,debt,citywide,online\nC,food,citywide,phone; online\n"
    )
    at = _uploaded(data)
    assert (
        "Column 'How we help' looks like delivery modes: 3 of 3 values are delivery modes. "
        "Fix: map it to delivery"
    ) in _texts(at.info)
    [read_it] = [b for b in at.button if b.label == "Read 'How we help' as delivery"]
    read_it.click().run()
    assert not at.exception
    assert not [i for i in _texts(at.info) if "looks like delivery modes" in i]
    outcome = at.session_state[StateKeys.UPLOAD_CHECKED][1]
    assert outcome.source.report.mapping_used["delivery"] == "How we help"
    modes = list(outcome.source.directory.services["delivery"])
    assert modes == [("phone",), ("online",), ("phone", "online")]
