"""Review the categories of rows whose own terms named none: accept or change each row's.

The importer suggests categories for a row whose category cell names no need category
(empty, only broad terms such as "Advice; Support", or terms that match nothing) from its
name and description, and reports the words that matched (`ImportReport.categories`).
`category_review` shows those rows in a table, each with the suggestion filled in, where
the user keeps, changes or clears the categories; it returns what they chose as
``ImportOptions.category_choices`` (row number -> category ids) when they apply it.

How to call it, on the data page, below the report of an uploaded file::

    choices = category_review(source.report, ctx.taxonomy, key=source.key)
    if choices is not None:
        kept = {**outcome.options.category_choices, **choices}
        outcome = check_upload(
            outcome, ctx, options=replace(outcome.options, category_choices=kept)
        )

`review_rows` and `choices_from_table` are plain functions (no widgets), tested on their own.
Names and terms come from the file: they are shown as table cells, which Streamlit renders
as plain text, and every Markdown text here is a literal or escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd
import streamlit as st

from analysis.escape import markdown_text
from analysis.ingest.category_report import (
    BY_CHOICE,
    BY_SUGGESTION,
    NOT_CATEGORISED,
    CategoryReview,
)
from analysis.ingest.import_report import ImportReport
from analysis.model import ROW
from analysis.taxonomy import Taxonomy

NAME: Final = "service name"
TERMS: Final = "its own terms"
SUGGESTED: Final = "suggested from its words"
CHOSEN: Final = "file under"
STATUS: Final = "now"
REVIEW_COLUMNS: Final = (ROW, NAME, TERMS, SUGGESTED, CHOSEN, STATUS)
_STATUS_WORDS: Final = {
    BY_SUGGESTION: "filed under the suggestion",
    BY_CHOICE: "chosen in review",
    NOT_CATEGORISED: "in no category",
}


def review_rows(report: ImportReport, taxonomy: Taxonomy) -> pd.DataFrame:
    """The rows to review, one per row its own terms did not categorise.

    Returns
    -------
    pandas.DataFrame
        Columns `REVIEW_COLUMNS`: the row number, the service's name, its category cell,
        the suggested categories with the words that matched (``"Food and essential
        shopping ('Food Bank')"``), the category ids to file it under (what it is filed
        under now, else the suggestion) and its status.
    """
    rows = [
        {
            ROW: review.row,
            NAME: review.name,
            TERMS: review.terms,
            SUGGESTED: _suggested_text(review, taxonomy),
            CHOSEN: list(review.categories or review.suggested),
            STATUS: _status(review),
        }
        for review in report.categories.review
    ]
    return pd.DataFrame(rows, columns=list(REVIEW_COLUMNS))


def choices_from_table(table_df: pd.DataFrame, report: ImportReport) -> dict[int, tuple[str, ...]]:
    """The rows whose chosen categories differ from what they are filed under, and those.

    ``table_df`` is `review_rows`' table as the user left it. A row kept at its
    suggestion is a choice (unless the suggestion was accepted for every row); a row
    cleared is a choice of no category only when it was filed under some.
    """
    filed = {review.row: review.categories for review in report.categories.review}
    choices: dict[int, tuple[str, ...]] = {}
    for row, chosen in zip(table_df[ROW], table_df[CHOSEN], strict=True):
        ids = tuple(dict.fromkeys(_as_list(chosen)))
        if int(row) in filed and ids != filed[int(row)]:
            choices[int(row)] = ids
    return choices


def category_review(
    report: ImportReport, taxonomy: Taxonomy, *, key: str
) -> dict[int, tuple[str, ...]] | None:
    """Show the rows to review; return the categories chosen when the user applies them.

    Parameters
    ----------
    report
        The import report of the file (its ``categories.review``).
    taxonomy
        The need categories offered.
    key
        A key unique to the file checked (its source key), so each file has its own table.

    Returns
    -------
    dict or None
        Row number -> category ids, for the rows changed, when the user clicks the apply
        button; None otherwise (and when there is nothing to review).
    """
    table = review_rows(report, taxonomy)
    if table.empty:
        return None
    pending = len(report.categories.pending)
    st.markdown("#### Categories to review")
    st.caption(
        f"{len(table):,} services name no specific need in their categories, and "
        f"{pending:,} of them have categories suggested from their names and descriptions "
        "(the words that matched are shown). Keep, change or clear each row's "
        "categories, then apply them: the file is checked again with your choices."
    )
    labels = {category.id: category.label for category in taxonomy.categories}
    edited = st.data_editor(
        table,
        key=f"category-review-{key}",
        hide_index=True,
        disabled=[column for column in REVIEW_COLUMNS if column != CHOSEN],
        column_config={
            CHOSEN: st.column_config.MultiselectColumn(
                CHOSEN,
                options=list(labels),
                format_func=lambda category_id: labels.get(category_id, category_id),
                help="The need categories to file this service under",
            ),
            ROW: st.column_config.NumberColumn(ROW, format="%d"),
        },
    )
    choices = choices_from_table(edited, report)
    applied = st.button(
        "Apply these categories",
        key=f"category-review-apply-{key}",
        disabled=not choices,
        help="Check the file again with the categories in the table",
    )
    if choices:
        st.caption(markdown_text(f"{len(choices):,} rows changed: {_rows_text(choices)}"))
    return choices if applied else None


def _suggested_text(review: CategoryReview, taxonomy: Taxonomy) -> str:
    """The suggested categories in words, each with the words that matched."""
    labels = {category.id: category.label for category in taxonomy.categories}
    return "; ".join(
        f"{labels.get(c, c)} ({', '.join(repr(w) for w in words)})"
        for c, words in zip(review.suggested, review.words, strict=True)
    )


def _status(review: CategoryReview) -> str:
    if review.source == NOT_CATEGORISED and review.suggested:
        return "in no category: suggestion not accepted yet"
    return _STATUS_WORDS.get(review.source, review.source)


def _rows_text(choices: dict[int, tuple[str, ...]]) -> str:
    shown = sorted(choices)[:10]
    more = f" and {len(choices) - len(shown):,} more" if len(choices) > len(shown) else ""
    return ", ".join(map(str, shown)) + more


def _as_list(value: object) -> Sequence[str]:
    """A multiselect cell as a list: Streamlit gives a list (or an array, or None)."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [str(item) for item in value] if not isinstance(value, str) else [value]
