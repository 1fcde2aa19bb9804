"""One vocabulary: no column name or closed-vocabulary term is spelled outside analysis/model.py.

Every string literal in `analysis/` and `dashboard/` (docstrings and f-string text aside)
is compared with the words the model names: its constants and the values of its closed
vocabularies. A match is a second spelling of a name the model owns, so a rename or a new
term would have to be made twice. The few places where another vocabulary shares a
spelling are listed in `ALLOWED`, each with its reason, and an allowance no longer used
fails too, so it cannot hide a new literal.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import model

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCES = tuple(
    path
    for folder in ("analysis", "dashboard")
    for path in sorted((REPO_ROOT / folder).rglob("*.py"))
    if path.name != "model.py"
)
_WORD = re.compile(r"[A-Za-z]")

# Open Referral UK's own keys and table names (and variants feeds use) that are also words
# of the model: the feed's vocabulary, read from it.
ORUK_KEYS = frozenset(
    [
        "categories",
        "category",
        "charity_number",
        "code",
        "delivery",
        "description",
        "email",
        "kind",
        "last_updated",
        "lat",
        "latitude",
        "location",
        "locations",
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
    ]
)
# The store's table and column names: Open Referral UK's and the store's own, spelled once
# in its schema (the other modules reach them as attributes), and in each migration, which
# is frozen as it was written.
STORE_COLUMNS = frozenset(
    [
        "active_from",
        "active_until",
        "area_kind",
        "area_value",
        "audience",
        "capacity",
        "charity_number",
        "code",
        "contact_public",
        "delivery",
        "description",
        "easting",
        "email",
        "flags",
        "kind",
        "last_updated",
        "last_verified",
        "latitude",
        "location",
        "longitude",
        "northing",
        "phone",
        "postcode",
        "radius_m",
        "service",
        "service_id",
        "source_row",
        "status",
        "website",
    ]
)
# The columns of the people's tables (accounts, claims, proposals) that share a model word.
PEOPLE_COLUMNS = frozenset({"email", "kind", "service_id", "status", "reason"})
# The review cycle's tables: a pair of services and the ward that held it, a message's
# error, feedback's kind.
REVIEW_COLUMNS = frozenset(
    {"kind", "service_id", "status", "reason", "service_a", "service_b", "ward_code", "error"}
)
# Each contact detail's own flag beside contact_public, and the tables its migration adds
# them to (filled from contact_public).
DETAIL_FLAG_COLUMNS = frozenset({"contact_public", "email_public", "phone_public", "service"})
# file (relative to the project) -> the words it may spell, because there they belong to
# another vocabulary.
AREA_FILE_KEYS = frozenset({"wards", "population", "lad_code"})
ALLOWED: dict[str, frozenset[str]] = {
    # The change exports name the Filters' own fields (not columns) and their sheets.
    "analysis/outputs/change_export.py": frozenset({"services", "delivery", "stale", "categories"}),
    # The service list's column of the wards a change counts in (ward codes, joined).
    "analysis/provision/change.py": frozenset({"wards"}),
    "analysis/ingest/oruk.py": ORUK_KEYS,
    "analysis/ingest/oruk_record.py": ORUK_KEYS,
    "analysis/ingest/oruk_shape.py": ORUK_KEYS,
    # The keys JSON dumps and GeoJSON use for a point or a place (as feeds do).
    "analysis/ingest/coordinates.py": ORUK_KEYS,
    "analysis/ingest/json_table.py": ORUK_KEYS,
    "analysis/store/schema.py": STORE_COLUMNS | DETAIL_FLAG_COLUMNS | REVIEW_COLUMNS,
    "analysis/store/migrations/versions/0001_initial.py": STORE_COLUMNS,
    "analysis/store/migrations/versions/0002_people.py": PEOPLE_COLUMNS,
    "analysis/store/migrations/versions/0003_contact_detail_public.py": DETAIL_FLAG_COLUMNS,
    "analysis/store/migrations/versions/0004_review_cycle.py": REVIEW_COLUMNS,
    # The command line's argument: the word a person types.
    "analysis/store/users_cli.py": frozenset({"email"}),
    # OpenID Connect's claim of the signed-in person's email.
    "dashboard/auth.py": frozenset({"email"}),
    # HTML's autocomplete token for an email field.
    "dashboard/pages/account.py": frozenset({"email"}),
    # The feed's web layer: its paths and methods, and its error body's "status" (HTTP's).
    "dashboard/feed_routes.py": frozenset({"status", "services", "service"}),
    # The store's Open Referral UK export writes the feed's own keys.
    "analysis/store/oruk_json.py": ORUK_KEYS,
    # The feed's pages and objects use the same keys, and its query parameters.
    "analysis/store/feed.py": ORUK_KEYS,
    # A problem code (docs/data-format.md), not the metrics count that shares the word.
    "analysis/ingest/cells.py": frozenset({"uncategorised"}),
    # File extensions the upload widget accepts.
    "dashboard/components/upload.py": frozenset({"csv", "xlsx", "json"}),
    # The keys of area.json, the area folder's own description (counts of its files).
    "analysis/geography.py": frozenset({"wards", "lad_code"}),
    "analysis/reference/build.py": frozenset({"wards"}),
    # Command-line argument names: the words a person types.
    "analysis/cli.py": AREA_FILE_KEYS | {"services", "postcode", "template"},
    # The kinds of raw public file recognised, and a word looked for in their headers.
    "analysis/reference/sources.py": frozenset({"wards", "code"}),
    # The vocabulary map's own header (data/vocabulary_map.csv) and the esd URIs' path
    # ("http://id.esd.org.uk/service/298").
    "analysis/vocabulary_map.py": frozenset({"code", "category", "service"}),
    # The taxonomy file's own header (data/taxonomy.csv).
    "analysis/taxonomy_file.py": frozenset({"description", "need_unit"}),
    # The name a frame is given in error messages.
    "analysis/directory.py": frozenset({"services"}),
    # The words the gap table shows ("robust" or "fragile").
    "dashboard/components/ward_view.py": frozenset({"robust"}),
    "analysis/outputs/profile.py": frozenset({"robust"}),
    # The URL's query parameters: the address bar's vocabulary.
    "dashboard/state.py": frozenset(
        {"category", "ward", "postcode", "delivery", "kind", "stale", "service"}
    ),
}
# English words that are also a term of the model (an IMD match "none") but that messages
# and legends use as words.
ENGLISH = frozenset({"none"})


def model_words() -> frozenset[str]:
    """The columns and terms the model names: its constants and its vocabularies' values."""
    words: set[str] = set()
    for name, value in vars(model).items():
        if not name.isupper():
            continue
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str) and _WORD.search(item) and not item.startswith("EPSG:"):
                words.add(item)
    return frozenset(words - ENGLISH)


