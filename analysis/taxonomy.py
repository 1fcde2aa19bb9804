"""The need-category taxonomy: which kinds of help there are, and how free text maps onto them.

A :class:`Taxonomy` holds the categories of the editable CSV ``data/taxonomy.csv`` (columns
described in ``docs/taxonomy.md``), which `analysis.taxonomy_file.load_taxonomy` reads and
validates. :meth:`Taxonomy.match` and :meth:`Taxonomy.match_all` map the category words that
directories and Open Referral UK feeds use onto category ids; :func:`need_by_category` turns
neighbourhood columns into need in people, and :func:`need_units` and :func:`need_fallbacks`
say what one unit of that need is in a given area and which categories had to count all
residents instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from analysis.errors import AreaDataError, TaxonomyError
from analysis.model import (
    POP_ADULTS,
    POPULATION,
    RATE_COLUMNS,
    WEIGHT_COLUMNS,
)

# DESIGN.md: "total population where no indicator is set".
DEFAULT_NEED_INDICATOR: Final = (POPULATION,)
DEFAULT_NEED_UNIT: Final = "residents"
"""The unit of the population: of a blank indicator, and of every fallback to it."""
# Columns an area has only when its build had their source (the IoD 2019 scores, File 2's
# ranks) or was made after they were added: an indicator using one that the area lacks
# falls back to DEFAULT_NEED_INDICATOR. Any other missing column is an error.
FALLBACK_COLUMNS: Final = frozenset((POP_ADULTS, *RATE_COLUMNS, *WEIGHT_COLUMNS))

_NON_ALNUM: Final = re.compile(r"[\W_]+")
_EDGE_NON_ALNUM: Final = re.compile(r"^[\W_]+|[\W_]+$")
# Separators that join several terms in one free-text cell ("Debt/Money", "Food, Housing").
_TERM_SEPARATORS: Final = re.compile(r"[/,&;+|\n]")
_AND: Final = re.compile(r"\band\b", re.IGNORECASE)


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
                key = term_key(term)
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
        return self._index.get(term_key(text))

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


def term_key(text: str) -> str:
    """Comparison key of a term: case-folded letters and digits only, '&' read as 'and'."""
    core = _EDGE_NON_ALNUM.sub("", unicodedata.normalize("NFKC", text))
    return _NON_ALNUM.sub("", core.replace("&", " and ").casefold())
