"""Categories from what a service says it does: suggested from its name and description.

A row whose category cell names no need category (empty, only broad terms such as
"Advice; Support", or only terms that match nothing) is not left to chance: its service
name, organisation name and descriptions are searched for the categories' labels and
synonyms as whole words (`suggest_categories`), and the categories found are a
suggestion with the words that matched (`suggestion_issue`). The user accepts it
(``ImportOptions.accept_suggestions``), or chooses in review (``category_choices``,
`choice_issue`); until then the row stays uncategorised.

Method (docs/taxonomy.md, "Suggestions"): text and phrases are split into words (letters
and digits; ``&`` is "and"; apostrophes dropped; a plural ``s`` ignored), a multi-word
synonym matches only as the same words in the same order, longest phrase first, never
inside a word ("food" is not in "seafood"). A synonym written in capitals (``IT``,
``SEND``, ``ESOL``) matches only in capitals. Each distinct phrase found scores its
field's weight (`FIELD_WEIGHTS`); in a description, single words that prose often uses
otherwise (`WEAK_WORDS`: "work", "play", "benefit"…) do not count. Categories are ranked
by score and suggested when they score at least half the best (`RELATIVE_CUTOFF`), at
most `MAX_SUGGESTED`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from analysis.ingest.category_report import (
    BY_CHOICE,
    BY_SUGGESTION,
    BY_TERMS,
    NOT_CATEGORISED,
    CategoryReview,
    CategoryShares,
    CategorySource,
)
from analysis.ingest.cells import Cell, Cells, Issues, category_text, read_categories
from analysis.ingest.import_report import Issue
from analysis.model import (
    CATEGORIES,
    FIELD_ORG_DESCRIPTION,
    FIELD_SERVICE_DESCRIPTION,
    ORG_NAME,
    SERVICE_NAME,
)
from analysis.taxonomy import Taxonomy, TermsRead, term_key

SUGGESTED_CATEGORY: Final = "suggested_category"
"""Problem code of a row whose categories were suggested from its words."""
CHOSEN_CATEGORY: Final = "chosen_category"
"""Problem code of a row whose categories a person chose in review."""

FIELD_WEIGHTS: Final[dict[str, float]] = {
    SERVICE_NAME: 3.0,
    ORG_NAME: 2.0,
    FIELD_SERVICE_DESCRIPTION: 1.0,
    FIELD_ORG_DESCRIPTION: 1.0,
}
"""How much a phrase found in each field counts: a name says what a service is, a
description also says what else happens there."""
FIELD_WORDS: Final[dict[str, str]] = {
    SERVICE_NAME: "the service name",
    ORG_NAME: "the organisation name",
    FIELD_SERVICE_DESCRIPTION: "the description",
    FIELD_ORG_DESCRIPTION: "the organisation's description",
}
_DESCRIPTIONS: Final = frozenset({FIELD_SERVICE_DESCRIPTION, FIELD_ORG_DESCRIPTION})
WEAK_WORDS: Final = frozenset(
    {
        *("work", "job", "play", "money", "finance", "grant", "grants", "benefit"),
        *("caring", "garden", "gardening", "cleaning", "travel", "lifts", "mobility"),
        *("exercise", "technology", "devices", "internet", "computer", "essentials"),
        *("disabled", "alcohol", "stress", "family", "abuse", "shopping", "accommodation"),
    }
)
"""Single words that name a category in a name but, in prose, mostly mean something else
("we work with", "for the benefit of", "disabled access", "no alcohol")."""
RELATIVE_CUTOFF: Final = 0.5
MAX_SUGGESTED: Final = 3

_WORD: Final = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|&")
_APOSTROPHES: Final = re.compile(r"['’]")


class _Word(NamedTuple):
    """One word of a text: its comparison form, whether it is in capitals, where it is."""

    key: str
    is_upper: bool
    start: int
    end: int


@dataclass(frozen=True)
class _Phrase:
    category: str
    keys: tuple[str, ...]
    upper: tuple[bool, ...]  # the word must be in capitals in the text


@dataclass(frozen=True)
class PhraseIndex:
    """The categories' labels and synonyms as phrases, by their first word (`phrase_index`)."""

    by_first: dict[str, tuple[_Phrase, ...]]


