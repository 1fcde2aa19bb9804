"""One escaping rule per output context: each keeps the text and defeats every payload family."""

from __future__ import annotations

import html
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from analysis.escape import (
    content_security_meta,
    html_attribute,
    html_in_js_template,
    html_text,
    inert_text,
    js_string,
    markdown_text,
    safe_url,
    script_hash,
    spreadsheet_cell,
    undo_spreadsheet_cell,
)

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "${alert(document.domain)}",
    "`+alert(1)+`",
    "`;alert(1);`",
    "\"'><b>x</b>",
    "javascript:alert(1)",
    "[Session expired — sign in again](https://evil.example/login)",
    "![t](https://evil.example/track.png)",
    "C:\\users\\u{zz}\\x",
    "https://evil.example/login",
    "www.evil.example",
    "someone@evil.example",
    ":red[alarm] :material/warning: $x^2$",
    "# Heading\n\n- item\n1. item\n> quote\n---",
    "<https://evil.example>",
)

# CommonMark with GFM's autolinks: the grammar Streamlit's Markdown follows.
MARKDOWN = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table"])


def _tokens(markdown: str) -> list:
    def walk(tokens):
        for token in tokens:
            yield token
            yield from walk(token.children or [])

    return list(walk(MARKDOWN.parse(markdown)))


def _rendered_text(markdown: str) -> str:
    """The text a reader sees: word joiners are invisible."""
    text = "".join(t.content for t in _tokens(markdown) if t.type == "text")
    return text.replace("\u2060", "")


# The patterns remark-gfm (Streamlit's Markdown) links in text after escapes are resolved
# (mdast-util-gfm-autolink-literal), and remark-emoji's shortcodes.
REMARK_TEXT_PATTERNS = (
    re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.I),
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)"),
    re.compile(r":[\w+-]+:"),
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_text_renders_as_the_text_itself_and_nothing_else(payload):
    escaped = markdown_text(payload)
    kinds = {token.type for token in _tokens(escaped)}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "text", "softbreak"}, kinds
    assert _rendered_text(escaped).replace("\n", "") == payload.replace("\n", "")


def test_markdown_text_keeps_lines_as_line_breaks():
    escaped = markdown_text("Line one.\nLine (two)", keep_lines=True)
    assert escaped == "Line one\\.  \nLine \\(two\\)"
    assert "hardbreak" in {token.type for token in _tokens(escaped)}


@given(st.text())
def test_markdown_text_never_makes_a_link_or_image(text):
    kinds = {token.type for token in _tokens(markdown_text(text))}
    assert not kinds & {"link_open", "image", "html_inline", "html_block", "code_inline"}


@pytest.mark.parametrize("payload", [*PAYLOADS, "WWW.evil.example", "a+b@x.example.org"])
def test_markdown_text_defeats_links_found_after_escapes(payload):
    text = "".join(t.content for t in _tokens(markdown_text(payload)) if t.type == "text")
    assert not [pattern.pattern for pattern in REMARK_TEXT_PATTERNS if pattern.search(text)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_and_attribute_leave_no_markup(payload):
    for escaped in (html_text(payload), html_attribute(payload)):
        assert not re.search(r"[<>\"']", escaped)
        assert html.unescape(escaped) == payload


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_in_js_template_cannot_end_or_interpolate_the_literal(payload):
    escaped = html_in_js_template(payload)
    assert not re.search(r"[<>\"'`$\\]", escaped)
    assert html.unescape(escaped) == payload


def test_html_in_js_template_spells_the_three_template_characters_as_entities():
    assert html_in_js_template("a`b${c}\\d") == "a&#96;b&#36;{c}&#92;d"


@pytest.mark.parametrize("payload", [*PAYLOADS, "</script><script>alert(1)</script>", "\u2028"])
def test_js_string_is_one_literal_that_cannot_close_the_script(payload):
    literal = js_string(payload)
    assert json.loads(literal) == payload
    assert not re.search(r"[<>&'\u2028\u2029]", literal)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/x?a=1", "https://example.org/x?a=1"),
        ("www.example.org", "https://www.example.org"),
        ("mailto:hello@example.org", "mailto:hello@example.org"),
        ("tel:+441174960123", "tel:+441174960123"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        (" javascript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("vbscript:msgbox", None),
        ("https://", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url_allows_only_web_mail_and_phone_links(value, expected):
    assert safe_url(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 117", "'+44 117"),
        ("-5", "-5"),
        ("-2.5879", "-2.5879"),
        ("+1e3", "+1e3"),
        ("-1+2", "'-1+2"),
        ("-5 ", "'-5 "),
        ("+44117", "+44117"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_cell_neutralises_formulas_only(value, expected):
    assert spreadsheet_cell(value) == expected


@pytest.mark.parametrize("value", ["=SUM(A1)", "+44 117", "-1+2", "@cmd", "\tx", "plain", "-5"])
def test_undo_spreadsheet_cell_gives_back_what_was_neutralised(value):
    assert undo_spreadsheet_cell(spreadsheet_cell(value)) == value


def test_undo_spreadsheet_cell_keeps_an_apostrophe_that_protects_nothing():
    assert undo_spreadsheet_cell("'tis") == "'tis"


def test_content_security_meta_allows_exactly_the_given_scripts():
    meta = content_security_meta(scripts=["var a = 1;"])
    policy = html.unescape(re.search(r'content="([^"]*)"', meta)[1])
    assert "default-src 'none'" in policy
    assert f"script-src {script_hash('var a = 1;')};" in policy
    assert "unsafe-inline" not in policy.split("style-src")[0]
    assert "script-src 'none'" in html.unescape(content_security_meta())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inert_text_escapes_whatever_markdown_would_change(payload):
    escaped = inert_text(payload)
    kinds = {token.type for token in _tokens(escaped)}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "text", "softbreak"}, kinds
    assert _rendered_text(escaped).replace("\n", "") == payload.replace("\n", "")


@given(st.text())
def test_inert_text_renders_as_the_text_itself(text):
    shown = inert_text(text)
    tokens = {token.type for token in _tokens(shown)}
    assert tokens <= {"paragraph_open", "paragraph_close", "inline", "text", "softbreak"}
    assert _rendered_text(shown).strip() == _rendered_text(markdown_text(text)).strip()
    assert not any(
        pattern.search(shown.replace("\u2060", "")) for pattern in REMARK_TEXT_PATTERNS[2:]
    )


@pytest.mark.parametrize(
    "label", ["Capacity (people helped per week)", "Runs from (YYYY-MM-DD)", "Who it is for"]
)
def test_a_plain_label_is_left_as_it_is_so_its_accessible_name_has_no_backslash(label):
    assert inert_text(label) == label
