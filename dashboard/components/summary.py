"""The one-paragraph summary of a category's gaps and duplicated effort, in plain words.

Every number comes from the metrics table of `analysis.provision.metrics`; this module only counts
rows and picks the largest value. The text is plain (no markup): show it with
``st.text``/``st.write`` of a string, never as HTML.
"""

from __future__ import annotations

import pandas as pd

from analysis.model import (
    AREA_NAME,
    CATEGORY,
    DUPLICATE_PAIRS,
    MISSING,
    NEED,
    NEED_UNIT,
    NO_NEED,
    PROVISION_CLASS,
    RELATIVE_PROVISION,
    SMALL_NUMBERS,
    UNDER_SERVED,
    WELL_PROVIDED,
)

COUNTED_CLASSES = (MISSING, UNDER_SERVED, WELL_PROVIDED)
"""The classes the summary and the presentation headlines count."""

_LIST_AT_MOST = 5
RP_MEANING = "where 1 = city average per person in need"
"""What a relative provision means, said wherever one is quoted."""


def class_counts(table_df: pd.DataFrame, category: str) -> dict[str, int]:
    """Number of wards per class for ``category`` (every class, zeros included)."""
    rows = table_df[table_df[CATEGORY] == category]
    counts = rows[PROVISION_CLASS].value_counts()
    return {name: int(counts.get(name, 0)) for name in COUNTED_CLASSES}


def _wards(n: int) -> str:
    return f"{n} ward{'' if n == 1 else 's'}"


def _names(names: list[str]) -> str:
    shown = names[:_LIST_AT_MOST]
    text = ", ".join(shown)
    if len(names) > len(shown):
        text += f" and {len(names) - len(shown)} more"
    return text


def summary_text(table_df: pd.DataFrame, category: str, category_label: str) -> str:
    """A paragraph on ``category``: wards missing it, under-served, the largest unmet need.

    Parameters
    ----------
    table_df
        The ward × category metrics table (`analysis.provision.metrics.MetricsResult.table`).
    category, category_label
        The category id and its label as people read it ("food support").

    Returns
    -------
    str
        Plain text, e.g. "5 wards have no local food support within reach: … The largest
        unmet need is in Filwood (2,310 income-deprived residents; relative provision 0.21,
        where 1 = city average per person in need)."
    """
    rows = table_df[table_df[CATEGORY] == category]
    label = category_label.lower()
    if rows.empty:
        return f"There are no wards to summarise for {label}."
    counts = class_counts(table_df, category)
    missing = rows[rows[PROVISION_CLASS] == MISSING].sort_values(NEED, ascending=False)
    under = rows[rows[PROVISION_CLASS] == UNDER_SERVED]
    parts: list[str] = []
    if counts[MISSING]:
        verb = "has" if counts[MISSING] == 1 else "have"
        parts.append(
            f"{_wards(counts[MISSING])} {verb} no local {label} within reach: "
            f"{_names(missing[AREA_NAME].astype(str).tolist())}."
        )
    elif (rows[PROVISION_CLASS] == NO_NEED).any():
        # A ward nobody the category is for lives in may have no service at all.
        parts.append(
            f"Every ward with people in need has at least some local {label} within reach."
        )
    else:
        parts.append(f"Every ward has at least some local {label} within reach.")
    if counts[UNDER_SERVED]:
        verb = "is" if counts[UNDER_SERVED] == 1 else "are"
        parts.append(f"{_wards(counts[UNDER_SERVED])} {verb} under-served.")
    gaps = pd.concat([missing, under])
    gaps = gaps[gaps[NEED] > 0]
    if not gaps.empty:
        top = gaps.sort_values([NEED, AREA_NAME], ascending=[False, True]).iloc[0]
        rp = top[RELATIVE_PROVISION]
        rp_text = f"; relative provision {rp:.2f}, {RP_MEANING}" if pd.notna(rp) else ""
        parts.append(
            f"The largest unmet need is in {top[AREA_NAME]} ({top[NEED]:,.0f} "
            f"{top[NEED_UNIT]}{rp_text})."
        )
    pairs = int(rows[DUPLICATE_PAIRS].sum())
    if pairs:
        holding = int((rows[DUPLICATE_PAIRS] > 0).sum())
        parts.append(
            f"{pairs:,} pair{'' if pairs == 1 else 's'} of local services in "
            f"{_wards(holding)} {'reaches' if pairs == 1 else 'reach'} mostly the same "
            "people: candidates for working together."
        )
    small = int(rows[SMALL_NUMBERS].sum())
    if small:
        verb, them = ("rests", "it") if small == 1 else ("rest", "them")
        parts.append(f"{_wards(small)} {verb} on small numbers; read {them} with care.")
    return " ".join(parts)
