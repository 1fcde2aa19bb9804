"""Check every row of a services table and collect every problem before deciding anything.

Input is a table with the template's fields as columns (see `analysis.ingest.mapping`), text
cells, indexed by row number. :func:`check_table` parses each field, places each service
(`analysis.ingest.locate`), decides its area served, gives organisations and services their ids,
and flags duplicates. A row is **rejected** only when it cannot become a service (no name
at all, an area served that cannot be built, an exact repeat, values beyond the header);
anything else is a **warning** kept with the accepted row. Nothing is dropped unreported.

Problem kinds (``code``: severity) — the messages are in the functions below:

errors
    ``no_name``, ``duplicate_row``, ``extra_fields``, ``unknown_area_kind``,
    ``bad_radius``, ``no_ward_matched``, ``no_location``; and a location problem
    (``bad_postcode``, ``postcode_not_found``, ``bad_coordinates``) when the area served
    needs a point and no other location is usable.
warnings
    ``org_name_from_service``, ``service_name_from_org``, ``uncategorised``,
    ``unmapped_category``, ``unknown_delivery``, ``unknown_kind``, ``bad_charity_number``,
    ``bad_email``, ``bad_website``, ``bad_phone``, ``phone_lost_zero``,
    ``bad_contact_public``, ``bad_capacity``, ``bad_date``, ``dates_reversed``, ``ended``,
    ``inactive``, ``bad_postcode``, ``postcode_not_found``, ``bad_coordinates``,
    ``swapped_lat_lon``, ``lon_sign``, ``outside_area``, ``location_mismatch``,
    ``no_location``, ``area_not_understood``, ``unmatched_wards``, ``area_value_ignored``,
    ``duplicate_id``, ``conflicting_org``, ``probable_duplicate_org``.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Final, Protocol

import numpy as np
import pandas as pd

from analysis import settings
from analysis.errors import PostcodeFormatError
from analysis.geography import normalise_postcode
from analysis.ingest.fields import FIELD_NAMES
from analysis.ingest.import_report import Finding, Problem
from analysis.ingest.locate import AreaShape, locate
from analysis.ingest.mapping import header_key
from analysis.ingest.oruk import OTHER_LOCATIONS
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    AREA_KIND,
    AREA_VALUE,
    AUDIENCE,
    CAPACITY,
    CATEGORIES,
    CHARITY_NUMBER,
    CONTACT_PUBLIC,
    DELIVERY,
    DESCRIPTION,
    EMAIL,
    FLAGS,
    LAST_UPDATED,
    ORG_COLUMNS,
    ORG_ID,
    ORG_KIND,
    ORG_NAME,
    PHONE,
    POSTCODE,
    RADIUS_M,
    SERVICE_ID,
    SERVICE_NAME,
    SOURCE_ROW,
    WARD_CODES,
    WEBSITE,
    AreaServedKind,
    DeliveryMode,
    OrganisationKind,
    Severity,
)
from analysis.taxonomy import Taxonomy

WHOLE_ROW: Final = "(whole row)"

_DELIVERY_WORDS: Final[dict[str, DeliveryMode]] = {
    **dict.fromkeys(
        (
            "in person",
            "face to face",
            "f2f",
            "venue",
            "at a venue",
            "at venue",
            "drop in",
            "walk in",
            "on site",
            "onsite",
            "group",
            "groups",
            "centre",
        ),
        "in person",
    ),
    **dict.fromkeys(
        ("phone", "telephone", "by phone", "phone line", "helpline", "calls", "phone calls"),
        "phone",
    ),
    **dict.fromkeys(
        (
            "online",
            "web",
            "website",
            "internet",
            "video",
            "video call",
            "video calls",
            "zoom",
            "remote",
            "remotely",
            "virtual",
            "email",
            "digital",
        ),
        "online",
    ),
    **dict.fromkeys(
        (
            "home delivery",
            "delivery",
            "delivered",
            "home visit",
            "home visits",
            "home visiting",
            "at home",
            "doorstep",
            "home",
            "outreach",
        ),
        "home delivery",
    ),
}
_DELIVERY_KEYS: Final = {header_key(word): mode for word, mode in _DELIVERY_WORDS.items()}
_DELIVERY_PATTERNS: Final[tuple[tuple[re.Pattern[str], DeliveryMode], ...]] = (
    (re.compile(r"in[- ]?person|face[- ]to[- ]face|venue|drop[- ]in|attend", re.I), "in person"),
    (re.compile(r"tele?phone|\bphone|helpline|\bcalls?\b", re.I), "phone"),
    (re.compile(r"online|video|remote|internet|zoom|virtual|\bweb", re.I), "online"),
    (
        re.compile(r"home (visit|deliver)|deliver(ed|y) to|doorstep|at home|in your home", re.I),
        "home delivery",
    ),
)
_DELIVERY_ORDER: Final[tuple[DeliveryMode, ...]] = ("in person", "phone", "online", "home delivery")

_KIND_WORDS: Final[dict[str, OrganisationKind]] = {
    **dict.fromkeys(
        (
            "charity",
            "registered charity",
            "charitable",
            "cio",
            "charitable incorporated organisation",
            "charitable incorporated organization",
            "charitable trust",
            "charitable company",
            "trust",
        ),
        "charity",
    ),
    **dict.fromkeys(("cic", "community interest company"), "CIC"),
    **dict.fromkeys(
        ("mutual aid group", "mutual aid", "mutual aid network", "covid mutual aid"),
        "mutual aid group",
    ),
    **dict.fromkeys(
        (
            "faith group",
            "faith",
            "faith based",
            "faith based organisation",
            "faith organisation",
            "religious",
            "church",
            "mosque",
            "gurdwara",
            "temple",
            "synagogue",
        ),
        "faith group",
    ),
    **dict.fromkeys(
        (
            "statutory",
            "statutory service",
            "council",
            "local authority",
            "nhs",
            "public sector",
            "government",
        ),
        "statutory",
    ),
    **dict.fromkeys(
        (
            "other",
            "community group",
            "voluntary group",
            "voluntary organisation",
            "social enterprise",
            "company",
            "limited company",
            "cooperative",
            "co op",
            "unincorporated association",
            "business",
        ),
        "other",
    ),
}
_KIND_KEYS: Final = {header_key(word): kind for word, kind in _KIND_WORDS.items()}
KIND_VALUES: Final = ("charity", "CIC", "mutual aid group", "faith group", "statutory", "other")

_AREA_WORDS: Final[dict[str, AreaServedKind]] = {
    **dict.fromkeys(
        ("at_location", "at location", "location", "local", "catchment", "at venue", "venue"),
        "at_location",
    ),
    **dict.fromkeys(("radius_km", "radius", "radius km", "within radius", "distance"), "radius_km"),
    **dict.fromkeys(("wards", "ward", "ward list", "listed wards"), "wards"),
    **dict.fromkeys(
        ("citywide", "city wide", "whole city", "all", "everywhere", "whole area"), "citywide"
    ),
}
_AREA_KEYS: Final = {header_key(word): kind for word, kind in _AREA_WORDS.items()}
_CITYWIDE_KEYS: Final = frozenset(
    header_key(word)
    for word in (
        "citywide",
        "city wide",
        "whole city",
        "the whole city",
        "all",
        "all wards",
        "all areas",
        "everywhere",
        "whole area",
        "borough wide",
        "county wide",
        "district wide",
        "national",
        "nationwide",
        "uk",
        "uk wide",
        "united kingdom",
        "england",
        "england wide",
        "great britain",
        "south west",
        "south west england",
        "regional",
    )
)
AREA_KINDS: Final = ("at_location", "radius_km", "wards", "citywide")

_TRUE: Final = frozenset({"yes", "y", "true", "t", "1", "public", "x", "ok", "✓", "✔"})
_FALSE: Final = frozenset(
    {"no", "n", "false", "f", "0", "private", "professionals only", "not public", "internal"}
)
_INACTIVE: Final = frozenset({"inactive", "defunct", "temporarily closed", "closed"})

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WEBSITE: Final = re.compile(r"(https?://)?[^\s/]+\.[^\s]+", re.I)
_CHARITY: Final = re.compile(r"\d{6,8}(-\d{1,3})?|SC0?\d{5,6}|NIC?\d{5,6}|CHC\d{4,6}")
_RADIUS: Final = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(km|kms|kilometres?|kilometers?|k|m|metres?|meters?|mi|miles?)?",
    re.I,
)
_CAPACITY: Final = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(?:people)?\s*(?:(?:per|a|/)\s*week|pw|weekly)?", re.I
)
_DAY_FIRST: Final = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_PIECES: Final = re.compile(r"[;\n]+")
_SUB_PIECES: Final = re.compile(r"[/,&+|]")
_WARD_PIECES: Final = re.compile(r"[;,|/\n]+")
_NAME_SUFFIXES: Final = frozenset({"ltd", "limited", "cic", "cio", "plc", "inc"})


Text = Mapping[str, list[str]]
"""Field -> the stripped text of every row."""


class AddFinding(Protocol):
    """Records one finding (see `analysis.ingest.import_report.Finding`)."""

    def __call__(
        self,
        position: int,
        field: str,
        code: str,
        value: str,
        reason: str,
        fix: str,
        severity: Severity = "warning",
        /,
    ) -> None: ...


@dataclass(frozen=True)
class CheckedTable:
    """Every row checked: parsed values, which rows are rejected, and what was found.

    Attributes
    ----------
    services
        One row per input row (index = row number), service columns of the Directory
        (without geometry) plus ``points``: the row's usable points (easting, northing)
        in EPSG:27700, the first being the service's location.
    organisations
        One row per organisation of the accepted rows (and of lone feed organisations),
        the Directory's organisation columns.
    rejected
        True for rejected rows, aligned with ``services``.
    findings
        Every problem, ``position`` = row position in ``services``.
    unmapped_categories
        Category term -> number of rows that used it, most used first.
    """

    services: pd.DataFrame
    organisations: pd.DataFrame
    rejected: np.ndarray
    findings: tuple[Finding, ...]
    unmapped_categories: dict[str, int]


def check_table(
    table_df: pd.DataFrame,
    *,
    taxonomy: Taxonomy,
    shape: AreaShape,
    present_fields: frozenset[str] | None = None,
    is_feed: bool = False,
    raw_df: pd.DataFrame | None = None,
    extra_values: Mapping[int, int] | None = None,
    lone_organisations: pd.DataFrame | None = None,
    as_of: date | None = None,
    uncategorised_catchment_km: float = settings.UNCATEGORISED_CATCHMENT_KM,
) -> CheckedTable:
    """Check every row and decide which are accepted.

    Parameters
    ----------
    table_df
        Text cells, one column per template field (see `analysis.ingest.mapping.FIELD_NAMES`;
        optionally ``other_locations``), index = row numbers.
    taxonomy
        Need categories; category terms are mapped through their synonyms.
    shape
        The area (from `analysis.ingest.locate.area_shape`).
    present_fields
        Fields the file has a column for (default: all).
    is_feed
        True for Open Referral UK: blank contact_public means public (a feed is
        published), and a service gets a warning for unmapped terms only when none of
        its terms maps (feeds use wide vocabularies; the report lists every unmapped term).
    raw_df
        The rows as read (for exact-repeat detection); default ``table_df``.
    extra_values
        Row number -> count of values beyond the header's last column.
    lone_organisations
        Organisations without services (feeds), template field names.
    as_of
        The date services are judged current on (``ended``); default today.
    uncategorised_catchment_km
        Catchment of an ``at_location`` service with no category, km.

    Returns
    -------
    CheckedTable
        Parsed values of every row, the rejected mask and every finding.

    Notes
    -----
    Area served, when the row does not say: ``citywide`` for services delivered only
    by phone and/or online; otherwise ``at_location``, a circle of the **first**
    category's default catchment around the location. A numeric ``area_value`` alone
    means ``radius_km``; ward names alone mean ``wards``; the authority's name or words
    such as 'citywide' or 'national' mean ``citywide``. An in-person service with no
    usable location and no area is kept with an empty area (it covers nobody until a
    location is given) and flagged ``no_location``.
    """
    count = len(table_df)
    today = as_of or date.today()
    present = frozenset(FIELD_NAMES) if present_fields is None else present_fields
    text = {
        name: [str(value).strip() for value in table_df[name].tolist()]
        if name in table_df
        else [""] * count
        for name in FIELD_NAMES
    }
    rows = [int(row) for row in table_df.index]
    findings: list[Finding] = []

    def add(
        position: int,
        field: str,
        code: str,
        value: str,
        reason: str,
        fix: str,
        severity: Severity = "warning",
    ) -> None:
        findings.append(Finding(position, field, code, value, reason, fix, severity))

    duplicate_of = _duplicate_rows(table_df if raw_df is None else raw_df)
    for position, row in enumerate(rows):
        if extra_values and row in extra_values:
            add(
                position,
                "",
                "extra_fields",
                "",
                f"the row has {extra_values[row]} value(s) beyond the last column, so its "
                "values may have shifted",
                "put values that contain the delimiter in double quotes, or delete the "
                "stray values",
                "error",
            )

    org_names, service_names = _check_names(text, present, add)
    categories = _check_categories(text["categories"], taxonomy, is_feed=is_feed, add=add)
    unmapped: Counter[str] = categories[1]
    delivery_cache: dict[str, tuple[tuple[DeliveryMode, ...], tuple[str, ...]]] = {}
    deliveries = [
        _check_delivery(p, value, add, delivery_cache) for p, value in enumerate(text["delivery"])
    ]
    kinds = [
        _check_kind(p, value, has_charity=bool(text["charity_number"][p]), add=add)
        for p, value in enumerate(text["org_kind"])
    ]
    _check_contacts(text, add)
    contact_public = [
        _check_bool(p, value, default=is_feed, add=add)
        for p, value in enumerate(text["contact_public"])
    ]
    capacity = [_check_capacity(p, value, add) for p, value in enumerate(text["capacity"])]
    date_cache: dict[str, pd.Timestamp | None] = {}
    dates = {
        name: [_check_date(p, name, value, add, date_cache) for p, value in enumerate(text[name])]
        for name in ("active_from", "active_until", "last_updated")
    }
    _check_periods(dates, text, today, add)
    for position, status in enumerate(text["status"]):
        if status.lower() in _INACTIVE:
            add(
                position,
                "status",
                "inactive",
                status,
                f"the feed marks the service {status.lower()}; it is kept but flagged",
                "remove it from the feed if it has stopped, or set its status to active",
            )

    others = list(table_df[OTHER_LOCATIONS]) if OTHER_LOCATIONS in table_df else [()] * count
    points, location_findings = _locate_rows(text, others, shape)
    areas = [
        _resolve_area(
            position,
            kind_text=text["area_served"][position],
            value_text=text["area_value"][position],
            delivery=deliveries[position],
            has_point=bool(points[position]),
            location_findings=location_findings.get(position, []),
            shape=shape,
            add=add,
        )
        for position in range(count)
    ]
    for position in range(count):
        kind, _, _, needs_point = areas[position]
        for finding in location_findings.get(position, []):
            escalate = needs_point and not points[position] and kind != "invalid"
            findings.append(replace(finding, severity="error") if escalate else finding)

    rejected = np.zeros(count, dtype=bool)
    for finding in findings:
        if finding.severity == "error":
            rejected[finding.position] = True
    # An exact repeat is reported once, as a repeat, whatever else is wrong with it.
    findings = [f for f in findings if f.position not in duplicate_of]
    for position, first in duplicate_of.items():
        rejected[position] = True
        add(
            position,
            "",
            "duplicate_row",
            "",
            f"the row repeats row {rows[first]} exactly",
            "delete one of the two",
            "error",
        )

    radius_m = []
    for position, (kind, _, radius_km, _) in enumerate(areas):
        if kind == "at_location":
            ids = categories[0][position]
            catchment = taxonomy.get(ids[0]).catchment_km if ids else uncategorised_catchment_km
            radius_m.append(catchment * 1000.0)
        elif kind == "radius_km":
            radius_m.append(radius_km * 1000.0)
        else:
            radius_m.append(math.nan)

    org_ids, service_ids = _assign_ids(rows, text, org_names, service_names, rejected, add=add)
    postcodes = _normalised_postcodes(text["postcode"])
    organisations = _organisations(
        rows,
        org_ids,
        org_names,
        kinds,
        text,
        contact_public,
        dates["last_updated"],
        postcodes,
        rejected,
        lone_organisations,
        add=add,
    )

    # Per row: errors first, then in the file's field order, the cause before its effect.
    order = {name: index for index, name in enumerate(("", *FIELD_NAMES, OTHER_LOCATIONS))}
    findings.sort(
        key=lambda f: (
            f.position,
            f.severity != "error",
            order.get(f.field, len(order)),
            f.code == "no_location",
        )
    )
    flags: list[tuple[str, ...]] = [() for _ in range(count)]
    for finding in findings:
        if finding.severity == "warning" and finding.code not in flags[finding.position]:
            flags[finding.position] += (finding.code,)

    services = pd.DataFrame(
        {
            SERVICE_ID: service_ids,
            ORG_ID: org_ids,
            SERVICE_NAME: service_names,
            DESCRIPTION: text["service_description"],
            CATEGORIES: categories[0],
            DELIVERY: deliveries,
            POSTCODE: postcodes,
            AREA_KIND: [kind for kind, _, _, _ in areas],
            AREA_VALUE: text["area_value"],
            RADIUS_M: radius_m,
            WARD_CODES: [codes for _, codes, _, _ in areas],
            CAPACITY: capacity,
            AUDIENCE: text["audience"],
            ACTIVE_FROM: _timestamps(dates["active_from"]),
            ACTIVE_UNTIL: _timestamps(dates["active_until"]),
            LAST_UPDATED: _timestamps(dates["last_updated"]),
            CONTACT_PUBLIC: contact_public,
            EMAIL: [s or o for s, o in zip(text["service_email"], text["email"], strict=True)],
            PHONE: [s or o for s, o in zip(text["service_phone"], text["phone"], strict=True)],
            WEBSITE: [
                s or o for s, o in zip(text["service_website"], text["website"], strict=True)
            ],
            FLAGS: flags,
            SOURCE_ROW: rows,
            "points": points,
        },
        index=pd.Index(rows, name="row"),
    )
    return CheckedTable(
        services=services,
        organisations=organisations,
        rejected=rejected,
        findings=tuple(findings),
        unmapped_categories=dict(unmapped.most_common()),
    )


def _timestamps(values: Sequence[pd.Timestamp | None]) -> np.ndarray:
    return pd.to_datetime(pd.Series(list(values), dtype=object)).to_numpy()


def to_problems(
    findings: Sequence[Finding], rows: Sequence[int], labels: Mapping[str, str]
) -> tuple[Problem, ...]:
    """Tie findings to the file: row numbers and the file's own column names."""
    return tuple(
        Problem(
            row=int(rows[f.position]),
            column=labels.get(f.field, f.field) if f.field else WHOLE_ROW,
            value=f.value,
            reason=f.reason,
            fix=f.fix,
            severity=f.severity,
            code=f.code,
        )
        for f in findings
    )


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


