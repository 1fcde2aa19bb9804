"""The need-category taxonomy: which kinds of help there are, and how free text maps onto them.

The taxonomy lives in an editable CSV (``data/taxonomy.csv``, columns described in
``docs/taxonomy.md``). :func:`load_taxonomy` reads and validates it, collecting every problem
before raising one :class:`~analysis.errors.TaxonomyError`. :meth:`Taxonomy.match` and
:meth:`Taxonomy.match_all` map the category words that directories and Open Referral UK feeds
use onto category ids; :func:`need_by_category` turns neighbourhood columns into need in
people, and :func:`need_units` and :func:`need_fallbacks` say what one unit of that need is in
a given area and which categories had to count all residents instead.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pandas as pd

from analysis import settings
from analysis.errors import AreaDataError, TaxonomyError
from analysis.model import (
    HEAD_COUNT_COLUMNS,
    NEED_SCORE_COLUMNS,
    POP_ADULTS,
    POPULATION,
    RATE_COLUMNS,
    WEIGHT_COLUMNS,
)

COLUMNS: Final = (
    "id",
    "label",
    "description",
    "synonyms",
    "need_indicator",
    "need_unit",
    "catchment_km",
)
SYNONYM_SEPARATOR: Final = ";"
INDICATOR_SEPARATOR: Final = "*"
# DESIGN.md: "total population where no indicator is set".
DEFAULT_NEED_INDICATOR: Final = (POPULATION,)
DEFAULT_NEED_UNIT: Final = "residents"
"""The unit of the population: of a blank indicator, and of every fallback to it."""
# Columns an area has only when its build had their source (the IoD 2019 scores, File 2's
# ranks) or was made after they were added: an indicator using one that the area lacks
# falls back to DEFAULT_NEED_INDICATOR. Any other missing column is an error.
FALLBACK_COLUMNS: Final = frozenset((POP_ADULTS, *RATE_COLUMNS, *WEIGHT_COLUMNS))
# The word a unit must contain when its indicator weights residents by an index score.
WEIGHTED_WORD: Final = "weighted"

_ID_PATTERN: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_INDICATOR_CHARS: Final = re.compile(r"[a-z0-9_* ]*")
_FACTOR_PATTERN: Final = re.compile(r"[a-z0-9_]+")
_NON_ALNUM: Final = re.compile(r"[\W_]+")
_EDGE_NON_ALNUM: Final = re.compile(r"^[\W_]+|[\W_]+$")
# Separators that join several terms in one free-text cell ("Debt/Money", "Food, Housing").
_TERM_SEPARATORS: Final = re.compile(r"[/,&;+|\n]")
_AND: Final = re.compile(r"\band\b", re.IGNORECASE)

_INDICATOR_FIX: Final = "write lower-case column names joined by '*', e.g. 'rate_income*population'"
_UNIT_FIX: Final = "say in words what one unit of need is, e.g. 'income-deprived residents'"
_UNIT_FORMULA: Final = re.compile(r"[*_=]")


@dataclass(frozen=True)
class Category:
    """One need category.

    Attributes
    ----------
    id
        Short snake_case key, e.g. ``"money_advice"``; what services and tables refer to.
    label
        Name shown to people, e.g. ``"Money, debt and benefits advice"``.
    description
        One sentence on what the category covers.
    synonyms
        Other words for the category used by directories and feeds, as written in the file.
    need_indicator
        Neighbourhood columns whose product is the need in people, e.g.
        ``("rate_income", "population")``.
    catchment_km
        Default radius of an in-person service's catchment around its location, in km.
    need_unit
        What one unit of the need is, in words, e.g. ``"income-deprived residents"``.
        Empty only for a category made in code without one: it is then reported as
        ``"residents"`` for the population, else as the indicator's columns.
    """

    id: str
    label: str
    description: str
    synonyms: tuple[str, ...]
    need_indicator: tuple[str, ...]
    catchment_km: float
    need_unit: str = ""

    def unit(self) -> str:
        """The unit of the need as the indicator is written (see `need_units` for an area)."""
        if self.need_unit:
            return self.need_unit
        if self.need_indicator == DEFAULT_NEED_INDICATOR:
            return DEFAULT_NEED_UNIT
        return " × ".join(self.need_indicator)


@dataclass(frozen=True)
class Taxonomy:
    """The need categories, in file order, with a lookup from terms to category ids.

    Raises
    ------
    TaxonomyError
        When two categories share an id, or a term (id, label or synonym, compared
        case-, space- and punctuation-insensitively) belongs to more than one category.
    """

    categories: tuple[Category, ...]
    _index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        problems: list[str] = []
        seen_ids: set[str] = set()
        for category in self.categories:
            if category.id in seen_ids:
                problems.append(f"id {category.id!r} is used by two categories")
            seen_ids.add(category.id)
            for term in (category.id, category.label, *category.synonyms):
                key = _term_key(term)
                owner = index.setdefault(key, category.id)
                if owner != category.id:
                    problems.append(
                        f"term {term!r} of category {category.id!r} also belongs to {owner!r}"
                    )
        if problems:
            raise TaxonomyError(
                "Invalid taxonomy: "
                + "; ".join(problems)
                + ". Fix: give each category its own id and each term to one category only"
            )
        object.__setattr__(self, "_index", index)

    def ids(self) -> tuple[str, ...]:
        """Category ids in file order."""
        return tuple(category.id for category in self.categories)

    def get(self, category_id: str) -> Category:
        """Return the category with id ``category_id``.

        Raises
        ------
        TaxonomyError
            When no category has that id; the message lists the ids there are.
        """
        for category in self.categories:
            if category.id == category_id:
                return category
        raise TaxonomyError(
            f"Unknown need category {category_id!r}; known ids: {', '.join(self.ids())}. "
            "Fix: use one of these ids or add the category to the taxonomy file"
        )

    def match(self, text: str) -> str | None:
        """Return the id of the category whose id, label or synonym is ``text``, else None.

        Comparison ignores case, spaces and punctuation, and reads ``&`` as "and", so
        ``"Food bank"``, ``"foodbank"`` and ``" FOOD-BANK. "`` all match the same category.
        The whole text must be one term; use :meth:`match_all` for cells such as
        ``"Debt/Money"`` that list several.
        """
        return self._index.get(_term_key(text))

    def match_all(self, text: str) -> tuple[str, ...]:
        """Return every category a free-text cell names, in order of mention, without repeats.

        Notes
        -----
        The whole text is tried first (so a label containing "and" or a comma still matches
        as one term). Otherwise the text is split on ``/ , & ; + |`` and line breaks, each
        piece is tried whole, and a piece that does not match is split again on the word
        "and". Pieces that match nothing are ignored: ``"Health and wellbeing"`` gives
        ``("physical_health", "mental_health")``.
        """
        whole = self.match(text)
        if whole is not None:
            return (whole,)
        found: dict[str, None] = {}
        for piece in _TERM_SEPARATORS.split(text):
            hit = self.match(piece)
            if hit is not None:
                found[hit] = None
                continue
            for part in _AND.split(piece):
                hit = self.match(part)
                if hit is not None:
                    found[hit] = None
        return tuple(found)

    def need_columns(self) -> tuple[str, ...]:
        """Every neighbourhood column the need indicators use, in first-use order."""
        columns: dict[str, None] = {}
        for category in self.categories:
            columns.update(dict.fromkeys(category.need_indicator))
        return tuple(columns)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a need-category CSV.

    Parameters
    ----------
    path
        The CSV to read; by default the repository's ``data/taxonomy.csv``.

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
        missing, formula-like, overlong or misleading need unit. Every problem is collected
        first and reported in one error, each naming the line (header = line 1), column,
        value and fix.

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
    if problems:
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        raise TaxonomyError(
            f"Need-category file {csv_path} has {count}:\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )
    return Taxonomy(tuple(categories))


def _missing(category: Category, present: set[str]) -> tuple[str, ...]:
    """The columns of ``category``'s indicator that the neighbourhood table lacks."""
    return tuple(column for column in category.need_indicator if column not in present)


