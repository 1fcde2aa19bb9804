"""How the view changes: widgets that follow the URL, and the one way to open another view.

Widgets keep their own state in ``st.session_state``; the URL is the view. `follow_url`
makes a widget show the URL's value whenever the URL changed since the widget last wrote
it (a shared link, the browser's back button, a click that opened another page), and
leaves the person's choice alone otherwise. `navigate` opens another view from the
script; `open_view` does the same from a button's callback.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from analysis.escape import markdown_text
from dashboard.state import StateKeys, ViewState, to_query


def follow_url(key: str, url_value: Any) -> None:
    """Before drawing the widget ``key``: show ``url_value`` if the URL changed it."""
    synced = st.session_state.setdefault(StateKeys.SYNCED, {})
    if key not in st.session_state or synced.get(key) != url_value:
        st.session_state[key] = url_value
        synced[key] = url_value


def remember(key: str, value: Any) -> Any:
    """After drawing the widget ``key``: note the value it wrote; return it."""
    st.session_state.setdefault(StateKeys.SYNCED, {})[key] = value
    return value


def navigate(target: ViewState) -> None:
    """Open ``target`` now: write it to the URL and rerun the script."""
    st.query_params.from_dict(to_query(target))
    st.rerun()


def open_view(target: ViewState) -> None:
    """Button callback: open ``target`` (Streamlit reruns after the callback)."""
    st.query_params.from_dict(to_query(target))


def synced_select(label: str, options: list[str], *, key: str, url_value: str, fmt, help_):
    """A select that follows the URL when the URL changed, and the user otherwise."""
    follow_url(key, url_value)
    choice = st.selectbox(
        markdown_text(label), options, key=key, format_func=fmt, help=markdown_text(help_)
    )
    return remember(key, choice)
