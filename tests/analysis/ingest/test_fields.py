"""The template's fields: unique names and synonyms, texts built from the data model."""

from __future__ import annotations

import pytest

from analysis.ingest.fields import FIELD_NAMES, FIELDS, field_spec, word_list
from analysis.ingest.mapping import header_key
from analysis.model import (
    DELIVERY,
    DELIVERY_MODES,
    FIELD_ORG_KIND,
    ORGANISATION_KINDS,
)


def test_no_synonym_belongs_to_two_fields():
    owners: dict[str, str] = {}
    for field in FIELDS:
        for term in (field.name, field.label, *field.synonyms):
            owner = owners.setdefault(header_key(term), field.name)
            assert owner == field.name, f"{term!r} is in {owner} and {field.name}"


def test_field_names_are_unique():
    assert len(set(FIELD_NAMES)) == len(FIELD_NAMES)


def test_the_vocabularies_in_the_guide_are_the_model_s():
    assert f"One of: {', '.join(ORGANISATION_KINDS)}." in field_spec(FIELD_ORG_KIND).description
    assert ", ".join(DELIVERY_MODES) in field_spec(DELIVERY).description


def test_field_spec_names_the_unknown_field():
    with pytest.raises(KeyError, match="no_such_field"):
        field_spec("no_such_field")


def test_word_list():
    assert word_list("in person, face to face,, f2f ") == ("in person", "face to face", "f2f")
    assert word_list("") == ()