def _indicator_used(category: Category, present: set[str]) -> tuple[str, ...]:
    """The indicator counted in an area: the category's own, or the population instead."""
    missing = _missing(category, present)
    if missing and all(column in FALLBACK_COLUMNS for column in missing):
        return DEFAULT_NEED_INDICATOR
    return category.need_indicator


def check_indicator_columns(taxonomy: Taxonomy, available: Iterable[str]) -> None:
    """Check that every column the need indicators use is available or has a fallback.

    A category whose indicator lacks only columns of ``FALLBACK_COLUMNS`` (the IoD 2019
    rates, the index weights, ``pop_16_plus``) falls back to the population; any other
    missing column, or a missing population to fall back to, is an error.

    Parameters
    ----------
    taxonomy
        The need categories.
    available
        Column names of the neighbourhood table.

    Raises
    ------
    TaxonomyError
        Naming each category and the column it lacks, and listing the available columns.
    """
    available_columns = list(available)
    present = set(available_columns)
    lacking = [
        f"category {category.id!r} needs column {column!r}"
        for category in taxonomy.categories
        for column in _indicator_used(category, present)
        if column not in present
    ]
    if lacking:
        raise TaxonomyError(
            "The neighbourhood table lacks columns that need indicators use: "
            + "; ".join(lacking)
            + f". Available columns: {', '.join(map(str, available_columns)) or 'none'}. "
            "Fix: add the columns to the area's neighbourhood data, or change need_indicator "
            "in the taxonomy file"
        )


