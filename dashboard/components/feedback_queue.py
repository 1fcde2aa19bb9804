"""Open feedback from the public, service by service, each report with a "Resolve" button:
on the review queue (every organisation) and the edit page (the editor's own).

A service that enough different people reported closed since its last check says so at the
top of its reports (`analysis.store.feedback.reported_closed`).
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from analysis.errors import StoreError
from analysis.escape import markdown_text
from analysis.settings import FEEDBACK_TEXT_CHARS
from analysis.store.access import NotAllowedError
from analysis.store.feedback import (
    Feedback,
    closed_reporters,
    open_feedback,
    reported_closed,
    resolve_feedback,
)
from analysis.store.schema import REPORTED_CLOSED
from dashboard.auth import Viewer
from dashboard.components.feedback_form import kind_label
from dashboard.components.people import tell_done
from dashboard.data import store_engine

RESOLVE_KEY: Final = "resolve_feedback"  # + the page's key and the report's number


def feedback_queue(
    viewer: Viewer,
    *,
    organisation_id: str | None = None,
    key: str,
    quiet_when_empty: bool = False,
) -> None:
    """The open reports ``viewer`` may see (on ``organisation_id`` when given), each with a
    short note and "Resolve"; nothing for a viewer who may not see them, nor when there are
    none and ``quiet_when_empty``."""
    store = store_engine()
    try:
        reports = open_feedback(store, viewer.actor, organisation_id=organisation_id)
    except NotAllowedError:
        return
    with store.connect() as connection:
        closed, people = reported_closed(connection), closed_reporters(connection)
    if not reports and quiet_when_empty:
        return
    st.subheader(f"Feedback from the public ({len(reports):,} open)")
    if not reports:
        st.write("No open feedback from the public.")
        return
    by_service: dict[str, list[Feedback]] = {}
    for report in reports:
        by_service.setdefault(report.service_id, []).append(report)
    for service_id, about in by_service.items():
        first = about[0]
        with st.container(border=True):
            st.markdown(
                f"**{markdown_text(first.service_name)}** — "
                f"{markdown_text(first.organisation_name)}"
            )
            if service_id in closed:
                st.warning(
                    f"Reported closed by {people[service_id]:,} people — check it. Resolving "
                    'one of its "closed" reports resolves them all.'
                )
            for report in about:
                _report(viewer, report, key)


def _report(viewer: Viewer, report: Feedback, key: str) -> None:
    st.caption(
        markdown_text(kind_label(report.kind))
        + f" · sent on {report.created_at:%d %B %Y %H:%M} UTC"
    )
    if report.text:
        st.write(markdown_text(f"Their words: {report.text}"))
    form_key = f"{RESOLVE_KEY}_{key}_{report.id}"
    with st.form(form_key):
        note = st.text_input(
            "What you did (optional, kept with the report)",
            max_chars=FEEDBACK_TEXT_CHARS,
            key=f"{form_key}_note",
        )
        resolved = st.form_submit_button("Resolve")
    if not resolved:
        return
    try:
        count = resolve_feedback(store_engine(), viewer.actor, report.id, note)
    except StoreError as error:
        st.error(markdown_text(f"Not resolved: {error}."))
        return
    what = 'its "closed" reports' if report.kind == REPORTED_CLOSED else "the report"
    tell_done(f"Resolved {what} on {report.service_name} ({count} report(s) in all).")
    st.rerun()