def literals(source: str, words: frozenset[str]) -> Iterator[tuple[int, str]]:
    """(line, word) of each model word spelled as a literal in ``source``."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in words
            and not isinstance(parents.get(node), ast.Expr | ast.JoinedStr)
        ):
            yield node.lineno, node.value


def _relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def test_the_scan_finds_a_term_spelled_out():
    words = model_words()
    source = 'x = {"org_name": 1}\nif kind == "citywide":\n    pass\n'
    assert list(literals(source, words)) == [(1, "org_name"), (2, "citywide")]
    assert not list(literals('"""org_name."""\nx = f"{y} phone"\n', words))
    assert not list(literals("frame[WARD_CODE]", words))


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_column_or_term_is_spelled_outside_the_model(path: Path):
    allowed = ALLOWED.get(_relative(path), frozenset())
    found = [
        f"line {line}: {word!r}"
        for line, word in literals(path.read_text(encoding="utf-8"), model_words())
        if word not in allowed
    ]
    assert not found, f"{_relative(path)} spells {found}: use analysis.model's names"


def test_every_allowance_is_still_needed():
    words = model_words()
    for name, allowed in ALLOWED.items():
        used = {word for _, word in literals((REPO_ROOT / name).read_text("utf-8"), words)}
        needed = allowed if allowed is not ORUK_KEYS else used & ORUK_KEYS
        assert needed <= used and needed, name
