"""One vocabulary: ingest and the upload page name columns and terms by `analysis.model`.

A column name or a term of a closed vocabulary spelt as a string literal in these modules
fails here; the few words that are another vocabulary (Open Referral UK's own keys, a file
extension) are listed with their reason. Docstrings, f-string text and the free-text word
lists (comma-separated strings) are not literals of a term.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis import model
from analysis.settings import REPO_ROOT

FILES = (
    *sorted((REPO_ROOT / "analysis" / "ingest").glob("*.py")),
    REPO_ROOT / "dashboard" / "components" / "upload.py",
    REPO_ROOT / "dashboard" / "pages" / "data.py",
)
# Named constants (every column and named term) and the closed vocabularies ingest reads.
VOCABULARY = frozenset(
    {value for name, value in vars(model).items() if name.isupper() and isinstance(value, str)}
    | {
        term
        for terms in (
            model.AREA_SERVED_KINDS,
            model.DELIVERY_MODES,
            model.ORGANISATION_KINDS,
            model.FIELD_GROUPS,
            model.SOURCE_FORMATS,
            model.FORMAT_CHOICES,
            model.SEVERITIES,
        )
        for term in terms
    }
)
# Open Referral UK's keys and table names (and the variants feeds use) that are also words
# of the model: the feed's vocabulary, read from it.
ORUK_KEYS = frozenset(
    {
        "categories",
        "category",
        "charity_number",
        "delivery",
        "description",
        "email",
        "kind",
        "last_updated",
        "lat",
        "latitude",
        "location",
        "lon",
        "longitude",
        "organisation",
        "organisations",
        "phone",
        "postcode",
        "service",
        "service_id",
        "services",
        "status",
        "website",
    }
)
ALLOWED = {
    "oruk.py": ORUK_KEYS,
    "oruk_record.py": ORUK_KEYS,
    # A problem code (docs/data-format.md), not the metrics count that shares the word.
    "cells.py": frozenset({"uncategorised"}),
    # File extensions the upload widget accepts.
    "upload.py": frozenset({"csv", "xlsx"}),
}


def literals(source: str) -> list[str]:
    """The vocabulary words spelt as string literals in ``source``, outside docstrings."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in VOCABULARY
        and not isinstance(parents.get(node), ast.Expr | ast.JoinedStr)
    ]


def test_the_scan_finds_a_term_spelt_out():
    assert literals('x = {"org_name": 1}\nif kind == "citywide":\n    pass\n') == [
        "org_name",
        "citywide",
    ]
    assert literals('"""org_name."""\nx = f"{y} phone"\nz = "in person, by phone"\n') == []


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_no_column_or_term_is_spelt_as_a_literal(path: Path):
    found = set(literals(path.read_text(encoding="utf-8")))
    unexpected = found - ALLOWED.get(path.name, frozenset())
    assert not unexpected, f"{path.name} spells {sorted(unexpected)}: use analysis.model's names"


def test_the_allowed_words_are_still_needed():
    """An allowance no module uses any more is removed, so it cannot hide a new literal."""
    used = {path.name: set(literals(path.read_text(encoding="utf-8"))) for path in FILES}
    assert used["oruk.py"] | used["oruk_record.py"] >= ORUK_KEYS
    for name, words in ALLOWED.items():
        if words is not ORUK_KEYS:
            assert words <= used[name], name
