"""The template's fields, the column names spreadsheets use for them, and the column mapping.

A spreadsheet kept by a support body rarely uses the template's headers: it says
'Organisation', 'Post Code', 'lng' or 'What we do'. :func:`guess_mapping` matches headers
to fields through each field's synonyms; what it cannot match the user maps (the
dashboard pre-fills a mapping step with the guesses; the CLI reads ``--columns
mapping.json``, see :func:`load_column_mapping`). :func:`resolve_mapping` combines the
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
from analysis.model import NAME_FIELDS, FieldGroup


@dataclass(frozen=True)
class Field:
    """One field of the template.

    Attributes
    ----------
    name
        The template's column header and the key of a column mapping.
    label
        Short human name.
    group
        Whether it describes the organisation or the service.
    description
        What to write in it (the template guide and docs/data-format.md show it).
    example
        An example value.
    synonyms
        Other headers meaning this field, compared ignoring case, spaces and punctuation.
    in_template
        False for fields that are recognised but not in the template's header row.
    """

    name: str
    label: str
    group: FieldGroup
    description: str
    example: str
    synonyms: tuple[str, ...]
    in_template: bool = True


FIELDS: Final[tuple[Field, ...]] = (
    Field(
        "org_id",
        "Organisation id",
        "organisation",
        "Your own short id for the organisation; the same on every row of its services. "
        "Blank: made from the organisation's name.",
        "willow-lantern-project",
        (
            "org id",
            "organisation id",
            "organization id",
            "org ref",
            "organisation ref",
            "organisation reference",
            "organisation number",
            "provider id",
        ),
    ),
    Field(
        "org_name",
        "Organisation name",
        "organisation",
        "The organisation's name. Required unless service_name is given (then it is used).",
        "Willow Lantern Project",
        (
            "organisation",
            "organization",
            "organisation name",
            "organization name",
            "org",
            "org name",
            "name of organisation",
            "name of organization",
            "group",
            "group name",
            "name of group",
            "provider",
            "provider name",
            "charity",
            "charity name",
            "name",
        ),
    ),
    Field(
        "org_kind",
        "Kind of organisation",
        "organisation",
        "One of: charity, CIC, mutual aid group, faith group, statutory, other. Blank: "
        "charity when a charity number is given, else other.",
        "charity",
        (
            "kind",
            "org kind",
            "organisation kind",
            "organisation type",
            "organization type",
            "org type",
            "type of organisation",
            "type of organization",
            "legal status",
            "legal form",
            "sector",
        ),
    ),
    Field(
        "charity_number",
        "Charity number",
        "organisation",
        "Registered charity number (England and Wales, SC… Scotland, NIC… Northern Ireland).",
        "1234567",
        (
            "charity number",
            "charity no",
            "charity num",
            "registered charity number",
            "registered charity no",
            "reg charity no",
            "charity reg no",
            "charity registration number",
            "charity registration",
            "charity id",
            "ccn",
        ),
    ),
    Field(
        "website",
        "Website",
        "organisation",
        "The organisation's website.",
        "https://willow-lantern.example.org",
        (
            "website",
            "web",
            "web site",
            "url",
            "web address",
            "website address",
            "homepage",
            "site",
            "organisation website",
        ),
    ),
    Field(
        "email",
        "Email",
        "organisation",
        "The organisation's contact email.",
        "hello@willow-lantern.example.org",
        ("email", "e mail", "email address", "contact email", "organisation email"),
    ),
    Field(
        "phone",
        "Phone",
        "organisation",
        "The organisation's contact phone number (keep the leading 0: format the column as "
        "text in a spreadsheet).",
        "0117 496 0123",
        (
            "phone",
            "telephone",
            "tel",
            "phone number",
            "telephone number",
            "contact number",
            "contact phone",
            "mobile",
            "organisation phone",
        ),
    ),
    Field(
        "org_description",
        "About the organisation",
        "organisation",
        "A sentence about the organisation.",
        "Volunteer-run group in Easton.",
        (
            "org description",
            "organisation description",
            "organization description",
            "about the organisation",
            "about the organization",
            "about us",
        ),
    ),
    Field(
        "service_id",
        "Service id",
        "service",
        "Your own id for the service, unique in the file. Blank: made from the names.",
        "willow-lantern-project--community-pantry",
        ("service id", "service ref", "service reference", "service number", "activity id"),
    ),
    Field(
        "service_name",
        "Service name",
        "service",
        "The service's name. Blank: the organisation's name (one service per organisation).",
        "Community pantry",
        (
            "service",
            "service name",
            "name of service",
            "project",
            "project name",
            "activity",
            "activity name",
            "programme",
            "program",
        ),
    ),
    Field(
        "service_description",
        "What the service does",
        "service",
        "What the service offers, to whom, when.",
        "Low-cost groceries every Tuesday and Friday.",
        (
            "description",
            "service description",
            "what we do",
            "what they do",
            "what it does",
            "what is offered",
            "details",
            "summary",
            "about",
            "about the service",
        ),
    ),
    Field(
        "categories",
        "Need categories",
        "service",
        "One or more need categories separated by ';': the ids of data/taxonomy.csv or any "
        "of their synonyms (e.g. 'Foodbank; Debt advice'). Blank: kept as uncategorised and "
        "flagged.",
        "food; money_advice",
        (
            "categories",
            "category",
            "need category",
            "need categories",
            "need",
            "needs",
            "type of support",
            "support type",
            "support category",
            "type of help",
            "help offered",
            "service type",
            "services offered",
            "theme",
            "themes",
            "topic",
            "topics",
            "taxonomy",
            "tags",
        ),
    ),
    Field(
        "delivery",
        "Delivery",
        "service",
        "How people get it, one or more separated by ';': in person, phone, online, home "
        "delivery. Blank: in person.",
        "in person; phone",
        (
            "delivery",
            "delivery mode",
            "delivery method",
            "how delivered",
            "how it is delivered",
            "mode",
            "attending type",
            "how to access",
        ),
    ),
    Field(
        "postcode",
        "Postcode",
        "service",
        "Where the service is, e.g. BS5 6XX (any case or spacing). Or give latitude and longitude.",
        "BS5 0HE",
        (
            "postcode",
            "post code",
            "postal code",
            "post_code",
            "zip",
            "zip code",
            "zipcode",
            "pcode",
            "venue postcode",
        ),
    ),
    Field(
        "latitude",
        "Latitude",
        "service",
        "WGS84 latitude in decimal degrees (about 51.45 in Bristol). Used before the "
        "postcode when both are given.",
        "51.4627",
        ("latitude", "lat", "lat wgs84", "y coordinate"),
    ),
    Field(
        "longitude",
        "Longitude",
        "service",
        "WGS84 longitude in decimal degrees (about -2.59 in Bristol: west of Greenwich is "
        "negative).",
        "-2.5591",
        ("longitude", "lon", "lng", "long", "lon wgs84", "x coordinate"),
    ),
    Field(
        "area_served",
        "Area served",
        "service",
        "at_location (a catchment around the location, of the first category's default "
        "radius), radius_km (a radius you give in area_value), wards (the wards listed in "
        "area_value) or citywide. Blank: at_location when there is a location, citywide for "
        "phone and online services.",
        "at_location",
        (
            "area served",
            "area",
            "area type",
            "area kind",
            "coverage",
            "catchment",
            "service area",
            "area covered",
            "geographic coverage",
            "reach",
        ),
    ),
    Field(
        "area_value",
        "Area value",
        "service",
        "For radius_km the radius in km (e.g. 2); for wards the ward names or codes "
        "separated by ';'. Empty for at_location and citywide.",
        "",
        (
            "area value",
            "area details",
            "radius",
            "radius km",
            "wards",
            "ward",
            "wards covered",
            "wards served",
        ),
    ),
    Field(
        "capacity",
        "Capacity",
        "service",
        "People helped per week, a number. Blank: 1 (one 'unit', so every service counts "
        "the same).",
        "40",
        (
            "capacity",
            "capacity per week",
            "people per week",
            "places",
            "spaces",
            "places per week",
            "number of people",
        ),
    ),
    Field(
        "audience",
        "Audience",
        "service",
        "Who it is for, in words (e.g. older people, families, everyone).",
        "everyone",
        (
            "audience",
            "who for",
            "who is it for",
            "who it is for",
            "target group",
            "client group",
            "eligibility",
            "beneficiaries",
            "age group",
        ),
    ),
    Field(
        "active_from",
        "Active from",
        "service",
        "Date the service started, YYYY-MM-DD (or DD/MM/YYYY).",
        "2023-04-01",
        ("active from", "start date", "started", "starts", "start", "open from", "from"),
    ),
    Field(
        "active_until",
        "Active until",
        "service",
        "Date the service ends, if it does (e.g. when its funding ends).",
        "",
        ("active until", "end date", "ends", "end", "until", "funded until", "open until"),
    ),
    Field(
        "last_updated",
        "Last updated",
        "service",
        "Date these details were last checked.",
        "2026-09-30",
        (
            "last updated",
            "updated",
            "date updated",
            "last checked",
            "date checked",
            "last reviewed",
            "last modified",
            "modified",
        ),
    ),
    Field(
        "contact_public",
        "Contact details public",
        "service",
        "yes if the website, email and phone may be shown to the public; no if they are for "
        "professionals only. Blank: no.",
        "yes",
        (
            "contact public",
            "public",
            "public contact",
            "contact details public",
            "publish contact",
            "publish contact details",
            "consent to publish",
            "can publish",
        ),
    ),
    Field(
        "service_email",
        "Service email",
        "service",
        "The service's own email, when it differs from the organisation's.",
        "",
        ("service email", "service email address"),
        in_template=False,
    ),
    Field(
        "service_phone",
        "Service phone",
        "service",
        "The service's own phone number, when it differs from the organisation's.",
        "",
        ("service phone", "service telephone", "helpline", "helpline number"),
        in_template=False,
    ),
    Field(
        "service_website",
        "Service website",
        "service",
        "The service's own web page, when it differs from the organisation's.",
        "",
        ("service website", "service url", "service web page"),
        in_template=False,
    ),
    Field(
        "status",
        "Status",
        "service",
        "active, inactive, defunct or temporarily closed (Open Referral UK's status).",
        "",
        ("status", "service status"),
        in_template=False,
    ),
)

FIELD_NAMES: Final = tuple(f.name for f in FIELDS)
TEMPLATE_COLUMNS: Final = tuple(f.name for f in FIELDS if f.in_template)
# Field -> the only other field it may be confused with; used to explain a missing name.

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
    unmatched are then compared approximately (difflib ratio >= 0.85, catching
    'Postocde' or 'Catagory'). The first column wins when two match one field; the other
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
        if header in taken:
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
        raise ColumnMappingError(
            "no column holds the organisation or service name (the file's columns are: "
            f"{_list(headers)}). Fix: name a column 'org_name' or 'service_name', or map one "
            'with --columns mapping.json, e.g. {"org_name": "Name of group"}'
        )
    ordered = {name: fields[name] for name in FIELD_NAMES if name in fields}
    used = set(ordered.values())
    ignored = tuple(header for header in headers if header not in used)
    return ColumnMapping(ordered, ignored, frozenset(guessed & set(ordered)))


def apply_mapping(table_df: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """The table with one column per field (``""`` where the file has none), same index."""
    out = {}
    for name in FIELD_NAMES:
        column = mapping.fields.get(name)
        out[name] = table_df[column] if column is not None else pd.Series("", index=table_df.index)
    return pd.DataFrame(out, index=table_df.index)


def field_spec(name: str) -> Field:
    """The `Field` called ``name``."""
    for spec in FIELDS:
        if spec.name == name:
            return spec
    raise KeyError(name)


def _list(values: Iterable[str]) -> str:
    shown = [repr(str(value)) for value in values]
    return ", ".join(shown) if shown else "none"
