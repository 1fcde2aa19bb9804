"""What a person sees when the dashboard fails: plain words and a reference, never a traceback.

The detail (the exception and its traceback) goes to the server log under the same
reference, so whoever runs the site can find it from the reference a user quotes. With the
environment variable ``SAFETYNET_DEBUG=1`` the error is raised again, so Streamlit shows its
traceback: for developers, and for the tests, which must see a failure to fail.
"""

from __future__ import annotations

import logging
import os
import secrets

import streamlit as st

from analysis.escape import markdown_text

LOG = logging.getLogger("safetynet.dashboard")
DEBUG_ENV = "SAFETYNET_DEBUG"
if not LOG.handlers:  # Streamlit configures its own loggers only: ours go to stderr
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(_handler)
    LOG.propagate = False


def is_debug() -> bool:
    """True when tracebacks should be shown (``SAFETYNET_DEBUG`` set to 1, true or yes)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes"}


def show_details_when_debugging() -> None:
    """In debug mode, let Streamlit show whole tracebacks (the server's config hides them)."""
    if is_debug():
        st.set_option("client.showErrorDetails", "full")


def record_failure(error: BaseException) -> str:
    """Log ``error`` with its traceback under a new reference; return the reference."""
    reference = secrets.token_hex(4).upper()
    LOG.error("page failed, reference %s", reference, exc_info=error)
    return reference


def failure_message(reference: str) -> str:
    """The message shown in place of a page that failed."""
    return (
        "Something went wrong while preparing this page, and it could not be shown. "
        f"It has been recorded with reference {reference}. Reload the page to try again; "
        "if it happens again, tell the people who run this site and quote the reference."
    )


def show_failure(error: Exception) -> None:
    """Log ``error`` and show the plain message; in debug mode, raise it again."""
    reference = record_failure(error)
    if is_debug():
        raise error
    st.error(markdown_text(failure_message(reference)))


def on_script_error(error: Exception) -> bool:
    """`st.App`'s handler for what escapes the script (e.g. a widget callback).

    Returns True (Streamlit shows nothing of its own) unless in debug mode, where
    Streamlit's own traceback is left to show.
    """
    if is_debug():
        return False
    st.error(markdown_text(failure_message(record_failure(error))))
    return True