def parse_categories(text: str, taxonomy: Taxonomy) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Category ids a cell names, and the terms in it that match no category.

    Notes
    -----
    The cell is split on ``;`` (and line breaks). A piece that is a category's id, label
    or synonym maps directly; otherwise `Taxonomy.match_all` reads it as a free-text
    list ("Debt/Money"), and each part of it between ``/ , & + |`` that matches nothing
    is reported unmapped. A piece matching nothing at all is reported whole.
    """
    ids: dict[str, None] = {}
    unmapped: dict[str, None] = {}
    for piece in _PIECES.split(text):
        piece = piece.strip()
        if not piece:
            continue
        hit = taxonomy.match(piece)
        if hit is not None:
            ids[hit] = None
            continue
        found = taxonomy.match_all(piece)
        if not found:
            unmapped[piece] = None
            continue
        ids.update(dict.fromkeys(found))
        for part in _SUB_PIECES.split(piece):
            part = part.strip()
            if part and not taxonomy.match_all(part):
                unmapped[part] = None
    return tuple(ids), tuple(unmapped)


def parse_delivery(text: str) -> tuple[tuple[DeliveryMode, ...], tuple[str, ...]]:
    """Delivery modes a cell names (in the model's order), and the parts not understood."""
    found: set[DeliveryMode] = set()
    unknown: list[str] = []
    for piece in re.split(r"[;,/|\n]+|\bor\b|\band\b", text):
        piece = piece.strip()
        if not piece:
            continue
        mode = _DELIVERY_KEYS.get(header_key(piece))
        if mode is not None:
            found.add(mode)
            continue
        hits = {m for pattern, m in _DELIVERY_PATTERNS if pattern.search(piece)}
        if hits:
            found |= hits
        else:
            unknown.append(piece)
    return tuple(m for m in _DELIVERY_ORDER if m in found), tuple(unknown)


def parse_date(text: str) -> pd.Timestamp | None:
    """A date from ISO 8601 (``2024-03-31``, with or without time) or UK ``31/03/2024``."""
    value = text.strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is not None:
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return pd.Timestamp(parsed)
    match = _DAY_FIRST.fullmatch(value)
    if match:
        day, month, year = (int(group) for group in match.groups())
        year += 2000 if year < 100 else 0
        try:
            return pd.Timestamp(date(year, month, day))
        except ValueError:
            return None
    for pattern in ("%d %B %Y", "%d %b %Y", "%B %Y", "%b %Y"):
        try:
            return pd.Timestamp(datetime.strptime(value, pattern))
        except ValueError:
            continue
    return None


def parse_radius_km(text: str) -> float | None:
    """A radius in km from '2', '2 km', '1.5km', '800 m' or '3 miles'; None if not one."""
    match = _RADIUS.fullmatch(text.strip())
    if not match:
        return None
    value = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "km").lower()
    if unit.startswith("m") and not unit.startswith("mi"):
        value /= 1000.0
    elif unit.startswith("mi"):
        value *= 1.609344
    return value


