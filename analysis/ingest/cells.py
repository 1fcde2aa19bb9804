"""Read one cell: its text (or a feed's typed value) in, a value and the issues found out.

Each ``read_*`` function returns ``(value, issues)``; each ``judge_*`` function returns the
issues alone. Nothing here knows the row or the column: `analysis.ingest.check` ties the
issues to them, and reads each distinct cell once.

A spreadsheet cell is text (``"food; housing"``); an Open Referral UK feed gives what it
lists as a tuple (its taxonomy terms, attending types, service areas and further
locations), which is read as it is and never joined and split again.

The word lists map the words people write to the model's terms: each term always stands
for itself, and the words beside it are free text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Final, NamedTuple, TypeVar

import pandas as pd

from analysis.escape import undo_spreadsheet_cell
from analysis.ingest.fields import FIELD_NAMES, word_list
from analysis.ingest.import_report import Issue
from analysis.ingest.mapping import header_key
from analysis.model import (
    ACTIVE_FROM,
    ACTIVE_UNTIL,
    BY_PHONE,
    CHARITY_KIND,
    CIC_KIND,
    DELIVERY_MODES,
    FAITH_GROUP_KIND,
    FIELD_OTHER_LOCATIONS,
    HOME_DELIVERY,
    IN_PERSON,
    LIST_SEPARATOR,
    MUTUAL_AID_KIND,
    ONLINE,
    ORGANISATION_KINDS,
    OTHER_KIND,
    STATUTORY_KIND,
    DeliveryMode,
    OrganisationKind,
)
from analysis.taxonomy import Taxonomy, TermsRead, term_key
from analysis.vocabulary_map import BROAD

T = TypeVar("T")


class Place(NamedTuple):
    """A location as a file gives it: a postcode and WGS84 coordinates, as text ('' = none)."""

    postcode: str = ""
    latitude: str = ""
    longitude: str = ""


Terms = tuple[str, ...]
"""The values a feed lists for one field (taxonomy terms, attending types, service areas)."""


class FeedTerm(NamedTuple):
    """A feed's taxonomy term: its name and, when the feed gives them, its vocabulary and id.

    ``code`` is the term's code, URI or id as written (``"298"``,
    ``"http://id.esd.org.uk/service/298"``, a Family Hubs GUID): the category is looked up
    by it first (`analysis.taxonomy.Taxonomy.match_code`), and by ``name`` when it is unknown.
    """

    name: str
    vocabulary: str = ""
    code: str = ""


CategoryTerms = tuple[str | FeedTerm, ...]
"""A feed's taxonomy terms: names, or `FeedTerm` where the feed gives an id."""

Cell = str | bool | Terms | CategoryTerms | tuple[Place, ...]
"""What a cell of a table to check holds: text, or a feed's typed value."""

Issues = tuple[Issue, ...]

Cells = Mapping[str, list[Cell]]
"""Field -> the cell of every row of a table."""

