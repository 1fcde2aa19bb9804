"""Who each row is: its names and ids, its organisation, and the rows and organisations that repeat.

Ids given in a file are kept; missing ones are made from the names (`slugify`), the same on
every import of the same file, and made unique with ``-2``, ``-3``…. The rows of one
organisation id become one organisation: the first accepted row's details are kept, and a
different name or charity number on a later row is reported. Exact repeats of a row are
found here (the checker rejects them); organisations that are probably one and the same
(one charity number, or one name at one postcode) are reported, never merged.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd

from analysis.ingest.cells import Issues, default_kind, kind_from_words
from analysis.ingest.import_report import Finding, Issue
from analysis.model import (
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DESCRIPTION,
    EMAIL,
    EMAIL_PUBLIC,
    ERROR,
    FIELD_ORG_DESCRIPTION,
    FIELD_ORG_KIND,
    LAST_UPDATED,
    ORG_COLUMNS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    OTHER_KIND,
    PHONE,
    PHONE_PUBLIC,
    SERVICE_ID,
    SERVICE_NAME,
    WARNING,
    WEBSITE,
)

_NAME_SUFFIXES: Final = frozenset({"ltd", "limited", "cic", "cio", "plc", "inc"})
_SAME_ORGANISATION_FIX: Final = (
    "give both rows the same organisation id if they are one organisation"
)

Organisation = dict[str, object]
"""One organisation: the Directory's organisation columns (`analysis.model.ORG_COLUMNS`)."""