def _duplicate_rows(raw_df: pd.DataFrame) -> dict[int, int]:
    """Position of each exact repeat -> position of the row it repeats."""
    hashes = pd.util.hash_pandas_object(raw_df.astype(str), index=False).to_numpy()
    first: dict[int, int] = {}
    repeats: dict[int, int] = {}
    for position, value in enumerate(hashes.tolist()):
        if value in first:
            repeats[position] = first[value]
        else:
            first[value] = position
    return repeats


def _check_names(
    text: Text, present: frozenset[str], add: AddFinding
) -> tuple[list[str], list[str]]:
    org_names, service_names = [], []
    for position, (org, service) in enumerate(
        zip(text["org_name"], text["service_name"], strict=True)
    ):
        if not org and not service:
            add(
                position,
                "org_name",
                "no_name",
                "",
                "the row has neither an organisation name nor a service name",
                "give the organisation's name (and the service's, if it runs several), or "
                "delete the row",
                "error",
            )
        elif not org:
            add(
                position,
                "org_name",
                "org_name_from_service",
                "",
                f"no organisation name; the service's name {service!r} is used",
                "give the name of the organisation that runs the service",
            )
            org = service
        elif not service:
            if "service_name" in present:
                add(
                    position,
                    "service_name",
                    "service_name_from_org",
                    "",
                    f"no service name; the organisation's name {org!r} is used",
                    "name the service, or leave it so if the organisation runs one service",
                )
            service = org
        org_names.append(org)
        service_names.append(service)
    return org_names, service_names


