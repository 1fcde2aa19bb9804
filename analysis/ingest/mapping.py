"""The column mapping: which column of a file holds which template field.

A spreadsheet kept by a support body rarely uses the template's headers: it says
'Organisation', 'Post Code', 'lng' or 'What we do'. :func:`guess_mapping` matches headers
to fields through each field's synonyms (`analysis.ingest.fields`); what it cannot match
the user maps (the dashboard pre-fills a mapping step with the guesses; the CLI reads
``--columns mapping.json``, see :func:`load_column_mapping`). :func:`resolve_mapping` combines the
two and :func:`apply_mapping` turns the file's table into one with the template's fields.

A mapping is ``{field: column}``, e.g. ``{"org_name": "Name of group", "postcode": null}``
(``null`` = the file has no such column, overriding a wrong guess). The report's
``mapping_used`` has the same form, so it can be saved and edited as a mapping file.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from analysis import settings
from analysis.errors import ColumnMappingError
from analysis.ingest.fields import FIELD_NAMES, FIELDS
from analysis.model import (
    CATEGORIES,
    EMAIL,
    FIELD_AREA_SERVED,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ORG_DESCRIPTION,
    FIELD_SERVICE_DESCRIPTION,
    NAME_FIELDS,
    PHONE,
    POSTCODE,
    WEBSITE,
)

_NON_ALNUM: Final = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a file each field is read from.

    Attributes
    ----------
    fields
        Field -> column, only for fields the file has.
    ignored
        Columns no field reads, in file order.
    guessed
        Fields matched only approximately (worth a look in the mapping step).
    """

    fields: dict[str, str]
    ignored: tuple[str, ...]
    guessed: frozenset[str] = frozenset()


def header_key(text: str) -> str:
    """Comparison key of a header: case-folded letters and digits, ``&`` read as ``and``."""
    text = unicodedata.normalize("NFKC", str(text)).replace("&", " and ")
    return _NON_ALNUM.sub("", text.casefold())


def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in FIELDS:
        for term in (spec.name, spec.label, *spec.synonyms):
            index.setdefault(header_key(term), spec.name)
    return index


_SYNONYMS: Final = _synonym_index()


def known_field(header: str) -> str | None:
    """The field whose name, label or synonym ``header`` is exactly (ignoring case etc.)."""
    return _SYNONYMS.get(header_key(header))


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Guess which column holds which field, from the headers alone.

    Parameters
    ----------
    headers
        The file's column headers, in order.

    Returns
    -------
    ColumnMapping
        Each field mapped to at most one column, each column to at most one field.

    Notes
    -----
    A header matches a field when it equals the field's name, label or a synonym,
    ignoring case, spaces and punctuation ('Post Code' = 'postcode'). Headers still
    unmatched are then read by their last dotted parts, as a JSON table names nested
    values ('location_coord.lat' -> latitude, 'venues.postcode' -> postcode), and then
    compared approximately (difflib ratio >= 0.85, catching 'Postocde' or 'Catagory').
    Columns of a list of people ('contacts.email') are never guessed: a named person's
    email or phone is not the service's. The first column wins when two match one field; the other
    is listed as ignored.
    """
    mapped: dict[str, str] = {}
    guessed: set[str] = set()
    for header in headers:
        name = _SYNONYMS.get(header_key(header))
        if name is not None and name not in mapped:
            mapped[name] = header
    taken = set(mapped.values())
    for header in headers:
        name = None if header in taken else _dotted_field(header)
        if name is not None and name not in mapped:
            mapped[name] = header
            guessed.add(name)
            taken.add(header)
    for header in headers:
        if header in taken or _is_people_column(header):
            continue
        key = header_key(header)
        if len(key) < 4:
            continue
        close = difflib.get_close_matches(
            key, list(_SYNONYMS), n=1, cutoff=settings.HEADER_FUZZY_CUTOFF
        )
        if close and _SYNONYMS[close[0]] not in mapped:
            mapped[_SYNONYMS[close[0]]] = header
            guessed.add(_SYNONYMS[close[0]])
            taken.add(header)
    ordered = {name: mapped[name] for name in FIELD_NAMES if name in mapped}
    ignored = tuple(header for header in headers if header not in taken)
    return ColumnMapping(ordered, ignored, frozenset(guessed))


def _dotted_field(header: str) -> str | None:
    """The field a dotted header's last two parts, else its last part, name exactly."""
    parts = header.split(".")
    if len(parts) < 2 or _is_people_column(header):
        return None
    for tail in (".".join(parts[-2:]), parts[-1]):
        name = _SYNONYMS.get(header_key(tail))
        if name is not None:
            return name
    return None


def _is_people_column(header: str) -> bool:
    """True for a column of a list of people (``contacts.phone``): theirs, not the service's."""
    return header.split(".")[0].strip().lower() in _PEOPLE_LISTS and "." in header


_PEOPLE_LISTS: Final = frozenset({"contacts", "people", "persons", "staff", "volunteers"})