_DELIVERY_WORDS: Final[dict[DeliveryMode, str]] = {
    IN_PERSON: (
        "face to face, f2f, venue, at a venue, at venue, drop in, walk in, on site, "
        "onsite, group, groups, centre"
    ),
    BY_PHONE: "telephone, by phone, phone line, helpline, calls, phone calls",
    ONLINE: (
        "web, website, internet, video, video call, video calls, zoom, remote, remotely, "
        "virtual, email, digital"
    ),
    HOME_DELIVERY: (
        "delivery, delivered, home visit, home visits, home visiting, at home, "
        "doorstep, home, outreach"
    ),
}
# Tried when no word matches a whole piece: delivery written as a sentence.
_DELIVERY_PATTERNS: Final[tuple[tuple[re.Pattern[str], DeliveryMode], ...]] = (
    (re.compile(r"in[- ]?person|face[- ]to[- ]face|venue|drop[- ]in|attend", re.I), IN_PERSON),
    (re.compile(r"tele?phone|\bphone|helpline|\bcalls?\b", re.I), BY_PHONE),
    (re.compile(r"online|video|remote|internet|zoom|virtual|\bweb", re.I), ONLINE),
    (
        re.compile(r"home (visit|deliver)|deliver(ed|y) to|doorstep|at home|in your home", re.I),
        HOME_DELIVERY,
    ),
)
_KIND_WORDS: Final[dict[OrganisationKind, str]] = {
    CHARITY_KIND: (
        "registered charity, charitable, cio, charitable incorporated organisation, "
        "charitable incorporated organization, charitable trust, charitable company, trust"
    ),
    CIC_KIND: "cic, community interest company",
    MUTUAL_AID_KIND: "mutual aid, mutual aid network, covid mutual aid",
    FAITH_GROUP_KIND: (
        "faith, faith based, faith based organisation, faith organisation, "
        "religious, church, mosque, gurdwara, temple, synagogue"
    ),
    STATUTORY_KIND: "statutory service, council, local authority, nhs, public sector, government",
    OTHER_KIND: (
        "community group, voluntary group, voluntary organisation, social enterprise, "
        "company, limited company, cooperative, co op, unincorporated association, business"
    ),
}
_YES_WORDS: Final = frozenset(word_list("yes, y, true, t, 1, public, x, ok, ✓, ✔"))
_NO_WORDS: Final = frozenset(
    word_list("no, n, false, f, 0, private, professionals only, not public, internal")
)
# Open Referral UK's statuses of a service that is not running, and words for them.
_INACTIVE_WORDS: Final = frozenset(word_list("inactive, defunct, temporarily closed, closed"))

_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_WEBSITE: Final = re.compile(r"(https?://)?[^\s/]+\.[^\s]+", re.I)
_CHARITY: Final = re.compile(r"\d{6,8}(-\d{1,3})?|SC0?\d{5,6}|NIC?\d{5,6}|CHC\d{4,6}")
_RADIUS: Final = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(km|kms|kilometres?|kilometers?|k|m|metres?|meters?|mi|miles?)?",
    re.I,
)
UNKNOWN_CAPACITY: Final = "unknown_capacity"
_CAPACITY: Final = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(?:people)?\s*(?:(?:per|a|/)\s*week|pw|weekly)?", re.I
)
_DAY_FIRST: Final = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_CATEGORY_PIECES: Final = re.compile(r"[;\n]+")
# Parts of a free-text category list ("Debt/Money"), each reported when it maps to nothing.
_CATEGORY_PARTS: Final = re.compile(r"[/,&+|;\n]")
_DELIVERY_PIECES: Final = re.compile(r"[;,/|\n]+|\bor\b|\band\b")
UNCATEGORISED: Final = "uncategorised"
"""Problem code of a row whose categories cell names no need category."""
UNCATEGORISED_TERM: Final = "unmapped_category"
"""Problem code of a term that names no need category beside terms that do."""
_CATEGORY_FIX: Final = (
    "use category ids or synonyms from data/taxonomy.csv (e.g. food, money_advice), or add "
    "the term to a category's synonyms"
)


def word_keys(terms: tuple[T, ...], words: Mapping[T, str]) -> dict[str, T]:
    """Comparison key (`header_key`) of each term and of the words meaning it -> the term."""
    keys: dict[str, T] = {}
    for term in terms:
        for word in (str(term), *word_list(words.get(term, ""))):
            keys.setdefault(header_key(word), term)
    return keys


_DELIVERY_KEYS: Final = word_keys(DELIVERY_MODES, _DELIVERY_WORDS)
_KIND_KEYS: Final = word_keys(ORGANISATION_KINDS, _KIND_WORDS)


def table_cells(table_df: pd.DataFrame) -> dict[str, list[Cell]]:
    """Every field's cells, stripped (a feed's values too); a field the table lacks is
    empty on every row. The apostrophe our own exports put before a formula start goes,
    so a rejected-rows file reads back as the user typed it."""
    empty: dict[str, Cell] = {FIELD_OTHER_LOCATIONS: ()}
    return {
        name: [
            undo_spreadsheet_cell(cell.strip()) if isinstance(cell, str) else _stripped(cell)
            for cell in table_df[name].tolist()
        ]
        if name in table_df
        else [empty.get(name, "")] * len(table_df)
        for name in (*FIELD_NAMES, FIELD_OTHER_LOCATIONS)
    }