def _check_categories(
    values: Sequence[str], taxonomy: Taxonomy, *, is_feed: bool, add: AddFinding
) -> tuple[list[tuple[str, ...]], Counter[str]]:
    cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    ids_per_row: list[tuple[str, ...]] = []
    unmapped: Counter[str] = Counter()
    fix_terms = (
        "use category ids or synonyms from data/taxonomy.csv (e.g. food, money_advice), or "
        "add the term to a category's synonyms"
    )
    for position, value in enumerate(values):
        if value not in cache:
            cache[value] = parse_categories(value, taxonomy)
        ids, missing = cache[value]
        ids_per_row.append(ids)
        unmapped.update(missing)
        if not value:
            add(
                position,
                "categories",
                "uncategorised",
                "",
                "no category given; the service is kept as uncategorised",
                "give one or more need categories separated by ';', e.g. 'food; housing'",
            )
        elif not ids:
            add(
                position,
                "categories",
                "uncategorised",
                value,
                "no term matches a need category; the service is kept as uncategorised",
                fix_terms,
            )
        elif missing and not is_feed:
            for term in missing:
                add(
                    position,
                    "categories",
                    "unmapped_category",
                    term,
                    "matches no need category and is left out",
                    fix_terms,
                )
    return ids_per_row, unmapped