def load_column_mapping(path: Path | str) -> dict[str, str | None]:
    """Read a ``--columns`` mapping file: a JSON object ``{field: column or null}``.

    Raises
    ------
    ColumnMappingError
        When the file is missing, not JSON, or not an object of strings (or nulls).
    """
    mapping_path = Path(path)
    try:
        data = json.loads(mapping_path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ColumnMappingError(
            f"column mapping file {mapping_path} does not exist. Fix: give the path of a "
            'JSON file such as {"org_name": "Name of group", "postcode": "Post Code"}'
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ColumnMappingError(
            f"column mapping file {mapping_path} is not readable JSON ({error}). Fix: write "
            'one JSON object such as {"org_name": "Name of group", "postcode": "Post Code"}'
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and (value is None or isinstance(value, str))
        for key, value in data.items()
    ):
        raise ColumnMappingError(
            f"column mapping file {mapping_path} must hold one JSON object of field names to "
            "column headers (or null). Fix: write it as "
            '{"org_name": "Name of group", "postcode": "Post Code"}'
        )
    return data


def resolve_mapping(
    headers: Sequence[str], explicit: Mapping[str, str | None] | None = None
) -> ColumnMapping:
    """Combine guessed and explicit mappings; explicit entries win.

    Parameters
    ----------
    headers
        The file's column headers.
    explicit
        ``{field: column}`` given by the user; a ``None`` column removes a guess.

    Raises
    ------
    ColumnMappingError
        Listing every unknown field and every column the file does not have, or when
        neither the organisation nor the service name can be found.
    """
    guess = guess_mapping(headers)
    fields = dict(guess.fields)
    guessed = set(guess.guessed)
    problems: list[str] = []
    if explicit:
        header_set = set(headers)
        for name, column in explicit.items():
            if name not in FIELD_NAMES:
                close = difflib.get_close_matches(name, FIELD_NAMES, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(f"{name!r} is not a field{hint}")
                continue
            if column is not None and column not in header_set:
                problems.append(f"field {name!r}: the file has no column {column!r}")
                continue
            guessed.discard(name)
            if column is None:
                fields.pop(name, None)
                continue
            # A column feeds one field: drop a guess that used it for another field.
            for other, used in list(fields.items()):
                if used == column and other != name and other not in explicit:
                    del fields[other]
                    guessed.discard(other)
            fields[name] = column
        if problems:
            raise ColumnMappingError(
                "the column mapping does not fit the file: "
                + "; ".join(problems)
                + f". The file's columns are: {_list(headers)}; the fields are: "
                + f"{', '.join(FIELD_NAMES)}. Fix: correct the mapping file"
            )
    if not any(name in fields for name in NAME_FIELDS):
        raise ColumnMappingError(_no_name_message(headers, set(fields) - guessed))
    ordered = {name: fields[name] for name in FIELD_NAMES if name in fields}
    used = set(ordered.values())
    ignored = tuple(header for header in headers if header not in used)
    return ColumnMapping(ordered, ignored, frozenset(guessed & set(ordered)))


def _no_name_message(headers: Sequence[str], fields: set[str]) -> str:
    """Why a table without a name column cannot be read, and what to do.

    A table where no column surely means a field of a directory (a lookup of codes, a
    list of classifications; ``fields`` leaves out approximate matches) is said not to be
    a directory at all.
    """
    example = 'e.g. {"org_name": "Name of group"}'
    if not fields & _DIRECTORY_FIELDS:
        return (
            "this table is not a directory: no column holds the organisation or service "
            "name, nor a place or what is offered (the file's columns are: "
            f"{_list(headers)}), as in a lookup or classification list. Fix: load the "
            "directory itself; if this is one, map its columns with --columns mapping.json, "
            + example
        )
    return (
        "no column holds the organisation or service name (the file's columns are: "
        f"{_list(headers)}). Fix: name a column {' or '.join(map(repr, NAME_FIELDS))}, or "
        "map one with --columns mapping.json, " + example
    )


_DIRECTORY_FIELDS: Final = frozenset(
    {
        POSTCODE,
        FIELD_LATITUDE,
        FIELD_LONGITUDE,
        CATEGORIES,
        FIELD_SERVICE_DESCRIPTION,
        FIELD_ORG_DESCRIPTION,
        EMAIL,
        PHONE,
        WEBSITE,
        FIELD_AREA_SERVED,
    }
)
"""Fields only a directory has: a table mapping none of them is something else."""


def apply_mapping(table_df: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """The table with one column per field (``""`` where the file has none), same index."""
    out = {}
    for name in FIELD_NAMES:
        column = mapping.fields.get(name)
        out[name] = table_df[column] if column is not None else pd.Series("", index=table_df.index)
    return pd.DataFrame(out, index=table_df.index)


def _list(values: Iterable[str]) -> str:
    shown = [repr(str(value)) for value in values]
    return ", ".join(shown) if shown else "none"