@functools.lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """A lower-case ASCII id from a name: ``"St Mary's Food Bank"`` -> ``st-marys-food-bank``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’`]", "", ascii_text.replace("&", " and "))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "unnamed"


@functools.lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Comparison key of an organisation name: case, punctuation, 'The', 'Ltd' ignored."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"['’`]", "", ascii_text.replace("&", " and ").lower())
    tokens = re.findall(r"[a-z0-9]+", cleaned)
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    while tokens and tokens[-1] in _NAME_SUFFIXES:
        tokens = tokens[:-1]
    return "".join(tokens)


def unique_id(base: str, used: set[str], next_suffix: dict[str, int]) -> str:
    """``base``, or ``base-N`` with the lowest free N; the id is added to ``used``.

    ``next_suffix`` remembers N per base, so that many rows with one name stay linear
    rather than quadratic.
    """
    candidate, number = base, next_suffix.get(base, 2)
    if candidate in used:
        candidate = f"{base}-{number}"
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    next_suffix[base] = number + 1 if candidate != base else number
    used.add(candidate)
    return candidate


def duplicate_rows(raw_df: pd.DataFrame) -> dict[int, int]:
    """Position of each exact repeat of a row -> position of the row it repeats."""
    hashes = pd.util.hash_pandas_object(raw_df.astype(str), index=False).to_numpy()
    first: dict[int, int] = {}
    repeats: dict[int, int] = {}
    for position, value in enumerate(hashes.tolist()):
        if value in first:
            repeats[position] = first[value]
        else:
            first[value] = position
    return repeats


def fill_name(org: str, service: str, *, has_service_column: bool) -> tuple[str, str, Issues]:
    """The organisation and service names of a row, each filled from the other when missing."""
    if not org and not service:
        issue = Issue(
            "no_name",
            "",
            "the row has neither an organisation name nor a service name",
            "give the organisation's name (and the service's, if it runs several), or "
            "delete the row",
            ERROR,
            field=ORG_NAME,
        )
        return org, service, (issue,)
    if not org:
        issue = Issue(
            "org_name_from_service",
            "",
            f"no organisation name; the service's name {service!r} is used",
            "give the name of the organisation that runs the service",
            field=ORG_NAME,
        )
        return service, service, (issue,)
    if service or not has_service_column:
        return org, service or org, ()
    issue = Issue(
        "service_name_from_org",
        "",
        f"no service name; the organisation's name {org!r} is used",
        "name the service, or leave it so if the organisation runs one service",
        field=SERVICE_NAME,
    )
    return org, org, (issue,)


def assign_org_ids(
    given: Sequence[str], names: Sequence[str], *, rejected: np.ndarray
) -> list[str]:
    """Organisation ids: given ones kept, missing ones made from the names.

    A row without an id joins the organisation whose id is given and whose (first
    accepted) name is the same; rows sharing a name without any id share one new id.
    """
    first_name: dict[str, str] = {}
    for org_id, name, is_rejected in zip(given, names, rejected, strict=True):
        if org_id and not is_rejected:
            first_name.setdefault(org_id, name_key(name))
    by_name: dict[str, str] = {}
    for org_id, key in first_name.items():
        if key:
            by_name.setdefault(key, org_id)
    used = {org_id for org_id in given if org_id}
    suffix: dict[str, int] = {}
    ids = []
    for org_id, name in zip(given, names, strict=True):
        if not org_id:
            key = name_key(name) or slugify(name)
            if key not in by_name:
                by_name[key] = unique_id(slugify(name), used, suffix)
            org_id = by_name[key]
        ids.append(org_id)
    return ids


def assign_service_ids(
    given: Sequence[str],
    *,
    org_ids: Sequence[str],
    org_names: Sequence[str],
    service_names: Sequence[str],
    rejected: np.ndarray,
    rows: Sequence[int],
) -> tuple[list[str], tuple[Finding, ...]]:
    """Service ids: given ones kept (a repeated one renamed, and reported), missing ones made.

    A made id is the organisation's id, followed by ``--`` and the service's name when it
    differs from the organisation's.
    """
    used = {service_id for service_id in given if service_id}
    suffix: dict[str, int] = {}
    first_position: dict[str, int] = {}
    ids: list[str] = []
    found: list[Finding] = []
    for position, service_id in enumerate(given):
        if not service_id:
            base = org_ids[position]
            if slugify(service_names[position]) != slugify(org_names[position]):
                base = f"{base}--{slugify(service_names[position])}"
            service_id = unique_id(base, used, suffix)
        elif not rejected[position] and service_id in first_position:
            renamed = unique_id(service_id, used, suffix)
            first_row = rows[first_position[service_id]]
            found.append(_duplicate_id(position, service_id, renamed, first_row=first_row))
            service_id = renamed
        elif not rejected[position]:
            first_position[service_id] = position
        ids.append(service_id)
    return ids, tuple(found)


def _duplicate_id(position: int, given: str, renamed: str, *, first_row: int) -> Finding:
    """The warning for a service id already used on an earlier row."""
    return Finding(
        position=position,
        field=SERVICE_ID,
        code="duplicate_id",
        value=given,
        reason=f"the service id is also on row {first_row}; this row's service is given id "
        f"{renamed!r}",
        fix="give each service its own id",
        severity=WARNING,
    )


def organisations(
    org_rows: Sequence[Organisation],
    *,
    postcodes: Sequence[str],
    rejected: np.ndarray,
    rows: Sequence[int],
    lone_df: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, tuple[Finding, ...]]:
    """One row per organisation of the accepted rows (and of ``lone_df``), and what clashed.

    Parameters
    ----------
    org_rows
        Per row of the table, its organisation's columns as that row gives them.
    postcodes
        Per row, its postcode in standard form (``""`` when none).
    rejected
        True for rows that are rejected: they make no organisation.
    rows
        Per row, its row number in the file (for messages).
    lone_df
        Organisations listed without services (feeds), template field names.
    """
    records, first_position, conflicts = _merge(org_rows, rejected=rejected, rows=rows)
    duplicates = _probable_duplicates(records, first_position, postcodes=postcodes, rows=rows)
    frame = pd.DataFrame(list(_with_lone(records, lone_df).values()), columns=list(ORG_COLUMNS))
    frame[LAST_UPDATED] = pd.to_datetime(pd.Series(frame[LAST_UPDATED], dtype=object))
    for flag in (CONTACT_PUBLIC, EMAIL_PUBLIC, PHONE_PUBLIC):
        frame[flag] = frame[flag].astype(bool)
    return frame.reset_index(drop=True), conflicts + duplicates


def _merge(
    org_rows: Sequence[Organisation], *, rejected: np.ndarray, rows: Sequence[int]
) -> tuple[dict[str, Organisation], dict[str, int], tuple[Finding, ...]]:
    """Organisations by id, each one's first row, and the rows that disagree with it."""
    records: dict[str, Organisation] = {}
    first_position: dict[str, int] = {}
    found: list[Finding] = []
    for position, row in enumerate(org_rows):
        org_id = str(row[ORG_ID])
        if rejected[position]:
            continue
        if org_id not in records:
            records[org_id], first_position[org_id] = dict(row), position
            continue
        record = records[org_id]
        first_row = rows[first_position[org_id]]
        found += (issue.at(position, ORG_NAME) for issue in _conflicts(row, record, first_row))
        stamp = row[LAST_UPDATED]
        if stamp is not None and (record[LAST_UPDATED] is None or stamp > record[LAST_UPDATED]):
            record[LAST_UPDATED] = stamp
    return records, first_position, tuple(found)