def _check_delivery(
    position: int,
    value: str,
    add: AddFinding,
    cache: dict[str, tuple[tuple[DeliveryMode, ...], tuple[str, ...]]],
) -> tuple[DeliveryMode, ...]:
    if not value:
        return ("in person",)
    if value not in cache:
        cache[value] = parse_delivery(value)
    modes, unknown = cache[value]
    for piece in unknown:
        add(
            position,
            "delivery",
            "unknown_delivery",
            piece,
            "not a delivery mode and is left out" + ("" if modes else "; 'in person' is assumed"),
            "use in person, phone, online or home delivery, separated by ';'",
        )
    return modes or ("in person",)


def _check_kind(
    position: int, value: str, *, has_charity: bool, add: AddFinding
) -> OrganisationKind:
    if not value:
        return "charity" if has_charity else "other"
    kind = _KIND_KEYS.get(header_key(value))
    if kind is None:
        add(
            position,
            "org_kind",
            "unknown_kind",
            value,
            "not a kind of organisation; 'other' is used",
            f"use one of: {', '.join(KIND_VALUES)}",
        )
        return "other"
    return kind


def _check_contacts(text: Text, add: AddFinding) -> None:
    """Email, website, phone and charity number: each distinct value judged once."""
    judges = (
        (("email", "service_email"), _judge_email),
        (("website", "service_website"), _judge_website),
        (("phone", "service_phone"), _judge_phone),
        (("charity_number",), _judge_charity_number),
    )
    for fields, judge in judges:
        verdicts: dict[str, tuple[str, str, str] | None] = {}
        for field in fields:
            for position, value in enumerate(text[field]):
                if not value:
                    continue
                if value not in verdicts:
                    verdicts[value] = judge(value)
                verdict = verdicts[value]
                if verdict is not None:
                    code, reason, fix = verdict
                    add(position, field, code, value, reason, fix)


def _judge_email(value: str) -> tuple[str, str, str] | None:
    if _EMAIL.fullmatch(value):
        return None
    return "bad_email", "not an email address", "write one address such as hello@example.org"


def _judge_website(value: str) -> tuple[str, str, str] | None:
    if _WEBSITE.fullmatch(value):
        return None
    return "bad_website", "not a web address", "write one address such as https://example.org"


def _judge_phone(value: str) -> tuple[str, str, str] | None:
    number = value.strip("\"' ")
    digits = re.sub(r"\D", "", number)
    letters = re.sub(r"(?i)\b(ext|extension|x)\b", "", number)
    if len(digits) < 3 or re.search(r"[A-Za-z]", letters):
        return (
            "bad_phone",
            "not a phone number",
            "write digits, spaces and an optional leading +, e.g. 0117 496 0123",
        )
    if number.isdigit() and len(number) == 10 and number[0] != "0":
        return (
            "phone_lost_zero",
            "looks like a UK number whose leading 0 a spreadsheet dropped",
            f"write it as 0{number}, and format the column as text",
        )
    return None