def _stripped(cell: object) -> Cell:
    if isinstance(cell, tuple):
        return tuple(item.strip() if isinstance(item, str) else item for item in cell)
    return cell if isinstance(cell, bool) else str(cell).strip()


def cell_text(cell: str | Terms) -> str:
    """The cell as text for a message or a column: a feed's values joined with ``; ``."""
    return LIST_SEPARATOR.join(cell) if isinstance(cell, tuple) else cell


def listed(terms: tuple[str, ...], *, last: str = "or") -> str:
    """Terms in words: ``"in person, phone, online or home delivery"``."""
    return f"{', '.join(terms[:-1])} {last} {terms[-1]}" if len(terms) > 1 else "".join(terms)


def parse_categories(cell: str | CategoryTerms, taxonomy: Taxonomy) -> TermsRead:
    """The category ids a cell names, its broad terms, and its terms that match nothing.

    Notes
    -----
    Text is split on ``;`` (and line breaks); a feed's terms are taken one by one, each
    by its vocabulary and id first when it has one (`FeedTerm`), else by its name. A name
    is read by `Taxonomy.read_terms`: a category's id, label or synonym maps directly, a
    broad term ("Advice") maps to no category and is kept as broad, and a free-text list
    ("Debt/Money") is split, each part between ``/ , & + | ;`` that names nothing being
    reported unmapped. A term naming nothing at all is reported whole.
    """
    ids: dict[str, None] = {}
    broad: dict[str, None] = {}
    unmapped: dict[str, None] = {}
    terms = cell if isinstance(cell, tuple) else _CATEGORY_PIECES.split(cell)
    for term in terms:
        read = _read_term(term, taxonomy)
        ids.update(dict.fromkeys(read.ids))
        broad.update(dict.fromkeys(read.broad))
        unmapped.update(dict.fromkeys(read.unmapped))
    return TermsRead(tuple(ids), tuple(broad), tuple(unmapped))


def _read_term(term: str | FeedTerm, taxonomy: Taxonomy) -> TermsRead:
    """One term: by its vocabulary and id when the feed gives one the map knows, else by name."""
    if isinstance(term, FeedTerm):
        by_code = taxonomy.match_code(term.vocabulary, term.code) if term.code else None
        name = term.name.strip() or term.code.strip()
        if by_code == BROAD:
            return TermsRead(broad=(name,))
        if by_code is not None:
            return TermsRead(ids=(by_code,))
        return taxonomy.read_terms(name) if name else TermsRead()
    text = term.strip()
    return taxonomy.read_terms(text) if text else TermsRead()


def category_text(cell: str | CategoryTerms) -> str:
    """A categories cell as text: a feed's term names joined with ``; ``."""
    if isinstance(cell, tuple):
        return LIST_SEPARATOR.join(t.name if isinstance(t, FeedTerm) else t for t in cell)
    return cell


def read_categories(
    cell: str | CategoryTerms, taxonomy: Taxonomy, *, is_feed: bool = False
) -> tuple[TermsRead, Issues]:
    """``(what the cell names, issues)`` of a categories cell (see `parse_categories`).

    A cell naming no category gives the ``uncategorised`` warning (`uncategorised_issue`).
    A feed's unmapped terms are not issues of the service when another of its terms maps:
    feeds use wide vocabularies, and the report lists every unmapped term anyway. Broad
    terms beside a category are no issue either: the report counts them.
    """
    read = parse_categories(cell, taxonomy)
    if not read.ids:
        return read, (uncategorised_issue(read, category_text(cell), taxonomy),)
    if is_feed:
        return read, ()
    reason = "matches no need category and is left out"
    return read, tuple(
        Issue(UNCATEGORISED_TERM, term, reason, _CATEGORY_FIX) for term in read.unmapped
    )


