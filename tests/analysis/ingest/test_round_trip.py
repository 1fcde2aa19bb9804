"""Files the importer writes come back in: rejected rows with the same problems, accepted
rows as the same services."""

from __future__ import annotations

import io

import pandas as pd

from analysis.cli import main
from analysis.ingest.import_report import ImportReport
from analysis.model import AREA_KIND, CAPACITY, CATEGORIES, DELIVERY, POSTCODE, WARD_CODES
from analysis.outputs.accepted import accepted_csv_bytes
from analysis.settings import DEMO_SERVICES_PATH
from tests.analysis.ingest.helpers import load

# Rows rejected for one reason each, with cells a spreadsheet would run as a formula,
# negative longitudes and an international phone number: all must read back the same.
MESSY = (
    "org_name,service_name,categories,postcode,latitude,longitude,area_served,phone,capacity\n"
    "=Heron Hub,Pantry,food,NOT A POSTCODE,,,at_location,+44 117 496 0101,-5\n"
    "Wren Friends,@Calls,befriending,,N51,-2.5879,at_location,0117 496 0102,10\n"
    "Kestrel Aid,Larder,food,,,-2.5879,at_location,,12\n"
    ",,food,BS5 0HE,,,,,20\n"
    "Plover Club,-Lunch,food,BS5 0HE,,,,,20\n"
    "Plover Club,-Lunch,food,BS5 0HE,,,,,20\n"
)


def _problems(report: ImportReport, rows: set[int] | None = None) -> list[tuple[str, ...]]:
    """Each problem's code, column, value and severity (of ``rows`` only, when given)."""
    return [
        (p.code, p.column, p.value, p.severity)
        for p in report.problems
        if rows is None or p.row in rows
    ]


def test_rejected_rows_validate_again_with_the_same_problems(bristol, tmp_path, capsys):
    source = tmp_path / "messy.csv"
    source.write_text(MESSY, encoding="utf-8")
    rejected = tmp_path / "rejected.csv"
    assert main(["validate", str(source), "--rejected", str(rejected)]) == 1
    capsys.readouterr()
    _, first = load(MESSY.encode(), bristol, filename="messy.csv")
    rows = {int(row) for row in first.rejected_rows["row"]}
    assert rows == {2, 3, 4, 5, 7}, first.problems
    written = rejected.read_text(encoding="utf-8")
    assert ",-2.5879," in written and "'=Heron Hub" in written
    _, again = load(rejected.read_bytes(), bristol, filename="rejected.csv")
    assert set(again.ignored_columns) == {"row", "reason"}
    # Row 7 repeated row 6, which is not in the rejected file: read again it is a row
    # like row 6, accepted. Every other row has the same problems as before, no more.
    assert (again.rows_read, again.rejected) == (5, 4)
    assert _problems(again, {2, 3, 4, 5}) == _problems(first, {2, 3, 4, 5})


def test_accepted_rows_read_back_as_the_same_services(bristol):
    data = DEMO_SERVICES_PATH.read_bytes()
    directory, report = load(data, bristol, filename="services.csv")
    written = accepted_csv_bytes(directory)
    again, again_report = load(written, bristol, filename="accepted.csv")
    assert again_report.rejected == 0 and again_report.accepted == report.accepted
    assert sorted(_problems(again_report)) == sorted(_problems(report))
    columns = [CATEGORIES, DELIVERY, POSTCODE, AREA_KIND, WARD_CODES, CAPACITY]
    before = pd.DataFrame(directory.services[["service_id", *columns]]).set_index("service_id")
    after = pd.DataFrame(again.services[["service_id", *columns]]).set_index("service_id")
    pd.testing.assert_frame_equal(before, after.loc[before.index])
    # Where each service is, to the 0.1 m the file keeps.
    gap_m = directory.services.location.distance(again.services.location, align=False)
    assert gap_m.max() < 0.1


def test_the_accepted_rows_keep_the_defaults_and_mapping_applied(bristol):
    data = b"Group,Where\nHeron Pantry,BS5 0HE\n"
    directory, _ = load(
        data,
        bristol,
        columns={"org_name": "Group", "postcode": "Where"},
        default_categories=("food",),
    )
    frame = pd.read_csv(io.BytesIO(accepted_csv_bytes(directory)), dtype=str, keep_default_na=False)
    row = frame.iloc[0]
    assert (row["org_name"], row["categories"], row["postcode"]) == (
        "Heron Pantry",
        "food",
        "BS5 0HE",
    )
    assert row["area_served"] == "at_location" and float(row["latitude"]) > 51


def test_a_district_alone_reads_back_approximate(bristol):
    data = b"org_name,postcode,categories\nHeron Pantry,BS13,food\n"
    directory, _ = load(data, bristol)
    assert "approximate_location" in directory.services["flags"].iloc[0]
    again, _ = load(accepted_csv_bytes(directory), bristol, filename="accepted.csv")
    assert "approximate_location" in again.services["flags"].iloc[0]