def need_units(taxonomy: Taxonomy, neighbourhoods_df: pd.DataFrame) -> dict[str, str]:
    """The unit of each category's need as `need_by_category` counts it in this area.

    Parameters
    ----------
    taxonomy
        The need categories.
    neighbourhoods_df
        The area's neighbourhood table (only its columns are read).

    Returns
    -------
    dict
        Category id -> unit, in taxonomy order: the category's own unit (e.g.
        ``"income-deprived residents"``), or ``"residents"`` where it fell back to the
        population (see `need_fallbacks`).
    """
    present = set(neighbourhoods_df.columns)
    return {
        category.id: DEFAULT_NEED_UNIT
        if _indicator_used(category, present) != category.need_indicator
        else category.unit()
        for category in taxonomy.categories
    }


def need_fallbacks(
    taxonomy: Taxonomy, neighbourhoods_df: pd.DataFrame
) -> dict[str, tuple[str, ...]]:
    """The categories whose need counts all residents because the area lacks a column.

    An area built without the IoD 2019 scores file has no ``rate_*`` columns, one built
    without IMD 2019 File 2 no ``weight_*`` columns, and one built before adults were
    counted no ``pop_16_plus``: a category using them counts the population instead.

    Parameters
    ----------
    taxonomy
        The need categories.
    neighbourhoods_df
        The area's neighbourhood table (only its columns are read).

    Returns
    -------
    dict
        Category id -> the indicator columns the area lacks, for each category that fell
        back, in taxonomy order; empty when every category counts its own indicator.
    """
    present = set(neighbourhoods_df.columns)
    return {
        category.id: _missing(category, present)
        for category in taxonomy.categories
        if _indicator_used(category, present) != category.need_indicator
    }


def need_by_category(taxonomy: Taxonomy, neighbourhoods_df: pd.DataFrame) -> pd.DataFrame:
    """Compute each category's need in each neighbourhood, in people.

    Parameters
    ----------
    taxonomy
        The need categories.
    neighbourhoods_df
        One row per neighbourhood with the columns of :meth:`Taxonomy.need_columns`:
        counts of residents (``population``, ``pop_65_plus``…), IoD 2019 rates
        (``rate_income``…, 0-1) and index weights (``weight_health``…, 0-1).

    Returns
    -------
    pandas.DataFrame
        Same index as ``neighbourhoods_df``, one float column per category id in taxonomy
        order. `need_units` gives the unit of each column.

    Raises
    ------
    TaxonomyError
        When an indicator column is missing and has no fallback (see
        :func:`check_indicator_columns`).
    AreaDataError
        When an indicator column is not numeric.

    Notes
    -----
    N(z, c) = prod_k x(z, k) over the columns k of category c's indicator: one count of
    residents times rates, e.g. income-deprived residents = rate_income × population. It
    is a count of people and sums over neighbourhoods to ward or city totals. With an
    index weight w in [0, 1] it is residents weighted by that score (sum of w × residents),
    and the unit says so. A category whose indicator uses a column the area lacks (see
    `need_fallbacks`) counts the population. Missing values stay missing (NaN), never
    read as 0 or 1.
    """
    check_indicator_columns(taxonomy, neighbourhoods_df.columns)
    present = set(neighbourhoods_df.columns)
    indicators = {
        category.id: _indicator_used(category, present) for category in taxonomy.categories
    }
    for column in dict.fromkeys(column for used in indicators.values() for column in used):
        dtype = neighbourhoods_df[column].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise AreaDataError(
                f"Neighbourhood column {column!r} holds {dtype} values, but need indicators "
                "multiply numbers. Fix: make it numeric (counts of people or 0-1 rates)"
            )
    need = {}
    for category_id, indicator in indicators.items():
        values = pd.Series(1.0, index=neighbourhoods_df.index)
        for column in indicator:
            values = values * neighbourhoods_df[column].astype(float)
        need[category_id] = values
    return pd.DataFrame(need, index=neighbourhoods_df.index, columns=list(taxonomy.ids()))


def _term_key(text: str) -> str:
    """Comparison key of a term: case-folded letters and digits only, '&' read as 'and'."""
    core = _EDGE_NON_ALNUM.sub("", unicodedata.normalize("NFKC", text))
    return _NON_ALNUM.sub("", core.replace("&", " and ").casefold())


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
        key = _term_key(term)
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
