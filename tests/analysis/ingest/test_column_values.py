"""Columns no field reads, told by their values: which field they look like, and why."""

from __future__ import annotations

from analysis.ingest.column_values import ColumnHint, column_hints
from analysis.ingest.read import read_table
from tests.analysis.ingest.helpers import TAXONOMY, csv_bytes

HEADER = ["org_name", "How we help", "What", "Where", "Public", "Notes", "Size"]
ROWS = [
    ["A", "in person", "food", "BS1 3BE", "yes", "Drop in on Tuesday at the hall", "12"],
    ["B", "phone; online", "debt advice", "BS8 1TH", "no", "We phone you back", "3"],
    ["C", "home delivery", "befriending", "BS5 6XX", "yes", "Open to all", "1"],
    ["D", "online", "Food bank", "BS1 6QU", "no", "", "0"],
]


def _hints(header, rows, mapped=None) -> tuple[ColumnHint, ...]:
    raw = read_table(csv_bytes(header, *rows), filename="t.csv")
    return column_hints(raw.frame, header[1:], mapped=mapped or {}, taxonomy=TAXONOMY)


def test_each_unread_column_is_told_by_its_values_with_the_evidence():
    hints = {hint.column: hint for hint in _hints(HEADER, ROWS)}
    assert {column: hint.field for column, hint in hints.items()} == {
        "How we help": "delivery",
        "What": "categories",
        "Where": "postcode",
        "Public": "contact_public",
    }
    assert str(hints["How we help"]) == (
        "Column 'How we help' looks like delivery modes: 4 of 4 values are delivery modes. "
        "Fix: map it to delivery"
    )


def test_a_column_mostly_of_delivery_modes_is_suggested_with_its_share():
    rows = [["A", mode] for mode in ["in person"] * 5 + ["phone"] * 4 + ["ask us"]]
    [hint] = _hints(["org_name", "How we help"], rows)
    assert (hint.field, hint.matching, hint.values) == ("delivery", 9, 10)
    assert "9 of 10 values are delivery modes" in str(hint)


def test_descriptions_counts_and_too_few_values_are_not_suggested():
    rows = [["A", "We phone you back if you leave a message with us", "1"]] * 3
    assert _hints(["org_name", "Notes", "Size"], rows) == ()
    assert _hints(["org_name", "How we help"], [["A", "online"], ["B", ""]]) == ()
    rows = [["A", "in person"], ["B", "a lunch"], ["C", "a chat"]]
    assert _hints(["org_name", "How we help"], rows) == ()


def test_a_field_already_read_is_not_suggested_again():
    hints = _hints(HEADER, ROWS, mapped={"delivery": "Mode", "postcode": "Post Code"})
    assert {hint.column for hint in hints} == {"What", "Public"}
