"""Columns no field reads, told by their values: "'How we help' looks like delivery modes".

The column mapping (`analysis.ingest.mapping`) matches headers only; a column whose header
means nothing to it ('How we help') is left out even when every value in it is a delivery
mode. `column_hints` reads the values of such columns and, when most of them are what a
template field holds, says which field, with the evidence ("9 of 10 values are delivery
modes"), so that the column can be mapped to it.

Each kind of value is recognised by the importer's own readers, strictly: a delivery mode
is a short cell whose every part is a mode (a sentence that mentions a phone is a
description, not a delivery cell); need categories are cells whose every term names a
category; postcodes are whole UK postcodes; yes/no are the words ``contact_public``
reads, digits aside (a count of 0 and 1 is not an answer). A field the file already maps
is never suggested again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from analysis.errors import PostcodeFormatError
from analysis.geography import normalise_postcode
from analysis.ingest.cells import (
    cell_text,
    judge_email,
    judge_website,
    parse_categories,
    parse_delivery,
    read_contact_public,
)
from analysis.model import CATEGORIES, CONTACT_PUBLIC, DELIVERY, EMAIL, POSTCODE, WEBSITE
from analysis.taxonomy import Taxonomy

MIN_VALUES: Final = 2
"""Fewer non-blank values than this say nothing about a column."""
MIN_SHARE: Final = 0.8
"""The share of a column's non-blank values that must be of one kind to suggest its field."""
MAX_VALUES: Final = 500
"""Values read per column: enough to judge it, quick on a file of 50,000 rows."""
_MAX_DELIVERY_WORDS: Final = 6


@dataclass(frozen=True)
class ColumnHint:
    """An unread column whose values look like a field's.

    Attributes
    ----------
    column
        The file's header.
    field
        The template field its values look like.
    kind
        What those values are, in words ("delivery modes").
    matching, values
        Values of that kind, of the non-blank values read.
    """

    column: str
    field: str
    kind: str
    matching: int
    values: int

    def __str__(self) -> str:
        return (
            f"Column {self.column!r} looks like {self.kind}: {self.matching:,} of "
            f"{self.values:,} values are {self.kind}. Fix: map it to {self.field}"
        )


def column_hints(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    mapped: Mapping[str, str],
    taxonomy: Taxonomy,
) -> tuple[ColumnHint, ...]:
    """The hints for the unread ``columns`` of ``frame``, in file order.

    Parameters
    ----------
    frame
        The file's table as read (`analysis.ingest.table.RawTable.frame`).
    columns
        The columns no field reads (the report's ``ignored_columns``).
    mapped
        Field -> column already read (the report's ``mapping_used``): not suggested again.
    taxonomy
        The need categories a categories cell is read against.
    """
    kinds = _kinds(taxonomy)
    hints = []
    for column in columns:
        if column not in frame.columns:
            continue
        values = _values(frame[column])
        if len(values) < MIN_VALUES:
            continue
        for field, kind, looks in kinds:
            if field in mapped:
                continue
            matching = sum(1 for value in values if looks(value))
            if matching >= MIN_SHARE * len(values):
                hints.append(ColumnHint(column, field, kind, matching, len(values)))
                break
    return tuple(hints)


def _values(cells: pd.Series) -> list[str]:
    """A column's first non-blank values, stripped."""
    found: list[str] = []
    for cell in cells:
        text = cell_text(cell).strip() if isinstance(cell, str | tuple) else ""
        if text:
            found.append(text)
            if len(found) == MAX_VALUES:
                break
    return found


def _kinds(taxonomy: Taxonomy) -> tuple[tuple[str, str, Callable[[str], bool]], ...]:
    """(field, its values in words, the test of one value), most particular first."""
    return (
        (POSTCODE, "postcodes", _is_postcode),
        (EMAIL, "email addresses", lambda v: not judge_email(v)),
        (WEBSITE, "web addresses", _is_website),
        (CONTACT_PUBLIC, "yes or no answers", _is_yes_no),
        (DELIVERY, "delivery modes", _is_delivery),
        (CATEGORIES, "need categories", lambda v: _is_categories(v, taxonomy)),
    )


def _is_postcode(value: str) -> bool:
    try:
        normalise_postcode(value)
    except PostcodeFormatError:
        return False
    return True


def _is_website(value: str) -> bool:
    # The reader's test passes "3.5"; an address has letters and no "@" (that is an email).
    return "@" not in value and any(c.isalpha() for c in value) and not judge_website(value)


def _is_yes_no(value: str) -> bool:
    return not value.isdigit() and not read_contact_public(value, default=False)[1]


def _is_delivery(value: str) -> bool:
    modes, unknown = parse_delivery(value)
    return bool(modes) and not unknown and len(value.split()) <= _MAX_DELIVERY_WORDS


def _is_categories(value: str, taxonomy: Taxonomy) -> bool:
    read = parse_categories(value, taxonomy)
    return bool(read.ids) and not read.unmapped
