"""HTTP security headers for every response of the dashboard's server.

The app's own pages get a Content-Security-Policy that allows only what Streamlit needs:
its scripts from this server (and the one inline script of its index page, by hash),
inline styles (Streamlit's CSS-in-JS), images and fonts from this server or ``data:``,
connections back to this server. Map components (``/component/...``) run Folium's inline
script, so their policy also allows inline scripts and ``eval`` — but still nothing from
another host, so an injected image or script cannot call out. Every response forbids
framing by other sites (``frame-ancestors 'self'`` and ``X-Frame-Options: SAMEORIGIN``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import streamlit

COMPONENT_PREFIX = "/component/"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@cache
def index_script_hashes() -> tuple[str, ...]:
    """CSP hashes of the inline scripts in Streamlit's own index page."""
    index = Path(streamlit.__file__).parent / "static" / "index.html"
    text = index.read_text(encoding="utf-8") if index.is_file() else ""
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(text)
    )


def content_security_policy(*, component: bool) -> str:
    """The policy for app pages, or for map components when ``component``."""
    scripts = ["'self'"]
    scripts += ["'unsafe-inline'", "'unsafe-eval'"] if component else list(index_script_hashes())
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app) -> None:
        self.app = app
        self._app_headers = self._headers(component=False)
        self._component_headers = self._headers(component=True)

    @staticmethod
    def _headers(*, component: bool) -> list[tuple[bytes, bytes]]:
        return [
            (b"content-security-policy", content_security_policy(component=component).encode()),
            (b"x-frame-options", b"SAMEORIGIN"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = (
            self._component_headers
            if COMPONENT_PREFIX in scope.get("path", "")
            else self._app_headers
        )

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in extra}
                kept = [(n, v) for n, v in message.get("headers", []) if n.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
