"""Write the corpus of bad services files (issue 6) into a folder, deterministically.

``python scripts/make_bad_inputs.py OUT_DIR [--large]``. The tests call `write_corpus`
into a temporary folder; ``tests/data/bad/README.md`` lists every file and its outcome.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

HEADER = ["org_name", "service_name", "categories", "postcode", "capacity", "contact_public"]
GOOD = ["Willow Lantern Project", "Community pantry", "food", "BS5 0HE", "40", "yes"]
OVER_LIMIT_BYTES = 20 * 1024 * 1024 + 1024


def _csv(rows: list[list[str]], *, delimiter: str = ",", header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _row(**changes: str) -> list[str]:
    values = dict(zip(HEADER, GOOD, strict=True))
    values.update(changes)
    return [values[name] for name in HEADER]


def small_files() -> dict[str, bytes]:
    """The small corpus: file name -> bytes."""
    files: dict[str, bytes] = {
        "empty.csv": b"",
        "header_only.csv": _csv([]).encode(),
        "wrong_delimiter.csv": _csv([_row(), _row(org_name="Heron Hub")], delimiter=";").encode(),
        "cp1252.csv": _csv([_row(org_name="Café Zoë £5 meals")]).encode("cp1252"),
        "bom.csv": b"\xef\xbb\xbf" + _csv([_row()]).encode(),
        "mixed_line_endings.csv": (
            ",".join(HEADER) + "\r\n" + ",".join(_row()) + "\n" + ",".join(_row()) + "\r"
        ).encode(),
        "missing_required_columns.csv": _csv([["x", "y"]], header=["colour", "shape"]).encode(),
        "unknown_extra_columns.csv": _csv(
            [[*_row(), "blue"]], header=[*HEADER, "favourite colour"]
        ).encode(),
        "duplicate_ids.csv": _csv(
            [["a1", *_row()], ["a1", *_row()]], header=["service_id", *HEADER]
        ).encode(),
        "malformed_postcodes.csv": _csv([_row(postcode="BS99 ZZZZ")]).encode(),
        "postcode_outside_area.csv": _csv([_row(postcode="SW1A 1AA")]).encode(),
        "lat_lon_swapped.csv": _csv(
            [[*_row(postcode=""), "-2.5591", "51.4627"]], header=[*HEADER, "latitude", "longitude"]
        ).encode(),
        "coordinates_outside_uk.csv": _csv(
            [[*_row(postcode=""), "48.8566", "2.3522"]], header=[*HEADER, "latitude", "longitude"]
        ).encode(),
        "unknown_categories.csv": _csv([_row(categories="underwater basket weaving")]).encode(),
        "dates.csv": _csv(
            [
                [*_row(), "2024-04-01"],
                [*_row(), "01/04/2024"],
                [*_row(), "1 April 2024"],
                [*_row(), "2024-02-30"],
            ],
            header=[*HEADER, "active_from"],
        ).encode(),
        "capacity.csv": _csv([_row(capacity="-5"), _row(capacity="lots")]).encode(),
        "not_open_referral.json": json.dumps(
            {"type": "FeatureCollection", "features": []}
        ).encode(),
        "truncated.json": b'{"content": [{"id": "s1", "name": "Pantry"',
        "html_names.csv": _csv(
            [
                _row(org_name="<script>alert(1)</script>"),
                _row(service_name="<img src=x onerror=alert(1)>"),
            ]
        ).encode(),
        "formula_cells.csv": _csv(
            [
                _row(org_name="=1+1", capacity="lots"),
                _row(org_name="+cmd", capacity="lots"),
                _row(org_name="-2+3", capacity="lots"),
                _row(org_name="@SUM(A1)", capacity="lots"),
            ]
        ).encode(),
    }
    files["workbook.xlsx"] = _workbook()
    files.update(hostile_files())
    return files


def hostile_files() -> dict[str, bytes]:
    """Files made to break a parser: each must get a plain message, never a traceback."""
    deep = 50_000
    return {
        "deep_nesting.json": b'{"services": ' + b"[" * deep + b"]" * deep + b"}",
        "huge_number.json": b'{"content": [{"id": "s1", "name": "Pantry", "capacity": '
        + b"9" * 5000
        + b"}]}",
        "zip_renamed.csv": _zip({"notes.txt": b"not a table " * 100}),
        "damaged_xml.xlsx": _workbook_with_sheet(lambda xml: xml[: len(xml) // 2]),
        "entity_bomb.xlsx": _workbook_with_sheet(_entity_bomb),
    }


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook_with_sheet(change) -> bytes:
    """The valid workbook with its first sheet's XML passed through ``change``."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    members = {}
    for info in source.infolist():
        data = source.read(info)
        members[info.filename] = (
            change(data) if info.filename == "xl/worksheets/sheet1.xml" else data
        )
    return _zip(members)


def _entity_bomb(xml: bytes) -> bytes:
    """ "Billion laughs": nine levels of entities, each ten of the one below."""
    levels = "".join(f'<!ENTITY l{level} "{f"&l{level - 1};" * 10}">' for level in range(1, 10))
    doctype = f'<!DOCTYPE worksheet [<!ENTITY l0 "lol">{levels}]>'.encode()
    body = xml.split(b"?>", 1)[-1]
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + doctype
        + body.replace(
            b"<sheetData>",
            b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&l9;</t></is></c></row>',
            1,
        )
    )


def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Services"
    sheet.append(HEADER)
    sheet.append(_row())
    sheet.append([*_row()[:4], "=20*2", "yes"])
    sheet.merge_cells("A4:B4")
    sheet["A4"] = "Merged Org"
    book.create_sheet("Notes").append(["anything", "else"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def large_files() -> dict[str, bytes]:
    """The large corpus: 50,000 rows, and a file over the 20 MB upload limit."""
    rows = "".join(",".join(_row()) + "\n" for _ in range(50_000))
    big = (",".join(HEADER) + "\n" + rows).encode()
    padding = b"x" * (OVER_LIMIT_BYTES - len(big))
    return {"rows_50000.csv": big, "over_limit.csv": big + padding}


def write_corpus(folder: Path, *, large: bool = False) -> dict[str, Path]:
    """Write the corpus into ``folder``; return file name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {**small_files(), **(large_files() if large else {})}
    paths = {}
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths[name] = path
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--large", action="store_true")
    args = parser.parse_args()
    print(f"wrote {len(write_corpus(args.out, large=args.large))} files to {args.out}")
