"""A JSON list of records that is not Open Referral, read as a table (`RawTable`).

Group lists exported from a website, API dumps and GeoJSON files hold records as JSON
objects. Each record becomes a row and each of its values a text cell:

- nested objects give dotted column names (``{"contact": {"email": …}}`` ->
  ``contact.email``; ``location_coord.lat``);
- lists of plain values are joined with ``; `` (``tags``);
- a list of places (objects with coordinates, a postcode or an address with one) gives
  the columns ``<list>.postcode``, ``<list>.latitude`` and ``<list>.longitude``, each
  listing the places in order with ``; ``: the first is the row's location, the others
  further locations of the same service (`analysis.ingest.locate`); the places' other
  keys are joined like any list;
- a GeoJSON point (``{"type": "Point", "coordinates": [lon, lat]}``) or an array of two
  numbers under a key that names coordinates gives ``<key>.latitude`` and
  ``<key>.longitude``, the order of an array decided by the one that lands in the UK
  (`analysis.ingest.coordinates`) and said in the notes;
- other lists of objects are joined key by key (``contacts.name``); deeper structures
  are kept as JSON text.

GeoJSON features give their ``properties`` as columns (and their point); JSON:API
resources their ``attributes``. The records are found where APIs put them: a bare list,
or the list under ``data``, ``results``, ``items``, ``features``… (`oruk_shape.record_list`),
including a list of such pages, combined. The columns are then mapped like any table's
(`analysis.ingest.mapping`): nothing is interpreted here beyond the file's structure.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from analysis.errors import IngestError
from analysis.ingest.cells import Place
from analysis.ingest.coordinates import Point, format_degrees, point_from_value, point_keys
from analysis.ingest.oruk_record import as_text, place
from analysis.ingest.oruk_shape import describe_pages, first_key, record_list
from analysis.ingest.table import RawTable
from analysis.model import (
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    JSON_FORMAT,
    LIST_SEPARATOR,
    POSTCODE,
    ROW,
)

# Nesting deeper than this is kept as JSON text in one cell.
MAX_DEPTH: Final = 6
# Words in a key that say an array of two numbers is a point.
_POINT_WORDS: Final = (
    "coord",
    "latlng",
    "latlon",
    "lnglat",
    "lonlat",
    "point",
    "position",
    "geo",
    "location",
    "gps",
    "centre",
    "center",
)
# Keys a place's point or postcode was read from: not repeated as columns of their own.
_PLACE_KEYS: Final = frozenset(
    {
        "latitude",
        "lat",
        "longitude",
        "lon",
        "lng",
        "long",
        "geometry",
        "point",
        "coordinates",
        "type",
        "postcode",
        "postal_code",
        "post_code",
    }
)
# Words in a key of a list's objects that say the list is of people's contact details.
_CONTACT_WORDS: Final = ("email", "e_mail", "phone", "telephone", "mobile", "tel")
_TOTAL_KEYS: Final = (
    "total",
    "count",
    "total_count",
    "totalCount",
    "total_items",
    "totalElements",
    "totalResults",
    "total_results",
    "totalRecords",
    "total_records",
)
_PAGE_NUMBER_KEYS: Final = ("current_page", "currentPage", "page", "page_number", "number")
_PAGE_COUNT_KEYS: Final = (
    "last_page",
    "lastPage",
    "total_pages",
    "totalPages",
    "page_count",
    "pages",
)
_NOTED: Final = 3


@dataclass
class _Found:
    """What flattening the records met, for the notes: place lists, points, arrays."""

    place_lists: Counter[str] = field(default_factory=Counter)
    several_places: Counter[str] = field(default_factory=Counter)
    geojson: Counter[str] = field(default_factory=Counter)
    objects: dict[str, tuple[str, str]] = field(default_factory=dict)
    object_rows: Counter[str] = field(default_factory=Counter)
    arrays: Counter[tuple[str, bool]] = field(default_factory=Counter)
    people: dict[str, list[str]] = field(default_factory=dict)


def read_json_table(document: Any, *, name: str, note: str) -> RawTable:
    """The records of a parsed JSON document as a table of text cells.

    Parameters
    ----------
    document
        The parsed JSON (a list of records, or an object holding one).
    name
        The file's name, for messages.
    note
        Why the file is read as a table (`analysis.ingest.oruk_shape.judge_json`), the
        first of the table's notes.

    Raises
    ------
    IngestError
        When the document holds no list of records (objects).
    """
    records, where = record_list(document)
    if not where and not isinstance(document, list):
        raise _not_records(document, name)
    kept = [(row, item) for row, item in enumerate(records, start=1) if isinstance(item, dict)]
    if not kept:
        raise IngestError(
            f"{name} holds a list of {len(records):,} values, none of them a record (an "
            "object with named fields). Fix: export the directory as a list of objects, one "
            'per service, e.g. [{"name": "…", "postcode": "…"}]'
        )
    notes = [note, *_where_note(where, document, len(records))]
    unwrapped, how = _unwrap([item for _, item in kept])
    notes += how
    found = _Found()
    rows = [flatten(record, found) for record in unwrapped]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    frame = pd.DataFrame(
        [[row.get(column, "") for column in columns] for row in rows],
        columns=columns,
        index=pd.Index([row for row, _ in kept], name=ROW),
        dtype=object,
    )
    notes += _found_notes(found)
    skipped = [row for row, item in enumerate(records, start=1) if not isinstance(item, dict)]
    if skipped:
        shown = ", ".join(map(str, skipped[:_NOTED])) + ("…" if len(skipped) > _NOTED else "")
        notes.append(
            f"{len(skipped):,} item(s) of the list are not records (objects) and are not rows: "
            f"item(s) {shown}"
        )
    return RawTable(frame=frame, format=JSON_FORMAT, name=name, notes=tuple(notes))


def _not_records(document: Any, name: str) -> IngestError:
    shown = sorted(document)[:8] if isinstance(document, dict) else type(document).__name__
    return IngestError(
        f"{name} is JSON but not an Open Referral UK feed nor a list of records (top level: "
        f"{shown}). Fix: give a list of records (one object per service), an object holding "
        'one (such as {"data": […]}), or an Open Referral UK services page'
    )


def _where_note(where: str, document: Any, count: int) -> list[str]:
    """Where the records were found, and which pages of a paged response they are."""
    notes = []
    if where:
        notes.append(f"the records are the {_entries(count)} of {where!r}")
    if isinstance(document, dict):
        others = [
            f"{key!r} ({_entries(len(value))})"
            for key, value in document.items()
            if key != where and isinstance(value, list) and any(isinstance(v, dict) for v in value)
        ]
        if others:
            notes.append(
                f"the file also holds {', '.join(others)}, not read: load each list of "
                "services as a file of its own"
            )
    pages = _pages(document, where)
    described = describe_pages(pages) if pages else None
    if described:
        notes.append(described)
    return notes


def _pages(document: Any, where: str) -> list[dict[str, Any]]:
    """The wrapper objects of the records as pages (`describe_pages`' keys), when they say
    how many records or pages there are in all."""
    wrappers = document if isinstance(document, list) else [document]
    key = where.split(".")[-1]
    pages = []
    for wrapper in wrappers:
        if not isinstance(wrapper, dict) or not isinstance(wrapper.get(key), list):
            return []
        pages.append(_page(wrapper, len(wrapper[key])))
    found = any(set(page) - {"content"} for page in pages)
    return pages if found else []


def _page(wrapper: Mapping[str, Any], count: int) -> dict[str, Any]:
    """One wrapper's paging keys, looked for beside its list and in its objects ('meta')."""
    places = [wrapper, *(v for v in wrapper.values() if isinstance(v, dict))]
    page: dict[str, Any] = {"content": [None] * count}
    for target, keys in (
        ("totalElements", _TOTAL_KEYS),
        ("number", _PAGE_NUMBER_KEYS),
        ("totalPages", _PAGE_COUNT_KEYS),
    ):
        value = next((first_key(p, *keys) for p in places if first_key(p, *keys) is not None), None)
        if isinstance(value, int) and not isinstance(value, bool):
            page[target] = value
    return page


def _unwrap(records: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """GeoJSON features as their properties and point; JSON:API resources as their attributes."""
    if all(str(r.get("type", "")).lower() == "feature" for r in records):
        unwrapped = [
            {
                **({"id": r["id"]} if "id" in r else {}),
                **(r.get("properties") or {}),
                "geometry": r.get("geometry"),
            }
            for r in records
        ]
        note = "the records are GeoJSON features: their properties are the columns"
        return unwrapped, [note]
    if all(_is_resource(r) for r in records):
        wrapper = ("id", "type", "attributes")
        unwrapped = [
            {
                "id": r.get("id"),
                **r["attributes"],
                **{k: v for k, v in r.items() if k not in wrapper},
            }
            for r in records
        ]
        return unwrapped, ["the records are JSON:API resources: their attributes are the columns"]
    return list(records), []


def _is_resource(record: Mapping[str, Any]) -> bool:
    """A JSON:API resource: a ``type`` and an object of ``attributes``."""
    return isinstance(record.get("attributes"), dict) and isinstance(record.get("type"), str)


def flatten(record: Mapping[str, Any], found: _Found | None = None) -> dict[str, str]:
    """One record as text cells keyed by dotted paths (see the module's docstring)."""
    out: dict[str, str] = {}
    for key, value in record.items():
        _flatten(value, str(key), out, found or _Found(), depth=1)
    return out


def _flatten(value: Any, path: str, out: dict[str, str], found: _Found, *, depth: int) -> None:
    if depth > MAX_DEPTH:
        out.setdefault(path, json.dumps(value, ensure_ascii=False))
    elif isinstance(value, dict):
        _flatten_object(value, path, out, found, depth=depth)
    elif isinstance(value, list):
        _flatten_list(value, path, out, found, depth=depth)
    else:
        out.setdefault(path, as_text(value))


def _flatten_object(
    value: Mapping[str, Any], path: str, out: dict[str, str], found: _Found, *, depth: int
) -> None:
    kind = str(value.get("type", "")).lower()
    point = point_from_value(value) if kind in ("point", "feature") else None
    if point is not None:
        _put_point(point, path, out)
        found.geojson[path] += 1
        return
    if not value:
        out.setdefault(path, "")
    keys = point_keys(value)
    if keys is not None:
        # A coordinate object keeps its own keys as columns; the note names them.
        found.objects.setdefault(path, keys)
        found.object_rows[path] += 1
    for key, inner in value.items():
        _flatten(inner, f"{path}.{key}", out, found, depth=depth + 1)


def _flatten_list(
    value: list[Any], path: str, out: dict[str, str], found: _Found, *, depth: int
) -> None:
    if not value:
        out.setdefault(path, "")
        return
    if all(not isinstance(item, dict | list) for item in value):
        point = _array_point(path, value)
        if point is not None:
            _put_point(point, path, out)
            found.arrays[(path, point.reordered)] += 1
        else:
            out.setdefault(path, LIST_SEPARATOR.join(t for t in map(as_text, value) if t))
        return
    if all(isinstance(item, dict) for item in value):
        places = [place(item) for item in value]
        is_places = any(any(p) for p in places)
        if is_places:
            _put_places([p for p in places if any(p)], path, out, found)
        parts = [flatten(item) for item in value]
        for key in dict.fromkeys(k for part in parts for k in part):
            if is_places and key.split(".")[-1] in _PLACE_KEYS:
                continue
            joined = LIST_SEPARATOR.join(part[key] for part in parts if part.get(key))
            out.setdefault(f"{path}.{key}", joined)
            if not is_places and _is_contact_key(key):
                found.people.setdefault(path, [])
                if f"{path}.{key}" not in found.people[path]:
                    found.people[path].append(f"{path}.{key}")
        return
    out.setdefault(path, json.dumps(value, ensure_ascii=False))


def _is_contact_key(key: str) -> bool:
    """True for a key holding a phone number or an email address."""
    last = key.split(".")[-1].lower()
    return any(word in last for word in _CONTACT_WORDS)


def _array_point(path: str, value: list[Any]) -> Point | None:
    """The point an array of plain values is: two (or three) numbers under a key that names
    coordinates, or two numbers with decimals; else None (a list of numbers)."""
    point = point_from_value(value)
    if point is None:
        return None
    key = path.split(".")[-1].lower()
    named = any(word in key for word in _POINT_WORDS)
    decimals = all("." in as_text(item) for item in value[:2])
    return point if named or decimals else None


def _put_point(point: Point, path: str, out: dict[str, str]) -> None:
    out.setdefault(f"{path}.{FIELD_LATITUDE}", format_degrees(point.lat))
    out.setdefault(f"{path}.{FIELD_LONGITUDE}", format_degrees(point.lon))


def _put_places(places: Sequence[Place], path: str, out: dict[str, str], found: _Found) -> None:
    """A row's places as three aligned lists: position k of each is place k."""
    for name, values in (
        (POSTCODE, [p.postcode for p in places]),
        (FIELD_LATITUDE, [p.latitude for p in places]),
        (FIELD_LONGITUDE, [p.longitude for p in places]),
    ):
        out.setdefault(f"{path}.{name}", LIST_SEPARATOR.join(values) if any(values) else "")
    found.place_lists[path] += 1
    found.several_places[path] += len(places) > 1


def _found_notes(found: _Found) -> list[str]:
    """Notes saying how places, points and coordinate arrays were read."""
    notes = []
    for path, (lat_key, lon_key) in found.objects.items():
        notes.append(
            f"{path!r} holds coordinates ({_rows(found.object_rows[path])}): they are the "
            f"columns {path}.{lat_key} (latitude) and {path}.{lon_key} (longitude)"
        )
    for path, rows in found.place_lists.items():
        several = found.several_places[path]
        notes.append(
            f"{path!r} lists places ({_rows(rows)}): read as {path}.{POSTCODE}, "
            f"{path}.{FIELD_LATITUDE} and {path}.{FIELD_LONGITUDE}, the first place being "
            "the row's location"
            + (
                f"; {_rows(several)} list several, each a location of the same service"
                if several
                else ""
            )
        )
    for path, rows in found.geojson.items():
        notes.append(
            f"{path!r} holds GeoJSON points ({_rows(rows)}): read as {path}.{FIELD_LATITUDE} "
            f"and {path}.{FIELD_LONGITUDE}"
        )
    for path, columns in found.people.items():
        notes.append(
            f"{path!r} lists contacts ({', '.join(columns)}): a named person's phone or email "
            "is theirs, not the service's public one; map these columns only if they are "
            "the service's own, and check any guess that maps them"
        )
    for (path, reordered), rows in sorted(found.arrays.items()):
        order = (
            "[latitude, longitude], the only order that puts them in the UK"
            if reordered
            else "[longitude, latitude], GeoJSON's order"
        )
        notes.append(
            f"{path!r} holds pairs of numbers ({_rows(rows)}): read as {order}, into "
            f"{path}.{FIELD_LATITUDE} and {path}.{FIELD_LONGITUDE}"
        )
    return notes


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def _entries(count: int) -> str:
    return f"{count:,} entry" if count == 1 else f"{count:,} entries"
