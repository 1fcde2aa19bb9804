"""Introductions between groups: an editor's to answer on their account page (and, once
both groups agreed, the other group's contact details), and the collaborations the
public sees on the ward and postcode pages (names only).

What is shared, and with whom, is decided by `analysis.store.pairs`; text from the
directory reaches Markdown through `analysis.escape.markdown_text`.
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from analysis.errors import StoreError
from analysis.escape import markdown_text
from analysis.store import pairs
from analysis.store.schema import AGREED, DECLINED_INTRODUCTION, NOT_ANSWERED
from dashboard.auth import Viewer
from dashboard.components.people import tell_done
from dashboard.data import store_engine


def show_introductions(viewer: Viewer) -> None:
    """The introductions of the organisations ``viewer`` keeps: answer, then contacts."""
    kept = viewer.rights.organisations
    mine = [
        each
        for each in pairs.introductions_for(store_engine(), viewer.actor)
        if each.organisation_id in kept
    ]
    if not mine:
        return
    st.subheader("Introductions")
    st.caption(
        "A reviewer thinks your group and another could work together. Agreeing shares "
        "your group's contact details and your email with the other group, and only once "
        "they agree too; until then nothing is shared."
    )
    for introduction in mine:
        _introduction(viewer, introduction)


def _introduction(viewer: Viewer, introduction: pairs.Introduction) -> None:
    own, other = introduction.organisation_name, introduction.other_organisation_name
    with st.container(border=True):
        st.markdown(f"**{markdown_text(own)} and {markdown_text(other)}**")
        st.write(
            markdown_text(
                f"You run {introduction.service_name}; they run "
                f"{introduction.other_service_name}, for mostly the same residents."
                + (f" Why: {introduction.why}." if introduction.why else "")
            )
        )
        if introduction.both_agreed:
            _contacts(viewer, introduction)
            return
        if introduction.other_answer == DECLINED_INTRODUCTION:
            st.write(markdown_text(f"{other} did not take this further."))
            return
        if introduction.answer == AGREED:
            st.write(markdown_text(f"You agreed. Waiting for {other} to answer."))
        key = f"introduction_{introduction.pair_id}_{introduction.organisation_id}"
        left, right = st.columns(2)
        if introduction.answer == NOT_ANSWERED and left.button(
            "Agree to be introduced", key=f"{key}_agree", type="primary"
        ):
            _answer(viewer, introduction, agree=True)
        if right.button("Decline", key=f"{key}_decline"):
            _answer(viewer, introduction, agree=False)


def _answer(viewer: Viewer, introduction: pairs.Introduction, *, agree: bool) -> None:
    try:
        pairs.answer_introduction(
            store_engine(),
            viewer.actor,
            introduction.pair_id,
            introduction.organisation_id,
            agree,
        )
    except StoreError as error:
        st.error(markdown_text(f"Not done: {error}."))
        return
    other = introduction.other_organisation_name
    tell_done(
        f"You agreed to be introduced to {other}."
        if agree
        else f"You declined the introduction to {other}; you will hear no more about it."
    )
    st.rerun()


def _contacts(viewer: Viewer, introduction: pairs.Introduction) -> None:
    st.write(
        markdown_text(
            f"Both groups agreed: here is how to reach {introduction.other_organisation_name}."
        )
    )
    try:
        shared = pairs.shared_contacts(store_engine(), viewer.actor, introduction.pair_id)
    except StoreError as error:
        st.error(markdown_text(f"The contact details cannot be shown: {error}."))
        return
    for contacts in shared:
        lines = [
            f"{label}: {value}"
            for label, value in (
                ("Email", contacts.email),
                ("Phone", contacts.phone),
                ("Website", contacts.website),
                ("Their editors", ", ".join(contacts.editors)),
            )
            if value
        ]
        st.markdown(markdown_text("\n".join([contacts.organisation_name, *lines]), keep_lines=True))


def show_collaborations(*, ward_code: str | None = None, service_ids: Iterable[str] = ()) -> None:
    """Collaborations both groups agreed to, in ``ward_code`` or of ``service_ids``."""
    ids = set(service_ids)
    with store_engine().connect() as connection:
        found = [
            each
            for each in pairs.collaborations(connection)
            if (ward_code is not None and each.ward_code == ward_code)
            or each.service_a_id in ids
            or each.service_b_id in ids
        ]
    if not found:
        return
    st.markdown("**Working together**")
    for each in found:
        st.write(
            markdown_text(
                f"Working together: {each.org_a} and {each.org_b} ({each.service_a} and "
                f"{each.service_b}), since {each.started_at:%d %B %Y}."
            )
        )
