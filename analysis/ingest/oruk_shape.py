"""Whether a JSON document is Open Referral UK, which version, and what pages it holds.

A JSON file is read as Open Referral UK only when it has the standard's shape: a data
package or dataset of its tables, a page of its API (``content`` or ``contents`` with the
paging keys), an organisation with its ``services``, ``service_at_location`` entries, or
records at least half of which carry keys that only Open Referral services have
(`ORUK_SERVICE_KEYS`: ``organization``, ``service_at_locations``, ``service_taxonomys``,
``attributes``…). Anything else that holds a list of records — a group list exported from
a website, an API dump — is a JSON table (`analysis.ingest.json_table`). `judge_json`
decides and says why, in a note for the report.

The version is told by the keys each version alone uses (v1: ``content``,
``totalElements``, ``service_taxonomys``, ``regular_schedules``, ``physical_addresses``;
v3: ``contents``, ``total_items``, ``attributes``, ``schedules``, ``addresses``).

`describe_pages` says which pages of a paged API response a file holds: "page N of M
(X of Y records)", however many pages are combined.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

# Keys of a service that only Open Referral uses, each with the JSON type it has there
# (a generic dump's "attributes" object, as in JSON:API, is not Open Referral's list).
ORUK_SERVICE_KEYS: Final[dict[str, tuple[type, ...]]] = {
    "organization": (dict, str),
    "organisation": (dict, str),
    "organization_id": (str, int),
    "organisation_id": (str, int),
    "service_at_locations": (list,),
    "service_taxonomys": (list,),
    "service_taxonomies": (list,),
    "service_areas": (list,),
    "regular_schedules": (list,),
    "holiday_schedules": (list,),
    "eligibilitys": (list,),
    "attributes": (list,),
    "schedules": (list,),
    "cost_options": (list,),
    "fundings": (list,),
    "attending_type": (str,),
    "attending_access": (str,),
    "deliverable_type": (str,),
    "assured_date": (str,),
    "assurer_email": (str,),
}
_V1_KEYS: Final = frozenset(
    {
        "content",
        "totalElements",
        "totalPages",
        "service_taxonomys",
        "regular_schedules",
        "holiday_schedules",
        "eligibilitys",
        "physical_addresses",
        "deliverable_type",
        "attending_access",
    }
)
_V3_KEYS: Final = frozenset(
    {
        "contents",
        "total_items",
        "total_pages",
        "page_number",
        "attributes",
        "schedules",
        "addresses",
        "assurer_email",
        "organization_identifiers",
        "location_type",
    }
)
PAGE_LISTS: Final = ("content", "contents")
# The paging keys of v1 and v3 pages, the most telling first.
_PAGE_KEYS: Final = (
    "totalElements",
    "total_items",
    "totalPages",
    "total_pages",
    "number",
    "page_number",
    "size",
    "first",
    "last",
    "first_page",
    "last_page",
    "empty",
)
# Lists a wrapper object holds its records under, most usual first.
RECORD_LISTS: Final = (
    "content",
    "contents",
    "data",
    "results",
    "items",
    "records",
    "features",
    "rows",
    "entries",
)
_SHOWN: Final = 4
# How deep the version markers are looked for (page > service > location > address).
_MARKER_DEPTH: Final = 4


@dataclass(frozen=True)
class JsonShape:
    """What a JSON document is, and why.

    Attributes
    ----------
    is_oruk
        True when it is read as Open Referral UK.
    note
        The report's note: "read as Open Referral UK 1.0: …" or "read as a JSON table: …".
    """

    is_oruk: bool
    note: str


def judge_json(document: Any) -> JsonShape:
    """Decide whether a parsed JSON document is Open Referral UK, and say why.

    A document that is neither (no list of records at all) is given ``is_oruk=False``:
    the JSON table reader then refuses it with its own message.
    """
    reason = _oruk_reason(document)
    if reason is not None:
        return JsonShape(True, f"read as {oruk_name(document)}: {reason}")
    records = [item for item in record_list(document)[0] if isinstance(item, dict)]
    seen = Counter(key for record in records for key in record)
    shown = ", ".join(key for key, _ in seen.most_common(_SHOWN))
    return JsonShape(
        False,
        "read as a JSON table: the records have no Open Referral service fields"
        + (f" (their keys include {shown})" if shown else ""),
    )


def oruk_name(document: Any) -> str:
    """'Open Referral UK 1.0', '… 3.0', or 'Open Referral UK' when the keys do not tell."""
    keys = _keys(document, depth=_MARKER_DEPTH)
    v1, v3 = len(keys & _V1_KEYS), len(keys & _V3_KEYS)
    version = " 1.0" if v1 > v3 else " 3.0" if v3 > v1 else ""
    return f"Open Referral UK{version}"


def _oruk_reason(document: Any) -> str | None:
    """Why the document is Open Referral UK, or None when it is not."""
    if isinstance(document, dict):
        if isinstance(document.get("resources"), list):
            return "a data package of its tables (resources)"
        page_list = next((k for k in PAGE_LISTS if isinstance(document.get(k), list)), None)
        paging = [key for key in _PAGE_KEYS if key in document]
        if page_list and paging:
            return f"a page of its API ({page_list}, {', '.join(paging[:2])})"
        if isinstance(document.get("services"), list) and not isinstance(document.get("name"), str):
            return "a dataset of its tables (services, organizations, …)"
        own = oruk_keys(document)
        if own and not any(_is_records(document.get(key)) for key in RECORD_LISTS):
            what = (
                "an organisation with its services"
                if "services" in own
                else "a service_at_location entry"
                if "service" in own
                else "one service"
            )
            return f"{what} ({', '.join(own[:_SHOWN])})"
    if isinstance(document, list) and document and all(is_page(item) for item in document):
        return f"{len(document)} pages of its API"
    records, where = record_list(document)
    dicts = [item for item in records if isinstance(item, dict)]
    if not dicts:
        return None
    found: Counter[str] = Counter()
    marked = 0
    for record in dicts:
        keys = oruk_keys(record)
        found.update(keys)
        marked += bool(keys)
    if marked * 2 < len(dicts):
        return None
    place = f" under {where!r}" if where else ""
    keys_shown = ", ".join(key for key, _ in found.most_common(_SHOWN))
    return f"{marked} of {len(dicts)} records{place} have its service fields ({keys_shown})"


def oruk_keys(record: Mapping[str, Any]) -> list[str]:
    """The keys of ``record`` that mark it as Open Referral: service keys of the right type,
    an organisation's list of ``services``, or a ``service_at_location``'s ``service``."""
    keys = [
        key
        for key, kinds in ORUK_SERVICE_KEYS.items()
        if isinstance(record.get(key), kinds) and record.get(key) not in ("", [])
    ]
    if isinstance(record.get("services"), list):
        keys.append("services")
    if isinstance(record.get("service"), dict):
        keys.append("service")
    if _is_taxonomy_term(record):
        keys.append("vocabulary" if "vocabulary" in record else "term")
    return keys


def _is_taxonomy_term(record: Mapping[str, Any]) -> bool:
    """A taxonomy term of either version (v1 names its ``vocabulary``, v3 its ``term_uri``
    or ``taxonomy_terms``): the Open Referral reader says such a file holds no services."""
    return any(key in record for key in ("vocabulary", "term_uri", "taxonomy_terms"))


def is_page(item: Any) -> bool:
    """True for a page of an API response: an object with ``content`` or ``contents``."""
    return isinstance(item, dict) and any(isinstance(item.get(k), list) for k in PAGE_LISTS)


def record_list(document: Any) -> tuple[list[Any], str]:
    """The list of records a document holds, and the key it is under (``""`` for a bare
    list or one object).

    A wrapper object's list is found under the usual keys (`RECORD_LISTS`), else as its
    only list of objects, else as its longest list of objects; one level of nesting is
    looked into (``{"data": {"items": […]}}``). One object that holds no list is itself
    the only record.
    """
    if isinstance(document, list):
        wrappers = [_wrapper_key(item) for item in document]
        if document and all(wrappers) and len(set(wrappers)) == 1:
            # A list of pages, each holding its records under the same key: combined.
            return [r for item in document for r in item[wrappers[0]]], f"{wrappers[0]}"
        return document, ""
    if not isinstance(document, dict):
        return [], ""
    for key in RECORD_LISTS:
        if _is_records(document.get(key)):
            return document[key], key
    lists = [(key, value) for key, value in document.items() if _is_records(value)]
    if lists:
        key, value = max(lists, key=lambda pair: len(pair[1]))
        return value, key
    for key, value in document.items():
        if isinstance(value, dict):
            inner, where = record_list(value)
            if where:
                return inner, f"{key}.{where}"
    return [document], ""


def _wrapper_key(item: Any) -> str | None:
    """The key under which a page (not a record: no name) holds its records, else None."""
    if not isinstance(item, dict) or "name" in item:
        return None
    return next((key for key in RECORD_LISTS if _is_records(item.get(key))), None)


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)


def _keys(value: Any, *, depth: int) -> set[str]:
    """Every key in the first items of ``value``, down to ``depth`` levels."""
    if depth < 0:
        return set()
    if isinstance(value, dict):
        found = set(value)
        for inner in value.values():
            found |= _keys(inner, depth=depth - 1)
        return found
    if isinstance(value, list):
        found = set()
        for inner in value[:5]:
            found |= _keys(inner, depth=depth - 1)
        return found
    return set()


_V1_TABLES: Final = frozenset(
    {"services_taxonomy", "services_at_location", "physical_addresses", "regular_schedules"}
)
_V3_TABLES: Final = frozenset(
    {"attribute", "address", "service_at_location", "schedule", "taxonomy_term", "organization"}
)


def package_name(table_names: Iterable[str]) -> str:
    """'an Open Referral UK 1.0 CSV package' (or 3.0) as its table names tell."""
    names = {name.lower().removesuffix(".csv") for name in table_names}
    v1, v3 = len(names & _V1_TABLES), len(names & _V3_TABLES)
    version = " 1.0" if v1 > v3 else " 3.0" if v3 > v1 else ""
    return f"an Open Referral UK{version} CSV package"


@dataclass(frozen=True)
class Page:
    """One page of a paged API response, as it numbers itself.

    Attributes
    ----------
    number
        Its page number counted from 1 (None when it does not say).
    pages
        The number of pages in all (None when it does not say).
    total
        The number of records in all pages (None when it does not say).
    count
        The records this page holds.
    """

    number: int | None
    pages: int | None
    total: int | None
    count: int


def read_pages(pages: Sequence[Mapping[str, Any]]) -> list[Page]:
    """The page numbers, page counts and totals of pages (v1 or v3 keys).

    Notes
    -----
    v3 numbers pages from 1 (``page_number``). v1 (``number``) follows the API it was
    built on: from 1 in Open Referral UK's own, from 0 in others; a page numbered 0 (or
    ``first`` with number 0) means every page is numbered from 0.
    """
    raw = [_int(first_key(page, "number", "page_number")) for page in pages]
    from_zero = any(number == 0 for number in raw)
    found = []
    for page, number in zip(pages, raw, strict=True):
        key = next((k for k in PAGE_LISTS if isinstance(page.get(k), list)), None)
        found.append(
            Page(
                number=None if number is None else number + from_zero,
                pages=_int(first_key(page, "totalPages", "total_pages")),
                total=_int(first_key(page, "totalElements", "total_items")),
                count=len(page[key]) if key else 0,
            )
        )
    return found


def describe_pages(pages: Sequence[Mapping[str, Any]]) -> str | None:
    """The note on which pages of a paged response a file holds, and the fix when some
    are missing; None when the pages say nothing of paging.

    One page reads "page 1 of 3 (50 of 150 records)"; several, "pages 1–2 of 3 (100 of
    150 records)", with the pages that are missing or given twice named.
    """
    found = read_pages(pages)
    of_pages = max((p.pages for p in found if p.pages is not None), default=None)
    total = max((p.total for p in found if p.total is not None), default=None)
    numbers = [p.number for p in found if p.number is not None]
    count = sum(p.count for p in found)
    if of_pages is None and total is None and not numbers:
        return None
    listed = _numbers_text(sorted(set(numbers))) if numbers else f"{len(found)}"
    label = "page" if len(set(numbers) or found) == 1 else "pages"
    text = f"{label} {listed}" + (f" of {of_pages}" if of_pages else "")
    text += f" ({count:,} of {total:,} records)" if total is not None else f" ({count:,} records)"
    twice = sorted(n for n, c in Counter(numbers).items() if c > 1)
    missing = sorted(set(range(1, of_pages + 1)) - set(numbers)) if of_pages and numbers else []
    complete = not missing and (total is None or count >= total)
    if complete and not twice:
        return f"read {text} of a paged API response: every page is here"
    remarks = []
    if twice:
        remarks.append(f"{_plural('page', twice)} {_numbers_text(twice)} given more than once")
    if missing:
        remarks.append(f"{_plural('page', missing)} {_numbers_text(missing)} missing")
    elif not complete:
        remarks.append(f"{total - count:,} records are not in the file")
    fix = (
        "fetch every page and load them together (a JSON list of the pages, or a zip of "
        "the page files), or ask the publisher for a full export"
    )
    return f"read {text} of a paged API response: {'; '.join(remarks)}. Fix: {fix}"


def _numbers_text(numbers: Sequence[int]) -> str:
    """Page numbers with runs shortened: ``[1, 2, 3, 5]`` -> ``"1–3, 5"``."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs
    )


def _plural(word: str, items: Sequence[Any]) -> str:
    return word if len(items) == 1 else f"{word}s"


def first_key(mapping: Mapping[str, Any], *keys: str) -> Any:
    """The value of the first of ``keys`` that ``mapping`` has, else None."""
    return next((mapping[key] for key in keys if key in mapping), None)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
