"""The reviewers' queue of similar services: the pairs the analysis finds that no reviewer
has decided, most shared need first, each decided in place (`analysis.store.pairs`).

Text from the directory reaches Markdown through `analysis.escape.markdown_text`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd
import streamlit as st

from analysis.directory import Directory
from analysis.errors import StoreError
from analysis.escape import markdown_text
from analysis.model import (
    CATEGORY,
    NEED_IN_COMMON,
    ORG_NAME,
    REASON,
    SERVICE_A,
    SERVICE_B,
    SERVICE_ID,
    SERVICE_NAME,
    WARD_CODE,
    WARD_LEVEL,
)
from analysis.store import pairs
from analysis.store.schema import COULD_WORK_TOGETHER, NOT_THE_SAME, PAIR_DECISIONS, THE_SAME
from analysis.taxonomy import Taxonomy
from dashboard.auth import Viewer
from dashboard.components.people import tell_done
from dashboard.context import PageContext
from dashboard.data import store_engine

SHOWN_AT_ONCE: Final = 20
"""Pairs drawn at once: the rest wait behind the ward and name filters."""
ALL_WARDS: Final = ""
DECISION_LABELS: Final = {
    NOT_THE_SAME: "Not the same (say why; the pair is hidden from then on)",
    THE_SAME: "The same service (keep one; the other is archived, its history kept)",
    COULD_WORK_TOGETHER: "Could work together (offer both groups an introduction)",
}
DECISION_DONE: Final = {
    NOT_THE_SAME: "marked not the same; the pair is hidden from now on",
    THE_SAME: "merged into the one kept; the other is archived with its history",
    COULD_WORK_TOGETHER: "offered an introduction: both groups' editors are told",
}


@dataclass(frozen=True)
class OpenPair:
    """One undecided pair as the queue shows it."""

    service_a: str
    service_b: str
    name_a: str
    name_b: str
    categories: str
    ward_code: str
    ward_name: str
    need_in_common: float
    why: str

    @property
    def names(self) -> dict[str, str]:
        """Each service's id -> "service (organisation)"."""
        return {self.service_a: self.name_a, self.service_b: self.name_b}


def open_pairs(
    pairs_df: pd.DataFrame, directory: Directory, taxonomy: Taxonomy, ward_names: dict[str, str]
) -> list[OpenPair]:
    """The undecided pairs, most shared need first: names, categories, ward, why.

    A pair found in several categories keeps the ward and reason of the one sharing most
    need, and lists every category.
    """
    with store_engine().connect() as connection:
        left = pairs.undecided(connection, pairs_df)
    if left.empty:
        return []
    labels = {c.id: c.label for c in taxonomy.categories}
    services = directory.services_with_organisations().set_index(SERVICE_ID)

    def named(service_id: str) -> str:
        if service_id not in services.index:
            return service_id  # a service the directory no longer holds: its id
        found = services.loc[service_id]
        return f"{found[SERVICE_NAME]} ({found[ORG_NAME]})"

    ordered = left.sort_values(NEED_IN_COMMON, ascending=False, kind="stable")
    shown: list[OpenPair] = []
    for (a, b), rows in ordered.groupby([SERVICE_A, SERVICE_B], sort=False):
        top = rows.iloc[0]
        shown.append(
            OpenPair(
                service_a=str(a),
                service_b=str(b),
                name_a=named(str(a)),
                name_b=named(str(b)),
                categories=", ".join(labels.get(c, c) for c in rows[CATEGORY]),
                ward_code=str(top[WARD_CODE]),
                ward_name=ward_names.get(top[WARD_CODE], str(top[WARD_CODE])),
                need_in_common=float(top[NEED_IN_COMMON]),
                why=str(top[REASON]),
            )
        )
    return shown


def show_pairs_queue(ctx: PageContext, viewer: Viewer) -> None:
    """The open pairs with the three choices each, for reviewers."""
    st.write(
        "Pairs of two groups' local services of one kind that reach mostly the same "
        "people in need. Decide each once: not the same, the same service listed twice, or "
        "two groups that could work together."
    )
    analysis = ctx.analysis
    found = analysis.metrics(ctx.state.filters(), ctx.state.thresholds, level=WARD_LEVEL)
    rows = open_pairs(found.duplicates, analysis.directory, ctx.taxonomy, ctx.area.ward_names)
    if not rows:
        st.write("No similar pairs wait for a decision.")
        return
    names = ctx.area.ward_names
    wards = sorted({row.ward_code for row in rows}, key=lambda code: names.get(code, code))
    left, right = st.columns(2)
    ward = left.selectbox(
        "Ward",
        [ALL_WARDS, *wards],
        format_func=lambda code: names.get(code, code) or "All wards",
        key="pairs_ward",
    )
    wanted = right.text_input("Find a service or organisation", key="pairs_find").strip()
    if ward:
        rows = [row for row in rows if row.ward_code == ward]
    if wanted:
        rows = [row for row in rows if wanted.casefold() in f"{row.name_a} {row.name_b}".casefold()]
    st.caption(
        markdown_text(
            f"{len(rows):,} pairs to decide, most need in common first"
            + (f"; the first {SHOWN_AT_ONCE} are shown." if len(rows) > SHOWN_AT_ONCE else ".")
        )
    )
    for row in rows[:SHOWN_AT_ONCE]:
        _pair(viewer, row)


def _pair(viewer: Viewer, row: OpenPair) -> None:
    a, b, first, second = row.service_a, row.service_b, row.name_a, row.name_b
    with st.container(border=True):
        st.markdown(f"**{markdown_text(first)} and {markdown_text(second)}**")
        st.caption(
            markdown_text(
                f"{row.categories} · {row.ward_name} · "
                f"{row.need_in_common:,.0f} people in need in common"
            )
        )
        st.write(markdown_text(f"Why they look alike: {row.why}"))
        with st.form(f"pair_{a}_{b}"):
            decision = st.radio(
                "Decision",
                PAIR_DECISIONS,
                index=None,
                format_func=DECISION_LABELS.get,
                key=f"pair_decision_{a}_{b}",
            )
            reason = st.text_input("Reason (needed for 'not the same')", key=f"pair_reason_{a}_{b}")
            kept = st.selectbox(
                "Keep (for 'the same')", [a, b], format_func=row.names.get, key=f"pair_keep_{a}_{b}"
            )
            problem_key = f"pair_problem_{a}_{b}"
            problem = st.session_state.pop(problem_key, None)
            if problem:
                st.error(markdown_text(problem))
            decided = st.form_submit_button("Decide")
    if not decided:
        return
    if decision is None:
        st.session_state[problem_key] = "Not done: choose one of the three decisions first."
        st.rerun()
    try:
        pairs.decide_pair(
            store_engine(),
            viewer.actor,
            a,
            b,
            decision,
            # An introduction's mail says why the two look alike.
            reason=reason if decision != COULD_WORK_TOGETHER else row.why,
            kept=kept if decision == THE_SAME else None,
            ward_code=row.ward_code,
        )
    except StoreError as error:
        st.session_state[problem_key] = f"Not done: {error}."
        st.rerun()
    done = DECISION_DONE[decision]
    if decision == THE_SAME:
        done = f"merged into {row.names[kept]}; the other is archived with its history"
    tell_done(f"{first} and {second}: {done}.")
    st.rerun()