@dataclass(frozen=True)
class Match:
    """One phrase found: the category, the words as written, and the field they are in."""

    category: str
    words: str
    field: str


@dataclass(frozen=True)
class Suggestion:
    """The categories a row's words suggest, best first, and the phrases that matched.

    Attributes
    ----------
    category_ids
        Suggested category ids, ranked by score.
    matches
        The phrases found for the suggested categories, in field order.
    """

    category_ids: tuple[str, ...]
    matches: tuple[Match, ...]

    def words(self, category_id: str) -> tuple[str, ...]:
        """The words that matched for ``category_id``, each once, as written."""
        return tuple(dict.fromkeys(m.words for m in self.matches if m.category == category_id))

    def describe(self) -> str:
        """In words: ``food ('Food Bank' in the service name)``, for each category."""
        parts = []
        for category_id in self.category_ids:
            found = [m for m in self.matches if m.category == category_id]
            places = dict.fromkeys(f"'{m.words}' in {FIELD_WORDS[m.field]}" for m in found)
            parts.append(f"{category_id} ({', '.join(places)})")
        return "; ".join(parts)


class RowCategories(NamedTuple):
    """The categories one row is filed under, how it got them, and the issues to report.

    Attributes
    ----------
    ids
        The category ids it is filed under.
    read
        What its categories cell names (`analysis.ingest.cells.parse_categories`).
    text
        Its categories cell as text.
    source
        ``"terms"``, ``"suggestion"``, ``"choice"`` or ``"none"``.
    suggestion
        The categories its words suggest, when its own terms name none.
    issues
        Its warnings about categories.
    """

    ids: tuple[str, ...]
    read: TermsRead
    text: str
    source: CategorySource
    suggestion: Suggestion | None
    issues: Issues


def categorise_rows(
    cells: Cells,
    rows: Sequence[int],
    *,
    taxonomy: Taxonomy,
    is_feed: bool = False,
    accept_suggestions: bool = False,
    category_choices: Mapping[int, Sequence[str]] | None = None,
) -> list[RowCategories]:
    """The categories of every row: its own terms, else a suggestion, or a person's choice.

    Parameters
    ----------
    cells
        Field -> the cell of every row (`analysis.ingest.cells.table_cells`).
    rows
        The row number of each position (as the report numbers rows).
    taxonomy
        The need categories.
    is_feed
        The table is an Open Referral UK feed (its unmapped terms are listed, not flagged).
    accept_suggestions
        File a row whose own terms name no category under the categories its name and
        description suggest (else they stay a suggestion, reported).
    category_choices
        Row number -> the category ids a person chose for it; these replace what the row's
        cells give, whatever they are.
    """
    choices = category_choices or {}
    index = phrase_index(taxonomy)
    reads: dict[Cell, tuple[TermsRead, Issues]] = {}
    suggestions: dict[tuple[str, ...], Suggestion | None] = {}
    out: list[RowCategories] = []
    for position, row in enumerate(rows):
        cell = cells[CATEGORIES][position]
        if cell not in reads:
            reads[cell] = read_categories(cell, taxonomy, is_feed=is_feed)
        read, issues = reads[cell]
        text = category_text(cell)
        suggestion = None
        if not read.ids:
            texts = tuple(str(cells[name][position]) for name in FIELD_WEIGHTS)
            if texts not in suggestions:
                suggestions[texts] = suggest_categories(
                    dict(zip(FIELD_WEIGHTS, texts, strict=True)), index
                )
            suggestion = suggestions[texts]
        out.append(
            _decide(read, text, issues, suggestion, choices.get(row), taxonomy, accept_suggestions)
        )
    return out


def _decide(
    read: TermsRead,
    text: str,
    issues: Issues,
    suggestion: Suggestion | None,
    chosen: Sequence[str] | None,
    taxonomy: Taxonomy,
    accept: bool,
) -> RowCategories:
    """One row's categories from what its cell names, its suggestion and a choice."""
    if chosen is not None:
        ids, note = choice_issue(chosen, text, taxonomy)
        return RowCategories(ids, read, text, BY_CHOICE, suggestion, (note,))
    if read.ids:
        return RowCategories(read.ids, read, text, BY_TERMS, None, issues)
    if suggestion is None:
        return RowCategories((), read, text, NOT_CATEGORISED, None, issues)
    if accept:
        issue = suggestion_issue(suggestion, read, text, accepted=True)
        return RowCategories(
            suggestion.category_ids, read, text, BY_SUGGESTION, suggestion, (issue,)
        )
    issue = suggestion_issue(suggestion, read, text, accepted=False)
    return RowCategories((), read, text, NOT_CATEGORISED, suggestion, (*issues, issue))


