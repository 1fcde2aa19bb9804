"""How the accepted rows of a file got their need categories, for the import report.

A row is categorised by its own terms (its categories cell, or the file's default), by
suggestion (categories suggested from its name and description, accepted), by a person's
choice in review, or not at all. `CategoryShares` counts each, lists the broad terms the
file used, and keeps, for each row its own terms did not categorise, what it says and what
was suggested (`CategoryReview`), which the dashboard's review table shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from analysis.model import CATEGORIES, COUNT_UNCATEGORISED, ROW

CategorySource = Literal["terms", "suggestion", "choice", "none"]
BY_TERMS: Final[CategorySource] = "terms"
BY_SUGGESTION: Final[CategorySource] = "suggestion"
BY_CHOICE: Final[CategorySource] = "choice"
NOT_CATEGORISED: Final[CategorySource] = "none"


@dataclass(frozen=True)
class CategoryReview:
    """An accepted row its own terms did not categorise, and what its words suggest.

    Attributes
    ----------
    row
        Its row number (as the report numbers rows).
    name
        Its service name (or its organisation's, when it has none).
    terms
        Its categories cell as the file gives it ('' when empty).
    broad
        The broad terms in it ("Advice", "Support").
    suggested
        Category ids suggested from its name and description, best first.
    words
        For each suggested id, the words that matched, as written.
    categories
        The category ids it was filed under: the suggestion when accepted, a person's
        choice, or none.
    source
        How it got them: ``"suggestion"``, ``"choice"`` or ``"none"``.
    """

    row: int
    name: str
    terms: str
    broad: tuple[str, ...] = ()
    suggested: tuple[str, ...] = ()
    words: tuple[tuple[str, ...], ...] = ()
    categories: tuple[str, ...] = ()
    source: CategorySource = NOT_CATEGORISED

    def as_dict(self) -> dict[str, object]:
        """The row as JSON-ready values."""
        return {
            ROW: self.row,
            "name": self.name,
            "terms": self.terms,
            "broad": list(self.broad),
            "suggested": {c: list(w) for c, w in zip(self.suggested, self.words, strict=True)},
            CATEGORIES: list(self.categories),
            "source": self.source,
        }


@dataclass(frozen=True)
class CategoryShares:
    """How many accepted rows were categorised by their own terms, by suggestion, by a
    person's choice, or not at all; the broad terms used; the rows to review.

    Attributes
    ----------
    by_terms, by_suggestion, by_choice, uncategorised
        Accepted rows categorised each way (they add up to the accepted rows).
    broad_terms
        Broad term -> accepted rows using it, most used first.
    review
        One entry per accepted row not categorised by its own terms, in row order.
    """

    by_terms: int = 0
    by_suggestion: int = 0
    by_choice: int = 0
    uncategorised: int = 0
    broad_terms: Mapping[str, int] = field(default_factory=dict)
    review: tuple[CategoryReview, ...] = ()

    @property
    def accepted(self) -> int:
        """The accepted rows counted."""
        return self.by_terms + self.by_suggestion + self.by_choice + self.uncategorised

    @property
    def pending(self) -> tuple[CategoryReview, ...]:
        """The uncategorised rows that have a suggestion waiting to be accepted."""
        return tuple(r for r in self.review if r.source == NOT_CATEGORISED and r.suggested)

    def percent(self, count: int) -> float:
        """``count`` as a percentage of the accepted rows (0 when there are none)."""
        return 100.0 * count / self.accepted if self.accepted else 0.0

    def lines(self) -> tuple[str, ...]:
        """The shares in words, for the printed report; empty when no row was accepted."""
        if not self.accepted:
            return ()
        suggested = self.by_suggestion + self.by_choice
        lines = [
            f"categories of the {self.accepted:,} accepted services: "
            f"{self._share(self.by_terms)} by their own terms, {self._share(suggested)} by "
            f"suggestion ({self.by_suggestion:,} accepted, {self.by_choice:,} chosen in "
            f"review), {self._share(self.uncategorised)} not at all"
        ]
        if self.pending:
            lines.append(
                f"suggested categories: {len(self.pending):,} uncategorised services have "
                "categories suggested from their names and descriptions (listed as "
                "suggested_category): accept them with --accept-suggestions, or review them "
                "in the dashboard"
            )
        if self.broad_terms:
            terms = ", ".join(
                f"{term!r} ({count:,} service{'s' if count > 1 else ''})"
                for term, count in self.broad_terms.items()
            )
            lines.append(
                f"broad terms (they name no specific need, so decide no category): {terms}"
            )
        return tuple(lines)

    def as_dict(self) -> dict[str, object]:
        """The shares as JSON-ready values: counts, percentages of the accepted rows."""
        counts = {
            "by_terms": self.by_terms,
            "by_suggestion": self.by_suggestion,
            "by_choice": self.by_choice,
            COUNT_UNCATEGORISED: self.uncategorised,
        }
        return {
            "accepted": self.accepted,
            **counts,
            "percent": {name: round(self.percent(n), 1) for name, n in counts.items()},
            "broad_terms": dict(self.broad_terms),
            "review": [row.as_dict() for row in self.review],
        }

    def _share(self, count: int) -> str:
        return f"{count:,} ({self.percent(count):.0f} %)"
