"""scripts/build_vocabulary_map.py: the committed map is its output, attributed as the
licences ask, and a map of the taxonomy's own decisions."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from analysis.settings import DATA_DIR, REPO_ROOT
from analysis.taxonomy_file import load_taxonomy
from analysis.vocabulary_map import BROAD, ESD_SERVICE, FAMILY_HUBS, load_vocabulary_map

_spec = importlib.util.spec_from_file_location(
    "build_vocabulary_map", REPO_ROOT / "scripts" / "build_vocabulary_map.py"
)
build = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = build  # dataclasses look their module up by name
_spec.loader.exec_module(build)

COMMITTED = DATA_DIR / "vocabulary_map.csv"
needs_sources = pytest.mark.skipif(
    not all((build.VOCABULARIES_DIR / name).is_file() for name in build.SOURCE_FILES.values()),
    reason=f"raw vocabularies not found in {build.VOCABULARIES_DIR}",
)


@needs_sources
def test_the_committed_map_is_the_script_s_output(tmp_path):
    written = build.write_map(tmp_path / "vocabulary_map.csv")
    assert written.read_bytes() == COMMITTED.read_bytes()


def test_the_map_says_where_its_terms_come_from_and_under_which_licence():
    head = [line for line in COMMITTED.read_text("utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(head)
    assert "Open Government Licence v3.0" in text and "Local Government Association" in text
    assert "CC BY-SA 3.0" in text and "Aunt Bertha" in text
    assert "MIT licence" in text and "Department for Education" in text
    assert "Apache License 2.0" in text


def test_the_map_is_compact_and_keeps_to_the_taxonomy():
    terms = load_vocabulary_map(COMMITTED)
    assert COMMITTED.stat().st_size < 60_000
    taxonomy = load_taxonomy()
    assert {t.category for t in terms} <= {*taxonomy.ids(), BROAD}
    by_key = {t.key: t.category for t in terms}
    # Explicit decisions, and the taxonomy's own synonyms where a label is one.
    assert by_key[(ESD_SERVICE, "298")] == "carers"
    assert by_key[(ESD_SERVICE, "1149")] == BROAD
    assert (ESD_SERVICE, "406") not in by_key  # food safety inspections: no need
    assert by_key[(FAMILY_HUBS, "38bf4fc2-f6b9-4c15-bc07-b03b707659bd")] == "families"
    labelled = [t for t in terms if taxonomy.match(t.label) is not None]
    assert labelled and all(
        taxonomy.match(t.label) == t.category
        for t in labelled
        if load_taxonomy(with_vocabulary_map=False).match(t.label) is not None
        and (t.vocabulary, t.code) not in build.DECISIONS
    )


@needs_sources
def test_every_decision_names_a_term_of_its_vocabulary():
    codes = {
        vocabulary: {t.code for t in build.read_vocabulary(build.VOCABULARIES_DIR / name)}
        for vocabulary, name in build.SOURCE_FILES.items()
    }
    stale = [key for key in build.DECISIONS if key[1] not in codes[key[0]]]
    listed = {c for ids in build.ESD_SERVICES.values() for c in ids.split()}
    assert not stale and listed <= codes[ESD_SERVICE]


def test_a_missing_source_folder_is_an_error_with_the_fix(tmp_path, capsys):
    assert build.main(["--vocabularies", str(tmp_path), "--out", str(tmp_path / "m.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path} lacks esd_service_types.csv, ")
    assert "Fix: give the folder of the raw vocabularies with --vocabularies" in err
    assert not (tmp_path / "m.csv").exists()
