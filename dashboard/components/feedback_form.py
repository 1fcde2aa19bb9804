"""Tell us about a service: anyone, with no account, says a service shown on the page is out
of date, has closed, or adds information, with a short text.

The report is stored (`analysis.store.feedback`), never published or emailed as written;
its group's editors are told and the reviewers see it. Who sent it is a keyed hash of a
random secret kept for this browser session (never an address), so the store can limit
how many one session sends and tell two people apart.
"""

from __future__ import annotations

import secrets
from typing import Final

import pandas as pd
import streamlit as st

from analysis.errors import StoreError
from analysis.escape import markdown_text
from analysis.model import ORG_NAME, SERVICE_ID, SERVICE_NAME
from analysis.settings import FEEDBACK_TEXT_CHARS
from analysis.store.access import PUBLIC
from analysis.store.feedback import (
    KIND_WORDS,
    FeedbackRefusedError,
    give_feedback,
    reporter_key,
)
from analysis.store.schema import FEEDBACK_KINDS
from dashboard.context import PageContext
from dashboard.data import store_engine

SECRET_KEY: Final = "feedback_session_secret"
"""Where this browser session keeps the random secret its reports are known by."""
FORM_KEY: Final = "feedback_form"  # + the page's key


def feedback_form(ctx: PageContext, services_df: pd.DataFrame, *, key: str) -> None:
    """The form under a page's services: which one, what is wrong, a short text, send.

    Nothing is drawn for an uploaded file (it is not the directory) or when the page shows
    no service.
    """
    if ctx.source.is_upload or ctx.source.no_services or services_df.empty:
        return
    names = service_choices(services_df)
    st.subheader("Tell us about a service")
    st.caption(
        "No account needed. What you send goes to the group's editors and the directory's "
        "reviewers, who check the entry; it is not published."
    )
    with st.form(f"{FORM_KEY}_{key}"):
        service_id = st.selectbox(
            "Which service",
            list(names),
            index=None,
            format_func=names.get,
            placeholder="Choose one of the services on this page",
            key=f"{FORM_KEY}_{key}_service",
        )
        kind = st.radio(
            "What do you want to tell us?",
            FEEDBACK_KINDS,
            index=None,
            format_func=kind_label,
            key=f"{FORM_KEY}_{key}_kind",
        )
        text = st.text_area(
            f"Anything to add (optional, at most {FEEDBACK_TEXT_CHARS:,} characters)",
            max_chars=FEEDBACK_TEXT_CHARS,
            placeholder="e.g. it now meets on Thursdays",
            key=f"{FORM_KEY}_{key}_text",
        )
        sent = st.form_submit_button("Send", type="primary")
    if not sent:
        return
    if service_id is None or kind is None:
        st.warning("Not sent: choose the service and what you want to tell us, then send.")
        return
    _send(ctx, service_id, kind, text, names[service_id])


def service_choices(services_df: pd.DataFrame) -> dict[str, str]:
    """Service id -> "name (organisation)"; a label two share also shows the id."""
    rows = services_df.drop_duplicates(SERVICE_ID)
    labels = {
        row[SERVICE_ID]: f"{row[SERVICE_NAME]} ({row.get(ORG_NAME) or 'no organisation'})"
        for _, row in rows.iterrows()
    }
    shared = pd.Series(list(labels.values())).value_counts()
    return {
        key: f"{label} · {key}" if shared[label] > 1 else label
        for key, label in sorted(labels.items(), key=lambda item: item[1].casefold())
    }


def kind_label(kind: str) -> str:
    """A kind of report in the words the form offers it by."""
    words = KIND_WORDS[kind]
    return words[0].upper() + words[1:]


def session_reporter() -> str:
    """This browser session's reporter: the keyed hash of its random secret."""
    secret = st.session_state.setdefault(SECRET_KEY, secrets.token_urlsafe(32))
    return reporter_key(secret)


def _send(ctx: PageContext, service_id: str, kind: str, text: str, name: str) -> None:
    actor = ctx.viewer.actor if ctx.viewer is not None else PUBLIC
    try:
        give_feedback(store_engine(), actor, service_id, kind, text, reporter=session_reporter())
    except FeedbackRefusedError as error:
        st.warning(markdown_text(f"Not sent: {error}."))
        return
    except StoreError as error:
        st.error(markdown_text(f"Not sent: {error}."))
        return
    st.success(
        markdown_text(
            f"Thank you: your report on {name} is sent. The group's editors are told and the "
            "directory's reviewers see it; they check the entry and correct it. What you "
            "wrote is kept for them, not published."
        )
    )
