"""Property tests: generated malformed inputs never raise anything but our own errors.

Every reader path of `load_directory` is fed (a) CSV tables built from the template header
with columns dropped or renamed, ragged rows and hostile cell text, in three encodings;
(b) random bytes; (c) random JSON values. Whenever a report comes back it accounts for
every row (read = accepted + rejected) and, for the tables, reads exactly the non-blank
records written. The number of examples run is written to
``test-artefacts/property_counts.txt`` and printed (visible with ``-s``).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analysis.errors import SafetyNetError
from analysis.ingest.import_report import ImportReport
from analysis.ingest.mapping import known_field
from analysis.settings import REPO_ROOT
from tests.analysis.ingest.helpers import load
from tests.analysis.tiny import make_area

AREA = make_area()
TEMPLATE = REPO_ROOT / "data" / "templates" / "services_template.csv"
HEADER = next(csv.reader(io.StringIO(TEMPLATE.read_text(encoding="utf-8-sig"))))
COUNTS: Counter[str] = Counter()
ARTEFACT = REPO_ROOT / "test-artefacts" / "property_counts.txt"

# Examples per property: the profile's (50, or 250 with --slow; tests/conftest.py).
PROPERTY_SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow])

# Cell text: printable characters plus the ones that break naive readers.
_HOSTILE_PIECES = st.sampled_from(
    [
        '"',
        "'",
        ",",
        ";",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "£",
        "é",
        "ø",
        "—",
        "“",
        "€",
        "漢",
        "=",
        "+",
        "-",
        "@",
        "=1+1",
        "@SUM(A1)",
        "BS8 1TH",
        "TS1 1AA",
        "<script>",
        "  ",
    ]
)
_PLAIN_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00\ufeff"),
    max_size=12,
)
_LATIN_TEXT = st.text(
    alphabet=st.characters(max_codepoint=0xFF, blacklist_categories=("Cs", "Cc")), max_size=12
)
# Mostly Latin-1 text, so that many tables can also be written as cp1252.
CELL = st.lists(st.one_of(_LATIN_TEXT, _LATIN_TEXT, _PLAIN_TEXT, _HOSTILE_PIECES), max_size=4).map(
    "".join
)
# Columns kept more often than the rest, so that many tables pass the required-column check.
NAMES = ("org_name", "service_name", "postcode")
ANCHOR = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6)


@st.composite
def tables(draw) -> tuple[list[str], list[list[str] | None]]:
    """A header (template columns, some dropped or renamed) and rows (None = blank row)."""
    keep = draw(st.lists(st.sampled_from(HEADER), min_size=2, max_size=len(HEADER), unique=True))
    if draw(st.booleans()):
        keep = [*NAMES, *(column for column in keep if column not in NAMES)]
    # At least two template names stay recognisable, so the header is found as the header.
    header = [
        column
        if index < 2 or not draw(st.booleans())
        else draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ ", min_size=1, max_size=10))
        for index, column in enumerate(keep)
    ]
    rows: list[list[str] | None] = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 5)) == 0:
            rows.append(None)
            continue
        width = max(1, len(header) + draw(st.integers(-len(header), 3)))
        cells = draw(st.lists(CELL, min_size=width, max_size=width))
        # An alphanumeric anchor keeps the row non-blank whatever delimiter is detected.
        spot = draw(st.integers(0, width - 1))
        cells[spot] = cells[spot] + draw(ANCHOR)
        rows.append(cells)
    return header, rows


def _render(header: list[str], rows: list[list[str] | None]) -> str:
    buffer = io.StringIO()
    # With CRLF line ends the writer quotes any cell holding a CR or LF, as Excel does.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([] if row is None else row)
    return buffer.getvalue()


def _check(report: ImportReport) -> None:
    assert report.rows_read == report.accepted + report.rejected
    assert len(report.rejected_rows) == report.rejected


def _load_or_our_error(data: bytes, filename: str, kind: str) -> ImportReport | None:
    """The report, or None when `load_directory` raised one of our own errors."""
    try:
        _, report = load(data, AREA, filename=filename)
    except SafetyNetError:
        COUNTS[f"{kind} {filename}: our error"] += 1
        return None
    COUNTS[f"{kind} {filename}: report"] += 1
    _check(report)
    return report


@PROPERTY_SETTINGS
@given(table=tables(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_malformed_tables_never_lose_a_row(table, encoding):
    header, rows = table
    text = _render(header, rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        # Not encodable as cp1252: '?' for the odd characters, as a Windows export does.
        data = text.encode(encoding, errors="replace")
        encoding = f"{encoding} (some characters replaced)"
    # A data cell that is itself a column name could be taken for the header row.
    assume(not any(known_field(cell) for row in rows if row for cell in row))
    COUNTS[f"table {encoding}"] += 1
    report = _load_or_our_error(data, "t.csv", "table")
    if report is not None:
        assert report.rows_read == sum(row is not None for row in rows)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=2000), filename=st.sampled_from(["t.csv", "t.json", "t.xlsx"]))
def test_random_bytes_raise_only_our_errors(data, filename):
    _load_or_our_error(data, filename, "bytes")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(["id", "name", "services", "postcode"])),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@PROPERTY_SETTINGS
@given(value=JSON_VALUES)
def test_random_json_raises_only_our_errors(value):
    _load_or_our_error(json.dumps(value).encode("utf-8"), "t.json", "json")


@pytest.fixture(scope="module", autouse=True)
def _summary():
    """Write and print how many examples each property ran (see the module docstring)."""
    yield
    lines = [f"{key}: {COUNTS[key]}" for key in sorted(COUNTS)]
    ARTEFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTEFACT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\nproperty examples run:\n" + "\n".join(lines))


def test_summary_path_is_in_the_artefacts_folder():
    assert Path(ARTEFACT).parent.name == "test-artefacts"