def _judge_charity_number(value: str) -> tuple[str, str, str] | None:
    compact = re.sub(r"[\s.]", "", value.upper())
    compact = re.sub(r"^(NO|REG(ISTERED)?(CHARITY)?(NO|NUMBER)?)[:#]?", "", compact)
    if _CHARITY.fullmatch(compact):
        return None
    return (
        "bad_charity_number",
        "not a registered charity number",
        "write the number as registered, e.g. 1234567 (England and Wales), SC012345 "
        "(Scotland) or NIC100002 (Northern Ireland), or leave it empty",
    )


def _check_bool(position: int, value: str, *, default: bool, add: AddFinding) -> bool:
    if not value:
        return default
    key = value.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    add(
        position,
        "contact_public",
        "bad_contact_public",
        value,
        f"not yes or no; {'yes' if default else 'no'} is assumed",
        "write yes (contact details may be shown publicly) or no",
    )
    return default


def _check_capacity(position: int, value: str, add: AddFinding) -> float:
    if not value:
        return 1.0
    match = _CAPACITY.fullmatch(value.strip())
    number = float(match.group(1).replace(",", "")) if match else math.nan
    if not math.isfinite(number) or number <= 0:
        add(
            position,
            "capacity",
            "bad_capacity",
            value,
            "not a positive number of people per week; 1 is used",
            "write a number such as 40, or leave it empty",
        )
        return 1.0
    return number


def _check_date(
    position: int,
    field: str,
    value: str,
    add: AddFinding,
    cache: dict[str, pd.Timestamp | None],
) -> pd.Timestamp | None:
    if value not in cache:
        cache[value] = parse_date(value)
    parsed = cache[value]
    if value and parsed is None:
        add(
            position,
            field,
            "bad_date",
            value,
            "not a date; left empty",
            "write the date as YYYY-MM-DD, e.g. 2025-03-31",
        )
    return parsed


def _check_periods(
    dates: Mapping[str, list[pd.Timestamp | None]], text: Text, today: date, add: AddFinding
) -> None:
    for position, (start, end) in enumerate(
        zip(dates["active_from"], dates["active_until"], strict=True)
    ):
        if start is not None and end is not None and start > end:
            add(
                position,
                "active_until",
                "dates_reversed",
                text["active_until"][position],
                f"the service ends before it starts ({text['active_from'][position]})",
                "swap active_from and active_until, or correct one of them",
            )
        elif end is not None and end.date() < today:
            add(
                position,
                "active_until",
                "ended",
                text["active_until"][position],
                f"the service ended before {today.isoformat()}; it is kept but flagged",
                "remove the row if the service has stopped, or correct active_until",
            )


def _locate_rows(
    text: Text, others: Sequence[tuple[tuple[str, str, str], ...]], shape: AreaShape
) -> tuple[list[tuple[tuple[float, float], ...]], dict[int, list[Finding]]]:
    """Points of every row (first = its location) and location findings by row position."""
    postcodes, latitudes, longitudes, owners, is_main = [], [], [], [], []
    for position in range(len(text["postcode"])):
        postcodes.append(text["postcode"][position])
        latitudes.append(text["latitude"][position])
        longitudes.append(text["longitude"][position])
        owners.append(position)
        is_main.append(True)
        for postcode, lat, lon in others[position] or ():
            postcodes.append(postcode)
            latitudes.append(lat)
            longitudes.append(lon)
            owners.append(position)
            is_main.append(False)
    located = locate(postcodes, latitudes, longitudes, shape=shape)
    points: list[tuple[tuple[float, float], ...]] = [() for _ in range(len(text["postcode"]))]
    for index, owner in enumerate(owners):
        if not math.isnan(located.easting[index]):
            points[owner] += ((float(located.easting[index]), float(located.northing[index])),)
    by_row: dict[int, list[Finding]] = {}
    for finding in located.findings:
        owner = owners[finding.position]
        if is_main[finding.position]:
            moved = replace(finding, position=owner)
        else:
            moved = replace(
                finding,
                position=owner,
                field=OTHER_LOCATIONS,
                reason=f"another location of the service: {finding.reason}",
            )
        by_row.setdefault(owner, []).append(moved)
    return points, by_row


