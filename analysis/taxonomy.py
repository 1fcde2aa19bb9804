"""The need-category taxonomy: which kinds of help there are, and how free text maps onto them.

A :class:`Taxonomy` holds the categories of the editable CSV ``data/taxonomy.csv`` (columns
described in ``docs/taxonomy.md``), the broad terms of ``data/broad_terms.csv`` (words such
as "Advice" or "Support" that name no specific need) and the other vocabularies' terms of
``data/vocabulary_map.csv``, which `analysis.taxonomy_file.load_taxonomy` reads and
validates. :meth:`Taxonomy.match`, :meth:`Taxonomy.read_terms` and
:meth:`Taxonomy.match_code` map the category words and ids that directories and Open
Referral UK feeds use onto category ids; :func:`need_by_category` turns
neighbourhood columns into need in people, and :func:`need_units` and :func:`need_fallbacks`
say what one unit of that need is in a given area and which categories had to count all
residents instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, NamedTuple

import pandas as pd

from analysis.errors import AreaDataError, TaxonomyError
from analysis.model import (
    POP_ADULTS,
    POPULATION,
    RATE_COLUMNS,
    WEIGHT_COLUMNS,
)
from analysis.vocabulary_map import BROAD, VocabularyTerm, vocabulary_codes

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


class TermsRead(NamedTuple):
    """What one term (or a free-text list of terms) names.

    Attributes
    ----------
    ids
        Category ids named, in order of mention, without repeats.
    broad
        Broad terms in it: words that name no specific need ("Advice", "Support").
    unmapped
        Parts that are neither; the whole text when nothing in it matched.
    """

    ids: tuple[str, ...] = ()
    broad: tuple[str, ...] = ()
    unmapped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """The need categories, in file order, with a lookup from terms to category ids.

    Attributes
    ----------
    categories
        The need categories.
    broad_terms
        Terms too general to decide a category alone ("Advice", "Support", "Community"):
        they map to no category and are reported as broad, not as unmapped.
    vocabulary
        Terms of other directories' vocabularies (esd, Family Hubs…) with the category
        each stands for, or `analysis.vocabulary_map.BROAD`.

    Raises
    ------
    TaxonomyError
        When two categories share an id, a category is called ``broad``, a term (id,
        label or synonym, compared case-, space- and punctuation-insensitively) belongs to
        more than one category or is also a broad term, or a vocabulary term names a
        category the taxonomy lacks.
    """

    categories: tuple[Category, ...]
    broad_terms: tuple[str, ...] = ()
    vocabulary: tuple[VocabularyTerm, ...] = ()
    _index: dict[str, str] = field(init=False, repr=False, compare=False)
    _ids: frozenset[str] = field(init=False, repr=False, compare=False)
    _broad: frozenset[str] = field(init=False, repr=False, compare=False)
    _codes: dict[tuple[str, str], str] = field(init=False, repr=False, compare=False)
    _labels: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index, problems = _term_index(self.categories)
        broad = frozenset(term_key(term) for term in self.broad_terms) - {""}
        # A broad term may be an id's word ("Language"): the id, written as an id, still
        # names its category (see `match`); a label or synonym it may not be.
        named = {
            term_key(term): category.id
            for category in self.categories
            for term in (category.label, *category.synonyms)
        }
        problems += [
            f"broad term {term!r} also belongs to {named[term_key(term)]!r}"
            for term in self.broad_terms
            if term_key(term) in named
        ]
        known = {*index.values(), BROAD}
        problems += [
            f"{term.vocabulary} term {term.code!r} ({term.label}) maps to {term.category!r}, "
            "which is not a category"
            for term in self.vocabulary
            if term.category not in known
        ]
        if problems:
            rebuild = (
                "; rebuild the vocabulary map for these categories with "
                "python scripts/build_vocabulary_map.py"
                if any("which is not a category" in problem for problem in problems)
                else ""
            )
            raise TaxonomyError(
                "Invalid taxonomy: "
                + "; ".join(problems)
                + ". Fix: give each category its own id and each term to one category only "
                f"(or mark it broad, not both){rebuild}"
            )
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_ids", frozenset(self.ids()))
        object.__setattr__(self, "_broad", broad)
        object.__setattr__(self, "_codes", {term.key: term.category for term in self.vocabulary})
        object.__setattr__(self, "_labels", _label_index(self.vocabulary))

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
        """Return the id of the category ``text`` names as one term, else None.

        A term names a category when it is the category's id, label or synonym, or the
        label of another vocabulary's term mapped to it (``data/vocabulary_map.csv``).
        Comparison ignores case, spaces and punctuation, and reads ``&`` as "and", so
        ``"Food bank"``, ``"foodbank"`` and ``" FOOD-BANK. "`` all match the same category.
        A broad term names none (see `is_broad`), even when it is an id's word: an id
        written as an id (``"language"``) names its category, ``"Language"`` does not.
        The whole text must be one term; use :meth:`read_terms` for cells such as
        ``"Debt/Money"`` that list several.
        """
        return text.strip() if self.is_id(text) else self._match_key(term_key(text))

    def is_id(self, text: str) -> bool:
        """True when ``text`` is a category id exactly as written (``"language"``)."""
        return text.strip() in self._ids

    def is_broad(self, text: str) -> bool:
        """True when ``text`` is one broad term: too general to name a specific need.

        ``"Language"`` is broad (language support and language exchanges alike); the id
        ``"language"``, written as an id, is not.
        """
        return not self.is_id(text) and self._is_broad_key(term_key(text))

    def _match_key(self, key: str) -> str | None:
        """The category of a term key (an id's word counts as a word, not as the id)."""
        if key in self._broad:
            return None
        hit = self._index.get(key)
        if hit is not None:
            return hit
        mapped = self._labels.get(key)
        return None if mapped == BROAD else mapped

    def _is_broad_key(self, key: str) -> bool:
        return key in self._broad or (key not in self._index and self._labels.get(key) == BROAD)

    def match_code(self, vocabulary: str, code: str) -> str | None:
        """The category (or `BROAD`) of another vocabulary's term, by its id; None if unknown.

        ``vocabulary`` and ``code`` are as a feed writes them (see
        `analysis.vocabulary_map.vocabulary_codes`): ``("esdServiceTypes", "298")``,
        ``("", "http://id.esd.org.uk/service/298")``, a Family Hubs GUID.
        """
        for key in vocabulary_codes(vocabulary, code):
            hit = self._codes.get(key)
            if hit is not None:
                return hit
        return None

    def match_all(self, text: str) -> tuple[str, ...]:
        """Return every category a free-text cell names, in order of mention, without repeats.

        The ids of :meth:`read_terms`: ``"Health and wellbeing"`` names none (both words are
        broad), ``"Debt/Money"`` gives ``("money_advice",)``.
        """
        return self.read_terms(text).ids

    def read_terms(self, text: str) -> TermsRead:
        """The categories, broad terms and unmapped parts of one term or free-text list.

        Notes
        -----
        The whole text is tried first (so a label containing "and" or a comma still matches
        as one term). Otherwise the text is split on ``/ , & ; + |`` and line breaks, each
        piece is tried whole, and a piece that names nothing is split again on the word
        "and". A piece naming nothing, even so, is unmapped; when nothing in the text names
        a category or a broad term, the whole text is.
        """
        whole = self._read_one(text)
        if whole is not None:
            return whole
        ids: dict[str, None] = {}
        broad: dict[str, None] = {}
        unmapped: dict[str, None] = {}
        for piece in (piece.strip() for piece in _TERM_SEPARATORS.split(text)):
            one = self._read_one(piece)
            # Words joined by "and" are words, never ids: "speech, language and
            # communication" names no language support.
            words = (self._read_one(part, as_id=False) for part in _AND.split(piece))
            parts = [one] if one is not None else words
            found = [part for part in parts if part is not None]
            for part in found:
                ids.update(dict.fromkeys(part.ids))
                broad.update(dict.fromkeys(part.broad))
            if not found and term_key(piece):
                unmapped[piece] = None
        if not ids and not broad:
            return TermsRead(unmapped=(text.strip(),) if term_key(text) else ())
        return TermsRead(tuple(ids), tuple(broad), tuple(unmapped))

    def _read_one(self, term: str, *, as_id: bool = True) -> TermsRead | None:
        """One whole term as a category or a broad term; None when it is neither."""
        term = term.strip()
        if as_id and self.is_id(term):
            return TermsRead(ids=(term,))
        key = term_key(term)
        hit = self._match_key(key)
        if hit is not None:
            return TermsRead(ids=(hit,))
        return TermsRead(broad=(term,)) if self._is_broad_key(key) else None

    def need_columns(self) -> tuple[str, ...]:
        """Every neighbourhood column the need indicators use, in first-use order."""
        columns: dict[str, None] = {}
        for category in self.categories:
            columns.update(dict.fromkeys(category.need_indicator))
        return tuple(columns)


def _term_index(categories: Iterable[Category]) -> tuple[dict[str, str], list[str]]:
    """Term key -> category id for every id, label and synonym, and the terms claimed twice."""
    index: dict[str, str] = {}
    problems: list[str] = []
    seen_ids: set[str] = set()
    for category in categories:
        if category.id in seen_ids:
            problems.append(f"id {category.id!r} is used by two categories")
        if category.id == BROAD:
            problems.append(f"id {BROAD!r} is reserved for broad terms")
        seen_ids.add(category.id)
        for term in (category.id, category.label, *category.synonyms):
            key = term_key(term)
            owner = index.setdefault(key, category.id)
            if owner != category.id:
                problems.append(
                    f"term {term!r} of category {category.id!r} also belongs to {owner!r}"
                )
    return index, problems


def _label_index(terms: Iterable[VocabularyTerm]) -> dict[str, str]:
    """Label key -> category of the vocabulary terms, for labels every vocabulary agrees on."""
    targets: dict[str, set[str]] = {}
    for term in terms:
        targets.setdefault(term_key(term.label), set()).add(term.category)
    return {key: next(iter(found)) for key, found in targets.items() if key and len(found) == 1}


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
