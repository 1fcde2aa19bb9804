"""The rendering rule, checked in the code: no text reaches Markdown, HTML or a map's script
without the escaping of `analysis.escape` for its context.

Streamlit renders Markdown in ``st.markdown``/``write``/``caption``/``error``… and in every
widget label and help text; Folium writes tooltips and popups into a JavaScript template
literal. A call is accepted when each text argument is a literal, a call of the context's
escaping function, or an f-string whose every value is escaped or formatted as a number
(``{count:,}``). Anything else fails here, with the file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("dashboard", "analysis")

# Streamlit calls whose text argument (first positional, label=, body=, help=) is Markdown.
MARKDOWN_CALLS = frozenset(
    [
        "markdown",
        "write",
        "caption",
        "title",
        "header",
        "subheader",
        "error",
        "warning",
        "info",
        "success",
        "toast",
        "exception",
        "spinner",
        "status",
        "button",
        "download_button",
        "link_button",
        "page_link",
        "form_submit_button",
        "checkbox",
        "toggle",
        "radio",
        "expander",
        "popover",
        "tabs",
        "metric",
        "badge",
        "text_input",
        "text_area",
        "number_input",
        "selectbox",
        "multiselect",
        "select_slider",
        "slider",
        "date_input",
        "time_input",
        "file_uploader",
        "color_picker",
        "pills",
        "segmented_control",
        "feedback",
    ]
)
TEXT_KEYWORDS = frozenset({"label", "body", "help", "text"})
# Receivers whose methods share these names but render nothing (logging, argparse).
NOT_STREAMLIT = frozenset({"logger", "log", "LOG", "logging", "parser", "warnings"})
MARKDOWN_ESCAPE = "markdown_text"
# Leaves text that Markdown shows as itself unchanged (a label's accessible name then has
# no backslashes), and escapes anything else as markdown_text does.
MARKDOWN_ESCAPES = frozenset({MARKDOWN_ESCAPE, "inert_text"})
JS_TEMPLATE_ESCAPE = "html_in_js_template"
# Functions that build tooltip HTML from html_in_js_template pieces (each tested on its own).
TOOLTIP_BUILDERS = frozenset({"popup_html", "service_tip"})
FOLIUM_DETAILS = frozenset({"GeoJsonTooltip", "GeoJsonPopup"})
FOLIUM_TEXT = frozenset({"Tooltip", "Popup"})


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_call_of(node: ast.AST, names: frozenset[str] | set[str]) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in names


def is_safe_markdown(node: ast.AST) -> bool:
    """A literal, an escaped value, or an f-string/sum of those and of formatted numbers."""
    if isinstance(node, ast.Constant):
        return True
    if _is_call_of(node, MARKDOWN_ESCAPES):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(part, ast.Constant)
            or (isinstance(part, ast.FormattedValue) and _is_safe_value(part))
            for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return is_safe_markdown(node.left) and is_safe_markdown(node.right)
    if isinstance(node, ast.IfExp):
        return is_safe_markdown(node.body) and is_safe_markdown(node.orelse)
    if isinstance(node, ast.List | ast.Tuple):  # st.tabs' labels
        return all(is_safe_markdown(element) for element in node.elts)
    return False


def _is_safe_value(part: ast.FormattedValue) -> bool:
    # A format spec ({n:,} {x:.2f} {km:g}) only applies to numbers: no text gets through.
    return part.format_spec is not None or _is_call_of(part.value, MARKDOWN_ESCAPES)


def is_safe_tooltip(node: ast.AST) -> bool:
    """A literal, an escaped value, a builder of escaped HTML, or a checked Folium detail."""
    if isinstance(node, ast.Constant):
        return True
    if _is_call_of(node, {JS_TEMPLATE_ESCAPE, *TOOLTIP_BUILDERS, *FOLIUM_DETAILS}):
        return True
    if _is_call_of(node, FOLIUM_TEXT):
        return bool(node.args) and is_safe_tooltip(node.args[0])
    return False


def violations(source: str, filename: str) -> Iterator[str]:
    """Every rendering call in ``source`` whose text is not escaped for its context."""
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        where = f"{filename}:{node.lineno}"
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in MARKDOWN_CALLS
            and _name(func.value) not in NOT_STREAMLIT
        ):
            texts = node.args[:1] + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
            for text in texts:
                if not is_safe_markdown(text):
                    yield f"{where}: {func.attr}() renders {ast.unparse(text)!r} unescaped"
        for keyword in node.keywords:
            if keyword.arg in {"tooltip", "popup"} and not is_safe_tooltip(keyword.value):
                yield f"{where}: {keyword.arg}= gets {ast.unparse(keyword.value)!r} unescaped"
            if keyword.arg == "unsafe_allow_html" and not (
                node.args and isinstance(node.args[0], ast.Constant)
            ):
                yield f"{where}: unsafe_allow_html with text that is not a literal"
        if _is_call_of(node, FOLIUM_TEXT) and node.args and not is_safe_tooltip(node.args[0]):
            yield f"{where}: {_name(func)}() gets {ast.unparse(node.args[0])!r} unescaped"


def _sources() -> Iterator[Path]:
    for folder in SCANNED:
        yield from sorted((REPO_ROOT / folder).rglob("*.py"))


def test_every_rendering_call_escapes_its_text():
    found = [
        problem
        for path in _sources()
        for problem in violations(
            path.read_text(encoding="utf-8"), str(path.relative_to(REPO_ROOT))
        )
    ]
    assert not found, "\n".join(found)


def test_html_is_escaped_in_one_module_only():
    """``html.escape`` appears only in analysis/escape.py: every other module calls it."""
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in _sources()
        if path.name != "escape.py"
        and (
            "html.escape" in (text := path.read_text(encoding="utf-8"))
            or "from html import" in text
        )
    ]
    assert not offenders


@pytest.mark.parametrize(
    "snippet",
    [
        "st.error(f'Postcode {postcode} not found')",
        "st.write(summary)",
        "st.caption('Thresholds: ' + text)",
        "col.metric(f'Aged {label}', 3)",
        "st.button('Go', help=user_text)",
        "st.expander(name if x else 'Other')",
        "st.tabs(['Changes', name])",
        "folium.Marker([0, 0], tooltip=html_text(name))",
        "folium.Marker([0, 0], tooltip=folium.Tooltip(name))",
        "folium.Popup(name)",
        "st.markdown(css, unsafe_allow_html=True)",
    ],
)
def test_the_scan_catches_unescaped_text(snippet):
    assert list(violations(snippet, "snippet.py"))


@pytest.mark.parametrize(
    "snippet",
    [
        "st.error(f'Postcode {markdown_text(postcode)} not found')",
        "st.write(markdown_text(summary))",
        "st.caption('Thresholds: ' + markdown_text(text))",
        "col.metric(f'{n:,} wards', 3)",
        "st.button('Go', help='Opens the ward')",
        "folium.Marker([0, 0], tooltip=html_in_js_template(name))",
        "folium.Marker([0, 0], tooltip=folium.Tooltip(popup_html(row, taxonomy)))",
        "logger.error('failed %s', name)",
        "st.markdown('<style>x{}</style>', unsafe_allow_html=True)",
    ],
)
def test_the_scan_accepts_escaped_text(snippet):
    assert not list(violations(snippet, "snippet.py"))