def category_shares(
    categorised: Sequence[RowCategories],
    *,
    rows: Sequence[int],
    names: Sequence[str],
    rejected: Sequence[bool],
) -> CategoryShares:
    """How the accepted rows got their categories (see `CategoryShares`).

    ``names`` is each row's service name; ``rejected`` is True for rows not accepted,
    which are not counted.
    """
    counts = dict.fromkeys((BY_TERMS, BY_SUGGESTION, BY_CHOICE, NOT_CATEGORISED), 0)
    broad: dict[str, list] = {}  # term key -> [term as first written, rows]
    review: list[CategoryReview] = []
    for position, found in enumerate(categorised):
        if rejected[position]:
            continue
        counts[found.source] += 1
        for term in dict.fromkeys(map(term_key, found.read.broad)):
            broad.setdefault(term, [_first_written(found.read.broad, term), 0])[1] += 1
        if found.source != BY_TERMS:
            review.append(_review(found, row=rows[position], name=names[position]))
    return CategoryShares(
        by_terms=counts[BY_TERMS],
        by_suggestion=counts[BY_SUGGESTION],
        by_choice=counts[BY_CHOICE],
        uncategorised=counts[NOT_CATEGORISED],
        broad_terms=dict(sorted((tuple(v) for v in broad.values()), key=lambda tc: -tc[1])),
        review=tuple(review),
    )


def _first_written(terms: Sequence[str], key: str) -> str:
    return next(term for term in terms if term_key(term) == key)


def _review(found: RowCategories, *, row: int, name: str) -> CategoryReview:
    suggested = found.suggestion.category_ids if found.suggestion else ()
    return CategoryReview(
        row=row,
        name=name,
        terms=found.text,
        broad=found.read.broad,
        suggested=suggested,
        words=tuple(found.suggestion.words(c) for c in suggested) if found.suggestion else (),
        categories=found.ids,
        source=found.source,
    )


def phrase_index(taxonomy: Taxonomy) -> PhraseIndex:
    """Every label and synonym of the taxonomy as a phrase to look for in free text."""
    grouped: dict[str, list[_Phrase]] = {}
    for category in taxonomy.categories:
        for term in dict.fromkeys((category.label, *category.synonyms)):
            words = _words(term)
            if not words:
                continue
            phrase = _Phrase(
                category.id,
                tuple(word.key for word in words),
                tuple(word.is_upper and len(word.key) > 1 for word in words),
            )
            grouped.setdefault(phrase.keys[0], []).append(phrase)
    return PhraseIndex(
        {
            first: tuple(sorted(phrases, key=lambda p: -len(p.keys)))
            for first, phrases in grouped.items()
        }
    )


def find_phrases(text: str, index: PhraseIndex, *, field: str) -> list[Match]:
    """The phrases of ``index`` in ``text``, longest first where they overlap."""
    words = _words(text)
    found: list[Match] = []
    position = 0
    while position < len(words):
        phrase = _phrase_at(words, position, index)
        if phrase is None:
            position += 1
            continue
        end = position + len(phrase.keys)
        surface = text[words[position].start : words[end - 1].end]
        if not (field in _DESCRIPTIONS and end - position == 1 and _is_weak(surface)):
            found.append(Match(phrase.category, surface, field))
        position = end
    return found