def uncategorised_issue(read: TermsRead, text: str, taxonomy: Taxonomy) -> Issue:
    """The warning of a row whose categories cell ``text`` names no need category."""
    if not text:
        return Issue(
            UNCATEGORISED,
            "",
            "no category given; the service is kept as uncategorised",
            "give one or more need categories separated by ';', e.g. 'food; housing'",
        )
    if not read.broad:
        reason = "no term matches a need category; the service is kept as uncategorised"
        return Issue(UNCATEGORISED, text, reason, _CATEGORY_FIX)
    words = ", ".join(map(repr, read.broad))
    # A broad word that is an id's word ("Language") names that category when written as
    # its id: say so, since the user may have meant it.
    ids = [c for c in taxonomy.ids() if any(term_key(c) == term_key(b) for b in read.broad)]
    as_id = f" (write the id {ids[0]!r} for that category)" if ids else ""
    return Issue(
        UNCATEGORISED,
        text,
        f"its terms are broad and name no specific need ({words}); the service is kept as "
        "uncategorised",
        f"give a specific need category, e.g. food or money_advice{as_id}",
    )


def parse_delivery(cell: str | Terms) -> tuple[tuple[DeliveryMode, ...], Terms]:
    """Delivery modes a cell names (in the model's order), and the parts not understood."""
    found: set[DeliveryMode] = set()
    unknown: list[str] = []
    values = cell if isinstance(cell, tuple) else (cell,)
    for value in values:
        for piece in (piece.strip() for piece in _DELIVERY_PIECES.split(value)):
            if not piece:
                continue
            mode = _DELIVERY_KEYS.get(header_key(piece))
            hits = {mode} if mode is not None else _delivery_in_words(piece)
            found |= hits
            if not hits:
                unknown.append(piece)
    return tuple(m for m in DELIVERY_MODES if m in found), tuple(unknown)


def _delivery_in_words(text: str) -> set[DeliveryMode]:
    """The modes a sentence mentions ('we ring you, or visit at home')."""
    return {mode for pattern, mode in _DELIVERY_PATTERNS if pattern.search(text)}


def read_delivery(cell: str | Terms) -> tuple[tuple[DeliveryMode, ...], Issues]:
    """The delivery modes of a cell; in person when it names none."""
    modes, unknown = parse_delivery(cell)
    assumed = "" if modes else f"; '{IN_PERSON}' is assumed"
    issues = tuple(
        Issue(
            "unknown_delivery",
            piece,
            f"not a delivery mode and is left out{assumed}",
            f"use {listed(DELIVERY_MODES)}, separated by ';'",
        )
        for piece in unknown
    )
    return modes or (IN_PERSON,), issues


def kind_from_words(text: str) -> OrganisationKind | None:
    """The organisation kind that ``text`` names ('CIO', 'church', 'NHS'…), else None."""
    return _KIND_KEYS.get(header_key(text))


def default_kind(*, has_charity_number: bool) -> OrganisationKind:
    """The kind of an organisation whose kind is not given: a charity when it has a number."""
    return CHARITY_KIND if has_charity_number else OTHER_KIND


def read_kind(text: str) -> tuple[OrganisationKind | None, Issues]:
    """The organisation kind a cell names; None when blank (see `default_kind`)."""
    if not text:
        return None, ()
    kind = kind_from_words(text)
    if kind is not None:
        return kind, ()
    issue = Issue(
        "unknown_kind",
        text,
        f"not a kind of organisation; '{OTHER_KIND}' is used",
        f"use one of: {', '.join(ORGANISATION_KINDS)}",
    )
    return OTHER_KIND, (issue,)


def read_contact_public(cell: str | bool, *, default: bool) -> tuple[bool, Issues]:
    """Whether contact details may be shown publicly; ``default`` when blank or unclear."""
    if isinstance(cell, bool):
        return cell, ()
    key = cell.strip().lower()
    if not key:
        return default, ()
    if key in _YES_WORDS or key in _NO_WORDS:
        return key in _YES_WORDS, ()
    issue = Issue(
        "bad_contact_public",
        cell,
        f"not yes or no; {'yes' if default else 'no'} is assumed",
        "write yes (contact details may be shown publicly) or no",
    )
    return default, (issue,)


