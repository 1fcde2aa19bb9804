"""Real directory shapes uploaded on the data page: the same outcome as the command line.

The fixtures are those of `tests.analysis.ingest.test_real_files` (``tests/data/real/``):
JSON that is not Open Referral, points as files write them, districts, edges and
elsewhere, a feed's contacts and the pages of a paged feed.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from analysis.geography import load_area
from analysis.ingest.import_report import ImportReport
from analysis.ingest.options import ImportOptions
from analysis.taxonomy_file import load_taxonomy
from dashboard.components.upload import UploadOutcome, handle_upload, problems_frame
from dashboard.context import PageContext
from dashboard.state import ViewState

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
_ALWAYS = {"unknown_capacity"}


@pytest.fixture(scope="module")
def ctx(demo_directory_source) -> PageContext:
    return PageContext(ViewState(page="data"), load_area(), load_taxonomy(), demo_directory_source)


@pytest.fixture(scope="module")
def demo_directory_source():
    from analysis.ingest.load import load_directory
    from analysis.settings import DEMO_SERVICES_PATH
    from dashboard.data import DirectorySource

    directory, report = load_directory(DEMO_SERVICES_PATH)
    return DirectorySource(directory, report, "demo", "Demo data (fictional)", is_upload=False)


def _upload(ctx: PageContext, name: str, data: bytes | None = None, **options) -> UploadOutcome:
    columns = options.pop("columns", None)
    if isinstance(columns, str):
        columns = json.loads((REAL / columns).read_text(encoding="utf-8"))
    outcome = handle_upload(
        (REAL / name).read_bytes() if data is None else data,
        name,
        ctx,
        options=ImportOptions(columns=columns, **options),
    )
    assert outcome.is_ok, outcome.error
    return outcome


def _codes(report: ImportReport) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for problem in report.problems:
        if problem.code not in _ALWAYS:
            found.setdefault(problem.row, []).append(problem.code)
    return found


def test_an_api_dump_uploads_as_a_table(ctx):
    outcome = _upload(ctx, "groups_api.json", columns="groups_api_columns.json")
    report = outcome.source.report
    assert (report.format, report.rows_read, report.accepted) == ("json", 4, 4)
    assert report.notes[0].startswith("read as a JSON table: the records have no Open Referral")
    assert _codes(report) == {4: ["remote_outside_area"]}
    services = outcome.source.directory.services.set_index("service_name")
    assert services["location"].notna().all()
    assert services.loc["Wren Walking Group", "locations"].geom_type == "MultiPoint"
    # The columns of the mapping step are the dotted names of the records.
    assert "location_coord.lat" in outcome.raw.headers


@pytest.mark.parametrize(
    ("name", "columns", "expected"),
    [
        ("pairs.csv", "pairs_columns.json", {5: ["pair_order"]}),
        ("venues_wkt.csv", "venues_wkt_columns.json", {5: ["pair_order"]}),
        (
            "districts.csv",
            None,
            {
                2: ["approximate_location"],
                3: ["approximate_location"],
                5: ["postcode_not_found", "no_location"],
                6: ["postcode_not_found", "no_location"],
            },
        ),
        (
            "edge_points.csv",
            None,
            {
                3: ["near_boundary"],
                4: ["near_boundary"],
                5: ["outside_area"],
                6: ["remote_outside_area"],
            },
        ),
    ],
)
def test_locations_as_files_give_them(ctx, name, columns, expected):
    report = _upload(ctx, name, columns=columns).source.report
    assert report.rejected == 0 and _codes(report) == expected
    problems = problems_frame(report)
    shown = problems[problems["row"] == min(expected)].iloc[0]
    assert shown["reason"] and shown["fix"]


def test_a_feed_s_named_contacts_stay_off_the_services(ctx):
    outcome = _upload(ctx, "oruk_contacts.json")
    assert outcome.source.report.format == "oruk-json"
    services = outcome.source.directory.services.set_index("service_name")
    assert services["phone"].tolist() == ["", "0117 496 0301", "0117 496 0302"]
    assert services["email"].tolist() == ["", "dropin@teal.example.org", "hello@gull.example.org"]


def test_pages_uploaded_as_one_array_or_a_zip_of_page_files(ctx):
    report = _upload(ctx, "oruk_pages.json").source.report
    assert report.notes[1] == (
        "read pages 1, 2 of 2 (3 of 3 records) of a paged API response: every page is here"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for page in sorted((REAL / "oruk_pages").iterdir()):
            archive.writestr(page.name, page.read_bytes())
    report = _upload(ctx, "pages.zip", buffer.getvalue()).source.report
    assert report.rows_read == 4
    assert report.notes[1].startswith(
        "read pages 1, 2 of 3 (4 of 5 records) of a paged API response: page 3 missing."
    )