def _conflicts(row: Organisation, record: Organisation, first_row: int) -> Issues:
    """What a later row of an organisation says differently from its first row."""
    org_id = record[ORG_ID]
    kept = f"on row {first_row}; the organisation keeps that row's details"
    issues = []
    if name_key(str(row[ORG_NAME])) != name_key(str(record[ORG_NAME])):
        reason = f"organisation id {org_id!r} is named {record[ORG_NAME]!r} {kept}"
        fix = "use one name per organisation id, or give the other organisation its own id"
        issues.append(Issue("conflicting_org", str(row[ORG_NAME]), reason, fix))
    charity, first_charity = row[CHARITY_NUMBER], record[CHARITY_NUMBER]
    if charity and first_charity and charity != first_charity:
        reason = f"organisation id {org_id!r} has charity number {first_charity!r} {kept}"
        fix = "use one charity number per organisation"
        issue = Issue("conflicting_org", str(charity), reason, fix, field=CHARITY_NUMBER)
        issues.append(issue)
    return tuple(issues)


def _probable_duplicates(
    records: Mapping[str, Organisation],
    first_position: Mapping[str, int],
    *,
    postcodes: Sequence[str],
    rows: Sequence[int],
) -> tuple[Finding, ...]:
    """Organisations with one charity number, or one name, as another.

    The same name is reported with or without a postcode: real lists give the same group
    twice under two ids (two branches, two people's entries), often with no postcode.
    """
    by_charity: dict[str, str] = {}
    by_name: dict[str, str] = {}
    found = []
    for org_id, record in records.items():
        position = first_position[org_id]
        charity_key = re.sub(r"[^0-9A-Z]", "", str(record[CHARITY_NUMBER]).upper())
        other = by_charity.setdefault(charity_key, org_id) if charity_key else org_id
        field, same = CHARITY_NUMBER, "the same charity number"
        name = name_key(str(record[ORG_NAME]))
        if other == org_id and name:
            other = by_name.setdefault(name, org_id)
            postcode, other_postcode = postcodes[position], postcodes[first_position[other]]
            at_one = postcode and postcode == other_postcode
            field, same = ORG_NAME, "the same name and postcode" if at_one else "the same name"
        if other == org_id:
            continue
        reason = (
            f"organisation {org_id!r} has {same} as organisation {other!r} (row "
            f"{rows[first_position[other]]}): probably the same organisation"
        )
        issue = Issue("probable_duplicate_org", str(record[field]), reason, _SAME_ORGANISATION_FIX)
        found.append(issue.at(position, field))
    return tuple(found)


def _with_lone(
    records: Mapping[str, Organisation], lone_df: pd.DataFrame | None
) -> dict[str, Organisation]:
    """``records`` and the organisations a feed lists without services, by id."""
    merged = dict(records)
    for lone in [] if lone_df is None else lone_df.to_dict("records"):
        name = str(lone[ORG_NAME]).strip()
        if not name:
            continue
        org_id = str(lone[ORG_ID]).strip() or unique_id(slugify(name), set(merged), {})
        if org_id in merged:
            continue
        charity = str(lone[CHARITY_NUMBER]).strip()
        kind = kind_from_words(str(lone[FIELD_ORG_KIND]))
        merged[org_id] = {
            ORG_ID: org_id,
            ORG_NAME: name,
            ORG_KIND: default_kind(has_charity_number=bool(charity))
            if kind in (None, OTHER_KIND)
            else kind,
            CHARITY_NUMBER: charity,
            WEBSITE: str(lone[WEBSITE]).strip(),
            EMAIL: str(lone[EMAIL]).strip(),
            PHONE: str(lone[PHONE]).strip(),
            DESCRIPTION: str(lone[FIELD_ORG_DESCRIPTION]).strip(),
            LAST_UPDATED: None,
            CONTACT_PUBLIC: True,
            EMAIL_PUBLIC: True,
            PHONE_PUBLIC: True,
        }
    return merged
