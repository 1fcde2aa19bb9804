"""The feed's OpenAPI documents in data/openreferral/ are the profile's, as the script copies
them."""

from __future__ import annotations

import pytest

from scripts.copy_openreferral import COPIES, OUT, SOURCE, copy_documents


@pytest.mark.skipif(not SOURCE.is_dir(), reason="../shared/data/openreferral/uk-v3 is absent")
def test_the_copies_are_the_profiles_files_byte_for_byte(tmp_path):
    written = copy_documents(SOURCE, tmp_path)
    assert [path.name for path in written] == list(COPIES.values())
    for path in written:
        assert path.read_bytes() == (OUT / path.name).read_bytes()


def test_a_missing_source_is_named_with_the_fix(tmp_path):
    with pytest.raises(SystemExit, match="is missing. Fix: pass --source"):
        copy_documents(tmp_path / "nowhere", tmp_path / "out")