def suggest_categories(
    texts: Mapping[str, str], index: PhraseIndex, *, max_categories: int = MAX_SUGGESTED
) -> Suggestion | None:
    """The categories a row's name and description suggest; None when nothing matched.

    Parameters
    ----------
    texts
        Field (`FIELD_WEIGHTS`' keys) -> its text; other fields are ignored.
    index
        The phrases to look for (`phrase_index`).
    max_categories
        At most this many categories are suggested.

    Notes
    -----
    score(c) = sum of the field weights of the distinct (field, phrase) pairs of c found;
    c is suggested when score(c) >= RELATIVE_CUTOFF * max score. Ties keep taxonomy order.
    """
    matches = [
        match
        for field in FIELD_WEIGHTS
        for match in find_phrases(texts.get(field, ""), index, field=field)
    ]
    if not matches:
        return None
    scores: dict[str, float] = {}
    for category, field, _ in dict.fromkeys(
        (m.category, m.field, _phrase_key(m.words)) for m in matches
    ):
        scores[category] = scores.get(category, 0.0) + FIELD_WEIGHTS[field]
    best = max(scores.values())
    ranked = sorted(
        (c for c, score in scores.items() if score >= RELATIVE_CUTOFF * best),
        key=lambda c: -scores[c],
    )[:max_categories]
    return Suggestion(tuple(ranked), tuple(m for m in matches if m.category in ranked))


def suggestion_issue(
    suggestion: Suggestion, read: TermsRead, text: str, *, accepted: bool
) -> Issue:
    """The warning of a row whose categories are suggested: what, why, and what to do.

    ``read`` is what its category cell ``text`` named (`analysis.ingest.cells.parse_categories`).
    """
    ids = ", ".join(suggestion.category_ids)
    why = f"suggested from what it says it does: {suggestion.describe()}"
    if accepted:
        return Issue(
            SUGGESTED_CATEGORY,
            text,
            f"{own_terms(read, text)}; filed under {ids}, {why}",
            "check it: give the row its own category to replace the suggestion",
        )
    return Issue(
        SUGGESTED_CATEGORY,
        text,
        f"{own_terms(read, text)}; {why}",
        "accept the suggestion (--accept-suggestions; in the dashboard, the review table), "
        f"or give its category, e.g. '{suggestion.category_ids[0]}'",
    )


def choice_issue(
    chosen: Iterable[str], text: str, taxonomy: Taxonomy
) -> tuple[tuple[str, ...], Issue]:
    """The categories a person chose for a row (known ids only), and the note saying so."""
    wanted = tuple(dict.fromkeys(chosen))
    known = tuple(c for c in wanted if c in taxonomy.ids())
    unknown = [c for c in wanted if c not in known]
    left_out = f"; {', '.join(map(repr, unknown))} left out: not a need category" if unknown else ""
    reason = (
        f"categories chosen in review: {', '.join(known) or 'none'} (the file gave "
        f"{text!r}){left_out}"
    )
    fix = (
        f"use these ids: {', '.join(taxonomy.ids())}"
        if unknown
        else "write these categories into the file to keep them without the review"
    )
    return known, Issue(CHOSEN_CATEGORY, text, reason, fix)


def own_terms(read: TermsRead, text: str) -> str:
    """What a category cell that names no category says, in words."""
    if not text:
        return "no category given"
    parts = []
    if read.broad:
        verb = "is broad and names" if len(read.broad) == 1 else "are broad and name"
        parts.append(f"{', '.join(map(repr, read.broad))} {verb} no specific need")
    if read.unmapped:
        verb = "matches" if len(read.unmapped) == 1 else "match"
        parts.append(f"{', '.join(map(repr, read.unmapped))} {verb} no need category")
    return "; ".join(parts) or "no term names a need category"


def _phrase_at(words: list[_Word], position: int, index: PhraseIndex) -> _Phrase | None:
    """The longest phrase starting at ``words[position]``, else None."""
    for phrase in index.by_first.get(words[position].key, ()):
        end = position + len(phrase.keys)
        if end <= len(words) and all(
            word.key == key and (word.is_upper or not upper)
            for word, key, upper in zip(words[position:end], phrase.keys, phrase.upper, strict=True)
        ):
            return phrase
    return None


def _words(text: str) -> list[_Word]:
    """The words of ``text`` with their comparison key (see the module's Notes)."""
    return [
        _Word(_key(match.group()), match.group().isupper(), match.start(), match.end())
        for match in _WORD.finditer(text)
    ]


def _key(word: str) -> str:
    if word == "&":
        return "and"
    key = _APOSTROPHES.sub("", word.casefold())
    # A plural 's' is ignored ("clubs", "carers"), a double one kept ("stress", "homeless").
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


def _phrase_key(words: str) -> str:
    return " ".join(word.key for word in _words(words))


def _is_weak(surface: str) -> bool:
    return surface.casefold() in WEAK_WORDS
