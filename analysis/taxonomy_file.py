"""Reading and validating the need-category file (``data/taxonomy.csv``).

`load_taxonomy` reads the CSV (columns described in ``docs/taxonomy.md``) into a
`analysis.taxonomy.Taxonomy`, checking every row and cell (ids, labels, catchments, need
indicators and units, terms claimed by two categories) and collecting every problem
before raising one :class:`~analysis.errors.TaxonomyError`. Beside the file it reads the
broad terms (``broad_terms.csv``: words that name no specific need) and the other
vocabularies' terms (``vocabulary_map.csv``, built by ``scripts/build_vocabulary_map.py``),
when they are there.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Final

from analysis import settings
from analysis.errors import TaxonomyError
from analysis.model import (
    HEAD_COUNT_COLUMNS,
    NEED_SCORE_COLUMNS,
    RATE_COLUMNS,
    WEIGHT_COLUMNS,
)
from analysis.taxonomy import (
    DEFAULT_NEED_INDICATOR,
    DEFAULT_NEED_UNIT,
    Category,
    Taxonomy,
    term_key,
)
from analysis.vocabulary_map import load_vocabulary_map

COLUMNS: Final = (
    "id",
    "label",
    "description",
    "synonyms",
    "need_indicator",
    "need_unit",
    "catchment_km",
)
BROAD_TERMS_NAME: Final = "broad_terms.csv"
"""The broad-terms file, looked for beside the taxonomy file."""
BROAD_COLUMNS: Final = ("term", "note")
VOCABULARY_MAP_NAME: Final = "vocabulary_map.csv"
"""The vocabulary map, looked for beside the taxonomy file."""
SYNONYM_SEPARATOR: Final = ";"
INDICATOR_SEPARATOR: Final = "*"
# The word a unit must contain when its indicator weights residents by an index score.
WEIGHTED_WORD: Final = "weighted"

_ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_INDICATOR_CHARS: Final = re.compile(r"[a-z0-9_* ]*")
_FACTOR_PATTERN: Final = re.compile(r"[a-z0-9_]+")

_INDICATOR_FIX: Final = "write lower-case column names joined by '*', e.g. 'rate_income*population'"
_UNIT_FIX: Final = "say in words what one unit of need is, e.g. 'income-deprived residents'"
_UNIT_FORMULA: Final = re.compile(r"[*_=]")


def load_taxonomy(
    path: Path | str | None = None,
    *,
    broad_terms_path: Path | str | None = None,
    vocabulary_map_path: Path | str | None = None,
    with_vocabulary_map: bool = True,
) -> Taxonomy:
    """Read and validate a need-category CSV, with its broad terms and vocabulary map.

    Parameters
    ----------
    path
        The CSV to read; by default the repository's ``data/taxonomy.csv``.
    broad_terms_path, vocabulary_map_path
        The broad terms (columns ``term``, ``note``) and the vocabulary map (see
        `analysis.vocabulary_map`); by default `BROAD_TERMS_NAME` and
        `VOCABULARY_MAP_NAME` beside the CSV, and none when it has none there.
    with_vocabulary_map
        False reads no vocabulary map (``scripts/build_vocabulary_map.py`` builds it from
        the taxonomy alone).

    Returns
    -------
    Taxonomy
        The categories in file order.

    Raises
    ------
    TaxonomyError
        When the file is missing or unreadable, or has any problem: missing columns, a row
        with the wrong number of fields, an empty, non-snake_case or duplicate id, an empty
        label, a catchment that is not a positive number, a term claimed by two categories,
        a malformed need indicator or one that does not give people (see Notes), or a
        missing, formula-like, overlong or misleading need unit, a broad term that is also
        a category's term, or a vocabulary term mapped to a category the file lacks. Every
        problem is collected first and reported in one error, each naming the line (header
        = line 1), column, value and fix.

    Notes
    -----
    The file is read as UTF-8 (a byte-order mark is allowed). Synonyms are separated by
    ``;``; empty ones are skipped. A blank ``need_indicator`` means ``population`` and a
    blank ``need_unit`` with it means ``residents``.

    Need is in people: an indicator made only of the area's own columns
    (`analysis.model.HEAD_COUNT_COLUMNS`, `RATE_COLUMNS`, `WEIGHT_COLUMNS`) must have
    exactly one count of residents, and no 0-100 need score; one with an index weight
    must say ``weighted`` in its unit. Columns the model does not know (an area's own
    additions) are taken as they are.
    """
    csv_path = settings.TAXONOMY_PATH if path is None else Path(path)
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TaxonomyError(
            f"Need-category file {csv_path} does not exist. Fix: give the path of a taxonomy "
            "CSV, or restore data/taxonomy.csv"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise TaxonomyError(
            f"Need-category file {csv_path} could not be read ({error}). Fix: save it as CSV UTF-8"
        ) from None
    try:
        records = _read_records(text)
    except csv.Error as error:
        raise TaxonomyError(
            f"Need-category file {csv_path} is not valid CSV ({error}). Fix: save it as CSV "
            "UTF-8 with values containing commas in double quotes"
        ) from None

    if not records:
        raise TaxonomyError(
            f"Need-category file {csv_path} is empty. Fix: start it with the header line "
            f"{','.join(COLUMNS)}"
        )
    _, header = records[0]
    header = [name.strip().lower() for name in header]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise TaxonomyError(
            f"Need-category file {csv_path}, line 1: the header lacks column(s) "
            f"{', '.join(missing)} (it has {', '.join(header) or 'none'}). Fix: use the header "
            f"{','.join(COLUMNS)}"
        )
    positions = {name: header.index(name) for name in COLUMNS}

    problems: list[str] = []
    categories: list[Category] = []
    id_lines: dict[str, int] = {}
    # term key -> (category id, line, column) of its first claim
    claims: dict[str, tuple[str, int, str]] = {}
    for line, fields in records[1:]:
        if len(fields) != len(header):
            problems.append(
                f"line {line}: {len(fields)} fields but the header has {len(header)}. Fix: "
                "put values that contain commas in double quotes"
            )
            continue
        row = {name: fields[positions[name]].strip() for name in COLUMNS}
        category_id = row["id"]
        problems.extend(_check_id(category_id, line, id_lines))
        if not row["label"]:
            problems.append(
                f"line {line}, column label: empty. Fix: give the category a label people "
                "will read, e.g. 'Food and essential shopping'"
            )
        catchment_km, catchment_problem = _parse_catchment(row["catchment_km"], line)
        if catchment_problem:
            problems.append(catchment_problem)
        need_indicator, indicator_problems = _parse_indicator(row["need_indicator"], line)
        problems.extend(indicator_problems)
        need_unit, unit_problems = _parse_unit(
            row["need_unit"], need_indicator, row["need_indicator"], line
        )
        problems.extend(unit_problems)
        synonyms = tuple(
            term.strip() for term in row["synonyms"].split(SYNONYM_SEPARATOR) if term.strip()
        )
        terms = [("id", category_id), ("label", row["label"])]
        terms += [("synonyms", synonym) for synonym in synonyms]
        problems.extend(_claim_terms(terms, category_id, line, claims))
        categories.append(
            Category(
                id=category_id,
                label=row["label"],
                description=row["description"],
                synonyms=synonyms,
                need_indicator=need_indicator,
                catchment_km=catchment_km,
                need_unit=need_unit,
            )
        )

    if not problems and not categories:
        problems.append("no categories below the header. Fix: add one row per need category")
    broad_path = _beside(csv_path, broad_terms_path, BROAD_TERMS_NAME)
    broad_terms = _read_broad_terms(broad_path, claims, problems) if broad_path else ()
    if problems:
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        raise TaxonomyError(
            f"Need-category file {csv_path} has {count}:\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )
    map_path = _beside(csv_path, vocabulary_map_path, VOCABULARY_MAP_NAME)
    vocabulary = load_vocabulary_map(map_path) if map_path and with_vocabulary_map else ()
    return Taxonomy(tuple(categories), broad_terms=broad_terms, vocabulary=vocabulary)


def _beside(csv_path: Path, given: Path | str | None, name: str) -> Path | None:
    """The companion file given, else the one named ``name`` beside the taxonomy, if any."""
    if given is not None:
        return Path(given)
    found = csv_path.parent / name
    return found if found.is_file() else None


def _read_broad_terms(
    path: Path, claims: dict[str, tuple[str, int, str]], problems: list[str]
) -> tuple[str, ...]:
    """The broad terms of ``path``; its problems (and terms a category claims) recorded."""
    try:
        records = _read_records(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        problems.append(f"{path} could not be read ({error}). Fix: save it as CSV UTF-8")
        return ()
    header = [name.strip().lower() for name in records[0][1]] if records else []
    if BROAD_COLUMNS[0] not in header:
        problems.append(
            f"{path.name}, line 1: no column {BROAD_COLUMNS[0]!r}. Fix: use the header "
            f"{','.join(BROAD_COLUMNS)}"
        )
        return ()
    position = header.index(BROAD_COLUMNS[0])
    terms: list[str] = []
    for line, fields in records[1:]:
        term = fields[position].strip() if position < len(fields) else ""
        owner = claims.get(term_key(term))
        # An id's word may be broad ("Language"): the id itself still names its category.
        if owner is not None and owner[2] != "id":
            category_id, owner_line, owner_column = owner
            problems.append(
                f"{path.name}, line {line}: broad term {term!r} is also claimed by category "
                f"{category_id!r} (line {owner_line}, column {owner_column}). Fix: remove it "
                "from one of the two files"
            )
        elif term_key(term):
            terms.append(term)
    return tuple(terms)


def _read_records(text: str) -> list[tuple[int, list[str]]]:
    """Parse CSV text into (first line number, fields) pairs, skipping blank lines."""
    reader = csv.reader(text.splitlines(keepends=True))
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    for fields in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if any(value.strip() for value in fields):
            records.append((start, fields))
    return records


def _check_id(category_id: str, line: int, id_lines: dict[str, int]) -> list[str]:
    """Problems with one row's id; records the id's line in ``id_lines``."""
    if not category_id:
        return [f"line {line}, column id: empty. Fix: give the category a snake_case id"]
    problems = []
    if not _ID_PATTERN.fullmatch(category_id):
        problems.append(
            f"line {line}, column id: {category_id!r} is not snake_case. Fix: use lower-case "
            "letters, digits and underscores, starting with a letter, e.g. 'money_advice'"
        )
    if category_id in id_lines:
        problems.append(
            f"line {line}, column id: {category_id!r} is already the id on line "
            f"{id_lines[category_id]}. Fix: give each category its own id"
        )
    else:
        id_lines[category_id] = line
    return problems


def _parse_catchment(value: str, line: int) -> tuple[float, str | None]:
    """The catchment radius in km, or NaN and a problem."""
    prefix = f"line {line}, column catchment_km: {value!r}"
    fix = "Fix: give a radius in kilometres above 0, e.g. 1.5"
    try:
        catchment_km = float(value)
    except ValueError:
        return math.nan, f"{prefix} is not a number. {fix}"
    if not math.isfinite(catchment_km):
        return math.nan, f"{prefix} is not a finite number. {fix}"
    if catchment_km <= 0:
        return math.nan, f"{prefix} is not positive. {fix}"
    return catchment_km, None


def _parse_indicator(expression: str, line: int) -> tuple[tuple[str, ...], list[str]]:
    """The column names of a need-indicator expression, and any problems with it."""
    if not expression:
        return DEFAULT_NEED_INDICATOR, []
    prefix = f"line {line}, column need_indicator: {expression!r}"
    if not _INDICATOR_CHARS.fullmatch(expression):
        return (), [
            f"{prefix} has characters other than a-z, 0-9, '_', '*' and spaces. "
            f"Fix: {_INDICATOR_FIX}"
        ]
    factors = tuple(factor.strip() for factor in expression.split(INDICATOR_SEPARATOR))
    if not all(factors):
        return (), [f"{prefix} has an empty factor. Fix: {_INDICATOR_FIX}"]
    bad = [factor for factor in factors if not _FACTOR_PATTERN.fullmatch(factor)]
    if bad:
        return (), [f"{prefix}: factor {bad[0]!r} is not one column name. Fix: {_INDICATOR_FIX}"]
    problem = _people_problem(factors)
    return (factors, []) if problem is None else ((), [f"{prefix} {problem}"])


def _people_problem(factors: tuple[str, ...]) -> str | None:
    """Why an indicator of known columns would not count people, or None when it does."""
    scores = [factor for factor in factors if factor in NEED_SCORE_COLUMNS]
    if scores:
        return (
            f"uses {scores[0]!r}, a 0-100 score, so the need would not be in people. Fix: use "
            "a 0-1 rate or weight instead, e.g. 'rate_income*population' or "
            "'weight_health*population'"
        )
    counts = [factor for factor in factors if factor in HEAD_COUNT_COLUMNS]
    if len(counts) > 1:
        return (
            f"multiplies {len(counts)} counts of residents ({', '.join(counts)}). Fix: keep one "
            "count and multiply it by rates or weights, e.g. 'rate_employment*pop_16_64'"
        )
    known = {*HEAD_COUNT_COLUMNS, *RATE_COLUMNS, *WEIGHT_COLUMNS}
    if not counts and all(factor in known for factor in factors):
        return (
            "has no count of residents, so it gives a share, not people. Fix: multiply it by "
            "the residents it is a share of, e.g. 'rate_income*population'"
        )
    return None


def _parse_unit(
    value: str, indicator: tuple[str, ...], expression: str, line: int
) -> tuple[str, list[str]]:
    """The unit of need in words, and any problems with it.

    ``indicator`` is the parsed indicator (empty when it had problems of its own, which
    are reported there) and ``expression`` the indicator as written.
    """
    prefix = f"line {line}, column need_unit: {value!r}"
    if not value:
        if indicator == DEFAULT_NEED_INDICATOR:
            return DEFAULT_NEED_UNIT, []
        if not indicator:
            return "", []
        return "", [
            f"line {line}, column need_unit: empty, but need_indicator {expression!r} does "
            f"not count all residents. Fix: {_UNIT_FIX}"
        ]
    if _UNIT_FORMULA.search(value):
        return "", [f"{prefix} is a formula, not words. Fix: {_UNIT_FIX}"]
    if len(value) > settings.NEED_UNIT_MAX_CHARS:
        return "", [
            f"{prefix} has {len(value)} characters, more than "
            f"{settings.NEED_UNIT_MAX_CHARS}. Fix: shorten it; the description can say more"
        ]
    weights = [factor for factor in indicator if factor in WEIGHT_COLUMNS]
    if weights and WEIGHTED_WORD not in value.casefold():
        return "", [
            f"{prefix} reads as a head count, but need_indicator {expression!r} weights "
            f"residents by an index score ({weights[0]}). Fix: say so, e.g. 'residents "
            "weighted by the health deprivation score'"
        ]
    return value, []


def _claim_terms(
    terms: list[tuple[str, str]],
    category_id: str,
    line: int,
    claims: dict[str, tuple[str, int, str]],
) -> list[str]:
    """Problems where one category's terms are already claimed by another category."""
    problems = []
    for column, term in terms:
        key = term_key(term)
        if not key:
            if column == "synonyms":
                problems.append(
                    f"line {line}, column synonyms: {term!r} has no letters or digits. "
                    "Fix: remove it"
                )
            continue
        owner, owner_line, owner_column = claims.setdefault(key, (category_id, line, column))
        # A duplicate id is reported once, by _check_id, not again for each shared term.
        if owner != category_id:
            problems.append(
                f"line {line}, column {column}: {term!r} is also claimed by category "
                f"{owner!r} (line {owner_line}, column {owner_column}). Fix: keep each term "
                "in exactly one category"
            )
    return problems
