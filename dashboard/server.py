"""The dashboard's server: the Streamlit app behind security headers.

``python -m analysis serve`` (what ``make run`` does) runs ``streamlit run`` on this file;
Streamlit finds the `st.App` below and serves ``app.py`` through it, and the Open Referral
UK feed beside it under ``/api/oruk`` (`dashboard.feed_routes`). Whatever escapes the
script (a widget callback, say) reaches `dashboard.failure.on_script_error`: a plain
message with a reference for the person, the traceback for the server log.
"""

import streamlit as st
from starlette.middleware import Middleware

from dashboard.failure import on_script_error
from dashboard.feed_routes import feed_routes
from dashboard.security import SecurityHeaders

app = st.App(
    "app.py",
    routes=feed_routes(),
    middleware=[Middleware(SecurityHeaders)],
    on_script_error=on_script_error,
)