def _resolve_area(
    position: int,
    *,
    kind_text: str,
    value_text: str,
    delivery: tuple[DeliveryMode, ...],
    has_point: bool,
    location_findings: list[Finding],
    shape: AreaShape,
    add: AddFinding,
) -> tuple[str, tuple[str, ...], float, bool]:
    """(kind, ward codes, radius km, needs a point) of one row; 'invalid' when rejected."""
    remote = set(delivery) <= {"phone", "online"}
    default = "citywide" if remote else "at_location"
    kinds = ", ".join(AREA_KINDS)
    if kind_text:
        kind = _AREA_KEYS.get(header_key(kind_text))
        if kind is None:
            add(
                position,
                "area_served",
                "unknown_area_kind",
                kind_text,
                "not a kind of area served",
                f"use one of: {kinds} (or leave it empty)",
                "error",
            )
            return "invalid", (), math.nan, False
    elif value_text:
        radius = parse_radius_km(value_text)
        if radius is not None:
            kind = "radius_km"
        elif _is_citywide(value_text, shape):
            kind = "citywide"
        else:
            codes, unmatched = _match_wards(value_text, shape)
            if codes:
                _warn_unmatched_wards(position, unmatched, add)
                return "wards", codes, math.nan, False
            add(
                position,
                "area_value",
                "area_not_understood",
                value_text,
                "names no ward of the area and no radius; the default area is used "
                f"({'citywide' if default == 'citywide' else 'around the location'})",
                f"set area_served to one of {kinds}, and list ward names separated by ';'",
            )
            kind = default
            value_text = ""
    else:
        kind = default

    if kind == "citywide":
        if kind_text and value_text and not _is_citywide(value_text, shape):
            _value_ignored(position, value_text, "citywide", add)
        return "citywide", (), math.nan, False
    if kind == "wards":
        codes, unmatched = _match_wards(value_text, shape)
        if not codes:
            add(
                position,
                "area_value",
                "no_ward_matched",
                value_text,
                f"names no ward of {shape.name}" if value_text else "no wards are listed",
                "list ward names or codes separated by ';', e.g. 'Easton; Lawrence Hill'",
                "error",
            )
            return "invalid", (), math.nan, False
        _warn_unmatched_wards(position, unmatched, add)
        return "wards", codes, math.nan, False
    radius_km = math.nan
    if kind == "radius_km":
        parsed = parse_radius_km(value_text)
        if parsed is None or parsed <= 0:
            add(
                position,
                "area_value",
                "bad_radius",
                value_text,
                "area served is radius_km but this is not a radius above 0",
                "write the radius in kilometres, e.g. 2",
                "error",
            )
            return "invalid", (), math.nan, False
        radius_km = parsed
    elif kind_text and value_text:
        _value_ignored(position, value_text, "at_location", add)
    explicit = bool(kind_text) or kind == "radius_km"
    if not has_point and not location_findings:
        if explicit:
            add(
                position,
                "postcode",
                "no_location",
                "",
                f"area served is {kind} but the row has no postcode or coordinates",
                "give a postcode (or latitude and longitude), or set area_served to wards "
                "or citywide",
                "error",
            )
        else:
            add(
                position,
                "postcode",
                "no_location",
                "",
                "no postcode or coordinates and no area served: the service is kept, but "
                "covers nobody until it has one",
                "give a postcode (or latitude and longitude), or an area served (wards or "
                "citywide)",
            )
    elif not has_point and not explicit:
        add(
            position,
            "postcode",
            "no_location",
            "",
            "no usable location and no area served: the service is kept, but covers nobody "
            "until it has one",
            "correct the location, or give an area served (wards or citywide)",
        )
    return kind, (), radius_km, explicit


def _value_ignored(position: int, value: str, kind: str, add: AddFinding) -> None:
    add(
        position,
        "area_value",
        "area_value_ignored",
        value,
        f"area served is {kind}, which takes no value; the value is ignored",
        "use radius_km for a radius of your own or wards for a list of wards, or clear the value",
    )


def _warn_unmatched_wards(position: int, unmatched: Sequence[str], add: AddFinding) -> None:
    for piece in unmatched:
        add(
            position,
            "area_value",
            "unmatched_wards",
            piece,
            "is not a ward of the area and is left out",
            "check the spelling against the ward list (docs/data-format.md), or use the "
            "ward code (E05…)",
        )


def _match_wards(text: str, shape: AreaShape) -> tuple[tuple[str, ...], tuple[str, ...]]:
    codes: dict[str, None] = {}
    unmatched: list[str] = []
    for piece in _WARD_PIECES.split(text):
        piece = piece.strip()
        if not piece:
            continue
        key = header_key(piece)
        code = shape.ward_keys.get(key) or shape.ward_keys.get(re.sub(r"ward$", "", key))
        if code is None:
            unmatched.append(piece)
        else:
            codes[code] = None
    return tuple(codes), tuple(unmatched)


def _is_citywide(text: str, shape: AreaShape) -> bool:
    key = header_key(text)
    return key in _CITYWIDE_KEYS or key in shape.authority_keys


def _normalised_postcodes(values: Sequence[str]) -> list[str]:
    """Postcodes in standard form, ``""`` where none or a malformed one is given."""
    out = []
    cache: dict[str, str] = {}
    for value in values:
        if value not in cache:
            try:
                cache[value] = normalise_postcode(value) if value else ""
            except PostcodeFormatError:
                cache[value] = ""
        out.append(cache[value])
    return out


def _assign_ids(
    rows: Sequence[int],
    text: Text,
    org_names: Sequence[str],
    service_names: Sequence[str],
    rejected: np.ndarray,
    *,
    add: AddFinding,
) -> tuple[list[str], list[str]]:
    """Organisation and service ids: given ones kept, missing ones made from names."""
    count = len(rows)
    given_org = text["org_id"]
    given_service = text["service_id"]
    reserved_orgs = {value for value in given_org if value}
    # A row without an id joins the organisation whose id is given and whose (first
    # accepted) name is the same.
    first_name: dict[str, str] = {}
    for position in range(count):
        if given_org[position] and not rejected[position]:
            first_name.setdefault(given_org[position], name_key(org_names[position]))
    org_by_name: dict[str, str] = {}
    for org_id, key in first_name.items():
        if key:
            org_by_name.setdefault(key, org_id)
    used_orgs = set(reserved_orgs)
    org_suffix: dict[str, int] = {}
    org_ids: list[str] = []
    for position in range(count):
        if given_org[position]:
            org_ids.append(given_org[position])
            continue
        key = name_key(org_names[position]) or slugify(org_names[position])
        if key not in org_by_name:
            org_by_name[key] = _unique(slugify(org_names[position]), used_orgs, org_suffix)
        org_ids.append(org_by_name[key])

    reserved_services = {value for value in given_service if value}
    used_services = set(reserved_services)
    service_suffix: dict[str, int] = {}
    first_row: dict[str, int] = {}
    service_ids: list[str] = []
    for position in range(count):
        given = given_service[position]
        if given and not rejected[position]:
            if given in first_row:
                new_id = _unique(given, used_services, service_suffix)
                add(
                    position,
                    "service_id",
                    "duplicate_id",
                    given,
                    f"the service id is also on row {rows[first_row[given]]}; this row's "
                    f"service is given id {new_id!r}",
                    "give each service its own id",
                )
                service_ids.append(new_id)
                continue
            first_row[given] = position
            used_services.add(given)
            service_ids.append(given)
        elif given:
            service_ids.append(given)
        else:
            org_slug = org_ids[position]
            service_slug = slugify(service_names[position])
            base = (
                org_slug
                if service_slug == slugify(org_names[position])
                else (f"{org_slug}--{service_slug}")
            )
            service_ids.append(_unique(base, used_services, service_suffix))
    return org_ids, service_ids


