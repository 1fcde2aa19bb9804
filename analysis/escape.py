"""One escaping rule per output context: where text from a file or a link is rendered.

Text that came from a services file, the reference data, the taxonomy file or the URL is
never trusted. Each place that renders it uses the rule for its context, from this module
and nowhere else:

==========================  =====================  ==========================================
context                     rule                   used by
==========================  =====================  ==========================================
HTML text                   `html_text`            the ward profile, map legends and labels
HTML attribute (quoted)     `html_attribute`       titles and labels in exported HTML
link address (href)         `safe_url`             links to a service's website, mail, phone
HTML in a JS template       `html_in_js_template`  Folium tooltips and popups
JS string in a script       `js_string`            values written into a map's script
Markdown (Streamlit text)   `markdown_text`        every ``st.*`` call that renders Markdown
CSV and XLSX cells          `spreadsheet_cell`     every table the project writes
==========================  =====================  ==========================================

`tests/test_rendering_rule.py` scans the dashboard for Streamlit calls that render
Markdown and fails when text reaches one without `markdown_text`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import string
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet runs as a formula at the start of a text cell (OWASP CSV injection)."""
PLAIN_NUMBER: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
"""A cell that is one decimal number, which a spreadsheet reads as a number, not a formula."""

SAFE_URL_SCHEMES: Final = frozenset({"http", "https", "mailto", "tel"})
"""Link schemes a rendered link may use: never ``javascript:``, ``data:`` or ``file:``."""

# CommonMark lets a backslash escape every ASCII punctuation character, and renders it as
# the character itself; escaping all of them also defeats GFM's autolinks
# (``https://``, ``www.``), Streamlit's ``:colour[...]`` directives, emoji shortcodes and
# ``$...$`` maths, none of which a list of "special" characters would keep up with.
_MARKDOWN_PUNCTUATION: Final = re.compile("([" + re.escape(string.punctuation) + "])")
_WORD_JOINER: Final = "\u2060"
_AUTOLINK_WWW: Final = re.compile(r"(?i)www(?=\.)")
# A scheme (``javascript:``), not a host and port (``example.org:8080``).
_URL_SCHEME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_JS_TEMPLATE_CHARS: Final = {"`": "&#96;", "$": "&#36;", "\\": "&#92;"}
_JS_STRING_CHARS: Final = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}


def _text(value: object) -> str:
    return "" if value is None else str(value)


def html_text(value: object) -> str:
    """``value`` as HTML text: ``&``, ``<``, ``>`` and both quotes as entities."""
    return html.escape(_text(value), quote=True)


def html_attribute(value: object) -> str:
    """``value`` for a double- or single-quoted HTML attribute (never an unquoted one)."""
    return html.escape(_text(value), quote=True)


def safe_url(value: object) -> str | None:
    """``value`` as a link address when its scheme is http(s), mailto or tel; else None.

    A bare domain (``www.example.org``) gets ``https://``. The result still needs
    `html_attribute` when written into an ``href``.
    """
    text = _text(value).strip()
    if not text or any(ord(char) < 32 for char in text):
        return None
    if not _URL_SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_URL_SCHEMES:
        return None
    if parts.scheme.lower() in {"http", "https"} and not parts.hostname:
        return None
    return text


def html_in_js_template(value: object) -> str:
    """``value`` as HTML that Folium writes into a JavaScript template literal.

    Folium's ``Tooltip`` and ``Popup`` put their text between backticks in the map's
    script. On top of `html_text`, the backtick (ends the literal), ``$`` (``${...}`` runs
    code) and the backslash (``\\u{`` is a syntax error that blanks the map) become HTML
    entities, which the browser shows as the characters themselves.
    """
    escaped = html_text(value)
    return "".join(_JS_TEMPLATE_CHARS.get(char, char) for char in escaped)