def read_capacity(text: str) -> tuple[float, Issues]:
    """People per week ('40', '40 per week', '1,200'); NaN (unknown) when blank or unclear.

    An unknown capacity is never read as a number: the analysis counts it at its
    category's median (`analysis.provision.supply`) and says how much supply is imputed.
    """
    if not text:
        return math.nan, (
            Issue(
                UNKNOWN_CAPACITY,
                text,
                "no capacity given, so it is unknown: the analysis counts it at the median "
                "capacity of its category's services in this file",
                "give the number of people the service can help per week, e.g. 40",
            ),
        )
    match = _CAPACITY.fullmatch(text.strip())
    number = float(match.group(1).replace(",", "")) if match else math.nan
    if math.isfinite(number) and number > 0:
        return number, ()
    issue = Issue(
        "bad_capacity",
        text,
        "not a positive number of people per week, so it is unknown: the analysis counts it "
        "at the median capacity of its category's services in this file",
        "write a number such as 40 (left empty, it counts as unknown)",
    )
    return math.nan, (issue,)


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


def read_date(text: str) -> tuple[pd.Timestamp | None, Issues]:
    """The date of a cell (see `parse_date`); None when blank or not a date."""
    parsed = parse_date(text)
    if parsed is not None or not text:
        return parsed, ()
    issue = Issue(
        "bad_date",
        text,
        "not a date; left empty",
        "write the date as YYYY-MM-DD, e.g. 2025-03-31",
    )
    return None, (issue,)


def judge_period(
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    *,
    start_text: str,
    end_text: str,
    today: date,
) -> Issues:
    """Issues of a service's active period: it ends before it starts, or has ended."""
    if start is not None and end is not None and start > end:
        issue = Issue(
            "dates_reversed",
            end_text,
            f"the service ends before it starts ({start_text})",
            f"swap {ACTIVE_FROM} and {ACTIVE_UNTIL}, or correct one of them",
        )
        return (issue,)
    if end is not None and end.date() < today:
        issue = Issue(
            "ended",
            end_text,
            f"the service ended before {today.isoformat()}; it is kept but flagged",
            f"remove the row if the service has stopped, or correct {ACTIVE_UNTIL}",
        )
        return (issue,)
    return ()


def judge_status(text: str) -> Issues:
    """An issue when the feed's status says the service is not running."""
    status = text.lower()
    if status not in _INACTIVE_WORDS:
        return ()
    issue = Issue(
        "inactive",
        text,
        f"the feed marks the service {status}; it is kept but flagged",
        "remove it from the feed if it has stopped, or set its status to active",
    )
    return (issue,)


def judge_email(text: str) -> Issues:
    """An issue when ``text`` is not one email address."""
    if not text or _EMAIL.fullmatch(text):
        return ()
    fix = "write one address such as hello@example.org"
    return (Issue("bad_email", text, "not an email address", fix),)


def judge_website(text: str) -> Issues:
    """An issue when ``text`` is not one web address."""
    if not text or _WEBSITE.fullmatch(text):
        return ()
    fix = "write one address such as https://example.org"
    return (Issue("bad_website", text, "not a web address", fix),)


def judge_phone(text: str) -> Issues:
    """An issue when ``text`` is not a phone number, or lost its leading 0 in a spreadsheet."""
    if not text:
        return ()
    number = text.strip("\"' ")
    digits = re.sub(r"\D", "", number)
    letters = re.sub(r"(?i)\b(ext|extension|x)\b", "", number)
    if len(digits) < 3 or re.search(r"[A-Za-z]", letters):
        fix = "write digits, spaces and an optional leading +, e.g. 0117 496 0123"
        return (Issue("bad_phone", text, "not a phone number", fix),)
    if number.isdigit() and len(number) == 10 and number[0] != "0":
        reason = "looks like a UK number whose leading 0 a spreadsheet dropped"
        fix = f"write it as 0{number}, and format the column as text"
        return (Issue("phone_lost_zero", text, reason, fix),)
    return ()


def judge_charity_number(text: str) -> Issues:
    """An issue when ``text`` is not a charity number of a UK register."""
    compact = re.sub(r"[\s.]", "", text.upper())
    compact = re.sub(r"^(NO|REG(ISTERED)?(CHARITY)?(NO|NUMBER)?)[:#]?", "", compact)
    if not text or _CHARITY.fullmatch(compact):
        return ()
    fix = (
        "write the number as registered, e.g. 1234567 (England and Wales), SC012345 "
        "(Scotland) or NIC100002 (Northern Ireland), or leave it empty"
    )
    return (Issue("bad_charity_number", text, "not a registered charity number", fix),)


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