def _unique(base: str, used: set[str], next_suffix: dict[str, int]) -> str:
    """``base``, or ``base-N`` with the lowest free N; ``next_suffix`` remembers N per base
    so that many rows with one name stay linear rather than quadratic."""
    candidate, number = base, next_suffix.get(base, 2)
    if candidate in used:
        candidate = f"{base}-{number}"
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    next_suffix[base] = number + 1 if candidate != base else number
    used.add(candidate)
    return candidate


def _organisations(
    rows: Sequence[int],
    org_ids: Sequence[str],
    org_names: Sequence[str],
    kinds: Sequence[OrganisationKind],
    text: Text,
    contact_public: Sequence[bool],
    last_updated: Sequence[pd.Timestamp | None],
    postcodes: Sequence[str],
    rejected: np.ndarray,
    lone_organisations: pd.DataFrame | None,
    *,
    add: AddFinding,
) -> pd.DataFrame:
    """One row per organisation of the accepted rows; conflicts and probable duplicates."""
    records: dict[str, dict[str, object]] = {}
    first_position: dict[str, int] = {}
    for position, org_id in enumerate(org_ids):
        if rejected[position]:
            continue
        if org_id not in records:
            first_position[org_id] = position
            records[org_id] = {
                ORG_ID: org_id,
                ORG_NAME: org_names[position],
                ORG_KIND: kinds[position],
                CHARITY_NUMBER: text["charity_number"][position],
                WEBSITE: text["website"][position],
                EMAIL: text["email"][position],
                PHONE: text["phone"][position],
                DESCRIPTION: text["org_description"][position],
                LAST_UPDATED: last_updated[position],
                CONTACT_PUBLIC: contact_public[position],
            }
            continue
        record = records[org_id]
        first = first_position[org_id]
        if name_key(org_names[position]) != name_key(str(record[ORG_NAME])):
            add(
                position,
                "org_name",
                "conflicting_org",
                org_names[position],
                f"organisation id {org_id!r} is named {record[ORG_NAME]!r} on row "
                f"{rows[first]}; the organisation keeps that row's details",
                "use one name per organisation id, or give the other organisation its own id",
            )
        charity = text["charity_number"][position]
        if charity and record[CHARITY_NUMBER] and charity != record[CHARITY_NUMBER]:
            add(
                position,
                "charity_number",
                "conflicting_org",
                charity,
                f"organisation id {org_id!r} has charity number {record[CHARITY_NUMBER]!r} on "
                f"row {rows[first]}; the organisation keeps that row's details",
                "use one charity number per organisation",
            )
        stamp = last_updated[position]
        if stamp is not None and (record[LAST_UPDATED] is None or stamp > record[LAST_UPDATED]):
            record[LAST_UPDATED] = stamp

    by_charity: dict[str, str] = {}
    by_name_postcode: dict[tuple[str, str], str] = {}
    for org_id, record in records.items():
        position = first_position[org_id]
        charity_key = re.sub(r"[^0-9A-Z]", "", str(record[CHARITY_NUMBER]).upper())
        if charity_key:
            other = by_charity.setdefault(charity_key, org_id)
            if other != org_id:
                add(
                    position,
                    "charity_number",
                    "probable_duplicate_org",
                    str(record[CHARITY_NUMBER]),
                    f"organisation {org_id!r} has the same charity number as organisation "
                    f"{other!r} (row {rows[first_position[other]]}): probably the same "
                    "organisation",
                    "give both rows the same organisation id if they are one organisation",
                )
                continue
        if postcodes[position]:
            key = (name_key(str(record[ORG_NAME])), postcodes[position])
            other = by_name_postcode.setdefault(key, org_id)
            if other != org_id:
                add(
                    position,
                    "org_name",
                    "probable_duplicate_org",
                    str(record[ORG_NAME]),
                    f"organisation {org_id!r} has the same name and postcode as organisation "
                    f"{other!r} (row {rows[first_position[other]]}): probably the same "
                    "organisation",
                    "give both rows the same organisation id if they are one organisation",
                )

    if lone_organisations is not None:
        for _, lone in lone_organisations.iterrows():
            name = str(lone["org_name"]).strip()
            if not name:
                continue
            org_id = str(lone["org_id"]).strip() or _unique(slugify(name), set(records), {})
            if org_id in records:
                continue
            kind = _KIND_KEYS.get(header_key(str(lone["org_kind"])), "other")
            records[org_id] = {
                ORG_ID: org_id,
                ORG_NAME: name,
                ORG_KIND: "charity" if lone["charity_number"] and kind == "other" else kind,
                CHARITY_NUMBER: str(lone["charity_number"]).strip(),
                WEBSITE: str(lone["website"]).strip(),
                EMAIL: str(lone["email"]).strip(),
                PHONE: str(lone["phone"]).strip(),
                DESCRIPTION: str(lone["org_description"]).strip(),
                LAST_UPDATED: None,
                CONTACT_PUBLIC: True,
            }
    frame = pd.DataFrame(list(records.values()), columns=list(ORG_COLUMNS))
    frame[LAST_UPDATED] = pd.to_datetime(pd.Series(frame[LAST_UPDATED], dtype=object))
    frame[CONTACT_PUBLIC] = frame[CONTACT_PUBLIC].astype(bool)
    return frame.reset_index(drop=True)