def js_string(value: object) -> str:
    """``value`` as a JavaScript string literal, safe inside an HTML ``<script>`` element.

    JSON with ``<``, ``>``, ``&`` and ``'`` as unicode escapes, so that ``</script>`` or
    ``<!--`` in the text cannot end the script, as Jinja's ``tojson`` does.
    """
    encoded = json.dumps(_text(value), ensure_ascii=False)
    encoded = encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return "".join(_JS_STRING_CHARS.get(char, char) for char in encoded)


def markdown_text(value: object, *, keep_lines: bool = False) -> str:
    """``value`` as Markdown that renders as exactly this text (no link, image or markup).

    Every ASCII punctuation character gets a backslash. Use it for any text from a file,
    the reference data or the URL that reaches ``st.markdown``, ``st.write``,
    ``st.caption``, ``st.error``/``warning``/``info``/``success``, a title or header, or a
    widget label or help text: all of them render Markdown. With ``keep_lines`` each line
    break stays a line break (Markdown would join the lines).
    """
    lines = _text(value).splitlines() if keep_lines else [_text(value)]
    return "  \n".join(_escape_markdown_line(line) for line in lines)


_INERT: Final = re.compile(r"(?:[^\W_]|[ ,.'’“”?()/;—–-])*")
_BLOCK_START: Final = re.compile(r"\s*([-+]|\d+[.)])(\s|$)")


def inert_text(value: object) -> str:
    """``value`` as it is when Markdown would render it as exactly this text, else escaped
    (`markdown_text`).

    Widget labels are also the fields' accessible names: a backslash escape would be read
    out by a screen reader. Text of letters, digits, spaces and plain punctuation that
    starts no list renders as itself, so it needs none; anything else is escaped.
    """
    text = _text(value)
    if _INERT.fullmatch(text) and not _BLOCK_START.match(text) and "www" not in text.casefold():
        return text
    return markdown_text(text)


def _escape_markdown_line(line: str) -> str:
    # GFM's autolinks and emoji shortcodes are found in the text after escapes are
    # resolved, so a backslash cannot stop them: an invisible word joiner after ":" and "@"
    # and inside "www." breaks every pattern they look for, and shows nothing.
    line = _AUTOLINK_WWW.sub("www" + _WORD_JOINER, line)
    line = line.replace(":", ":" + _WORD_JOINER).replace("@", "@" + _WORD_JOINER)
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", line)


def spreadsheet_cell(value: object) -> object:
    """``value``, with a leading ``'`` if it is text a spreadsheet would run as a formula.

    Only text is changed; numbers, booleans and missing values are returned as they are.
    Text that is one plain decimal number (``"-2.5879"``, ``"+5"``, ``"-1e3"``) is left
    alone: a spreadsheet reads it as that number and runs nothing, and a longitude must
    read back as a longitude. Anything more (``"-1+2"``, ``"+44 117"``) is prefixed, as
    OWASP advises, because a spreadsheet may evaluate it.
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def undo_spreadsheet_cell(text: str) -> str:
    """``text`` without the apostrophe `spreadsheet_cell` put before a formula start.

    A rejected-rows file read back gives the values the user typed, so the same row has
    the same problems, no more. The text is only read, never evaluated.
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def script_hash(script: str) -> str:
    """The Content-Security-Policy source that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_meta(*, scripts: Iterable[str] = ()) -> str:
    """A ``<meta>`` Content-Security-Policy for an exported, self-contained HTML page.

    Nothing may be fetched (``default-src 'none'``), styles and images only inline, and
    no script runs but those given (their exact text, allowed by hash): an injected
    ``<script>``, event handler or tracking image does nothing even if escaping failed.
    """
    sources = " ".join(script_hash(script) for script in scripts) or "'none'"
    policy = (
        "default-src 'none'; "
        f"script-src {sources}; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "font-src data:; "
        "base-uri 'none'; "
        "form-action 'none'"
    )
    return f'<meta http-equiv="Content-Security-Policy" content="{html_attribute(policy)}">'
